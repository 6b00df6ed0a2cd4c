"""Lock-out cannot lock out the locksmith (issue 12 item 10): failures lock an account from
one client address only, so an outsider elsewhere cannot lock out the security administrator;
after three failures the log-in asks for a local image CAPTCHA and does not try the password
without it; the command line unlocks any account, audited."""

from __future__ import annotations

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from bangfu.core import captcha
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
OUTSIDER = "10.9.9.9"
ADMIN_DESK = "10.1.1.1"


def attempt(client: Client, username: str, password: str, address: str, **extra: str):
    return client.post(
        LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=address
    )


def solve(response) -> dict[str, str]:
    """Read the CAPTCHA on the page as a person would (worked out from its key, in a test)."""
    page = response.content.decode()
    assert 'data-testid="captcha"' in page
    key = page.split('name="captcha_0" value="', 1)[1].split('"', 1)[0]
    return {"captcha_0": key, "captcha_1": str(captcha.challenge(key)).lower()}


def test_an_outsider_cannot_lock_out_the_only_security_admin(security_admin, password, settings):
    # given: someone elsewhere fails the security admin's log-in until it locks
    settings.BANGFU_LOGIN_CAPTCHA_AFTER = 100
    outsider = Client()
    statuses = [attempt(outsider, "security", "guess-1234", OUTSIDER).status_code for _ in range(5)]
    assert statuses[-1] == 429
    assert attempt(outsider, "security", password, OUTSIDER).status_code == 429

    # when: the security admin logs in at their own desk
    admin = Client()
    response = attempt(admin, "security", password, ADMIN_DESK)

    # then
    assert response.status_code == 302
    assert admin.session[SESSION_KEY] == str(security_admin.pk)


def test_after_three_failures_the_log_in_asks_for_the_captcha(staff, password):
    client = Client()
    pages = [attempt(client, "staff", "guess-1234", OUTSIDER) for _ in range(3)]

    assert ['data-testid="captcha"' in p.content.decode() for p in pages] == [False, False, True]
    assert '<img src="/captcha/image/' in pages[-1].content.decode()


def test_without_the_captcha_even_the_right_password_is_not_tried(staff, password):
    client = Client()
    for _ in range(3):
        attempt(client, "staff", "guess-1234", OUTSIDER)
    failures = AccessAttempt.objects.get(username="staff").failures_since_start

    response = attempt(client, "staff", password, OUTSIDER)
    wrong = attempt(client, "staff", password, OUTSIDER, captcha_0="nokey", captcha_1="WXYZ")

    assert response.status_code == 200
    assert "请输入图中的验证码。" in response.content.decode()
    assert "验证码不正确或已过期" in wrong.content.decode()
    assert SESSION_KEY not in client.session
    # the password was not tried: no failure counted against the account
    assert AccessAttempt.objects.get(username="staff").failures_since_start == failures


def test_with_the_captcha_the_right_password_logs_in(staff, password):
    client = Client()
    for _ in range(2):
        attempt(client, "staff", "guess-1234", OUTSIDER)
    third = attempt(client, "staff", "guess-1234", OUTSIDER)

    response = attempt(client, "staff", password, OUTSIDER, **solve(third))

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_failures_of_an_account_from_many_addresses_bring_the_captcha_everywhere(staff):
    for n in range(3):
        attempt(Client(), "staff", "guess-1234", f"10.0.0.{n}")

    page = attempt(Client(), "staff", "guess-1234", "10.0.0.99")

    assert 'data-testid="captcha"' in page.content.decode()


def test_one_address_trying_many_accounts_gets_the_captcha(staff, leader):
    client = Client()
    for name in ("staff", "leader", "nobody"):
        attempt(client, name, "guess-1234", OUTSIDER)

    page = attempt(client, "someone", "guess-1234", OUTSIDER)

    assert 'data-testid="captcha"' in page.content.decode()


def test_the_captcha_picture_is_drawn_locally(client):
    key = captcha.issue()

    response = client.get(reverse("captcha-image", kwargs={"key": key}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_the_command_line_unlocks_the_locked_security_admin_audited(
    security_admin, password, settings
):
    # given: locked from the admin's own desk
    settings.BANGFU_LOGIN_CAPTCHA_AFTER = 100
    client = Client()
    for _ in range(5):
        attempt(client, "security", "guess-1234", ADMIN_DESK)
    assert attempt(client, "security", password, ADMIN_DESK).status_code == 429

    # when
    out = StringIO()
    call_command("unlock_user", "security", stdout=out)

    # then
    assert "已解除“security”的登录锁定" in out.getvalue()
    assert attempt(client, "security", password, ADMIN_DESK).status_code == 302
    event = AuditEvent.objects.filter(action="accounts.user.unlock").latest("seq")
    assert event.actor is None
    assert "命令行" in event.summary


def test_the_command_line_names_an_unknown_account():
    with pytest.raises(CommandError, match="没有登录名为“ghost”的账号。"):
        call_command("unlock_user", "ghost", stdout=StringIO())
