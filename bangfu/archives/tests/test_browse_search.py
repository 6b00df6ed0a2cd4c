"""The one archive search, as the page and the API use it: every kind of search, a whole ID or
mobile number kept out of every URL, pages by key past the capped count, the station picked
by name, and query counts that do not grow with the rows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.archives.identity import id_index, mobile_index
from bangfu.archives.models import Household
from bangfu.archives.models import choices as c
from bangfu.archives.selectors.browse import (
    HouseholdFilters,
    SearchKind,
    household_list,
    search_key,
    search_kind,
)
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.archives.views import browse as browse_views
from bangfu.core import paging
from bangfu.core.text import name_initials

URL = reverse("archives:household_list")


def file(unit, user, name="张三", **fields):
    return make_household(
        unit, filed_by=user, name=name, name_initials=name_initials(name), **fields
    )


def names(user, **filters):
    return sorted(h.name for h in household_list(user=user, filters=HouseholdFilters(**filters)))


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("430302 19750615 1035", SearchKind.FULL_ID, "430302197506151035"),
        ("11010519491231002x", SearchKind.FULL_ID, "11010519491231002X"),
        ("138 0000 1111", SearchKind.FULL_MOBILE, "13800001111"),
        ("１２３x", SearchKind.TAIL4, "123X"),
        ("ZSF", SearchKind.INITIALS, "zsf"),
        ("2026-12", SearchKind.ARCHIVE_NO, "2026-00012"),
        ("张三", SearchKind.NAME, "张三"),
        ("12345", SearchKind.NAME, "12345"),
    ],
)
def test_what_is_typed_decides_the_kind_of_search(typed, kind, value):
    assert search_kind(typed) == (kind, value)


def test_an_archive_number_finds_the_archive(network, staff):
    # given
    household = file(network.station_a, staff, "张三", archive_no="2026-00012")
    file(network.station_a, staff, "李四", archive_no="2026-00120")

    # then
    assert names(staff, q="2026-12") == ["张三"]
    assert names(staff, q="2026-00012") == ["张三"]
    assert names(staff, q=household.archive_no) == ["张三"]


def test_a_name_is_matched_as_a_prefix_only(network, staff):
    file(network.station_a, staff, "张三丰")
    file(network.station_a, staff, "李张三")

    assert names(staff, q="张三") == ["张三丰"]


def test_a_key_stands_for_a_whole_id_of_head_or_member_or_a_whole_mobile(network, staff):
    # given
    head = file(network.station_a, staff, "张三", id_number=make_id_number(seq=11),
                mobile="13800001111")  # fmt: skip
    other = file(network.station_a, staff, "李四", id_number=make_id_number(seq=12), mobile="")
    member_id = make_id_number(date(2001, 2, 3), seq=13)
    make_member(other, id_number=member_id, name="李小妹", relation=c.Relation.DAUGHTER)

    # then
    assert names(staff, key=search_key(head.id_number)) == ["张三"]
    assert names(staff, key=search_key(member_id)) == ["李四"]
    assert names(staff, key=search_key("13800001111")) == ["张三"]
    assert search_key("13800001111") == mobile_index("13800001111")
    assert search_key(head.id_number.lower()) == id_index(head.id_number)
    assert names(staff, key=search_key("13800009999")) == []
    assert names(staff, key="not-a-key") == []


def test_a_whole_id_with_a_wrong_check_character_finds_nothing(network, staff):
    head = file(network.station_a, staff, "张三", id_number=make_id_number(seq=21))
    wrong = head.id_number[:-1] + ("0" if head.id_number[-1] != "0" else "1")

    assert names(staff, key=search_key(wrong)) == []
    assert names(staff, q=wrong) == []


def test_review_overdue_true_false_or_either(network, staff):
    # given
    today = date(2026, 6, 1)
    file(network.station_a, staff, "逾期", review_due_on=today - timedelta(days=1))
    file(network.station_a, staff, "未到", review_due_on=today)

    # then
    assert names(staff, review_overdue=True, today=today) == ["逾期"]
    assert names(staff, review_overdue=False, today=today) == ["未到"]
    assert names(staff, review_overdue=None, today=today) == ["未到", "逾期"]


# --- a whole number never reaches a URL --------------------------------------------------------


@pytest.fixture
def zhangsan(network, staff):
    return file(
        network.station_a, staff, "张三", id_number=make_id_number(seq=31), mobile="13800001111"
    )


@pytest.mark.parametrize("typed", ["id", "13800001111", "138 0000 1111"])
def test_the_search_form_posts_and_the_address_carries_the_key_not_the_number(
    client, staff, zhangsan, typed
):
    # given
    client.force_login(staff)
    number = zhangsan.id_number if typed == "id" else typed

    # when
    response = client.post(URL, {"q": number, "status": "active", "csrfmiddlewaretoken": "x"})

    # then
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith(URL + "?")
    assert number.replace(" ", "") not in location and number not in location
    assert f"key={search_key(number)}" in location
    assert "status=active" in location
    page = client.get(location)
    body = page.content.decode()
    assert page.status_code == 200
    assert reverse("archives:household_detail", args=[zhangsan.pk]) in body
    assert zhangsan.id_number not in body and "13800001111" not in body
    assert 'data-testid="household-key-search"' in body
    assert f'name="key" value="{search_key(number)}"' in body  # kept when the form is sent again


def test_a_get_with_a_whole_id_is_redirected_to_the_key(client, staff, zhangsan):
    client.force_login(staff)

    response = client.get(URL, {"q": zhangsan.id_number, "page": "2"})

    assert response.status_code == 303
    assert zhangsan.id_number not in response["Location"]
    assert f"key={search_key(zhangsan.id_number)}" in response["Location"]


def test_other_searches_keep_what_was_typed_in_the_address(client, staff, zhangsan):
    client.force_login(staff)

    response = client.post(URL, {"q": "张三", "key": search_key(zhangsan.id_number)})

    assert response.status_code == 303
    assert "key=" not in response["Location"]  # a new search replaces the number's key
    assert "q=%E5%BC%A0%E4%B8%89" in response["Location"]


def test_the_key_finds_nothing_outside_the_scope(client, liaison_b, zhangsan):
    client.force_login(liaison_b)

    body = client.get(URL, {"key": search_key(zhangsan.id_number)}).content.decode()

    assert 'data-testid="household-empty"' in body
    assert "张三" not in body


def test_a_malformed_key_is_an_error_not_a_search(client, staff, zhangsan):
    client.force_login(staff)

    body = client.get(URL, {"key": "<script>"}).content.decode()

    assert 'data-testid="household-invalid"' in body
    assert "查询条件有误,请重新输入身份证号或手机号。" in body


# --- pages past the capped count ---------------------------------------------------------------


@pytest.fixture
def seven(network, staff):
    """Seven archives; the second and third created at the same moment (ties go by id)."""
    moment = datetime(2026, 3, 1, 9, tzinfo=UTC)
    made = []
    for n in range(7):
        h = file(network.station_a, staff, f"甲{n}", id_number=make_id_number(seq=40 + n))
        created = moment + timedelta(minutes=0 if n in (1, 2) else n)
        Household.objects.filter(pk=h.pk).update(created_at=created)
        made.append(h)
    newest_first = sorted(
        Household.objects.filter(pk__in=[h.pk for h in made]), key=lambda h: (h.created_at, h.pk)
    )[::-1]
    return [h.name for h in newest_first]


def _page_names(client, query):
    body = client.get(f"{URL}?{query}").content.decode()
    rows = re.findall(
        r'<td class="text-nowrap bf-stack-title"[^>]*><a href="[^"]+">([^<]+)</a>', body
    )
    links = dict(re.findall(r'<a class="page-link" href="\?([^"]*)"[^>]*>([^<]+)</a>', body))
    return rows, {label: query for query, label in links.items()}, body


def test_past_the_cap_the_list_pages_by_key_to_the_end_and_back(client, staff, seven, monkeypatch):
    # given: a cap of 3 rows and pages of 2
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    monkeypatch.setattr(browse_views, "LIST_PAGE_SIZE", 2)
    client.force_login(staff)

    # when: walk forward from the first page
    seen, query = [], ""
    for _ in range(10):
        rows, links, body = _page_names(client, query)
        seen += rows
        if "下一页" not in links:
            break
        query = links["下一页"].replace("&amp;", "&")

    # then: every archive once, newest first; the count says "more than 3"
    assert seen == seven
    assert "共 3 户以上" in body, re.findall(r'household-count">[^<]*', body)
    assert "末页" not in links and "首页" in links

    # when: the last page, then back
    rows, links, _body = _page_names(client, "last=1")
    assert rows == seven[-2:]
    back, links, _body = _page_names(client, links["上一页"].replace("&amp;", "&"))
    assert back == seven[-4:-2]


def test_under_the_cap_pages_are_numbered(client, staff, seven, monkeypatch):
    monkeypatch.setattr(browse_views, "LIST_PAGE_SIZE", 3)
    client.force_login(staff)

    rows, links, body = _page_names(client, "page=3")

    assert rows == seven[6:]
    assert "第 3 / 3 页" in body and "共 7 户" in body
    assert links["首页"] == "page=1"


def test_filters_are_kept_in_the_page_links(client, staff, seven, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    monkeypatch.setattr(browse_views, "LIST_PAGE_SIZE", 2)
    client.force_login(staff)

    _rows, links, _body = _page_names(client, "q=%E7%94%B2&status=active")

    assert "q=%E7%94%B2" in links["下一页"] and "status=active" in links["下一页"]


def test_a_stale_key_starts_again_from_the_top(client, staff, seven, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    monkeypatch.setattr(browse_views, "LIST_PAGE_SIZE", 2)
    client.force_login(staff)

    rows, _links, _body = _page_names(client, "after=1_1")  # 1970: nothing is older

    assert rows == seven[:2]


# --- the station picked by name ----------------------------------------------------------------


def test_the_list_does_not_send_every_unit(client, leader, network):
    client.force_login(leader)

    body = client.get(URL).content.decode()

    assert network.station_b.name not in body
    assert 'data-bf-unit-picker="/network/units/search/?perm=archives.view"' in body


def test_the_unit_suggestions_are_scoped_and_searched_by_name(client, liaison_a, staff, network):
    search = reverse("network:unit_search")
    client.force_login(staff)

    found = client.get(search, {"perm": "archives.view", "q": "金霞"}).json()

    assert [u["name"] for u in found["results"]] == [network.station_b.name]
    assert found["results"][0]["place"].endswith(network.township.name)
    client.force_login(liaison_a)
    assert client.get(search, {"perm": "archives.view", "q": "金霞"}).json()["results"] == []
    everything = client.get(search, {"perm": "archives.view"}).json()["results"]
    assert {u["id"] for u in everything} == {network.station_a.pk, network.point_a1.pk}
    # a permission the user does not hold gives nothing, never another scope
    assert client.get(search, {"perm": "archives.approve"}).json()["results"] == []


def test_a_typed_station_name_without_picking_is_taken_when_it_fits_one_unit(
    client, staff, network
):
    # given
    file(network.station_a, staff, "张三")
    file(network.station_b, staff, "王五")
    client.force_login(staff)

    # when: the whole name, part of it, a name that fits several, one that fits none
    whole = client.get(URL, {"unit_name": network.station_b.name}).content.decode()
    part = client.get(URL, {"unit_name": "金霞"}).content.decode()
    several = client.get(URL, {"unit_name": "帮扶站"}).content.decode()
    none = client.get(URL, {"unit_name": "不存在"}).content.decode()

    # then
    assert "王五" in whole and "张三" not in whole
    assert "王五" in part and "张三" not in part
    assert (
        "名称含“帮扶站”的单位不止一个" in several and 'data-testid="household-invalid"' in several
    )
    assert "帮扶站(点):没有名称含“不存在”的单位。" in none


def test_a_picked_unit_outside_the_scope_is_refused(client, liaison_b, network):
    client.force_login(liaison_b)

    body = client.get(URL, {"unit": network.station_a.pk}).content.decode()

    assert 'data-testid="household-invalid"' in body
    assert "帮扶站(点):请从提示中选择。" in body


# --- the next step and the cards ---------------------------------------------------------------


def test_each_row_says_its_status_and_next_step(client, staff, network):
    file(network.station_a, staff, "申请人", status=Household.Status.APPLIED)
    file(network.station_a, staff, "在档人", review_due_on=date(2020, 1, 1))
    client.force_login(staff)

    body = client.get(URL).content.decode()

    assert body.count('class="table table-sm table-hover align-middle bf-stack"') == 1
    assert "入户调查" in body
    assert '年度复核 <span class="text-nowrap">2020-01-01</span> (已逾期)' in body


# --- queries do not grow with the rows ---------------------------------------------------------


def _queries(client, url, params=None, method="get"):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


@pytest.mark.parametrize("q", ["甲", "jia", "tail", "id", "mobile", "2026-1"])
def test_every_kind_of_search_takes_the_same_queries_for_few_and_many_rows(
    client, network, staff, q
):
    # given
    client.force_login(staff)

    def add(n):
        h = file(network.station_a, staff, f"甲{n}", id_number=make_id_number(seq=n),
                 mobile=f"1380000{n:04d}", archive_no=f"2026-{n + 1:05d}")  # fmt: skip
        make_member(h, id_number=make_id_number(date(2001, 1, 1), seq=n), name=f"乙{n}")
        return h

    first = [add(n) for n in range(3)]
    params = {
        "甲": {"q": "甲"},
        "jia": {"q": "j"},
        "tail": {"q": first[0].id_number[-4:]},
        "id": {"key": search_key(first[0].id_number)},
        "mobile": {"key": search_key(first[0].mobile)},
        "2026-1": {"q": "2026-1"},
    }[q]
    client.get(URL, params)  # warm caches (content types, sessions)
    few = _queries(client, URL, params)

    # when
    for n in range(3, 40):
        add(n)
    many = _queries(client, URL, params)

    # then
    assert few == many
    assert many <= 12


def test_the_unit_suggestions_take_two_queries_whatever_the_units(client, staff, network):
    client.force_login(staff)
    url = reverse("network:unit_search")
    client.get(url, {"perm": "archives.view"})

    with CaptureQueriesContext(connection) as ctx:
        client.get(url, {"perm": "archives.view", "q": "帮扶"})

    reads = [q for q in ctx.captured_queries if 'FROM "network_orgunit"' in q["sql"]]
    assert len(reads) == 2


def test_reviews_due_and_the_worklist_take_the_same_queries_for_few_and_many(
    client, network, staff
):
    # given
    client.force_login(staff)
    today = date.today()
    due = reverse("archives:review_due_list")
    worklist = reverse("workbench:worklist")

    def add(n):
        file(network.station_a, staff, f"复{n}", id_number=make_id_number(seq=n),
             review_due_on=today + timedelta(days=n % 20))  # fmt: skip

    for n in range(3):
        add(n)
    client.get(due)
    client.get(worklist)
    few = (_queries(client, due), _queries(client, worklist))

    # when: more than the worklist shows of a kind
    for n in range(3, 60):
        add(n)
    many = (_queries(client, due), _queries(client, worklist))

    # then
    assert few[0] == many[0]
    assert many[1] <= few[1] + 1  # the one extra: counting the rest beyond the 50 shown


def test_the_worklist_counts_at_most_the_cap(network, staff, monkeypatch):
    from bangfu.archives import due as archives_due

    monkeypatch.setattr(paging, "COUNT_CAP", 55)
    today = date.today()
    for n in range(60):
        file(network.station_a, staff, f"复{n}", id_number=make_id_number(seq=n),
             review_due_on=today)  # fmt: skip

    items = list(archives_due.reviews_due(staff))

    assert items[-1].title == "另有超过 5 份档案复核到期,见“复核到期”列表"
