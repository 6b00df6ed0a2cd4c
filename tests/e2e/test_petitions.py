"""Petitions in Chromium: a clerk registers a visit, accepts it and answers it; the petitioner
follows it with the query code on the public page and rates the answer."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.core.management import call_command

from bangfu.demo.data import DEMO_PASSWORD
from bangfu.petitions.models import Petition

from .conftest import login

SHOTS = os.environ.get("BANGFU_SCREENSHOTS", "")


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"petitions-{name}.png"), full_page=True)


def test_a_clerk_registers_a_visit_and_answers_it_and_the_petitioner_follows_it(
    page: Any, demo: None
) -> None:
    login(page, "staff", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")
    _shot(page, "worklist")

    # Register a visit: the oral matter is read back, the petitioner told on the spot.
    page.click("[data-testid=nav-petitions]")
    page.wait_for_url("**/petitions/")
    _shot(page, "list")
    page.click("[data-testid=register-link]")
    page.select_option("select[name=channel]", label="来访")
    page.select_option("select[name=category]", label="工资报酬")
    page.fill("input[name=petitioner_name]", "欧阳建华")
    page.fill("input[name=phone]", "13807335566")
    page.fill("input[name=employer]", "湘电配件厂")
    page.fill("textarea[name=request]", "要求湘电配件厂支付 2025 年加班费 3600 元")
    page.fill("textarea[name=facts]", "2025 年每周六加班,工厂未支付加班费。")
    # First without reading it back: refused, what was typed is kept.
    page.get_by_role("button", name="登记").click()
    error = page.locator("[data-testid=error-read_back]")
    assert "口头反映的事项须如实记录" in error.inner_text()
    assert page.input_value("input[name=petitioner_name]") == "欧阳建华"
    _shot(page, "register-error")
    page.check("input[name=read_back]")
    page.check("input[name=acknowledged_on_the_spot]")
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r".*/petitions/\d+/$"))

    petition = Petition.objects.get(petitioner_name="欧阳建华")
    main = page.locator("main").inner_text()
    assert petition.number in main
    assert "138****5566" in main and "13807335566" not in main
    assert "登记转送:自收到之日起 15 日(信访工作条例)" in main
    assert "起算日不计入" in main
    _shot(page, "detail-registered")

    # Accept it for 响水社区帮扶站, then answer it.
    page.select_option("select[name=handling_unit]", label="响水社区帮扶站")
    page.click("[data-testid=submit-accept]")
    page.wait_for_url(re.compile(r".*/petitions/\d+/$"))
    assert page.locator("[data-testid=handling-unit]").inner_text() == "响水社区帮扶站"
    reply = page.locator("[data-testid=action-reply]")
    reply.locator("select[name=outcome]").select_option(label="支持")
    reply.locator("textarea[name=decision]").fill("经协调,湘电配件厂同意于 1 月底前支付加班费。")
    reply.locator("textarea[name=basis]").fill("《劳动法》第四十四条。")
    page.click("[data-testid=submit-reply]")
    page.wait_for_url(re.compile(r".*/petitions/\d+/$"))
    assert "已答复" in page.locator("[data-testid=status]").first.inner_text()
    assert page.locator("[data-testid=pdf-reply]").is_visible()
    _shot(page, "detail-replied")
    petition.refresh_from_db()
    assert (petition.status, petition.outcome) == ("replied", "upheld")

    # The petitioner, not logged in, follows it with the query code and rates it.
    page.context.clear_cookies()
    page.goto(page.base_url + "/petitions/public/track/")
    page.fill("input[name=code]", petition.query_code)
    page.get_by_role("button", name="查询").click()
    assert page.locator("[data-testid=stage]").inner_text() == "已答复"
    body = page.locator("main").inner_text()
    assert "欧阳建华" not in body and "加班费" not in body
    _shot(page, "public-track")
    page.check("input[name=rating][value=satisfied]")
    page.get_by_role("button", name="提交评价").click()
    assert "您的评价:满意。谢谢!" in page.locator("[data-testid=rated]").inner_text()
    petition.refresh_from_db()
    assert (petition.rating, petition.rated_online) == ("satisfied", True)


def test_the_public_form_shows_a_local_captcha_and_the_leader_sees_the_breach(
    page: Any, demo: None
) -> None:
    page.goto(page.base_url + "/petitions/public/new/")
    captcha = page.locator("img.bf-captcha-image")
    assert captcha.is_visible()
    assert captcha.evaluate("img => img.naturalWidth") > 0
    _shot(page, "public-form")

    login(page, "leader", DEMO_PASSWORD)
    page.wait_for_url("**/worklist/")
    assert "【超期督办】" in page.locator("main").inner_text()
    page.goto(page.base_url + "/petitions/report/")
    assert "超期清单" in page.locator("main").inner_text()
    _shot(page, "report")
