"""Long forms survive the idle timeout: a warning with "继续" before it, typing keeps the session
alive, and what was typed is restored after logging in again (short timeouts here)."""

from __future__ import annotations

from typing import Any

import pytest

from bangfu.archives.models import Household

from .conftest import login

# Long enough that a page loaded on a busy two-core machine does not already sit in the
# warning time (12 s / 6 s failed under load), short enough for a test.
SESSION_SECONDS = 24
WARNING_SECONDS = 8


@pytest.fixture
def short_sessions(settings: Any, transactional_db: None) -> None:
    settings.SESSION_COOKIE_AGE = SESSION_SECONDS
    settings.BANGFU_SESSION_WARNING_SECONDS = WARNING_SECONDS


def _drafts(page: Any) -> list[str]:
    return page.evaluate(
        "() => Object.keys(sessionStorage).filter((key) => key.startsWith('bf.draft.'))"
    )


def test_a_warning_comes_before_the_timeout_and_continue_keeps_the_session(
    page: Any, short_sessions: None, staff: Any, password: str
) -> None:
    # given: staff on the worklist, doing nothing
    login(page, staff.username, password)
    page.wait_for_url("**/worklist/")
    warning = page.get_by_test_id("session-warning")
    assert warning.is_hidden()

    # when: the warning shows (the session has WARNING_SECONDS left) and 继续 is pressed
    warning.wait_for(state="visible", timeout=(SESSION_SECONDS - WARNING_SECONDS + 3) * 1000)
    assert "登录将在" in warning.inner_text()
    page.get_by_test_id("session-continue").click()
    warning.wait_for(state="hidden", timeout=3000)

    # then: past the first timeout the user is still logged in
    page.wait_for_timeout((WARNING_SECONDS + 2) * 1000)
    page.goto(page.base_url + "/worklist/")
    assert page.url.endswith("/worklist/")
    assert page.get_by_test_id("my-roles").is_visible()


def test_typing_keeps_the_session_alive(
    page: Any, short_sessions: None, staff: Any, password: str
) -> None:
    login(page, staff.username, password)
    page.wait_for_url("**/worklist/")
    page.goto(page.base_url + "/archives/new/")

    # when: typing for longer than a whole idle timeout, a few characters every 2 seconds
    for step in range(SESSION_SECONDS // 2 + 2):
        page.locator("input[name=address]").type(str(step))
        page.wait_for_timeout(2000)

    # then: no warning came, and the session is alive
    assert page.get_by_test_id("session-warning").is_hidden()
    page.goto(page.base_url + "/worklist/")
    assert page.url.endswith("/worklist/")


def test_what_was_typed_is_restored_after_logging_in_again(
    page: Any, short_sessions: None, staff: Any, password: str
) -> None:
    # given: a long form partly typed, then left alone until the session times out
    login(page, staff.username, password)
    page.wait_for_url("**/worklist/")
    page.goto(page.base_url + "/archives/new/")
    page.fill("input[name=name]", "王大力")
    page.fill("input[name=address]", "响水社区 8 栋 2 单元")
    page.fill("input[name=members-0-name]", "李小红")
    page.check("input[name=secondary_causes][value='6']")
    page.wait_for_timeout(600)  # the draft is saved as the user types
    page.get_by_test_id("session-expired").wait_for(
        state="visible", timeout=(SESSION_SECONDS + 3) * 1000
    )
    assert "重新登录后自动恢复" in page.get_by_test_id("session-expired").inner_text()

    # when: the form is submitted anyway (the server asks for the log-in), and the user logs in
    page.get_by_test_id("save").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/archives/new/")

    # then: what was typed is back, said so, and nothing was filed
    assert page.get_by_test_id("draft-restored").is_visible()
    assert page.input_value("input[name=name]") == "王大力"
    assert page.input_value("input[name=address]") == "响水社区 8 栋 2 单元"
    assert page.input_value("input[name=members-0-name]") == "李小红"
    assert page.is_checked("input[name=secondary_causes][value='6']")
    assert not Household.objects.exists()

    # and logging out forgets the draft
    assert _drafts(page)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state("load")
    assert _drafts(page) == []


def test_a_restored_draft_can_be_thrown_away(
    page: Any, short_sessions: None, staff: Any, password: str
) -> None:
    login(page, staff.username, password)
    page.wait_for_url("**/worklist/")
    page.goto(page.base_url + "/archives/new/")
    page.fill("input[name=name]", "王大力")
    page.wait_for_timeout(600)

    # when: the user goes elsewhere without submitting, and comes back
    page.goto(page.base_url + "/worklist/")
    page.goto(page.base_url + "/archives/new/")
    assert page.input_value("input[name=name]") == "王大力"
    page.get_by_test_id("draft-discard").click()
    page.wait_for_load_state("load")

    # then: the form is empty again and no draft is kept
    assert page.input_value("input[name=name]") == ""
    assert page.get_by_test_id("draft-restored").count() == 0
