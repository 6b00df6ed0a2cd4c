"""The roster import's and export's pages are the kits' (`bangfu.kits.imports`,
`bangfu.kits.exports`); this leads from the archives menu to the export and marks an imported
archive's missing data completed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.accounts import policy
from bangfu.core.errors import Conflict

from ..models import Household
from ..permissions import ArchivesPermission
from ..services import importing
from ..services.exporting import ROSTER_KIND


@require_GET
def export_roster(request: HttpRequest) -> HttpResponse:
    """The roster export is a page of the export kit; the menu and old links come here with the
    list's filters, which are carried along."""
    url = reverse("exports:new", kwargs={"kind": ROSTER_KIND})
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@require_POST
def household_import_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an imported archive's missing national-form data as completed."""
    household = policy.scoped_get(
        Household.objects.filter(policy.scope_q(request.user, ArchivesPermission.VIEW)),
        pk,
        message=_("未找到该档案。"),
    )
    try:
        importing.imported_archive_complete(actor=request.user, household=household)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认导入档案的资料补全。"))
    return redirect("archives:household_detail", pk=household.pk)
