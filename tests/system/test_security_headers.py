"""Responses with personal data are never stored by a cache; production settings pass Django's
deployment check cleanly (HSTS and the HTTPS redirect on by default) and refuse the keys
committed in the repository."""

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
from bangfu.archives.services.exporting import ROSTER_KIND
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.models import AccessLog
from bangfu.kits.exports.tests.pages import export_download
from config.settings.devkeys import (
    DEV_AUDIT_KEYS,
    DEV_BLIND_INDEX_KEYS,
    DEV_FIELD_KEYS,
    DEV_SECRET_KEYS,
)

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
        "export": export_download(client, ROSTER_KIND),
        "export full": export_download(client, ROSTER_KIND, values="full", purpose_note="报送"),
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


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Production settings with fresh keys, as the README asks, plus `overrides`."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45),
        "BANGFU_AUDIT_KEY": secrets.token_urlsafe(32),
        "BANGFU_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "BANGFU_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "BANGFU_DATA_DIR": str(tmp_path / "data"),
        "BANGFU_AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit" / "checkpoints.jsonl"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
    }
    return {**env, **overrides}


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _security_warnings(result: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(
        line.split(")")[0].split("(")[-1]
        for line in (result.stdout + result.stderr).splitlines()
        if "(security." in line
    )


def test_production_settings_pass_the_deployment_check_cleanly_with_hsts_by_default(tmp_path):
    # when: nothing about HTTPS is set
    result = _manage(_production_env(tmp_path), "check", "--deploy")

    # then: HSTS (a year, subdomains) and the redirect to HTTPS are on, nothing is left
    assert result.returncode == 0, result.stderr
    assert _security_warnings(result) == [], result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_hsts_can_be_left_to_a_proxy_that_adds_it(tmp_path):
    env = _production_env(tmp_path, BANGFU_PROXY_SETS_HSTS="1")
    shown = _manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)",
    )
    checked = _manage(env, "check", "--deploy")

    assert shown.stdout.strip() == "0", shown.stderr
    assert _security_warnings(checked) == []


@pytest.mark.parametrize(
    ("variable", "committed"),
    [
        ("DJANGO_SECRET_KEY", DEV_SECRET_KEYS[0]),
        ("DJANGO_SECRET_KEY_FALLBACKS", DEV_SECRET_KEYS[1]),
        ("BANGFU_FIELD_KEYS", DEV_FIELD_KEYS[0]),
        ("BANGFU_BLIND_INDEX_KEY", DEV_BLIND_INDEX_KEYS[0]),
        ("BANGFU_AUDIT_KEY", DEV_AUDIT_KEYS[0]),
    ],
)
def test_production_refuses_every_key_committed_in_the_repository(tmp_path, variable, committed):
    # when
    result = _manage(_production_env(tmp_path, **{variable: committed}), "check")

    # then
    assert result.returncode != 0
    assert (
        f"{variable} 使用了代码库中公开的开发/测试密钥,生产环境不能使用:请生成新的随机密钥。"
        in result.stderr
    )


def test_production_needs_a_checkpoint_file_outside_the_data_directory(tmp_path):
    missing = _manage(_production_env(tmp_path, BANGFU_AUDIT_CHECKPOINT_FILE=""), "check")
    inside = _manage(
        _production_env(
            tmp_path, BANGFU_AUDIT_CHECKPOINT_FILE=str(tmp_path / "data" / "checkpoints.jsonl")
        ),
        "check",
    )

    assert "Set BANGFU_AUDIT_CHECKPOINT_FILE to a file outside the data directory" in (
        missing.stderr
    )
    assert "BANGFU_AUDIT_CHECKPOINT_FILE must lie outside BANGFU_DATA_DIR" in inside.stderr
