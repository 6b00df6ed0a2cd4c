"""Responses with personal data are never stored by a cache; production settings pass Django's
deployment check (but for what the HTTPS proxy in front decides: HSTS and the redirect)."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.archives.models import Attachment
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.models import AccessLog

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def household(network, staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    household = make_household(
        network.station_a, filed_by=staff, id_number=make_id_number(seq=501), bank_card="6222"
    )
    make_member(household, id_number=make_id_number(seq=502))
    return household


def test_every_response_with_personal_data_is_marked_no_store(
    client, household, staff, monkeypatch
):
    # given
    class FakeHTML:
        def __init__(self, **kwargs: object) -> None:
            pass

        def write_pdf(self) -> bytes:
            return b"%PDF-1.7 fake"

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)
    client.force_login(staff)
    upload = client.post(
        reverse("archives:attachment_upload", args=[household.pk]),
        {"kind": "id_copy", "file": SimpleUploadedFile("id.png", PNG, "image/png")},
    )
    assert upload.status_code == 302
    attachment = Attachment.objects.get()
    pk = household.pk
    reveal = {"shown": ["id_number", "members.id_number"], "purpose": "核对"}

    # when
    responses = {
        "list": client.get(reverse("archives:household_list")),
        "detail": client.get(reverse("archives:household_detail", args=[pk])),
        "history": client.get(reverse("archives:household_history", args=[pk])),
        "edit": client.get(reverse("archives:household_update", args=[pk])),
        "reveal": client.post(reverse("archives:household_reveal", args=[pk]), reveal),
        "pdf": client.get(reverse("archives:household_pdf", args=[pk])),
        "pdf full": client.post(
            reverse("archives:household_pdf_full", args=[pk]), {"purpose": "签字"}
        ),
        "attachment": client.get(reverse("archives:attachment_download", args=[attachment.pk])),
        "export": client.post(reverse("archives:export_roster")),
        "export full": client.post(reverse("archives:export_roster_full"), {"purpose": "报送"}),
        "api list": client.get(reverse("api:household_list")),
        "api detail": client.get(reverse("api:household_detail", args=[pk])),
        "api reveal": client.post(
            reverse("api:household_reveal", args=[pk]),
            {"purpose": "核对"},
            content_type="application/json",
        ),
        "worklist": client.get(reverse("workbench:worklist")),
    }

    # then
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    assert [name for name, r in responses.items() if not _no_store(r)] == []
    assert household.id_number in responses["reveal"].content.decode()


def test_the_api_detail_is_in_the_access_log_like_the_detail_page(client, household, staff):
    client.force_login(staff)

    client.get(reverse("api:household_detail", args=[household.pk]))
    client.get(reverse("archives:household_detail", args=[household.pk]))

    assert list(AccessLog.objects.values_list("user", "object_id", "fields", "purpose")) == [
        (staff.pk, str(household.pk), "masked", "查看档案详情(脱敏)"),
        (staff.pk, str(household.pk), "masked", "查看档案详情(脱敏)"),
    ]


def test_production_settings_pass_the_deployment_check_but_for_the_https_front(tmp_path):
    # given: production settings with valid keys and HSTS set, as the README asks
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45),
        "BANGFU_AUDIT_KEY": secrets.token_urlsafe(32),
        "BANGFU_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "BANGFU_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "DJANGO_HSTS_SECONDS": "31536000",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
    }

    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then: only what depends on the HTTPS proxy in front and the domain is left: the redirect
    # to HTTPS (the proxy does it), HSTS for subdomains and preloading (the domain's owner)
    found = sorted(
        line.split(")")[0].split("(")[-1]
        for line in (result.stdout + result.stderr).splitlines()
        if "(security." in line
    )
    assert found == ["security.W005", "security.W008", "security.W021"], result.stdout
