"""Filing many archives at once (what the Excel import calls)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.accounts.policy import forget_grants
from bangfu.archives.models import Household, HouseholdMember, IdRegistration, Investigation
from bangfu.archives.services import filing
from bangfu.core.audit import verify_chain
from bangfu.core.errors import ValidationError
from bangfu.core.models import AuditEvent

from .factories import make_household, make_id_number
from .filing_factories import household_input, member_input


def _items(network, n: int, *, start: int = 100) -> list:
    return [
        household_input(
            network.station_a if i % 2 else network.station_b,
            name=f"职工{i}",
            id_number=make_id_number(date(1970, 1, 1 + i % 28), seq=start + i),
            members=[
                member_input(id_number=make_id_number(date(1972, 2, 2), sex="F", seq=start + i))
            ],
        )
        for i in range(n)
    ]


def _queries(network, staff, n: int, start: int) -> tuple[int, int]:
    """Return (statements other than INSERT, INSERT statements) of filing n households."""
    items = _items(network, n, start=start)
    forget_grants(staff)  # each call loads the user's roles afresh
    with CaptureQueriesContext(connection) as ctx:
        filing.household_create_many(actor=staff, items=items)
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    return len(ctx.captured_queries) - len(inserts), len(inserts)


def test_create_many_writes_active_archives_numbered_with_registry_and_audit(network, staff):
    # when
    created = filing.household_create_many(actor=staff, items=_items(network, 3))

    # then
    assert [h.archive_no for h in created] == ["2026-00001", "2026-00002", "2026-00003"]
    assert {h.status for h in Household.objects.all()} == {Household.Status.ACTIVE}
    first = Household.objects.get(pk=created[0].pk)
    assert first.origin == "import"
    assert first.filed_on == date(2026, 3, 2)
    assert first.review_due_on == date(2027, 3, 2)
    assert HouseholdMember.objects.count() == 3
    assert IdRegistration.objects.count() == 6
    assert AuditEvent.objects.filter(action="archives.household.create").count() == 3
    assert verify_chain()[1] is None


def test_create_many_applied_gets_visits(network, staff):
    filing.household_create_many(
        actor=staff, items=_items(network, 2), status=Household.Status.APPLIED
    )
    assert Investigation.objects.count() == 2


def test_create_many_query_count_does_not_grow_with_rows(network, staff):
    # Measured for 2 and for 20 households: 10 statements besides the inserts (4 of them
    # SAVEPOINT/RELEASE; PostgreSQL adds the audit chain's advisory lock), and one INSERT per
    # table: households, members, ID registrations, audit events. SQLite alone splits an
    # insert by its 999-parameter limit: the household table (~90 columns) takes one INSERT
    # per 11 households there, still not one per row.
    small = _queries(network, staff, 2, start=200)
    large = _queries(network, staff, 20, start=300)
    assert small[0] == large[0] <= 11
    assert small[1] == 4
    if connection.vendor == "postgresql":
        assert large[1] == 4
    else:
        assert large[1] <= 4 + 20 // 10


def test_create_many_refuses_everything_when_one_is_wrong(network, staff):
    # given one ID already in an archive, one duplicated inside the batch, one bad field
    taken = make_id_number(seq=401)
    make_household(network.station_b, filed_by=staff, id_number=taken, name="王五")
    items = _items(network, 4, start=410)
    items[1].id_number = taken
    items[3].id_number = items[2].id_number
    items[0].housing = ""
    before = (Household.objects.count(), AuditEvent.objects.count())

    # when
    with pytest.raises(ValidationError) as exc:
        filing.household_create_many(actor=staff, items=items)

    # then
    errors = exc.value.errors
    assert set(errors) == {"0.housing", "1.id_number", "3.id_number"}
    assert "已在档案" in errors["1.id_number"]
    assert errors["3.id_number"].endswith("与第 3 户重复。")
    assert (Household.objects.count(), AuditEvent.objects.count()) == before
