"""The API's list uses the page's search: every kind the page has, the same scope, a POST for
whole numbers, capped counts, and queries that do not grow with the rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bangfu.archives.models import Household
from bangfu.archives.selectors.browse import search_key
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core import paging
from bangfu.core.text import name_initials

pytestmark = pytest.mark.django_db
LIST = reverse("api:household_list")
SEARCH = reverse("api:household_search")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def file(unit, user, name, **fields):
    return make_household(
        unit, filed_by=user, name=name, name_initials=name_initials(name), **fields
    )


@pytest.fixture
def archives(network, staff):
    wang = file(network.station_b, staff, "王五", id_number=make_id_number(seq=1),
                mobile="13912345678", archive_no="2026-00002")  # fmt: skip
    zhang = file(network.station_a, staff, "张三", id_number=make_id_number(seq=2), mobile="")
    member_id = make_id_number(date(2001, 2, 3), sex="F", seq=3)
    make_member(zhang, id_number=member_id, name="张小妹")
    file(network.station_a, staff, "李王五", id_number=make_id_number(seq=4), mobile="")
    return {"wang": wang, "zhang": zhang, "member_id": member_id}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_the_api_finds_what_the_page_finds(network, staff, archives):
    api = client_for(staff)
    member_id = archives["member_id"]

    assert names(api.get(LIST, {"q": "13912345678"})) == ["王五"]  # whole mobile
    assert names(api.get(LIST, {"q": member_id[-4:]})) == ["张三"]  # a member's last four
    assert names(api.get(LIST, {"q": "王五"})) == ["王五"]  # a prefix, not 李王五
    assert names(api.get(LIST, {"q": "2026-2"})) == ["王五"]  # the 职工编号
    assert names(api.get(LIST, {"key": search_key(member_id)})) == ["张三"]
    assert names(api.get(LIST, {"q": "zs"})) == ["张三"]


def test_a_whole_number_can_be_sent_in_the_body(network, staff, archives):
    api = client_for(staff)

    by_id = api.post(SEARCH, {"q": archives["member_id"]}, format="json")
    by_mobile = api.post(SEARCH + "?limit=1", {"q": "139 1234 5678"}, format="json")

    assert names(by_id) == ["张三"]
    assert names(by_mobile) == ["王五"]
    assert by_mobile.json()["count"] == 1 and by_mobile.json()["count_capped"] is False


def test_the_search_stays_within_the_scope(network, liaison_a, archives):
    api = client_for(liaison_a)

    assert names(api.post(SEARCH, {"q": "13912345678"}, format="json")) == []
    assert names(api.get(LIST, {"unit": network.station_b.pk})) == []
    assert names(api.get(LIST, {"q": archives["wang"].id_number[-4:]})) == []


def test_filters_of_the_page_are_in_the_api(network, staff, archives):
    api = client_for(staff)
    Household.objects.filter(pk=archives["wang"].pk).update(
        main_cause=6, secondary_causes=[9], rule_version="acftu-2012"
    )

    assert names(api.get(LIST, {"main_cause": 6})) == ["王五"]
    assert names(api.get(LIST, {"secondary_cause": 9})) == ["王五"]
    assert names(api.get(LIST, {"rule_version": "acftu-2012"})) == ["王五"]
    bad = api.get(LIST, {"rule_version": "acftu-1999", "key": "x"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"rule_version", "key"}


def test_a_count_beyond_the_cap_says_so_and_the_pages_go_on(network, staff, archives, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    api = client_for(staff)

    first = api.get(LIST, {"limit": 2}).json()
    last = api.get(LIST, {"limit": 2, "offset": 2}).json()

    assert (first["count"], first["count_capped"]) == (2, True)
    assert first["next"] is not None
    assert [r["name"] for r in last["results"]] and last["next"] is None


def test_the_search_takes_the_same_queries_for_few_and_many(
    network, staff, django_assert_max_num_queries
):
    api = client_for(staff)
    for n in range(3):
        file(network.station_a, staff, f"甲{n}", id_number=make_id_number(seq=n))
    api.post(SEARCH, {"q": "甲"}, format="json")
    with django_assert_max_num_queries(10) as few:
        api.post(SEARCH, {"q": "甲"}, format="json")
    for n in range(3, 40):
        file(network.station_a, staff, f"甲{n}", id_number=make_id_number(seq=n))
    with django_assert_max_num_queries(10) as many:
        response = api.post(SEARCH, {"q": "甲"}, format="json")

    assert response.json()["count"] == 40
    assert len(few.captured_queries) == len(many.captured_queries)
