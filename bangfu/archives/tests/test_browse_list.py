"""The archive list: search by name, pinyin initials, ID tail, phone tail; filters; scope;
masked columns; a flat number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household
from bangfu.archives.models import choices as c
from bangfu.archives.selectors.browse import HouseholdFilters, household_list
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.text import name_initials

URL = reverse("archives:household_list")


def file(unit, user, name="张三", **fields):
    return make_household(
        unit, filed_by=user, name=name, name_initials=name_initials(name), **fields
    )


def names(user, **filters):
    return sorted(h.name for h in household_list(user=user, filters=HouseholdFilters(**filters)))


@pytest.fixture
def people(network, staff):
    """Four archives in station A, one in station B."""
    return {
        "zhangsan": file(
            network.station_a,
            staff,
            "张三",
            id_number=make_id_number(seq=101),
            mobile="13800001111",
        ),
        "zhangsanfeng": file(
            network.station_a,
            staff,
            "张三丰",
            id_number=make_id_number(seq=102),
            mobile="13900002222",
        ),
        "lisi": file(
            network.point_a1, staff, "李四", id_number=make_id_number(seq=103), mobile="13700003333"
        ),
        "zhaosi": file(
            network.station_a, staff, "赵思", id_number=make_id_number(seq=104), mobile=""
        ),
        "wangwu": file(
            network.station_b,
            staff,
            "王五",
            id_number=make_id_number(seq=105),
            mobile="13600004444",
        ),
    }


def test_name_exact_and_prefix(people, staff):
    assert names(staff, q="张三") == ["张三", "张三丰"]
    assert names(staff, q="张三丰") == ["张三丰"]
    assert names(staff, q="  李四 ") == ["李四"]
    assert names(staff, q="四") == []


def test_pinyin_initials_as_a_prefix_in_any_case(people, staff):
    assert names(staff, q="zs") == ["张三", "张三丰", "赵思"]
    assert names(staff, q="ZSF") == ["张三丰"]
    assert names(staff, q="ｌｓ") == ["李四"]  # full-width letters


def test_last_four_id_digits(people, staff):
    tail = people["lisi"].id_number[-4:]

    assert names(staff, q=tail) == ["李四"]


def test_an_id_tail_ending_in_x_is_matched_in_either_case(network, staff):
    # given: seq chosen so that the check character is X
    id_x = next(
        make_id_number(seq=n) for n in range(300, 500) if make_id_number(seq=n).endswith("X")
    )
    file(network.station_a, staff, "钱七", id_number=id_x)

    # then
    assert names(staff, q=id_x[-4:].lower()) == ["钱七"]


def test_a_member_id_tail_or_full_id_finds_the_household(people, staff):
    member_id = make_id_number(date(2001, 2, 3), seq=201)
    make_member(people["zhaosi"], id_number=member_id, name="赵小妹", relation=c.Relation.DAUGHTER)

    assert names(staff, q=member_id[-4:]) == ["赵思"]
    assert names(staff, q=member_id) == ["赵思"]


def test_full_id_through_the_blind_index(people, staff):
    full = people["zhangsan"].id_number

    assert names(staff, q=full) == ["张三"]
    assert names(staff, q=full[:-1] + ("0" if full[-1] != "0" else "1")) == []  # bad check char


def test_phone_tail(people, staff):
    assert names(staff, q="2222") == ["张三丰"]
    assert names(staff, q="4444") == ["王五"]


def test_a_whole_mobile_number_finds_the_archive(people, staff, liaison_b):
    # Staff type the number a worker calls from; only that archive, only within scope
    file(people["zhangsan"].unit, staff, "张三三", id_number=make_id_number(seq=106),
         mobile="13500001111")  # fmt: skip

    assert names(staff, q="13800001111") == ["张三"]
    assert names(staff, q="138 0000 1111") == ["张三"]
    assert names(staff, q="13800009999") == []
    assert names(liaison_b, q="13800001111") == []


def test_filters(people, staff, network):
    # given
    Household.objects.filter(pk=people["zhangsan"].pk).update(
        category=c.Category.DEEP, main_cause=c.HardshipCause.SERIOUS_ILLNESS
    )
    Household.objects.filter(pk=people["lisi"].pk).update(
        secondary_causes=[c.HardshipCause.SCHOOLING, c.HardshipCause.SERIOUS_ILLNESS],
        rule_version="acftu-2012",
        status=Household.Status.APPLIED,
    )
    today = timezone.localdate()
    Household.objects.filter(pk=people["zhaosi"].pk).update(review_due_on=today - timedelta(1))
    Household.objects.filter(pk=people["wangwu"].pk).update(review_due_on=today)

    # then
    assert names(staff, category=c.Category.DEEP) == ["张三"]
    assert names(staff, status=Household.Status.APPLIED) == ["李四"]
    assert names(staff, unit=network.station_a) == ["张三", "张三丰", "李四", "赵思"]
    assert names(staff, unit=network.point_a1) == ["李四"]
    assert names(staff, main_cause=c.HardshipCause.SERIOUS_ILLNESS) == ["张三"]
    assert names(staff, secondary_cause=c.HardshipCause.SERIOUS_ILLNESS) == ["李四"]
    assert names(staff, secondary_cause=c.HardshipCause.ACCIDENT) == []
    assert names(staff, review_overdue=True) == ["赵思"]
    assert names(staff, rule_version="acftu-2012") == ["李四"]


def test_a_closed_archive_is_not_review_overdue(people, staff):
    Household.objects.filter(pk=people["zhaosi"].pk).update(
        review_due_on=date(2020, 1, 1), status=Household.Status.CLOSED
    )

    assert names(staff, review_overdue=True) == []


def test_a_liaison_sees_only_its_station(people, liaison_a, liaison_b):
    assert names(liaison_a) == ["张三", "张三丰", "李四", "赵思"]
    assert names(liaison_b) == ["王五"]
    assert names(liaison_b, q=people["zhangsan"].id_number[-4:]) == []
    assert names(liaison_b, q=people["zhangsan"].id_number) == []
    assert names(liaison_b, q="1111") == []


def test_the_page_shows_masked_ids_and_phones(client, people, staff):
    # given
    client.force_login(staff)
    h = people["zhangsan"]

    # when
    response = client.get(URL, {"q": "张三"})

    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{h.id_number[:6]}********{h.id_number[-4:]}" in body
    assert "138****1111" in body
    assert h.id_number not in body
    assert "13800001111" not in body
    assert reverse("archives:household_detail", args=[h.pk]) in body
    assert "王五" not in body


def test_search_by_id_tail_from_another_station_shows_nothing(client, people, liaison_b):
    client.force_login(liaison_b)

    response = client.get(URL, {"q": people["zhangsan"].id_number[-4:]})

    assert response.status_code == 200
    assert "张三" not in response.content.decode()
    assert 'data-testid="household-empty"' in response.content.decode()


def test_a_station_outside_scope_is_refused_as_a_filter(client, people, liaison_b, network):
    client.force_login(liaison_b)

    response = client.get(URL, {"unit": network.station_a.pk})

    body = response.content.decode()
    assert 'data-testid="household-invalid"' in body
    assert "张三" not in body


def test_a_user_without_archive_rights_is_refused(client, sysadmin):
    client.force_login(sysadmin)

    assert client.get(URL).status_code == 403


def _list_queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_rows(client, network, staff):
    # given
    client.force_login(staff)
    for n in range(5):
        file(network.station_a, staff, f"甲{n}", id_number=make_id_number(seq=n))
    client.get(URL)  # warm caches (content types, sessions)
    few = _list_queries(client, {"q": "甲", "unit": network.station_a.pk})

    # when
    for n in range(5, 50):
        file(network.station_a, staff, f"甲{n}", id_number=make_id_number(seq=n))
    many = _list_queries(client, {"q": "甲", "unit": network.station_a.pk})

    # then
    assert few == many
    assert many <= 12


def test_a_full_page_masks_every_row_within_a_fixed_number_of_queries(
    client, network, staff, django_assert_max_num_queries
):
    # given: a full page of 20 rows
    client.force_login(staff)
    for n in range(25):
        file(network.station_a, staff, f"乙{n}", id_number=make_id_number(seq=n))

    # then
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.content.decode().count("********") == 20


def test_a_user_in_another_township_sees_nothing_of_this_one(client, people, network):
    other = make_user((Role.STAFF, network.other_township))
    client.force_login(other)

    body = client.get(URL).content.decode()

    assert "张三" not in body and "王五" not in body


def test_each_row_links_to_its_archive_as_reverse_gives_it(client, network, staff):
    made = [
        make_household(network.station_a, filed_by=staff, id_number=make_id_number(seq=90 + n))
        for n in range(3)
    ]
    client.force_login(staff)

    body = client.get(reverse("archives:household_list")).content.decode()

    for h in made:
        assert f'<a href="{reverse("archives:household_detail", args=[h.pk])}">' in body
