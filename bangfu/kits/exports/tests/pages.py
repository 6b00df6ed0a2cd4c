"""Exporting through the pages, as a user does: for tests of any context."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from bangfu.kits.exports.models import Format, Purpose


def export_post(client: Any, kind: str, query: str = "", **data: str) -> Any:
    """POST the export page of `kind` (masked xlsx for a report unless `data` says otherwise)."""
    url = reverse("exports:new", kwargs={"kind": kind})
    form = {"purpose": Purpose.REPORT, "values": "masked", "format": Format.XLSX, **data}
    return client.post(f"{url}?{query}" if query else url, form)


def export_download(client: Any, kind: str, query: str = "", **data: str) -> Any:
    """Export a small file through the page and return the download's response."""
    response = export_post(client, kind, query, **data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response.url)
