"""Assistance in Chromium: staff apply for medical aid from an archive's page and see the
suggested amount with its working; a bill that does not add up is refused with the reason."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command

from bangfu.archives.models import Household
from bangfu.assistance.models import Application, Programme
from bangfu.demo.data import DEMO_PASSWORD

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
