"""An outside roster (other headers, its own words) imported in Chromium through the
column-mapping page to a clean check (issue 11 "Real rosters" #1, #2)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command

from bangfu.archives.models import Household
from bangfu.archives.tests import roster_files
from bangfu.archives.tests.outside_roster import outside_roster
from bangfu.demo.data import DEMO_PASSWORD
from bangfu.kits.imports.models import ColumnMapping, ImportBatch

from .conftest import login


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def test_an_outside_roster_is_mapped_on_the_page_and_checks_clean(
    page: Any, demo: None, tmp_path: Any
) -> None:
    ids = roster_files.ids()
    rows = [
        roster_files.head(1, "张三", ids["zhang"], 所属帮扶站="响水社区帮扶站"),
        roster_files.member(1, "妻子", "李梅", ids["li_mei"], 性别="女"),
        roster_files.head(2, "王五", ids["wang"], 所属帮扶站="长丰社区帮扶站", 健康状况="重病"),
    ]
    path = tmp_path / "外乡名单.xlsx"
    path.write_bytes(outside_roster(rows))
    before = Household.objects.count()
    login(page, "staff", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")

    page.goto(f"{page.base_url}/archives/import/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/mapping/")
    ignored = page.get_by_test_id("mapping-ignored").inner_text()
    assert "序号" in ignored and "家庭角色" in ignored and "身体状况" in ignored
    assert "与户主关系" in page.get_by_test_id("mapping-missing").inner_text()

    page.get_by_label("“家庭角色”对应的字段").select_option(label="与户主关系")
    page.get_by_label("“身体状况”对应的字段").select_option(label="健康状况")
    page.get_by_label("“帮扶站点”对应的字段").select_option(label="所属帮扶站")
    page.get_by_test_id("mapping-preview").click()
    page.wait_for_load_state()
    values = page.get_by_test_id("mapping-values").inner_text()
    assert "身体好" in values  # listed once, with its rows
    page.get_by_label("“身体好”对应的值").select_option(label="健康")
    if os.environ.get("BANGFU_SCREENSHOTS"):
        page.screenshot(
            path=os.environ["BANGFU_SCREENSHOTS"] + "/import-mapping.png", full_page=True
        )
    page.get_by_test_id("mapping-check").click()
    page.wait_for_url("**/import/*/")

    assert "校验通过" in page.get_by_test_id("batch-summary").inner_text()
    page.get_by_test_id("import-confirm").click()
    page.wait_for_load_state()
    assert Household.objects.count() == before + 2
    assert Household.objects.get(name="张三").health == "healthy"
    assert Household.objects.get(name="王五").health == "serious_illness"
    assert ImportBatch.objects.get().status == ImportBatch.Status.IMPORTED
    assert ColumnMapping.objects.get().values == {"health": {"身体好": "健康"}}
