"""Reading notices writes nothing, also once a notice's period has passed and nobody has run
`end_notices` yet: the list, the notice, its printed form, the worklist and the archive in the
notice are opened by every demo role; afterwards no table changed and no audit event was
written (the access log aside: opening an archive is logged by design)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.archives.models import Household
from bangfu.core.models import AuditEvent
from bangfu.notices.models import Notice
from bangfu.notices.tests.factories import set_today

from .test_security_methods import USERS, _changed, _state, _state_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(monkeypatch):
    """The demo, on the day after its notice's last day: ended, not recorded as such."""
    call_command("seed_demo", stdout=StringIO())
    # The notice of the archive still in its notice (the demo has another, already ended).
    household = Household.objects.get(status=Household.Status.PUBLICIZING)
    notice = Notice.objects.get(
        status=Notice.Status.PUBLISHED, kind=Notice.Kind.ARCHIVE, items__subject_id=household.pk
    )
    assert notice.ends_on is not None
    set_today(monkeypatch, notice.ends_on + timedelta(days=1))
    return notice


def _urls(notice: Notice) -> list[str]:
    household = Household.objects.get(status=Household.Status.PUBLICIZING)
    list_url = reverse("notices:notice_list")
    return [
        list_url,
        f"{list_url}?status=ended",
        f"{list_url}?status=published",
        reverse("notices:notice_detail", args=[notice.pk]),
        reverse("notices:notice_print", args=[notice.pk]),
        reverse("workbench:worklist"),
        reverse("archives:household_detail", args=[household.pk]),
    ]


def test_no_role_changes_anything_by_reading_a_notice_whose_period_has_passed(ended):
    # given: every demo role logged in (a log-in is an audit event of its own)
    clients = {}
    for username in USERS:
        clients[username] = Client()
        clients[username].force_login(User.objects.get(username=username))
    query = _state_query()
    events = AuditEvent.objects.count()
    changes: list[str] = []
    shown: dict[str, int] = {}

    # when
    for username, client in clients.items():
        for url in _urls(ended):
            before = _state(query)
            response = client.get(url)
            after = _state(query)
            if _changed(before, after):  # core_auditevent is one of the tables
                changes.append(f"{username} GET {url}: {_changed(before, after)}")
            if url.endswith(f"/{ended.pk}/") and response.status_code == 200:
                shown[username] = response.content.decode().count(">公示期满</span>")

    # then
    assert "\n".join(changes) == ""
    assert AuditEvent.objects.count() == events
    assert Notice.objects.get(pk=ended.pk).status == Notice.Status.PUBLISHED
    # Those who may open the notice see it ended.
    assert shown and all(count == 1 for count in shown.values()), shown
    assert {"leader", "staff", "supervisor"} <= set(shown)
    assert "auditor" not in shown  # the auditor reads logs, not notices


def test_the_list_filters_on_the_status_worked_out(ended, client):
    client.force_login(User.objects.get(username="staff"))

    ended_page = client.get(reverse("notices:notice_list"), {"status": "ended"}).content.decode()
    running_page = client.get(
        reverse("notices:notice_list"), {"status": "published"}
    ).content.decode()

    assert ended.title in ended_page
    assert ended.title not in running_page


def test_an_ended_notice_offers_no_withdrawal_but_its_print_and_objections(ended, client):
    client.force_login(User.objects.get(username="staff"))

    page = client.get(reverse("notices:notice_detail", args=[ended.pk])).content.decode()

    assert 'data-testid="withdraw-form"' not in page
    assert 'data-testid="notice-print"' in page
    assert 'data-testid="objection-form"' in page
