"""Filing many archives at once (what the Excel import calls)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.accounts.policy import forget_grants
from bangfu.archives.models import (
    Determination,
    Household,
    HouseholdMember,
    IdRegistration,
)
from bangfu.archives.services import filing
from bangfu.core.audit import verify_chain
from bangfu.core.errors import ValidationError
from bangfu.core.masking import mask_id_number
from bangfu.core.models import AuditEvent
from bangfu.kits.workflow.models import Visit

from .factories import make_area, make_household, make_id_number, make_standards
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
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "COPY"))]
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
    event = AuditEvent.objects.get(action="archives.household.create", object_id=created[0].pk)
    head_id, spouse_id = created[0].id_number, created[0].members.get().id_number
    assert event.changes["id_number"] == [None, head_id[:6] + "********" + head_id[-4:]]
    (spouse,) = event.changes["members"][1]  # the members as filed, their IDs masked
    assert spouse["id_number"] == spouse_id[:6] + "********" + spouse_id[-4:]
    assert head_id not in str(event.changes) and spouse_id not in str(event.changes)
    assert verify_chain()[1] is None


def test_create_many_applied_gets_visits(network, staff):
    filing.household_create_many(
        actor=staff, items=_items(network, 2), status=Household.Status.APPLIED
    )
    assert Visit.objects.count() == 2


def test_create_many_query_count_does_not_grow_with_rows(network, staff):
    # Measured for 2 and for 20 households, with a standard in force so that the categories
    # are determined: 18 statements besides the inserts on SQLite (6 of them
    # SAVEPOINT/RELEASE; the new archives are counted in the actor's scope, not locked and
    # read again; one UPDATE keeps each archive's latest determination, one more when some are
    # under the line and some not, one per new category). On PostgreSQL 21: the categories are
    # determined before the archives are written (`determinations_prepare_new`), so none of
    # those UPDATEs; 2 more, the audit chain's advisory lock, and 5 more, the keys taken from
    # each table's sequence (`core.bulk`; the ID registrations' are made by the table). And
    # one INSERT (COPY) per table: households, members, ID registrations, determinations,
    # audit events (filing and determination). SQLite alone splits an insert by its
    # 999-parameter limit: the household table (~90 columns) takes one INSERT per 11
    # households there, still not one per row.
    make_standards(make_area())
    small = _queries(network, staff, 2, start=200)
    large = _queries(network, staff, 20, start=300)
    assert small[0] == large[0] == (21 if connection.vendor == "postgresql" else 18)
    assert small[1] == 6
    if connection.vendor == "postgresql":
        assert large[1] == 6
    else:
        assert large[1] <= 6 + 20 // 10
    assert Determination.objects.count() == 22


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
    assert "的档案" in errors["1.id_number"]
    assert errors["3.id_number"].endswith("与第 3 户重复。")
    assert (Household.objects.count(), AuditEvent.objects.count()) == before


def test_validate_households_reports_like_create_many_in_one_query(
    network, staff, django_assert_num_queries
):
    # given one ID already in an archive, one duplicated inside the batch, one bad field, one
    # ID twice within its own household
    taken = make_id_number(seq=501)
    make_household(network.station_b, filed_by=staff, id_number=taken, name="王五")
    items = _items(network, 5, start=510)
    items[1].id_number = taken
    items[3].id_number = items[2].id_number
    items[0].housing = ""
    items[4].members[0].id_number = items[4].id_number

    # when
    with django_assert_num_queries(1):
        errors = filing.validate_households(items)

    # then
    assert errors == {
        "0.housing": "请选择住房类型。",
        "1.id_number": (
            f"身份证号 {mask_id_number(taken)} 已在另一份未撤档的档案中,"
            "该档案属于响水乡职工服务(帮扶)中心,请向该中心核实。"
        ),
        "3.id_number": f"身份证号 {mask_id_number(items[2].id_number)} 与第 3 户重复。",
        "4.members.0.id_number": (
            f"身份证号 {mask_id_number(items[4].id_number)} 在本户中重复填写。"
        ),
    }
    # each item alone gets the same messages (but for the duplicate between items)
    for n, item in enumerate(items):
        alone = {f"{n}.{k}": v for k, v in filing.validate_household(item).items()}
        assert alone == {k: v for k, v in errors.items() if k.startswith(f"{n}.") and n != 3}
    # without the check between items, the duplicate is left to the caller
    assert "3.id_number" not in filing.validate_households(items, across_items=False)


def test_validate_households_of_good_items_is_empty(network):
    assert filing.validate_households(_items(network, 3)) == {}
    assert filing.validate_households([]) == {}


def test_create_many_determines_2021_archives_and_keeps_a_given_2012_category(network, staff):
    # given a standard in force, a 2021 item and a 2012 item with its category from the roster
    make_standards(make_area())
    items = _items(network, 3, start=600)
    items[1].rule_version = "acftu-2012"
    items[1].category = "no_dibao"
    items[2].rule_version = "acftu-2012"  # no category given: determined under its rule

    # when
    created = filing.household_create_many(actor=staff, items=items)

    # then
    stored = {h.pk: h for h in Household.objects.filter(pk__in=[h.pk for h in created])}
    first, second, third = (stored[h.pk] for h in created)
    # the unemployed wife (born 1972, post not recorded) is past 50, so not imputed
    assert first.category == "deep"
    assert first.determinations.get().rule_version == "acftu-2021"
    assert second.category == "no_dibao"
    assert not second.determinations.exists()
    assert third.determinations.get().rule_version == "acftu-2012"
    assert [h.category for h in created] == [first.category, "no_dibao", third.category]
    assert AuditEvent.objects.filter(action="archives.household.determine").count() == 2
    assert verify_chain()[1] is None
    # Each determined archive names its determination and the income the 应享未享低保 list
    # reads, as a determination after filing leaves them (on PostgreSQL they are written with
    # the archive: `categories.determinations_prepare_new`).
    for household in (first, third):
        determination = household.determinations.get()
        assert household.latest_determination_id == determination.pk
        assert household.net_income_under_line == determination.income_under_line(
            determination.dibao_standard.amount
        )
    assert second.latest_determination_id is None and second.net_income_under_line is None
    # The trail: every archive's creation as filed (no category yet for a determined one),
    # then the determinations.
    events = list(AuditEvent.objects.order_by("seq").values_list("action", "changes"))
    actions = [action for action, _changes in events]
    assert actions == ["archives.household.create"] * 3 + ["archives.household.determine"] * 2
    assert [changes["category"] for _action, changes in events] == [
        [None, ""],
        [None, "no_dibao"],
        [None, ""],
        ["", first.category],
        ["", third.category],
    ]


def test_create_many_without_a_standard_files_without_category(network, staff):
    created = filing.household_create_many(actor=staff, items=_items(network, 2, start=650))
    assert [h.category for h in Household.objects.filter(pk__in=[h.pk for h in created])] == [
        "",
        "",
    ]
    assert not Determination.objects.exists()


def test_released_archives_are_freed_without_the_cyclic_collector(network, staff):
    """`release_filed`: a written import batch is freed by reference counting alone (its
    archives, members and determinations named one another: each batch waited for a full
    collection)."""
    import gc
    import weakref

    make_standards(make_area())  # the categories determined: archive ↔ determination too
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        created = filing.household_create_many(actor=staff, items=_items(network, 3))
        members = [m for h in created for m in h._new_members]  # type: ignore[attr-defined]
        assert members and all(h.latest_determination is not None for h in created)
        refs = [weakref.ref(obj) for obj in [*created, *members]]
        refs += [weakref.ref(h.latest_determination) for h in created]
        del members
        filing.release_filed(created)
        del created
        assert [ref for ref in refs if ref() is not None] == []
    finally:
        if enabled:
            gc.enable()


def test_released_archives_still_read_their_relations(network, staff):
    (created,) = filing.household_create_many(actor=staff, items=_items(network, 1))
    filing.release_filed([created])
    assert not hasattr(created, "_new_members")
    assert created.unit == network.station_b and created.members.count() == 1


def test_registry_rows_are_made_for_saved_archives_and_members_only():
    # A row with no member key would stand for the head: never written for an unsaved member.
    from bangfu.archives.models import Household, HouseholdMember
    from bangfu.archives.services.filing import _registrations

    saved = Household(pk=7, id_index="h" * 64)
    member = HouseholdMember(pk=9, id_index="m" * 64)
    assert _registrations(saved, [member, HouseholdMember(id_index="")]) == [
        ("h" * 64, 7, None),
        ("m" * 64, 7, 9),
    ]
    with pytest.raises(ValueError):
        _registrations(saved, [HouseholdMember(id_index="n" * 64)])
    with pytest.raises(ValueError):
        _registrations(Household(id_index="h" * 64), [])
