"""Authentication: the token endpoint shares the log-in page's lock-out; a token stops working
when its account is closed, while its password must be changed, and once the password changes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bangfu.accounts import services
from bangfu.accounts.models import User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Neues-Passwort-2026"


def obtain(username: str, password: str):
    return APIClient().post(
        reverse("api:token"), {"username": username, "password": password}, format="json"
    )


def me(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(reverse("api:me")).status_code


@pytest.fixture
def token(staff, password) -> str:
    response = obtain("staff", password)
    assert response.status_code == 200
    return response.json()["token"]


def test_failures_on_the_log_in_page_lock_the_token_endpoint_too(client, staff, password, settings):
    settings.AXES_FAILURE_LIMIT = 3

    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "staff", "password": "wrong-one"})
    response = obtain("staff", password)

    assert response.status_code == 403
    assert not Token.objects.exists()
    page = client.post(reverse("accounts:login"), {"username": "staff", "password": password})
    assert page.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_closed_accounts_token_stops_working(token, staff, sysadmin):
    assert me(token) == 200

    services.user_set_active(actor=sysadmin, target=staff, active=False)

    assert me(token) == 401
    assert not Token.objects.filter(user=staff).exists()
    services.user_set_active(actor=sysadmin, target=staff, active=True)
    assert me(token) == 401  # reopening the account does not bring the old token back


def test_after_a_password_reset_the_old_token_never_works_again(token, staff, security_admin):
    # when: a security admin resets the password (as after a suspected leak)
    services.password_reset(actor=security_admin, target=staff)
    staff.refresh_from_db()

    # then: refused while the password must be changed, and still after it was changed
    assert me(token) in (401, 403)
    services.password_change(user=staff, new_password=NEW_PASSWORD)
    assert me(token) == 401
    fresh = obtain("staff", NEW_PASSWORD)
    assert fresh.status_code == 200
    assert fresh.json()["token"] != token
    assert me(fresh.json()["token"]) == 200


def test_a_user_who_must_change_the_password_cannot_use_an_earlier_token(token, staff):
    # given: the flag set another way than by a reset (an admin's edit, a migration)
    User.objects.filter(pk=staff.pk).update(must_change_password=True)

    # when
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(reverse("api:household_list"))

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "请先在网页上修改初始密码。"}
