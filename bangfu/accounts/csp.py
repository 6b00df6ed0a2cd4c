"""Content-Security-Policy reports: browsers post what the policy blocked; the security
administrator reads the latest. The endpoint is public (browsers send reports without a CSRF
token) and bounded: small bodies only, text cut to size, at most CSP_REPORTS_KEPT kept."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bangfu.core.middleware import request_client_address

from .models import CspReport

MAX_BODY = 16 * 1024
CSP_REPORTS_KEPT = 2000


def _reports(body: Any) -> list[dict[str, Any]]:
    """Return the reports of a `report-uri` body ({"csp-report": {...}}) or of a Reporting
    API body ([{"type": "csp-violation", "body": {...}}])."""
    if isinstance(body, dict) and isinstance(body.get("csp-report"), dict):
        return [body["csp-report"]]
    if isinstance(body, list):
        return [
            item["body"]
            for item in body[:20]
            if isinstance(item, dict) and isinstance(item.get("body"), dict)
        ]
    return []


def _text(report: dict[str, Any], *names: str, size: int) -> str:
    for name in names:
        value = report.get(name)
        if value not in (None, ""):
            return str(value)[:size]
    return ""


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return HttpResponse(status=413)
    try:
        body = json.loads(request.body[:MAX_BODY] or b"null")
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    rows = [
        CspReport(
            document_uri=_text(r, "document-uri", "documentURL", size=500),
            directive=_text(
                r, "effective-directive", "violated-directive", "effectiveDirective", size=100
            ),
            blocked_uri=_text(r, "blocked-uri", "blockedURL", size=500),
            source=" ".join(
                filter(
                    None,
                    [
                        _text(r, "source-file", "sourceFile", size=400),
                        _text(r, "line-number", "lineNumber", size=10),
                    ],
                )
            ),
            sample=_text(r, "script-sample", "sample", size=200),
            client_address=request_client_address(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        for r in _reports(body)
    ]
    if rows:
        with transaction.atomic():
            CspReport.objects.bulk_create(rows)
            stale = CspReport.objects.order_by("-received_at", "-pk").values_list("pk", flat=True)[
                CSP_REPORTS_KEPT : CSP_REPORTS_KEPT + 500
            ]
            CspReport.objects.filter(pk__in=list(stale)).delete()
    return HttpResponse(status=204)
