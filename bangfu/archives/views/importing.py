"""The roster import's and export's pages are the kits' (`bangfu.kits.imports`,
`bangfu.kits.exports`); this only leads from the archives menu to the export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..services.exporting import ROSTER_KIND


@require_GET
def export_roster(request: HttpRequest) -> HttpResponse:
    """The roster export is a page of the export kit; the menu and old links come here with the
    list's filters, which are carried along."""
    url = reverse("exports:new", kwargs={"kind": ROSTER_KIND})
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)
