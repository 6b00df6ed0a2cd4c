"""Determining many archives at once (the import): the same outcome as one by one, in a number
of queries that does not grow with the archives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bangfu.accounts.policy import forget_grants
from bangfu.archives.models import Determination, Household, MinimumWage
from bangfu.archives.services.categories import household_determine, household_determine_many
from bangfu.archives.tests.factories import (
    make_area,
    make_household,
    make_id_number,
    make_member,
    make_standards,
)
from bangfu.core.audit import verify_chain
from bangfu.core.errors import NotFound
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 1)


class _Rollback(Exception):
    pass


def _varied(network: Any, staff: Any) -> list[Household]:
    """Twenty archives across the rules' branches, two areas with standards, one without a
    standard and one without a minimum wage."""
    main = make_area()
    make_standards(main, dibao="650.00", minimum_wage="1930.00")
    other = make_area("430304", "岳塘区")
    make_standards(other, dibao="700.00", minimum_wage="2000.00", effective_from=date(2025, 7, 1))
    bare = make_area("430321", "湘潭县")  # no standard at all
    no_wage = make_area("430381", "湘乡市")
    make_standards(no_wage, dibao="600.00")
    MinimumWage.objects.filter(area=no_wage).delete()

    households: list[Household] = []
    seq = 500

    def add(area: Any = main, members: tuple[dict[str, Any], ...] = (), **fields: Any) -> None:
        nonlocal seq
        seq += 1
        unit = network.station_a if seq % 2 else network.station_b
        household = make_household(
            unit, filed_by=staff, area=area, id_number=make_id_number(seq=seq), **fields
        )
        for values in members:
            seq += 1
            make_member(household, id_number=make_id_number(date(1980, 5, 5), seq=seq), **values)
        households.append(household)

    retired = {"identity": "retired", "birth_date": date(1960, 1, 1)}
    idle = {"identity": "unemployed", "birth_date": date(1990, 1, 1), "sex": "F"}
    student = {"identity": "student", "able_to_work": False, "birth_date": date(2010, 1, 1)}
    # acftu-2021 around the standard: exactly at it, one fen over, at twice it
    add(members=(retired,), wage_income=Decimal("15600"))  # 650.00 → deep
    add(members=(retired,), wage_income=Decimal("15600.24"))  # 650.01 → relative
    add(members=(retired,), wage_income=Decimal("31200"))  # 1300.00 → not eligible
    add(members=(retired,), wage_income=Decimal("31200"), sudden_hardship=True)  # accident
    add(members=(idle,), wage_income=Decimal("6000"))  # idle member at the minimum wage
    add(members=(idle, student), head_monthly_income=Decimal("800"))  # per-person basis
    add(wage_income=Decimal("3000"), medical_spending=Decimal("5000"))  # net below zero
    add(members=(retired,), wage_income=Decimal("1000"), owns_vehicle=True)  # excluded
    add(members=(retired,), wage_income=Decimal("1000"), refuses_cooperation=True)
    add(area=other, members=(retired,), wage_income=Decimal("16800"))  # 700.00 → deep
    add(area=other, members=(idle,), wage_income=Decimal("20000"))
    # acftu-2012 files
    add(rule_version="acftu-2012", members=(retired,), receives_dibao=True)
    add(rule_version="acftu-2012", members=(retired,), wage_income=Decimal("15000"))
    add(rule_version="acftu-2012", members=(idle,), wage_income=Decimal("20000"))
    add(rule_version="acftu-2012", wage_income=Decimal("30000"), sudden_hardship=True)
    # cannot be determined: no standard; an idle member but no minimum wage
    add(area=bare, members=(retired,), wage_income=Decimal("6000"))
    add(area=no_wage, members=(idle,), wage_income=Decimal("6000"))
    # no idle member, so no minimum wage needed
    add(area=no_wage, members=(retired,), wage_income=Decimal("6000"))
    # already determined: once unchanged since, once with the income changed since
    add(members=(retired,), wage_income=Decimal("9000"))
    add(members=(retired,), wage_income=Decimal("9000"))
    household_determine(actor=staff, household=households[-2], on=ON)
    household_determine(actor=staff, household=households[-1], on=ON)
    Household.objects.filter(pk=households[-1].pk).update(wage_income=Decimal("40000"))
    return [Household.objects.select_related("unit", "area").get(pk=h.pk) for h in households]


def _outcome(households: list[Household], since: int) -> list[Any]:
    """Everything the determinations left: archives' categories, the determinations (without
    their ids and times) and the audit events after `since`, with ids replaced by archives."""
    rows = []
    for household in Household.objects.filter(pk__in=[h.pk for h in households]).order_by("pk"):
        determinations = [
            (
                d.rule_version,
                d.dibao_standard_id,
                d.minimum_wage_id,
                d.inputs,
                d.net_income_per_capita,
                d.category,
                d.reason,
                d.determined_on,
                d.determined_by_id,
            )
            for d in household.determinations.order_by("created_at", "id")
        ]
        rows.append((household.pk, household.category, determinations))
    household_of = dict(Determination.objects.values_list("pk", "household_id"))
    events = []
    for event in AuditEvent.objects.filter(seq__gt=since).order_by("seq"):
        changes = dict(event.changes)
        old, new = changes["determination"]
        changes["determination"] = [old, household_of.get(int(new))]
        events.append((event.action, event.object_id, event.summary, changes, event.actor_id))
    return [rows, events]


def test_determine_many_matches_determining_one_by_one(network, staff):
    # given
    households = _varied(network, staff)
    since = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    # when: one by one (rolled back), then all at once
    with pytest.raises(_Rollback), transaction.atomic():
        single = [household_determine(actor=staff, household=h, on=ON) for h in households]
        one_by_one = _outcome(households, since)
        raise _Rollback
    assert Determination.objects.count() == 2  # the two made by `_varied`
    result = household_determine_many(actor=staff, households=households, on=ON)
    at_once = _outcome(households, since)

    # then
    assert at_once == one_by_one
    # (ids differ after the rollback: compare what the returned determinations say)
    assert [(d.household_id, d.category, d.reason) for d in result] == [
        (d.household_id, d.category, d.reason) for d in single if d is not None
    ]
    assert [h.pk for h, _reason in result.skipped] == [households[15].pk, households[16].pk]
    assert result.skipped[0][1] == (
        "“湘潭县”在 2026-03-01 没有执行中的低保标准,请系统管理员先录入低保标准。"
    )
    assert "没有执行中的最低工资标准" in result.skipped[1][1]
    # the archive unchanged since its determination keeps it: no new record, no event
    assert result[-2].pk == households[-2].determinations.get().pk
    assert [h.category for h in households[:4]] == ["deep", "relative", "not_eligible", "accident"]
    assert verify_chain()[1] is None


def test_determine_many_outside_scope_changes_nothing(network, staff, liaison_b):
    # given one archive of station a among station b's
    area = make_area()
    make_standards(area)
    mine = make_household(network.station_b, filed_by=staff, id_number=make_id_number(seq=601))
    theirs = make_household(network.station_a, filed_by=staff, id_number=make_id_number(seq=602))
    before = (Determination.objects.count(), AuditEvent.objects.count())

    # when / then
    with pytest.raises(NotFound):
        household_determine_many(actor=liaison_b, households=[mine, theirs], on=ON)
    assert (Determination.objects.count(), AuditEvent.objects.count()) == before
    assert set(Household.objects.values_list("category", flat=True)) == {""}


def _queries(network: Any, staff: Any, n: int, seq: int) -> tuple[int, int]:
    """Return (statements other than INSERT, INSERT statements) of determining n archives."""
    area = make_area()
    households = []
    for i in range(n):
        household = make_household(
            network.station_a if i % 2 else network.station_b,
            filed_by=staff,
            area=area,
            id_number=make_id_number(seq=seq + i),
            wage_income=Decimal(6000 + 1000 * (i % 20)),  # several categories
        )
        make_member(household, id_number=make_id_number(date(1980, 5, 5), seq=seq + 500 + i))
        households.append(household)
    forget_grants(staff)
    with CaptureQueriesContext(connection) as ctx:
        result = household_determine_many(actor=staff, households=households, on=ON)
    assert len(result) == n
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "COPY"))]
    return len(ctx.captured_queries) - len(inserts), len(inserts)


def test_determine_many_query_count_does_not_grow(network, staff):
    # given
    make_standards(make_area())

    # when
    small = _queries(network, staff, 10, seq=700)
    large = _queries(network, staff, 100, seq=800)

    # then: lock and read the archives, their members and latest determinations, the standard
    # and the minimum wage, one UPDATE per category, the audit chain's last event (+ the
    # advisory lock on PostgreSQL) and the savepoint; one INSERT each for determinations and
    # audit events, which SQLite splits by its 999-parameter limit (~80 rows a statement)
    assert small[0] == large[0], (small, large)
    assert small[1] == 2
    assert large[1] == (2 if connection.vendor == "postgresql" else 4)
    assert Determination.objects.count() == 110
