"""Log-in, lock-out, the worklist, scope and the network map, in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from bangfu.accounts.models import User
from bangfu.core.audit import verify_chain
from bangfu.demo.data import DEMO_PASSWORD
from bangfu.network.models import OrgUnit

from .conftest import login


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def test_login_lands_on_the_worklist_in_chinese(page: Any, demo: None) -> None:
    login(page, "staff", DEMO_PASSWORD)

    page.wait_for_url("**/worklist/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "工作台"
    roles = page.get_by_test_id("my-roles").inner_text()
    assert "专职工作人员" in roles and "响水乡职工服务(帮扶)中心" in roles
    due = page.get_by_test_id("due-items").inner_text()
    assert "入户调查" in due  # the demo's two applications wait for their home visits


def test_wrong_password_is_refused_in_chinese(page: Any, demo: None) -> None:
    login(page, "staff", "Wrong-Password-1")

    assert "/accounts/login/" in page.url
    assert "用户名或密码" in page.content()


def test_five_failures_lock_the_account_even_for_the_right_password(
    page: Any, demo: None, settings: Any
) -> None:
    settings.BANGFU_LOGIN_CAPTCHA_AFTER = 100  # the CAPTCHA has its own test (test_csp.py)
    for _ in range(5):
        login(page, "leader", "Wrong-Password-1")

    login(page, "leader", DEMO_PASSWORD)

    assert "/worklist/" not in page.url
    assert "锁定" in page.content()


def test_a_liaison_sees_only_its_station(page: Any, demo: None) -> None:
    other = OrgUnit.objects.get(name="长丰社区帮扶站")
    own = OrgUnit.objects.get(name="响水社区帮扶站")
    login(page, "liaison1", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")

    page.goto(f"{page.base_url}/network/units/")
    listing = page.locator("main").inner_text()
    assert own.name in listing and other.name not in listing

    response = page.goto(f"{page.base_url}/network/units/{other.pk}/")
    assert response is not None and response.status == 404
    assert "未找到" in page.locator("main").inner_text()


def test_the_network_map_draws_the_tree_and_downloads_as_pdf_and_png(page: Any, demo: None) -> None:
    login(page, "staff", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")

    page.goto(f"{page.base_url}/network/map/")
    svg = page.locator("svg").first
    text = svg.inner_html()
    for unit in OrgUnit.objects.all():
        assert unit.name in text
    assert "何亮" in text and "13807321001" in text

    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="下载 PDF(A4)").click()
    pdf = pdf_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    with page.expect_download() as png_info:
        page.get_by_role("link", name="下载 PNG").click()
    with open(png_info.value.path(), "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_phone_sized_screen_has_a_working_menu(page: Any, demo: None) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "staff", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")

    page.locator(".navbar-toggler").click()
    # Wait for the menu to finish opening, then for the dropdown (a click during Bootstrap's
    # collapse animation can be lost on a loaded machine).
    page.locator(".navbar-collapse.show").wait_for()
    page.get_by_test_id("nav-network").get_by_role("button", name="帮扶网络").click()
    page.get_by_test_id("nav-network").locator(".dropdown-menu.show").wait_for()
    page.get_by_test_id("nav-network").get_by_role("link", name="组织单位").click()

    page.wait_for_url("**/network/units/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_first_login_forces_a_password_change(page: Any, demo: None) -> None:
    user = User.objects.get(username="finance")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])

    login(page, "finance", DEMO_PASSWORD)
    page.wait_for_url("**/accounts/password/")
    page.goto(f"{page.base_url}/worklist/")
    assert "/accounts/password/" in page.url

    page.fill("input[name=old_password]", DEMO_PASSWORD)
    page.fill("input[name=new_password1]", "Xiangshui#2026new")
    page.fill("input[name=new_password2]", "Xiangshui#2026new")
    page.locator("main button[type=submit]").click()
    page.goto(f"{page.base_url}/worklist/")

    assert "/worklist/" in page.url
    user.refresh_from_db()
    assert not user.must_change_password
    assert verify_chain()[1] is None
