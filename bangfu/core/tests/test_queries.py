"""`core.queries.any_of`: the same rows as `__in`, for keys, foreign keys and text indexes —
on PostgreSQL as one array parameter cast to the column's type (a smallint[] against a bigint
column is a comparison PostgreSQL cannot hash: a filter on it compared every row with every
key)."""

from __future__ import annotations

import pytest

from bangfu.archives.models import Household, HouseholdMember
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.queries import any_of

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds(network, staff):
    households = [
        make_household(network.station_a, filed_by=staff, id_number=make_id_number(seq=n))
        for n in range(1, 6)
    ]
    for household in households[:3]:
        make_member(household, id_number=make_id_number(seq=100 + household.pk))
    keys = [households[0].pk, households[2].pk, households[4].pk, 10**12]
    assert set(any_of(Household.objects.all(), "id", keys)) == set(
        Household.objects.filter(pk__in=keys)
    )
    members = any_of(HouseholdMember.objects.all(), "household_id", keys)
    assert sorted(m.household_id for m in members) == [households[0].pk, households[2].pk]
    indexes = [households[1].id_index, "no-such-index"]
    assert list(any_of(Household.objects.all(), "id_index", indexes)) == [households[1]]
    tails = [households[3].id_last4]
    assert households[3] in any_of(Household.objects.all(), "id_last4", tails)
    assert not any_of(Household.objects.all(), "id", []).exists()
    # Combined with other conditions, as the import reads its archives.
    narrowed = any_of(Household.objects.filter(status=Household.Status.ACTIVE), "id", keys)
    assert narrowed.count() == 3


@pytest.mark.postgres
def test_any_of_is_one_parameter_of_the_column_type(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    keys = [*range(1, 2001), household.pk]
    query = any_of(Household.objects.all(), "id", keys)
    sql, params = query.query.sql_with_params()
    assert '"archives_household"."id" = ANY(%s::bigint[])' in sql
    # Keys and plain texts go as one array literal (quoted once, not element by element).
    assert list(params) == ["{" + ",".join(map(str, keys)) + "}"]
    sql, params = any_of(
        Household.objects.all(), "id_index", [household.id_index]
    ).query.sql_with_params()
    assert '"archives_household"."id_index" = ANY(%s::varchar(' in sql
    assert list(params) == ["{" + household.id_index + "}"]
    assert list(query) == [household]


@pytest.mark.postgres
def test_texts_that_need_quoting_are_sent_as_a_list_and_match_alike(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    index = household.id_index
    for awkward in ("NULL", "null", 'a"b', "a,b", "a b", "{x}", "a\\b", "", "张三"):
        values = [index, awkward]
        query = any_of(Household.objects.all(), "id_index", values)
        _sql, params = query.query.sql_with_params()
        assert list(params) == [values], awkward
        assert list(query) == [household], awkward
    # True is no key and 1.0 no whole number: sent as they are.
    query = any_of(Household.objects.all(), "id", [household.pk, True])
    _sql, params = query.query.sql_with_params()
    assert list(params) == [[household.pk, True]]
    assert list(any_of(Household.objects.all(), "id_index", [index, "0" * 64])) == [household]
