"""The archive list in Chromium: a whole ID never reaches the address bar, a station is picked
by typing its name, and on a 375 px phone every archive is a card whose status and next step
are seen without scrolling sideways."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command

from bangfu.archives.models import Household
from bangfu.demo.data import DEMO_PASSWORD

from .conftest import login

SCREENSHOTS = os.environ.get("BANGFU_SCREENSHOTS", "")


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def _logged_in(page: Any, username: str) -> None:
    login(page, username, DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")


def test_a_whole_id_searched_never_reaches_the_address_bar(page: Any, demo: None) -> None:
    household = Household.objects.exclude(id_index="").order_by("pk").first()
    assert household is not None
    _logged_in(page, "staff")
    page.goto(f"{page.base_url}/archives/")
    history: list[str] = []
    page.on("framenavigated", lambda frame: history.append(frame.url))

    page.fill("input[name=q]", household.id_number)
    page.get_by_test_id("household-search").click()
    page.wait_for_url("**/archives/?key=*")

    assert household.name in page.get_by_test_id("households").inner_text()
    assert page.get_by_test_id("household-key-search").is_visible()
    assert all(household.id_number not in url for url in [*history, page.url])
    assert household.id_number not in page.content()


def test_a_station_is_picked_by_typing_part_of_its_name(page: Any, demo: None) -> None:
    _logged_in(page, "staff")
    page.goto(f"{page.base_url}/archives/")

    page.fill("[data-testid=unit-picker]", "长丰")
    suggestion = page.get_by_test_id("unit-suggestions").get_by_text("长丰社区帮扶站")
    suggestion.wait_for()
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "archives-unit-picker.png"))
    suggestion.click()
    page.get_by_test_id("household-search").click()
    page.wait_for_load_state()

    listed = page.get_by_test_id("households").inner_text()
    assert page.input_value("[data-testid=unit-picker]") == "长丰社区帮扶站"
    changfeng = Household.objects.filter(unit__name="长丰社区帮扶站").values_list("name", flat=True)
    others = Household.objects.exclude(unit__name="长丰社区帮扶站").values_list("name", flat=True)
    assert all(name in listed for name in changfeng)
    assert not any(name in listed for name in set(others) - set(changfeng))


def test_on_a_phone_each_archive_is_a_card_with_its_status_and_next_step(
    page: Any, demo: None
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    _logged_in(page, "liaison1")
    page.goto(f"{page.base_url}/archives/")

    width = page.evaluate("document.documentElement.scrollWidth")
    rows = page.get_by_test_id("household-row")
    assert rows.count() > 0
    first = rows.first
    status = first.get_by_test_id("household-status").bounding_box()
    step = first.get_by_test_id("household-next").bounding_box()
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "archives-list-375.png"), full_page=True)

    assert width <= 375
    assert page.locator("thead").first.is_hidden()  # cards, not a table
    for box in (status, step):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert first.get_by_test_id("household-next").inner_text().strip() != ""


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("/assistance/", "application-table"),
        ("/notices/", "notice-list"),
        ("/petitions/", "petition-table"),
    ],
)
def test_on_a_phone_the_liaisons_other_lists_are_cards_with_their_status(
    page: Any, demo: None, path: str, table: str
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    _logged_in(page, "liaison1")
    page.goto(f"{page.base_url}{path}")

    rows = page.get_by_test_id(table).locator("tbody tr")
    assert rows.count() > 0
    status = rows.first.locator("td.bf-stack-status").bounding_box()

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.get_by_test_id(table).locator("thead").is_hidden()
    assert status is not None and status["x"] >= 0 and status["x"] + status["width"] <= 375
