"""抽查 and the approver's view in Chromium, on the demo: on a 375 px phone the finance user's
worklist is one card per item (no table scrolled sideways); the open mismatch the demo left
leads to the sample page, where it is closed and leaves the worklist; the leader sees the
money available and the budget left above 审批 on the waiting application."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command

from bangfu.assistance.models import Application
from bangfu.demo.data import DEMO_PASSWORD
from bangfu.funds.models import Sample, SampleCheck

from .conftest import login

SCREENSHOTS = os.environ.get("BANGFU_SCREENSHOTS", "")


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, name), full_page=True)


def _fits(page: Any, locator: Any, width: int = 375) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_on_a_phone_finance_closes_the_demos_mismatch_from_the_worklist_cards(
    page: Any, demo: None
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, "finance", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")
    mismatch = SampleCheck.objects.select_related("payment").get(outcome="mismatch")
    title = f"抽查不相符:{mismatch.payment.recipient_name}({mismatch.payment.number})"

    table = page.get_by_test_id("due-items")
    card = table.locator("tbody tr", has_text=title)
    _shot(page, "worklist-375.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert table.locator("thead").is_hidden()
    _fits(page, card)
    _fits(page, card.locator("td.bf-stack-next"))

    card.get_by_role("link").click()
    page.wait_for_url(f"**/funds/samples/{mismatch.sample_id}/**")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "samples-375.png")
    row = page.locator(f"#check-{mismatch.pk}")
    row.get_by_test_id("check-close-link").click()
    page.fill("textarea[name=resolution]", "到银行核对流水,款项已到账,已向户主说明。")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()

    assert (
        "已处理:到银行核对流水,款项已到账,已向户主说明。"
        in page.locator(f"#check-{mismatch.pk}").inner_text()
    )
    mismatch.refresh_from_db()
    assert mismatch.resolved_at is not None
    page.goto(f"{page.base_url}/worklist/")
    assert title not in page.get_by_test_id("due-items").inner_text()


def test_the_samples_page_and_the_approvers_view_at_1280_px(page: Any, demo: None) -> None:
    login(page, "finance", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")
    sample = Sample.objects.get()
    page.goto(f"{page.base_url}/funds/books/{sample.book_id}/samples/")
    assert page.get_by_test_id("sample-row").count() == 1
    _shot(page, "sample-list-1280.png")
    page.goto(f"{page.base_url}/funds/samples/{sample.pk}/")
    assert page.get_by_test_id("check-row").count() == sample.size
    _shot(page, "samples-1280.png")

    page.context.clear_cookies()
    login(page, "leader", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")
    waiting = Application.objects.get(status=Application.Status.PENDING_APPROVAL)
    page.goto(f"{page.base_url}/assistance/{waiting.pk}/")
    panel = page.get_by_test_id("panel-funds-room")
    assert "可用资金" in panel.inner_text()
    assert panel.get_by_test_id("room-budget").inner_text().strip() != ""
    panel_box = panel.bounding_box()
    signoff = page.get_by_test_id("action-signoff").bounding_box()
    assert panel_box is not None and signoff is not None and panel_box["y"] < signoff["y"]
    _shot(page, "application-1280.png")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "application-375.png")
