"""Minimum necessary (issue 12 item 9, issue 11 "Auditor's reach"): the 三员 auditor reads the
audit trail and the access log, not archives; business supervision of the fund (纪检/审计) is a
separate read-only role that sees archives masked, opens no attachment and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from bangfu.accounts.models import User
from bangfu.archives.models import Attachment, Household
from bangfu.archives.services import attachments
from bangfu.archives.tests.factories import make_household
from bangfu.core.models import AccessLog, AuditEvent

from .test_security_methods import NAMESPACES, _changed, _kwargs, _routes, _state, _state_query
from .test_security_methods import demo as demo  # a fixture, used by name

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def archive(network, staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    household = make_household(network.station_a, filed_by=staff)
    attachment = attachments.attachment_upload(
        user=staff,
        household=household,
        kind=Attachment.Kind.ID_COPY,
        file=SimpleUploadedFile("id.png", PNG),
        name="id.png",
    )
    return household, attachment


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_auditor_reads_no_archive_and_no_attachment(archive, auditor):
    household, attachment = archive
    client = _client(auditor)
    api = APIClient()
    api.force_authenticate(auditor)

    pages = {
        "list": client.get(reverse("archives:household_list")).status_code,
        "detail": client.get(reverse("archives:household_detail", args=[household.pk])).status_code,
        "pdf": client.get(reverse("archives:household_pdf", args=[household.pk])).status_code,
        "scan": client.get(
            reverse("archives:attachment_download", args=[attachment.pk])
        ).status_code,
        "notices": client.get(reverse("notices:notice_list")).status_code,
        "api list": api.get(reverse("api:household_list")).status_code,
        "api detail": api.get(reverse("api:household_detail", args=[household.pk])).status_code,
    }

    assert pages == dict.fromkeys(pages, 403)
    assert not AccessLog.objects.filter(user=auditor).exists()
    page = client.get(reverse("workbench:worklist")).content.decode()
    assert 'data-testid="nav-archives"' not in page


def test_the_auditor_still_reads_the_audit_trail_and_the_access_log(auditor):
    client = _client(auditor)

    assert client.get(reverse("workbench:audit_list")).status_code == 200
    assert client.get(reverse("workbench:access_log")).status_code == 200


def test_the_supervisor_reads_archives_masked_and_opens_no_scan(archive, supervisor):
    household, attachment = archive
    client = _client(supervisor)
    api = APIClient()
    api.force_authenticate(supervisor)

    detail = client.get(reverse("archives:household_detail", args=[household.pk]))
    scan = client.get(reverse("archives:attachment_download", args=[attachment.pk]))
    reveal = client.post(
        reverse("archives:household_reveal", args=[household.pk]), {"purpose": "核查"}
    )
    api_detail = api.get(reverse("api:household_detail", args=[household.pk]))
    api_reveal = api.post(
        reverse("api:household_reveal", args=[household.pk]), {"purpose": "核查"}, format="json"
    )

    page = detail.content.decode()
    assert detail.status_code == 200
    assert household.id_number not in page
    assert f"{household.id_number[:6]}********{household.id_number[-4:]}" in page
    assert reverse("archives:attachment_download", args=[attachment.pk]) not in page
    assert scan.status_code == 403
    assert reveal.status_code == 403
    assert api_detail.status_code == 200
    assert api_detail.json()["id_number"] != household.id_number
    assert api_reveal.status_code == 403
    # Viewing is logged as for anyone; nothing was revealed in full.
    logged = AccessLog.objects.filter(user=supervisor).values_list("fields", flat=True)
    assert not [fields for fields in logged if "id_number" in fields or "attachment" in fields]


def test_staff_still_open_the_scans(archive, staff):
    _household, attachment = archive

    response = _client(staff).get(reverse("archives:attachment_download", args=[attachment.pk]))

    assert response.status_code == 200


# --- The supervisor changes nothing, by any page or API call ------------------------------

SKIP_POST = {
    # Ending one's own session and choosing a language are not changes to the records.
    "accounts:logout",
    "workbench:set_language",
}
# Logs that any visitor may add to: views of archives, sessions, log-in tracking, and reports
# of blocked content from the browser.
MAY_GROW = {
    "core_accesslog",
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    # The public petition pages count every visitor's requests (their rate limit), and a form
    # sent with a CAPTCHA records its key as used: what any anonymous visitor causes, not a
    # change made by the supervisor's role.
    "petitions_publichit",
    "captcha_captchastore",
}


def test_the_supervisor_changes_nothing_by_any_get_or_post(demo):
    # given: the demo's supervisor, every page and API route with objects of every kind
    supervisor = User.objects.get(username="supervisor")
    query = _state_query()
    statuses: dict[str, set[int]] = {"GET": set(), "POST": set()}
    tried = 0
    client = _client(supervisor)  # logging in is audited: once, before the walk
    before, events = _state(query), AuditEvent.objects.count()

    # when: every route is fetched and posted to (with plausible fields) as the supervisor
    for route, params in _routes((*NAMESPACES, "api")):
        for kwargs in _kwargs(route, params, demo)[:2]:
            try:
                url = reverse(route, kwargs=kwargs)
            except NoReverseMatch:
                continue
            statuses["GET"].add(client.get(url).status_code)
            if route in SKIP_POST:
                continue
            data: dict[str, Any] = {
                "purpose": "核查",
                "reason": "核查",
                "note": "x",
                "name": "x",
                "decision": "approve",
                "confirm": "1",
            }
            if route.startswith("api:"):
                response = client.post(url, data, content_type="application/json")
            else:
                response = client.post(url, data)
            statuses["POST"].add(response.status_code)
            tried += 1

    # then
    after = _state(query)
    changed = [table for table in _changed(before, after) if table not in MAY_GROW]
    assert changed == []
    assert AuditEvent.objects.count() == events
    assert tried >= 100
    assert 200 in statuses["GET"]
    assert Household.objects.filter(status=Household.Status.ACTIVE).exists()
