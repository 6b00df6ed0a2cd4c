"""Pages of dynamic management: lists, forms on one archive, spot checks, the detail panel."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import AnnualReview, Household, MonthlyIncome, SpotCheck
from bangfu.archives.panels import PAGE
from bangfu.archives.tests.factories import make_household
from bangfu.archives.views.dynamic import household_url
from bangfu.core.models import AuditEvent
from bangfu.core.panels import panels_for

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- lists ----------------------------------------------------------------------------------


def test_review_due_page_marks_overdue_and_masks_ids(network, staff, staff_client):
    household = make_household(
        network.station_a, filed_by=staff, review_due_on=today() - timedelta(days=1)
    )

    response = staff_client.get(reverse("archives:review_due_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "已逾期" in html
    assert household.id_number not in html
    assert household.id_number[:6] + "********" + household.id_number[-4:] in html
    assert "年度复核:上次复核后 12 个月" in html


def test_review_due_page_is_scoped(network, staff, client, liaison_b):
    make_household(network.station_a, filed_by=staff, name="甲某", review_due_on=today())
    client.force_login(liaison_b)

    response = client.get(reverse("archives:review_due_list"))

    assert response.status_code == 200
    assert "甲某" not in response.content.decode()


@pytest.mark.parametrize("url_name", ["review_due_list", "closed_list", "recovery_list"])
def test_list_pages_query_count_does_not_grow(
    network, staff, staff_client, url_name, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            make_household(
                network.station_a,
                filed_by=staff,
                review_due_on=today(),
                status=Household.Status.CLOSED if url_name == "closed_list" else "active",
                closed_on=today(),
                retention_review_on=today(),
            )

    add(2)
    with django_assert_max_num_queries(60) as few:
        staff_client.get(reverse(f"archives:{url_name}"))
    add(15)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(reverse(f"archives:{url_name}"))

    assert response.status_code == 200


def test_closed_page_flags_retention_due(network, staff, staff_client):
    make_household(
        network.station_a,
        filed_by=staff,
        name="旧档案",
        status=Household.Status.CLOSED,
        closed_on=date(2014, 5, 1),
        close_reason="deceased",
        retention_review_on=date(2024, 5, 1),
    )

    response = staff_client.get(reverse("archives:closed_list"), {"retention_due": "1"})

    html = response.content.decode()
    assert "旧档案" in html
    assert "保管期满待复查" in html
    assert "死亡" in html


# --- forms on one archive --------------------------------------------------------------------


def test_close_page_closes_and_returns_to_the_archive(network, staff, staff_client):
    household = make_household(network.station_a, filed_by=staff)

    response = staff_client.post(
        reverse("archives:household_close", args=[household.pk]),
        {"reason": "retired", "closed_on": "2026-01-06", "note": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == household_url(household.pk)
    household.refresh_from_db()
    assert household.status == Household.Status.CLOSED


def test_close_page_keeps_what_was_typed_on_error(network, staff, staff_client):
    household = make_household(network.station_a, filed_by=staff)
    events = AuditEvent.objects.count()

    response = staff_client.post(
        reverse("archives:household_close", args=[household.pk]),
        {"reason": "other", "closed_on": "2026-01-06", "note": ""},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "撤档原因为“其他”时,请填写撤档说明。" in html
    assert 'value="2026-01-06"' in html
    household.refresh_from_db()
    assert household.status == Household.Status.ACTIVE
    assert AuditEvent.objects.count() == events


def test_close_page_shows_a_conflict_on_the_form(network, staff, staff_client):
    household = make_household(network.station_a, filed_by=staff, status=Household.Status.CLOSED)

    response = staff_client.post(
        reverse("archives:household_close", args=[household.pk]),
        {"reason": "retired", "closed_on": "2026-01-06"},
    )

    assert response.status_code == 409  # closed: the wrong state
    assert "只有在档的档案才能撤档" in response.content.decode()


def test_forms_outside_scope_are_404_and_refused_roles_403(network, staff, client, liaison_a):
    other_staff = make_user((Role.STAFF, network.other_township), username="other_staff")
    household = make_household(network.station_a, filed_by=staff)
    names = [
        "annual_review_create",
        "monthly_income_record",
        "household_close",
        "household_reopen",
    ]

    client.force_login(other_staff)
    outside = [client.get(reverse(f"archives:{n}", args=[household.pk])).status_code for n in names]
    client.force_login(liaison_a)
    liaison = [client.get(reverse(f"archives:{n}", args=[household.pk])).status_code for n in names]

    assert outside == [404, 404, 404, 404]
    assert liaison == [403, 403, 403, 403]


def test_review_and_income_pages_record(network, staff, staff_client):
    household = make_household(network.station_a, filed_by=staff)

    review = staff_client.post(
        reverse("archives:annual_review_create", args=[household.pk]),
        {"reviewed_on": "2026-01-05", "outcome": "continue", "findings": "无变化"},
    )
    income = staff_client.post(
        reverse("archives:monthly_income_record", args=[household.pk]),
        {"month": "2025-12", "amount": "1,200.50"},
    )
    bad_income = staff_client.post(
        reverse("archives:monthly_income_record", args=[household.pk]),
        {"month": "2025-13", "amount": "abc"},
    )

    assert (review.status_code, income.status_code) == (302, 302)
    assert AnnualReview.objects.get().next_due_on == date(2027, 1, 5)
    assert MonthlyIncome.objects.get().net_income_per_capita == Decimal("1200.50")
    assert bad_income.status_code == 400
    assert "月份格式不对,请按 2026-03 填写。" in bad_income.content.decode()


# --- spot checks ----------------------------------------------------------------------------


def test_spot_check_draw_view_and_record_results(network, staff, staff_client):
    for _ in range(4):
        make_household(network.station_a, filed_by=staff)

    page = staff_client.get(reverse("archives:spot_check_list"))
    drawn = staff_client.post(
        reverse("archives:spot_check_draw"),
        {"centre": network.township.pk, "year": "2025", "rate_percent": "30"},
    )
    again = staff_client.post(
        reverse("archives:spot_check_draw"),
        {"centre": network.township.pk, "year": "2025", "rate_percent": "30"},
    )

    assert page.status_code == 200
    spot_check = SpotCheck.objects.get()
    assert drawn.status_code == 302
    assert drawn["Location"] == reverse("archives:spot_check_detail", args=[spot_check.pk])
    assert again.status_code == 409  # already drawn: the wrong state
    assert "每个中心每年只抽一次" in again.content.decode()
    assert spot_check.items.count() == 2  # ceil(4 × 30 %)

    detail = staff_client.get(drawn["Location"])
    assert spot_check.seed in detail.content.decode()
    item = spot_check.items.order_by("pk")[0]
    recorded = staff_client.post(
        reverse("archives:spot_check_item_record", args=[item.pk]),
        {"checked_on": "2025-12-01", "finding": "与纸质档案一致"},
    )
    assert recorded.status_code == 302
    item.refresh_from_db()
    assert item.finding == "与纸质档案一致"


def test_spot_check_of_another_township_is_not_found(network, staff, client):
    other_staff = make_user((Role.STAFF, network.other_township), username="other_staff")
    make_household(network.station_a, filed_by=staff)
    client.force_login(staff)
    client.post(
        reverse("archives:spot_check_draw"),
        {"centre": network.township.pk, "year": "2025", "rate_percent": "100"},
    )
    spot_check = SpotCheck.objects.get()
    item = spot_check.items.get()
    client.force_login(other_staff)

    detail = client.get(reverse("archives:spot_check_detail", args=[spot_check.pk]))
    record = client.get(reverse("archives:spot_check_item_record", args=[item.pk]))
    draw = client.post(
        reverse("archives:spot_check_draw"),
        {"centre": network.township.pk, "year": "2024", "rate_percent": "30"},
    )

    assert (detail.status_code, record.status_code, draw.status_code) == (404, 404, 400)
    assert "帮扶中心:请从列表中选择您管理范围内的中心。" in draw.content.decode()
    assert SpotCheck.objects.count() == 1


# --- the detail panel -----------------------------------------------------------------------


def test_panel_shows_next_review_overdue_and_forms_for_managers(network, staff, liaison_a):
    household = make_household(
        network.station_a, filed_by=staff, review_due_on=today() - timedelta(days=3)
    )
    request = RequestFactory().get("/")
    request.user = staff

    panel = next(p for p in panels_for(PAGE, request, household) if p.key == "dynamic")
    request.user = liaison_a
    liaison_panel = next(p for p in panels_for(PAGE, request, household) if p.key == "dynamic")

    assert panel.context["review_overdue"] is True
    assert panel.context["can_manage"] is True
    assert "close_form" in panel.context
    assert liaison_panel.context["can_manage"] is False
    assert "close_form" not in liaison_panel.context


def test_panel_renders(network, staff):
    from django.template.loader import render_to_string

    household = make_household(
        network.station_a, filed_by=staff, status=Household.Status.CLOSED, closed_on=today()
    )
    request = RequestFactory().get("/")
    request.user = staff
    panel = next(p for p in panels_for(PAGE, request, household) if p.key == "dynamic")

    html = render_to_string(panel.template, panel.context, request=request)

    assert "恢复在档" in html
    assert reverse("archives:household_reopen", args=[household.pk]) in html
