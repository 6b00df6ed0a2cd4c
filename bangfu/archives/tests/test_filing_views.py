"""Filing pages: the new-archive form with members, the edit form, member pages, scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bangfu.archives.models import Household, HouseholdMember
from bangfu.core.models import AuditEvent

from .factories import make_area, make_household, make_id_number, make_member

NEW = reverse("archives:household_create")


def _post_data(unit, area, **overrides) -> dict:
    data = {
        "unit": unit.pk,
        "area": area.pk,
        "origin": "application",
        "applied_on": "2026-03-02",
        "name": "张三",
        "id_number": make_id_number(seq=5),
        "ethnicity": "汉族",
        "political_status": "masses",
        "health": "healthy",
        "disability": "none",
        "marital_status": "married",
        "hukou": "urban",
        "mobile": "13800005678",
        "address": "响水社区 1 号",
        "work_status": "laid_off",
        "model_worker": "none",
        "union_member": "on",
        "housing": "owned",
        "medical_insurance": "employee",
        "wage_income": "12000.00",
        "main_cause": "3",
        "secondary_causes": ["6"],
        "consent_sensitive_on": "2026-03-02",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
        "members-0-name": "李四",
        "members-0-relation": "spouse",
        "members-0-id_number": make_id_number(date(1977, 3, 2), sex="F", seq=6),
        "members-0-health": "healthy",
        "members-0-disability": "none",
        "members-0-identity": "unemployed",
        "members-0-able_to_work": "on",
        # an untouched empty row
        "members-1-health": "healthy",
        "members-1-disability": "none",
        "members-1-able_to_work": "on",
    }
    data.update(overrides)
    return data


def test_new_form_files_application_with_member(client, network, staff):
    # given
    client.force_login(staff)
    area = make_area()

    # when
    response = client.post(NEW, _post_data(network.station_a, area))

    # then
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("archives:household_detail", args=[household.pk])
    assert household.status == Household.Status.APPLIED
    assert household.secondary_causes == [6]
    assert list(household.members.values_list("name", flat=True)) == ["李四"]


def test_new_form_shows_fieldsets(client, network, staff):
    client.force_login(staff)
    html = client.get(NEW).content.decode()
    for title in (
        "建档信息",
        "职工基本情况",
        "收入与支出",
        "排除情形",
        "致困原因",
        "银行账户",
        "知情同意",
    ):
        assert title in html
    assert 'data-testid="members-formset"' in html


def test_new_form_error_keeps_what_was_typed_and_names_field(client, network, staff):
    client.force_login(staff)
    area = make_area()
    data = _post_data(
        network.station_a,
        area,
        id_number="430302197506151235",
        address="响水社区 九号",
        **{"members-0-name": ""},
    )
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "身份证号校验位错误" in html
    assert "请填写家庭成员的姓名。" in html
    assert 'value="响水社区 九号"' in html
    assert 'value="430302197506151235"' in html
    assert Household.objects.count() == 0


def test_errors_far_down_the_long_form_are_listed_at_the_top_with_links(client, network, staff):
    # Given a form whose only mistakes are the bank account holder and a member's ID
    client.force_login(staff)
    data = _post_data(
        network.station_a,
        make_area(),
        bank_name="农业银行",
        bank_card="6228480012345671",
        bank_account_holder="李四",
        **{"members-0-id_number": "430302197703020060"},
    )

    # When it is submitted
    html = client.post(NEW, data).content.decode()

    # Then the top of the page says what to correct and links to each field
    summary = html.split('data-testid="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert "请修改下面标出的错误:" in html
    assert '<a class="alert-link" href="#id_bank_account_holder">银行卡户名</a>:' in summary
    assert "银行卡须为户主本人账户(实名制)。" in summary
    assert '<a class="alert-link" href="#id_members-0-id_number">成员 1 · 身份证号</a>:' in summary
    assert Household.objects.count() == 0


def test_add_member_row_keeps_data(client, network, staff):
    client.force_login(staff)
    data = _post_data(network.station_a, make_area(), add_member="1")
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="member-row"') == 3
    assert 'value="李四"' in html
    assert Household.objects.count() == 0


def test_liaison_cannot_file_at_another_station(client, network, liaison_a):
    client.force_login(liaison_a)
    area = make_area()
    html = client.get(NEW).content.decode()
    assert "响水社区帮扶站" in html
    assert "金霞社区帮扶站" not in html
    events = AuditEvent.objects.count()
    response = client.post(NEW, _post_data(network.station_b, area))
    assert response.status_code == 400
    assert "请从列表中选择您管理范围内的帮扶站(点)。" in response.content.decode()
    assert Household.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_edit_form_never_shows_full_id_and_keeps_it_when_empty(client, network, staff):
    client.force_login(staff)
    head_id = make_id_number(seq=8)
    household = make_household(
        network.station_a, filed_by=staff, id_number=head_id, status=Household.Status.APPLIED
    )
    url = reverse("archives:household_update", args=[household.pk])
    html = client.get(url).content.decode()
    assert head_id not in html
    assert head_id[:6] + "********" + head_id[-4:] in html
    assert "13800005678" not in html

    data = _post_data(
        network.station_a, household.area, id_number="", mobile="", address="新地址 3 号"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.id_number == head_id
    assert household.mobile == "13800005678"
    assert household.address == "新地址 3 号"


def test_member_pages(client, network, staff):
    client.force_login(staff)
    household = make_household(network.station_a, filed_by=staff, status=Household.Status.APPLIED)
    add = reverse("archives:member_add", args=[household.pk])
    response = client.post(
        add,
        {
            "name": "张小",
            "relation": "son",
            "sex": "M",
            "birth_date": "2015-05-01",
            "health": "healthy",
            "disability": "none",
            "identity": "student",
        },
    )
    assert response.status_code == 302
    member = HouseholdMember.objects.get()
    response = client.post(reverse("archives:member_remove", args=[member.pk]))
    assert response.status_code == 302
    assert not HouseholdMember.objects.exists()


@pytest.mark.parametrize("name", ["household_update", "member_add"])
def test_liaison_gets_404_for_other_station_archive(client, network, staff, liaison_a, name):
    other = make_household(network.station_b, filed_by=staff, status=Household.Status.APPLIED)
    client.force_login(liaison_a)
    assert client.get(reverse(f"archives:{name}", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("name", ["member_update", "member_remove"])
def test_liaison_gets_404_for_other_station_member(client, network, staff, liaison_a, name):
    other = make_household(network.station_b, filed_by=staff, status=Household.Status.APPLIED)
    member = make_member(other, id_number=make_id_number(seq=9, sex="F"))
    client.force_login(liaison_a)
    assert client.get(reverse(f"archives:{name}", args=[member.pk])).status_code == 404
    assert client.post(reverse(f"archives:{name}", args=[member.pk])).status_code == 404
    assert HouseholdMember.objects.filter(pk=member.pk).exists()


def test_an_id_with_an_unknown_area_code_is_saved_with_a_warning(client, network, staff):
    # given: the head's number has a county code that is in no edition of the national table
    client.force_login(staff)
    number = make_id_number(area="430399", seq=7)

    # when
    data = _post_data(network.station_a, make_area(), id_number=number)
    response = client.post(NEW, data, follow=True)

    # then: filed, and told, with the number masked
    household = Household.objects.get()
    assert household.id_number == number
    html = response.content.decode()
    masked = f"430399********{number[-4:]}"
    assert f"身份证号 {masked} 的前 6 位地区码 430399 不在国家行政区划代码表中" in html
    assert number not in html


def test_an_unchanged_old_id_is_not_warned_about_again(client, network, staff):
    client.force_login(staff)
    old_id = make_id_number(area="430399")
    household = make_household(network.station_a, filed_by=staff, id_number=old_id)
    data = _post_data(network.station_a, household.area, id_number="")
    data = {k: v for k, v in data.items() if not k.startswith("members-")}

    response = client.post(
        reverse("archives:household_update", args=[household.pk]), data, follow=True
    )

    html = response.content.decode()
    assert f"已保存档案 {household.archive_no}。" in html
    assert "不在国家行政区划代码表中" not in html


def test_the_new_form_puts_what_the_next_step_needs_first_and_folds_the_rest(
    client, network, staff
):
    client.force_login(staff)

    html = client.get(NEW).content.decode()

    # the required fields, the cause and the income come before the members; the rest folded
    folded = html.split('data-testid="more-fields"', 1)[1]
    opened = html.split('data-testid="more-fields"', 1)[0]
    for name in ("unit", "name", "id_number", "mobile", "address", "main_cause", "wage_income"):
        assert f'name="{name}"' in opened
    for name in ("ethnicity", "bank_card", "consent_publication_on", "controlling_shareholder"):
        assert f'name="{name}"' in folded
    assert opened.index('name="address"') < opened.index('data-testid="members-formset"')
    assert '<details class="bf-more mb-3" data-testid="more-fields">' in html  # closed
    assert 'data-bf-draft="household"' in html


def test_a_folded_field_with_an_error_is_shown_open(client, network, staff):
    client.force_login(staff)
    data = _post_data(network.station_a, make_area(), postcode="12ab")

    html = client.post(NEW, data).content.decode()

    assert '<details class="bf-more mb-3" data-testid="more-fields" open>' in html
    assert Household.objects.count() == 0


def test_a_new_application_is_told_as_submitted_not_as_archived(client, network, staff):
    client.force_login(staff)

    response = client.post(NEW, _post_data(network.station_a, make_area()), follow=True)

    household = Household.objects.get()
    html = response.content.decode()
    assert household.status != Household.Status.ACTIVE
    assert f"已提交申请 {household.archive_no} {household.name}" in html
    assert "已建档" not in html
