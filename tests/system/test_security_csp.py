"""Content-Security-Policy (issue 12 item 14): every page carries a policy that allows scripts
from our own files only (no 'unsafe-inline', no other host); no template holds an inline script
or an inline event handler; violations are reported to an endpoint whose reports the security
administrator reads. The browser walk is tests/e2e/test_csp.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bangfu.accounts.models import CspReport

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _templates() -> list[Path]:
    return sorted(
        p
        for p in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("bangfu/**/templates/**/*.html")]
        if "/tests/" not in str(p)
    )


def test_no_template_holds_an_inline_script_or_handler():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        found += [
            f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in INLINE_HANDLER.finditer(text)
        ]
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]

    assert found == []


@pytest.mark.parametrize(
    "url_name", ["accounts:login", "accounts:password_set", "workbench:worklist", "api:docs"]
)
def test_pages_carry_a_policy_without_inline_scripts(client, staff, url_name):
    client.force_login(staff)

    response = client.get(reverse(url_name))

    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["report-uri"] == [reverse("accounts:csp_report")]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_a_browsers_report_is_stored_bounded_and_listed_for_the_security_admin(
    security_admin, staff
):
    report = {
        "csp-report": {
            "document-uri": "http://bangfu.local/archives/1/",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "blocked-uri": "inline",
            "source-file": "http://bangfu.local/archives/1/",
            "line-number": 12,
            "script-sample": "alert(document.cookie)" + "x" * 500,
        }
    }

    response = Client().post(
        reverse("accounts:csp_report"), json.dumps(report), content_type="application/csp-report"
    )

    assert response.status_code == 204
    stored = CspReport.objects.get()
    assert (stored.directive, stored.blocked_uri) == ("script-src-elem", "inline")
    assert len(stored.sample) == 200
    admin = Client()
    admin.force_login(security_admin)
    page = admin.get(reverse("accounts:csp_report_list")).content.decode()
    assert "alert(document.cookie)" in page
    other = Client()
    other.force_login(staff)
    assert other.get(reverse("accounts:csp_report_list")).status_code == 403


def test_the_report_endpoint_refuses_large_or_broken_bodies():
    big = Client().post(
        reverse("accounts:csp_report"), "x" * 20000, content_type="application/csp-report"
    )
    broken = Client().post(
        reverse("accounts:csp_report"), "{not json", content_type="application/csp-report"
    )
    fetched = Client().get(reverse("accounts:csp_report"))

    assert (big.status_code, broken.status_code, fetched.status_code) == (413, 400, 405)
    assert not CspReport.objects.exists()
