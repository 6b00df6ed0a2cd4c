"""Assistance in Chromium: staff apply for medical aid from an archive's page and see the
suggested amount with its working; a bill that does not add up is refused with the reason."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import DEFAULT_PASSWORD as PASSWORD
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household
from bangfu.assistance.models import Application, Programme
from bangfu.demo.data import DEMO_PASSWORD
from bangfu.network.models import OrgUnit

from .conftest import login

SHOTS = os.environ.get("BANGFU_SCREENSHOTS", "")


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"assistance-{name}.png"), full_page=True)


def test_staff_apply_for_medical_aid_from_the_archive_page(page: Any, demo: None) -> None:
    household = (
        Household.objects.filter(status=Household.Status.ACTIVE)
        .exclude(assistance_applications__kind="medical")
        .order_by("pk")
        .first()
    )
    programme = Programme.objects.get(year=2026, kind="medical")
    login(page, "staff", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")

    page.goto(f"{page.base_url}/archives/{household.pk}/")
    _shot(page, "archive-panel")
    page.click("[data-testid=apply-for-household]")
    page.select_option("select[name=programme]", str(programme.pk))
    page.fill("input[name=period_start]", "2026-04-01")
    page.fill("input[name=period_end]", "2026-04-30")
    page.fill("input[name=illness]", "冠心病")
    page.fill("input[name=hospital]", "湘潭市中心医院")
    page.fill("textarea[name=bill_items]", "住院费 10000\n药费 2000")
    page.fill("input[name=insurance_paid]", "3000")
    page.fill("input[name=other_aid]", "360")
    page.fill("input[name=self_paid]", "9000")
    page.click("[data-testid=application-form] button[type=submit]")
    page.wait_for_selector("[data-testid=error-self_paid]")
    assert "而填写的个人自付为 9,000.00 元" in page.inner_text("[data-testid=error-self_paid]")
    assert not Application.objects.filter(household=household, kind="medical").exists()
    _shot(page, "refused")

    page.fill("input[name=self_paid]", "8640")
    page.click("[data-testid=application-form] button[type=submit]")
    page.wait_for_selector("[data-testid=working]")
    _shot(page, "detail")
    assert page.inner_text("[data-testid=working]") == (
        "自付 8,640.00 元 × 50% = 4,320.00 元,未超过年度上限 5,000.00 元"
    )
    assert Application.objects.get(household=household, kind="medical").amount == 4320


def test_one_application_walks_from_draft_to_approved(page: Any, demo: None) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from bangfu.notices.models import Notice, NoticeItem

    application = Application.objects.get(kind="medical", status="draft")
    url = f"{page.base_url}/assistance/{application.pk}/"
    login(page, "staff", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")

    page.goto(url)
    page.click("[data-testid=action-submit]")
    page.click("[data-testid=step-submit]")
    page.wait_for_selector("[data-testid=action-visit]")
    page.click("[data-testid=action-visit]")
    page.fill("input[name=visitors]", "张慧敏、刘桂兰")
    page.fill("textarea[name=findings]", "家中三人,户主住院治疗,自付费用属实。")
    page.check("input[name=recommendation][value=agree]")
    page.click("[data-testid=step-submit]")
    page.wait_for_selector("[data-testid=action-review]")
    page.click("[data-testid=action-review]")
    page.fill("input[name=participants]", "社区职工代表 7 人")
    page.fill("input[name=votes_for]", "7")
    page.check("input[name=passed]")
    page.fill("textarea[name=record]", "代表一致同意给予医疗救助。")
    page.click("[data-testid=step-submit]")
    page.wait_for_selector("[data-testid=action-notice]")
    page.click("[data-testid=action-notice]")
    page.click("[data-testid=step-submit]")
    page.wait_for_selector("[data-testid=procedure]")
    _shot(page, "in-notice")
    assert Application.objects.get(pk=application.pk).status == "publicizing"

    # The notice's period runs out (as days pass); then staff send it to the leaders.
    ids = NoticeItem.objects.filter(subject_id=application.pk).values_list("notice_id")
    Notice.objects.filter(pk__in=ids).update(ends_on=timezone.localdate() - timedelta(days=1))
    page.goto(url)
    page.click("[data-testid=action-send]")
    page.click("[data-testid=step-submit]")
    page.wait_for_selector("[data-testid=procedure]")
    assert Application.objects.get(pk=application.pk).status == "pending_approval"

    # 4,320 元: two leaders of the centre sign; the first is the demo's leader.
    page.context.clear_cookies()
    login(page, "leader", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")
    page.goto(url)
    _shot(page, "to-sign")
    page.click("[data-testid=action-signoff]")
    page.check("input[name=outcome][value=approved]")
    page.click("[data-testid=step-submit]")
    page.wait_for_selector("[data-testid=procedure]")
    _shot(page, "signed-once")
    assert Application.objects.get(pk=application.pk).status == "pending_approval"

    # The second leader of the centre signs: approved.
    centre = OrgUnit.objects.get(parent__isnull=True)
    make_user((Role.LEADER, centre), username="leader2", full_name="钱副主任", password=PASSWORD)
    page.context.clear_cookies()
    login(page, "leader2", PASSWORD)
    page.wait_for_url("**/worklist/")
    page.goto(url)
    page.click("[data-testid=action-signoff]")
    page.check("input[name=outcome][value=approved]")
    page.click("[data-testid=step-submit]")
    page.wait_for_selector("[data-testid=procedure]")
    _shot(page, "approved")
    assert page.inner_text("[data-testid=status]") == "已批准"
    assert Application.objects.get(pk=application.pk).status == "approved"
