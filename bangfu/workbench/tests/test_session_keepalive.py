"""The keep-alive the page's script sends while a form is typed, and what the page tells it."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("workbench:session_keepalive")


def test_a_logged_in_keepalive_moves_the_sessions_end_forward(client, staff, settings):
    settings.SESSION_COOKIE_AGE = 600
    client.force_login(staff)
    session = Session.objects.get()
    before = session.expire_date

    response = client.post(URL)

    assert response.status_code == 200
    assert response.json() == {"expires_in": 600}
    assert Session.objects.get().expire_date > before


def test_after_the_timeout_the_keepalive_says_so(client):
    response = client.post(URL)

    assert response.status_code == 401
    assert response.json() == {"expired": True}


def test_a_get_is_refused(client, staff):
    client.force_login(staff)

    assert client.get(URL).status_code == 405


def test_pages_tell_the_script_the_timeout_and_the_warning(client, staff, settings):
    settings.SESSION_COOKIE_AGE = 1800
    settings.BANGFU_SESSION_WARNING_SECONDS = 120
    client.force_login(staff)

    html = client.get(reverse("workbench:worklist")).content.decode()

    assert 'data-bf-session-seconds="1800"' in html
    assert 'data-bf-session-warning="120"' in html
    assert f'data-bf-keepalive-url="{URL}"' in html
    assert 'src="/static/js/session.js"' in html and 'src="/static/js/drafts.js"' in html


def test_the_warning_is_never_longer_than_half_the_timeout(client, staff, settings):
    settings.SESSION_COOKIE_AGE = 60
    settings.BANGFU_SESSION_WARNING_SECONDS = 120
    client.force_login(staff)

    html = client.get(reverse("workbench:worklist")).content.decode()

    assert 'data-bf-session-warning="30"' in html


def test_the_log_in_page_carries_no_session_data(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert "data-bf-session-seconds" not in html
    assert 'data-bf-login-url="/accounts/login/"' in html
