"""Exporting the roster in Chromium: from the menu, with a purpose and a reason, a full export
is downloaded at once and listed under 我的导出; the access log has it."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command

from bangfu.core.models import AccessLog
from bangfu.demo.data import DEMO_PASSWORD
from bangfu.kits.exports.models import Export

from .conftest import login

SCREENSHOTS = os.environ.get("BANGFU_SCREENSHOTS", "")


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def test_a_full_roster_export_with_a_purpose_is_downloaded_and_listed(
    page: Any, demo: None
) -> None:
    login(page, "staff", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")
    page.goto(f"{page.base_url}/archives/export/roster/")
    page.wait_for_url("**/exports/new/archives.roster/**")
    assert "档案状态:在档" in page.get_by_test_id("export-filters").inner_text()

    # when: full values without a reason
    page.select_option("select[name=purpose]", "report")
    page.check("input[name=values][value=full]")
    page.get_by_test_id("export-form").locator("button[type=submit]").click()

    # then: refused, nothing made
    page.get_by_test_id("error-purpose_note").wait_for()
    assert page.get_by_test_id("error-purpose_note").inner_text() == "完整导出须填写导出事由。"
    assert Export.objects.count() == 0

    # when: with a reason
    page.fill("textarea[name=purpose_note]", "报送市总工会年度花名册")
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "export-confirm.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_test_id("export-form").locator("button[type=submit]").click()
    download = info.value

    # then
    assert download.suggested_filename.endswith("-完整.xlsx")
    assert download.suggested_filename.startswith("困难职工花名册-")
    export = Export.objects.get()
    assert (export.status, export.masked) == (Export.Status.READY, False)
    log = AccessLog.objects.get(object_type="exports.export")
    assert log.purpose == "报送上级工会:报送市总工会年度花名册"
    page.goto(f"{page.base_url}/exports/")
    listed = page.get_by_test_id("export-list").inner_text()
    assert "困难职工花名册" in listed and "报送市总工会年度花名册" in listed
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "export-list.png"), full_page=True)


def test_on_a_phone_my_exports_are_cards_with_their_status(page: Any, demo: None) -> None:
    # given: a masked export of the roster made by the staff user
    from bangfu.accounts.models import User
    from bangfu.kits.exports.services import export_request

    export_request(
        user=User.objects.get(username="staff"),
        kind="archives.roster",
        params={"status": "active"},
        filters_text="档案状态:在档",
        purpose="report",
    )
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, "staff", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")

    # when
    page.goto(f"{page.base_url}/exports/")

    # then: one card, no header row, nothing wider than the phone; its title opens it
    rows = page.get_by_test_id("export-list").locator("tbody tr")
    assert rows.count() == 1
    assert page.get_by_test_id("export-list").locator("thead").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    status = rows.first.locator("td.bf-stack-status")
    box = status.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert status.inner_text().strip() == "可下载"
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "export-list-phone.png"), full_page=True)
    rows.first.locator("td.bf-stack-title a").click()
    page.wait_for_url("**/exports/*/")
