"""Content-Security-Policy in Chromium (issue 12 item 14): the main pages, as each demo role and
before log-in, run with the policy on and not one violation — none seen by the page, none
reported to the server."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.management import call_command

from bangfu.accounts.models import CspReport
from bangfu.archives.models import Household
from bangfu.demo.data import DEMO_PASSWORD, demo_logins
from bangfu.notices.models import Notice

from .conftest import login

# Every violation the page sees is kept on the window (the init script runs before any of ours).
WATCH = """
window.__bfCsp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__bfCsp.push(
    e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber
  );
});
"""


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def _pages() -> list[str]:
    household = Household.objects.order_by("pk").first()
    notice = Notice.objects.order_by("pk").first()
    pages = [
        "/worklist/",
        "/archives/",
        "/notices/",
        "/network/units/",
        "/network/map/",
        "/accounts/users/",
        "/accounts/tokens/",
        "/accounts/password/",
        "/audit/",
        "/access-log/",
        "/calendar/",
        "/api/docs/",
    ]
    if household is not None:
        pages.append(f"/archives/{household.pk}/")
    if notice is not None:
        pages += [f"/notices/{notice.pk}/", f"/notices/{notice.pk}/print/"]
    return pages


def _walk(page: Any, paths: list[str]) -> list[str]:
    seen: list[str] = []
    console: list[str] = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    for path in paths:
        response = page.goto(page.base_url + path)
        policy = response.headers.get("content-security-policy", "")
        if "script-src 'self'" not in policy or "unsafe-inline" in policy.split("style-src")[0]:
            seen.append(f"{path}: no policy that keeps inline scripts out ({policy!r})")
        page.wait_for_load_state("load")
        seen += [f"{path}: {v}" for v in page.evaluate("window.__bfCsp || []")]
    return seen + console


def test_no_page_breaks_the_policy_for_any_role(browser: Any, live_server: Any, demo: None):
    paths = _pages()
    violations: list[str] = []
    roles = [entry.username for entry in demo_logins()]

    for username in roles:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.add_init_script(WATCH)
        page = context.new_page()
        page.base_url = live_server.url
        login(page, username, DEMO_PASSWORD)
        page.wait_for_url("**/worklist/")
        violations += [f"{username} {v}" for v in _walk(page, paths)]
        context.close()

    # and before log-in: the log-in page (with its CAPTCHA after failures), setting a password
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.base_url = live_server.url
    for _ in range(3):
        login(page, "staff", "Wrong-Password-1")
    assert page.get_by_test_id("captcha").is_visible()
    page.click("[data-bf-captcha-refresh]")
    page.wait_for_load_state("networkidle")
    violations += _walk(page, ["/accounts/login/", "/accounts/password/set/"])
    context.close()

    time.sleep(0.5)  # reports are sent after the page, in the background
    assert violations == []
    assert list(CspReport.objects.values_list("document_uri", "directive")) == []
    assert len(roles) >= 10


def test_a_confirm_question_comes_from_the_static_script(
    browser: Any, live_server: Any, demo: None
):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    login(page, "staff", DEMO_PASSWORD)
    page.goto(live_server.url + "/accounts/tokens/")
    page.fill("input[name=name]", "报表程序")
    page.click("button[type=submit]:has-text('创建令牌')")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))

    page.click("[data-testid=token-table] button[type=submit]")

    assert asked == ["确定撤销该令牌?使用它的程序将无法再调用接口。"]
    assert "报表程序" in page.get_by_test_id("token-table").inner_text()  # dismissed: kept
    context.close()
