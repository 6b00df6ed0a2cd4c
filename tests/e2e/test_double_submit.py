"""A double click on a form's button sends the form once (real users double-click)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bangfu.archives.models import HouseholdMember
from bangfu.archives.services import filing
from bangfu.archives.tests.factories import make_household

from .conftest import login


@pytest.fixture
def household(transactional_db: None, network: Any, staff: Any) -> Any:
    return make_household(network.station_a, filed_by=staff)


def test_a_second_click_while_the_server_is_slow_adds_one_member(
    page: Any, household: Any, staff: Any, password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a busy server (each save takes a second) …
    original = filing.member_add

    def slow_member_add(**kwargs: Any) -> Any:
        time.sleep(1)
        return original(**kwargs)

    monkeypatch.setattr(filing, "member_add", slow_member_add)
    # … and staff on the page adding a child without an ID card to an archive
    login(page, staff.username, password)
    page.wait_for_url("**/worklist/")
    page.goto(f"{page.base_url}/archives/{household.pk}/members/add/")
    page.fill("input[name=name]", "马小宝")
    page.select_option("select[name=relation]", "son")
    page.select_option("select[name=sex]", "M")
    page.fill("input[name=birth_date]", "2020-03-01")
    page.select_option("select[name=medical_insurance]", "resident")
    page.select_option("select[name=identity]", "preschool")

    # When the save button is clicked, and clicked again as nothing seems to happen
    box = page.get_by_test_id("member-form").locator("button[type=submit]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)  # a raw click: the page is still the form, waiting for the server
    page.wait_for_url("**/edit/")
    page.wait_for_load_state("networkidle")

    # Then one member was added, and the page says so once
    assert HouseholdMember.objects.filter(household=household, name="马小宝").count() == 1
    assert page.get_by_text("已添加家庭成员 马小宝。").count() == 1


def test_a_form_can_be_sent_again_after_going_back(
    page: Any, household: Any, staff: Any, password: str
) -> None:
    # Given a form sent once, with a mistake shown on the next page
    login(page, staff.username, password)
    page.wait_for_url("**/worklist/")
    page.goto(f"{page.base_url}/archives/{household.pk}/members/add/")
    page.get_by_test_id("member-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "请填写" in page.locator("main").inner_text()

    # When it is corrected and sent again
    page.fill("input[name=name]", "马小宝")
    page.select_option("select[name=relation]", "son")
    page.select_option("select[name=sex]", "M")
    page.fill("input[name=birth_date]", "2020-03-01")
    page.select_option("select[name=medical_insurance]", "resident")
    page.select_option("select[name=identity]", "preschool")
    page.get_by_test_id("member-form").locator("button[type=submit]").click()
    page.wait_for_url("**/edit/")

    # Then it goes through
    assert HouseholdMember.objects.filter(household=household, name="马小宝").count() == 1
