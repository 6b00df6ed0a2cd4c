"""Pages of policy benefits and the detail-page panels of categories and benefits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from bangfu.archives.models import BenefitType, HouseholdBenefit
from bangfu.archives.panels.benefits import benefits_panel
from bangfu.archives.panels.categories import category_panel
from bangfu.archives.services.categories import household_determine
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_staff_add_a_benefit_through_the_page(client, network, staff):
    household = make_household(network.station_a, filed_by=staff)
    dibao = BenefitType.objects.get(code="dibao")
    client.force_login(staff)

    response = client.post(
        reverse("archives:household_benefit_add", args=[household.pk]),
        {"benefit": str(dibao.pk), "started_on": "2025-05-01", "note": "区民政局"},
    )

    assert response.status_code == 302
    row = HouseholdBenefit.objects.get()
    assert (row.benefit, row.started_on, row.note) == (dibao, date(2025, 5, 1), "区民政局")


def test_a_bad_benefit_keeps_what_was_typed(client, network, staff):
    household = make_household(network.station_a, filed_by=staff)
    client.force_login(staff)
    events = AuditEvent.objects.count()

    response = client.post(
        reverse("archives:household_benefit_add", args=[household.pk]),
        {"benefit": "", "started_on": "2025-13-01", "note": "区民政局"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "请选择享受的政策待遇。" in page
    assert "开始日期格式不正确,请按 2026-01-01 的格式填写。" in page
    assert 'value="区民政局"' in page
    assert HouseholdBenefit.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_staff_end_a_benefit_through_the_page(client, network, staff):
    household = make_household(network.station_a, filed_by=staff)
    row = HouseholdBenefit.objects.create(
        household=household,
        benefit=BenefitType.objects.get(code="cable_tv"),
        started_on=date(2025, 1, 1),
    )
    client.force_login(staff)

    early = client.post(
        reverse("archives:household_benefit_end", args=[row.pk]), {"ended_on": "2024-12-31"}
    )
    done = client.post(
        reverse("archives:household_benefit_end", args=[row.pk]), {"ended_on": "2025-12-31"}
    )

    assert "结束日期不能早于开始日期 2025-01-01。" in early.content.decode()
    assert done.status_code == 302
    assert HouseholdBenefit.objects.get().ended_on == date(2025, 12, 31)


def test_benefit_pages_of_another_station_are_404(client, network, staff, liaison_b):
    household = make_household(network.station_a, filed_by=staff)
    row = HouseholdBenefit.objects.create(
        household=household,
        benefit=BenefitType.objects.get(code="cable_tv"),
        started_on=date(2025, 1, 1),
    )
    client.force_login(liaison_b)

    assert (
        client.get(reverse("archives:household_benefit_add", args=[household.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("archives:household_benefit_end", args=[row.pk]), {"ended_on": "2025-12-31"}
    )

    assert response.status_code == 404
    assert HouseholdBenefit.objects.get().ended_on is None


def test_the_dibao_gap_page_is_scoped_masked_and_does_not_query_per_row(
    client, network, staff, liaison_a, django_assert_max_num_queries
):
    area = make_area()
    make_standards(area)

    def archives(count, unit):
        for number in range(count):
            household = make_household(
                unit,
                filed_by=staff,
                area=area,
                name=f"{unit.name[:2]}{number}",
                wage_income=Decimal("6000"),
            )
            household_determine(actor=staff, household=household, on=date(2026, 3, 1))

    archives(3, network.station_a)
    archives(2, network.station_b)
    url = reverse("archives:dibao_gap_list")
    client.force_login(staff)
    client.get(url)  # warm up the session and the user's grants

    with django_assert_max_num_queries(12) as few:
        page = client.get(url).content.decode()
    archives(25, network.station_a)
    with django_assert_max_num_queries(12) as many:
        client.get(url)

    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.count("500.00") == 5
    some = make_household(network.station_a, filed_by=staff, area=area, name="查看")
    assert some.id_number not in page
    client.force_login(liaison_a)
    liaison_page = client.get(url).content.decode()
    assert "金霞" not in liaison_page
    assert liaison_page.count("500.00") == 28


def test_the_category_panel_shows_the_reason_and_the_standard(network, staff):
    area = make_area()
    make_standards(area)
    household = make_household(
        network.station_a, filed_by=staff, area=area, wage_income=Decimal("7350")
    )
    household_determine(actor=staff, household=household, on=date(2026, 3, 1))
    household.refresh_from_db()
    request = RequestFactory().get("/")
    request.user = staff

    panel = category_panel(request, household)
    assert panel is not None
    html = render_to_string(panel.template, panel.context, request=request)

    assert "深度困难" in html
    assert "月人均净收入 612.50 元 ≤ 低保标准 650.00 元 → 深度困难" in html
    assert "低保标准 650.00 元/人·月(2024-01-01 起执行)" in html
    assert "最低工资 1930.00 元/月(2024-01-01 起执行)" in html
    assert 'data-testid="determine"' in html


def test_the_category_panel_names_rule_versions_never_by_their_code(network, staff):
    # given an archive determined twice (the table of determinations shows from two on)
    area = make_area()
    make_standards(area)
    household = make_household(
        network.station_a, filed_by=staff, area=area, wage_income=Decimal("7350")
    )
    household_determine(actor=staff, household=household, on=date(2026, 3, 1))
    household.wage_income = Decimal("9000")
    household.save(update_fields=["wage_income"])
    household_determine(actor=staff, household=household, on=date(2026, 3, 2))
    household.refresh_from_db()
    request = RequestFactory().get("/")
    request.user = staff

    # when the panel is shown
    panel = category_panel(request, household)
    assert panel is not None
    html = render_to_string(panel.template, panel.context, request=request)

    # then
    assert 'data-testid="determinations"' in html
    assert html.count("全总 2021 年起困难职工认定办法(深度困难 / 相对困难 / 意外致困)") >= 3
    assert "acftu-" not in html


def test_the_category_panel_says_when_no_standard_is_in_force(network, staff, auditor):
    household = make_household(network.station_a, filed_by=staff, area=make_area())
    request = RequestFactory().get("/")
    request.user = staff

    panel = category_panel(request, household)
    assert panel is not None
    html = render_to_string(panel.template, panel.context, request=request)

    assert "尚未认定" in html
    assert "没有执行中的低保标准" in html
    assert 'data-testid="determine"' not in html
    # a reader sees no button and no advice
    request.user = auditor
    panel = category_panel(request, household)
    assert panel is not None
    assert 'data-testid="category-blocker"' not in render_to_string(panel.template, panel.context)


def test_the_benefits_panel_lists_benefits_and_offers_the_form_to_filers(network, staff, auditor):
    household = make_household(network.station_a, filed_by=staff)
    HouseholdBenefit.objects.create(
        household=household,
        benefit=BenefitType.objects.get(code="dibao"),
        started_on=date(2025, 1, 1),
    )
    request = RequestFactory().get("/")
    request.user = staff

    panel = benefits_panel(request, household)
    assert panel is not None
    html = render_to_string(panel.template, panel.context, request=request)
    assert "低保" in html and "享受中" in html and "2025-01-01" in html
    assert 'data-testid="benefit-add-form"' in html

    request.user = auditor
    panel = benefits_panel(request, household)
    assert panel is not None
    assert 'data-testid="benefit-add-form"' not in render_to_string(panel.template, panel.context)
