"""The session engine: Django's database sessions read and written with one statement each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangfu.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db

WORKLIST = reverse("workbench:worklist")


def _session_statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]


def test_the_engine_is_this_store():
    assert settings.SESSION_ENGINE == "bangfu.accounts.sessions"


def test_a_signed_in_page_reads_and_writes_its_session_with_one_statement_each(client, staff):
    client.force_login(staff)
    client.get(WORKLIST)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(WORKLIST)

    assert response.status_code == 200
    statements = _session_statements(captured)
    assert len(statements) == 2
    assert statements[0].startswith("SELECT session_data FROM")
    assert statements[1].startswith('UPDATE "django_session" SET session_data')


def test_each_request_moves_the_end_of_the_session_forward(client, staff, settings):
    settings.SESSION_COOKIE_AGE = 600
    client.force_login(staff)
    row = Session.objects.get()
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + timedelta(seconds=60))

    assert client.get(WORKLIST).status_code == 200

    moved = Session.objects.get(pk=row.pk).expire_date
    assert moved > timezone.now() + timedelta(seconds=590)


def test_an_expired_session_is_not_read(client, staff):
    client.force_login(staff)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(WORKLIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_deleted_session_is_signed_out(client, staff):
    client.force_login(staff)
    Session.objects.all().delete()

    response = client.get(WORKLIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_what_a_request_stores_is_written_and_read_back(staff):
    store = SessionStore()
    store[SESSION_KEY] = str(staff.pk)
    store.create()
    store["note"] = {"user_id": staff.pk, "code": "123456"}
    store.save()

    again = SessionStore(session_key=store.session_key)

    assert again["note"] == {"user_id": staff.pk, "code": "123456"}
    assert again[SESSION_KEY] == str(staff.pk)
    assert Session.objects.get(pk=store.session_key).get_decoded()["note"]["code"] == "123456"


def test_saving_a_session_whose_row_is_gone_fails_as_djangos_does(staff):
    store = SessionStore()
    store["a"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).delete()
    store["a"] = 2

    with pytest.raises(UpdateError):
        store.save()


def test_an_unknown_key_loads_as_an_empty_new_session():
    store = SessionStore(session_key="x" * 32)

    assert store.load() == {}
    assert store.session_key is None
