"""Archives in Chromium: filing through the form, search, reveal, scope, Excel import."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from bangfu.archives.models import Household
from bangfu.archives.tests import roster_files
from bangfu.archives.tests.factories import make_id_number
from bangfu.core.audit import verify_chain
from bangfu.core.models import AccessLog
from bangfu.demo.data import DEMO_PASSWORD

from .conftest import login


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def _logged_in(page: Any, username: str) -> None:
    login(page, username, DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")


def test_staff_files_an_archive_finds_it_by_initials_and_reveals_the_id(
    page: Any, demo: None
) -> None:
    id_number = make_id_number(sex="F", seq=431)
    _logged_in(page, "staff")

    page.goto(f"{page.base_url}/archives/new/")
    page.select_option("select[name=unit]", label="长丰社区帮扶站")
    page.select_option("select[name=area]", index=1)
    page.fill("input[name=name]", "欧阳娜娜")
    page.fill("input[name=id_number]", id_number.lower())
    page.select_option("select[name=marital_status]", label="离异")
    page.select_option("select[name=hukou]", label="城镇")
    page.fill("input[name=address]", "响水乡长丰社区 8 号")
    page.select_option("select[name=work_status]", label="失业")
    page.select_option("select[name=housing]", label="租住私房")
    page.select_option("select[name=medical_insurance]", label="城镇职工基本医疗保险")
    page.select_option("select[name=main_cause]", label="下岗失业")
    page.get_by_role("button", name="提交建档申请").click()

    page.wait_for_url("**/archives/*/")
    household = Household.objects.get(name="欧阳娜娜")
    assert household.status == Household.Status.APPLIED
    detail = page.locator("main").inner_text()
    assert f"{id_number[:6]}********{id_number[-4:]}" in detail
    assert id_number not in detail

    page.goto(f"{page.base_url}/archives/?q=oynn")
    assert "欧阳娜娜" in page.locator("main").inner_text()

    page.goto(f"{page.base_url}/archives/{household.pk}/")
    page.get_by_test_id("household-reveal").click()
    page.fill("textarea[name=purpose]", "核对申请材料")
    page.get_by_test_id("reveal-submit").click()
    assert id_number in page.locator("main").inner_text()
    log = AccessLog.objects.filter(object_id=str(household.pk)).exclude(fields="masked").get()
    assert (log.user.username, log.purpose) == ("staff", "核对申请材料")
    assert verify_chain()[1] is None


def test_a_liaison_cannot_open_another_stations_archive(page: Any, demo: None) -> None:
    other = Household.objects.filter(unit__name="长丰社区帮扶站").first()
    own = Household.objects.filter(unit__name="响水社区帮扶站").first()
    assert other is not None and own is not None
    _logged_in(page, "liaison1")

    page.goto(f"{page.base_url}/archives/")
    listing = page.locator("main").inner_text()
    assert own.name in listing and other.name not in listing

    for path in ("", "pdf/", "history/"):
        response = page.goto(f"{page.base_url}/archives/{other.pk}/{path}")
        assert response is not None and response.status == 404, path


def test_an_excel_roster_imports_after_checking_and_a_second_import_changes_nothing(
    page: Any, demo: None, tmp_path: Any
) -> None:
    ids = roster_files.ids()
    rows = [
        roster_files.head(1, "张三", ids["zhang"], 所属帮扶站="响水社区帮扶站"),
        roster_files.member(1, "妻子", "李梅", ids["li_mei"], 性别="女"),
        roster_files.head(2, "王五", ids["wang"], 所属帮扶站="长丰社区帮扶站"),
    ]
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(roster_files.workbook(rows))
    before = Household.objects.count()
    _logged_in(page, "staff")

    page.goto(f"{page.base_url}/archives/import/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_test_id("mode-historical").check()
    page.get_by_test_id("import-confirm").click()
    page.wait_for_load_state()

    assert Household.objects.count() == before + 2
    assert set(
        Household.objects.filter(name__in=["张三", "王五"]).values_list("unit__name", flat=True)
    ) == {
        "响水社区帮扶站",
        "长丰社区帮扶站",
    }

    page.goto(f"{page.base_url}/archives/import/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_load_state()
    assert "已存在" in page.locator("main").inner_text()
    assert Household.objects.count() == before + 2
