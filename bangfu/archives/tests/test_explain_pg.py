"""On PostgreSQL, with 50,000 archives and 100,000 members, the list, every search, the pages
by key, reviews due and 应享未享低保 read through an index: EXPLAIN shows no sequential scan of
the archive or member table (one would read the whole province on every page)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, models

from bangfu.archives.identity import id_index, mobile_index
from bangfu.archives.models import Household, HouseholdMember
from bangfu.archives.permissions import ArchivesPermission
from bangfu.archives.selectors.benefits import dibao_gap
from bangfu.archives.selectors.browse import HouseholdFilters, household_list, search_key
from bangfu.archives.selectors.dynamic import recovery_keys, reviews_due
from bangfu.archives.tests.factories import make_area, make_household, make_id_number, make_member
from bangfu.core.crypto import EncryptedTextField
from bangfu.core.paging import COUNT_CAP
from bangfu.core.text import name_initials

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

HOUSEHOLDS = 50_000
MEMBERS_PER_HOUSEHOLD = 2
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ["伟", "芳", "秀英", "建国", "志强", "丽", "敏", "静", "海燕", "桂兰", "军", "洋"]
TODAY = date(2026, 6, 1)


def _fallback(field: models.Field) -> str:
    """An SQL value for a column the test does not care about: its default, else a blank."""
    if field.has_default():
        value = field.get_default()
        if isinstance(field, models.JSONField):
            import json

            return f"'{json.dumps(value)}'::jsonb"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if value is None:
            return "NULL"
        return "'" + str(value).replace("'", "''") + "'"
    if field.null:
        return "NULL"
    if isinstance(field, models.DateField | models.DateTimeField):
        return "now()"
    if isinstance(field, models.BooleanField):
        return "false"
    if isinstance(field, models.IntegerField | models.DecimalField):
        return "0"
    return "''"


def _seed(network: Any, staff: Any) -> None:
    """Insert the archives and members set-based (one INSERT … SELECT each), every column
    from the model, those searched with realistic spreads; then ANALYZE."""
    area = make_area()
    names = [s + g for s in SURNAMES for g in GIVEN]
    initials = [name_initials(n) for n in names]
    units = [network.station_a.pk, network.station_b.pk, network.point_a1.pk]
    # Half uniform, half skewed to the first names: the first surname about 10 % (王 is 7 %).
    u = "(g * 7919 % 1000)"
    pick = f"1 + ({u} * {len(names)} / 1000 + {u} * {u} * {len(names)} / 1000000) / 2"
    # Per row g: a name (skewed to the first surnames), a time, a unit, IDs that look real.
    expressions = {
        "id": "g + 1000000",
        "created_at": "timestamptz '2016-01-01' + (g * 97 % 3650) * interval '1 day' "
        "+ (g % 86400) * interval '1 second'",
        "updated_at": "now()",
        "unit_id": f"(ARRAY{units})[1 + g % {len(units)}]",
        "centre_id": str(network.township.pk),
        "area_id": str(area.pk),
        "filed_by_id": str(staff.pk),
        "archive_no": "(2016 + g % 10)::text || '-' || lpad((g / 10)::text, 5, '0')",
        "status": "CASE WHEN g % 10 < 7 THEN 'active' WHEN g % 10 = 7 THEN 'closed' "
        "ELSE 'applied' END",
        "applied_on": "date '2016-01-01' + (g % 3650)::int",
        "birth_date": "date '1960-01-01' + (g % 14000)::int",
        "name": f"(ARRAY{names})[{pick}]",
        "name_initials": f"(ARRAY{initials})[{pick}]",
        "id_index": "md5(g::text) || md5('id' || g)",
        "id_last4": "lpad((g * 7919 % 10000)::text, 4, '0')",
        "mobile_index": "md5('m' || g) || md5('mobile' || g)",
        "mobile_last4": "lpad((g * 104729 % 10000)::text, 4, '0')",
        "review_due_on": f"date '{TODAY}' - 60 + (g % 400)::int",
        "net_income_under_line": "CASE WHEN g % 20 = 0 THEN 400 + g % 200 END",
        "receives_dibao": "g % 40 = 0",
        # a 脱困 run on one archive in 10 (one in 20 long enough to be proposed)
        "recovery_run": "CASE WHEN g % 10 = 0 THEN 1 + g % 12 ELSE 0 END",
        "recovery_run_end": f"CASE WHEN g % 10 = 0 THEN date '{TODAY}' - ((g % 24) * 30)::int END",
        "main_cause": "1 + g % 10",
        "sex": "CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END",
    }
    columns, values = [], []
    for field in Household._meta.concrete_fields:
        columns.append(f'"{field.column}"')
        if field.column in expressions:
            values.append(expressions[field.column])
        elif isinstance(field, EncryptedTextField):
            values.append("'v1:bench:' || md5(g::text)")  # never decrypted by EXPLAIN
        else:
            values.append(_fallback(field))
    member_expressions = {
        "id": "g + 1000000",
        "household_id": f"1000000 + 1 + g % {HOUSEHOLDS}",
        "created_at": "now()",
        "updated_at": "now()",
        "name": "'成员'",
        "birth_date": "date '2000-01-01' + (g % 8000)::int",
        "id_index": "md5('member' || g) || md5(g::text || 'x')",
        "id_last4": "lpad((g * 6007 % 10000)::text, 4, '0')",
        "sex": "'F'",
        "relation": "'spouse'",
        "identity": "'employed'",
    }
    member_columns, member_values = [], []
    for field in HouseholdMember._meta.concrete_fields:
        member_columns.append(f'"{field.column}"')
        if field.column in member_expressions:
            member_values.append(member_expressions[field.column])
        elif isinstance(field, EncryptedTextField):
            member_values.append("'v1:bench:' || md5(g::text)")
        else:
            member_values.append(_fallback(field))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO archives_household ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM generate_series(1::bigint, {HOUSEHOLDS}) g"
        )
        cursor.execute(
            f"INSERT INTO archives_householdmember ({', '.join(member_columns)}) "
            f"SELECT {', '.join(member_values)} "
            f"FROM generate_series(1::bigint, {HOUSEHOLDS * MEMBERS_PER_HOUSEHOLD}) g"
        )
        cursor.execute("ANALYZE archives_household")
        cursor.execute("ANALYZE archives_householdmember")
        cursor.execute("ANALYZE network_orgunit")


@pytest.fixture
def seeded(network, staff):
    _seed(network, staff)
    # Real archives to find among them, filed as the app files them.
    head = make_household(network.station_a, filed_by=staff, name="欧阳娜娜",
                          name_initials="oynn", id_number=make_id_number(seq=901),
                          mobile="13912345678")  # fmt: skip
    member_id = make_id_number(date(2001, 1, 1), seq=902)
    make_member(head, id_number=member_id, name="欧阳小娜")
    assert head.id_index == id_index(head.id_number)
    assert head.mobile_index == mobile_index("13912345678")
    return head, member_id


def _plan(queryset: Any) -> str:
    return str(queryset.explain())


def _assert_indexed(label: str, plan: str) -> None:
    scans = re.findall(r"Seq Scan on (archives_household|archives_householdmember)\b", plan)
    assert scans == [], f"{label}: sequential scan of {scans}\n{plan}"


def test_the_list_every_search_reviews_due_and_the_gap_read_through_an_index(seeded, leader, staff):
    """One test, one seeding (150,000 rows take a while on a shared machine)."""
    head, member_id = seeded
    searches = {
        "name prefix (common surname)": HouseholdFilters(q="王"),
        "name prefix (two characters)": HouseholdFilters(q="张伟"),
        "pinyin initials": HouseholdFilters(q="zw"),
        "ID or mobile last four": HouseholdFilters(q=head.id_number[-4:]),
        "whole ID (head)": HouseholdFilters(q=head.id_number),
        "whole ID (member), by key": HouseholdFilters(key=search_key(member_id)),
        "whole mobile": HouseholdFilters(q="13912345678"),
        "mobile by key": HouseholdFilters(key=search_key("13912345678")),
        "archive number": HouseholdFilters(q="2020-00017"),
        "review overdue": HouseholdFilters(review_overdue=True, today=TODAY),
    }
    for label, filters in searches.items():
        households = household_list(user=leader, filters=filters)
        # What a page reads: its keys in list order, then the capped count.
        _assert_indexed(label, _plan(households.values_list("pk", flat=True)[:21]))
        _assert_indexed(f"{label} (count)", _plan(households.order_by()[: COUNT_CAP + 1]))

    # the list itself: first page, last page, a page by key — along the newest-first index
    everything = household_list(user=leader, filters=HouseholdFilters())
    first = _plan(everything.values_list("pk", flat=True)[:21])
    last = _plan(everything.order_by("created_at", "pk").values_list("pk", flat=True)[:21])
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    after = _plan(everything.filter(created_at__lte=moment).values_list("pk", flat=True)[:21])
    for label, plan in (("first page", first), ("last page", last), ("page by key", after)):
        _assert_indexed(label, plan)
        assert "archives_hh_newest" in plan, f"{label}\n{plan}"

    # reviews due and the 低保 gap: their partial indexes, in their order
    due = reviews_due(user=staff, today=TODAY)
    due_plan = _plan(due.values_list("pk", flat=True)[:51])
    gap_plan = _plan(dibao_gap(user=staff, day=TODAY)[:50])
    _assert_indexed("reviews due", due_plan)
    _assert_indexed("dibao gap", gap_plan)
    assert "archives_hh_review_due" in due_plan, due_plan
    assert "archives_hh_dibao_gap" in gap_plan, gap_plan

    # 建议脱困: the candidates' keys come from the partial index of the runs, in their order
    for user in (staff, leader):
        keys = recovery_keys(user=user, perm=ArchivesPermission.VIEW, needed=6)
        recovery_plan = _plan(keys)
        _assert_indexed("recovery candidates", recovery_plan)
        assert "archives_hh_recovery" in recovery_plan, recovery_plan
    assert len(keys) > 1000
    assert [k for k, _pk in keys[:50]] == sorted(k for k, _pk in keys[:50])
    days = [d for d in due.values_list("review_due_on", flat=True)[:5] if d is not None]
    assert len(days) == 5
    assert days == sorted(days) and days[0] <= TODAY + timedelta(days=30)

    # and the real archives among them are found by the app
    def found(**filters: Any) -> list[int]:
        return list(
            household_list(user=leader, filters=HouseholdFilters(**filters)).values_list(
                "pk", flat=True
            )[:5]
        )

    assert found(q=head.id_number) == [head.pk]
    assert found(key=search_key(member_id)) == [head.pk]
    assert found(q="13912345678") == [head.pk]
    assert head.pk in found(q="oynn")
    assert Household.objects.count() == HOUSEHOLDS + 1
