"""Browsing archives: the searchable list, the detail page with its panels, the history, the
logged reveal of full values, and the 档案表 PDF.

Views stay thin: they fetch through the selectors (outside the user's scope is NotFound, the 404
page from `core.errorviews`, exactly like a missing archive), call the services, and put a
refused input back on the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts import policy
from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core.errors import ValidationError
from bangfu.core.formkit import apply_domain_error
from bangfu.core.masking import mask_id_number, mask_phone
from bangfu.core.paging import keyset_page
from bangfu.core.panels import panels_for

from .. import pdf
from ..forms.browse import HouseholdFilterForm, PdfRevealForm, RevealForm
from ..models import Household
from ..panels import PAGE
from ..panels.history import history_entries
from ..permissions import ArchivesPermission
from ..selectors import browse
from ..services import reveal as reveal_service

LIST_PAGE_SIZE = 20
HISTORY_PAGE_SIZE = 50
REVEAL = ArchivesPermission.REVEAL


def _query_without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# The list's own parameters: its filters and its paging; anything else is dropped from links.
_LIST_PARAMS = (
    "q",
    "key",
    "category",
    "status",
    "unit",
    "unit_name",
    "main_cause",
    "secondary_cause",
    "rule_version",
    "review_overdue",
)
_PAGING_PARAMS = ("page", "after", "before", "last")


def _list_params(data: QueryDict, *, paging: bool = True) -> dict[str, str]:
    """Return the list's parameters in `data` (the non-empty ones), with a whole ID or mobile
    number in `q` replaced by `key`, its blind index: such a number never goes into a URL."""
    names = _LIST_PARAMS + (_PAGING_PARAMS if paging else ())
    params = {name: data.get(name, "").strip() for name in names if data.get(name, "").strip()}
    q = params.get("q", "")
    if q and browse.is_sensitive_search(q):
        params["key"] = browse.search_key(q)
        del params["q"]
    elif q:
        params.pop("key", None)
    return params


def _list_url(params: dict[str, str]) -> str:
    url = reverse("archives:household_list")
    return f"{url}?{urlencode(params)}" if params else url


@dataclass
class ListRow:
    household: Household
    id_masked: str
    mobile_masked: str
    next_step: str
    # The archive's page, from the address reversed once for the page (`_ListLabels`).
    url: str = ""
    # The choice labels shown, looked up in `_ListLabels` (what get_FOO_display() gives).
    sex: str = ""
    category: str = ""
    main_cause: str = ""
    status: str = ""


def _choice_field(name: str) -> models.Field[Any, Any]:
    field = Household._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


class _ListLabels:
    """The labels of the choice columns of the list, translated once per page: Django's
    get_FOO_display() rebuilds the whole choices mapping (hashing every lazy label) on each
    call, four times a row. And the rows' links, from one reversed address."""

    FIELDS = ("sex", "category", "main_cause", "status")
    # Any key: the detail address is reversed once with it and each row's key put in its place.
    _KEY = 918273645

    def __init__(self) -> None:
        self._maps = {
            name: {k: str(v) for k, v in _choice_field(name).flatchoices} for name in self.FIELDS
        }
        url = reverse("archives:household_detail", args=[self._KEY])
        self._url_before, _key, self._url_after = url.rpartition(str(self._KEY))

    def row(self, h: Household, id_masked: str, mobile_masked: str, next_step: str) -> ListRow:
        labels = {
            name: self._maps[name].get(getattr(h, name), str(getattr(h, name)))
            for name in self.FIELDS
        }
        url = f"{self._url_before}{int(h.pk)}{self._url_after}"
        return ListRow(h, id_masked, mobile_masked, next_step, url, **labels)


@require_http_methods(["GET", "POST"])
def household_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The archives in the user's scope: search box, filters, masked IDs and phones.

    The search form is sent by POST and answered with a redirect to the list's address, in
    which a whole ID or mobile number is replaced by its blind index (`key`): the number never
    reaches the address bar, the browser's history or a server's access log. A GET that
    carries one anyway (typed, or an old bookmark) is redirected the same way.
    """
    if request.method == "POST":
        return HttpResponseRedirect(_list_url(_list_params(request.POST, paging=False)), status=303)
    if browse.is_sensitive_search(request.GET.get("q", "")):
        return HttpResponseRedirect(_list_url(_list_params(request.GET)), status=303)
    form = HouseholdFilterForm(request.GET or None, units=browse.station_choices(user=request.user))
    page, rows = None, []
    # An invalid filter shows its error and no rows, never rows filtered differently.
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else browse.HouseholdFilters()
        households = browse.household_list(user=request.user, filters=filters)
        page = keyset_page(households, _list_params(request.GET), per_page=LIST_PAGE_SIZE)
        labels = _ListLabels()
        rows = [
            labels.row(h, mask_id_number(h.id_number), mask_phone(h.mobile), browse.next_step(h))
            for h in page.rows
        ]
    return render(
        request,
        "archives/browse/household_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "searched_by_key": bool(form.is_bound and request.GET.get("key")),
            "unit_search_url": reverse("network:unit_search")
            + "?"
            + urlencode({"perm": ArchivesPermission.VIEW}),
            "can_file": policy.has_perm(request.user, ArchivesPermission.FILE),
        },
    )


def _can_reveal(user: Any, household: Household) -> bool:
    # For showing the button only; the reveal view fetches by reveal scope and the service checks.
    return policy.has_perm(user, REVEAL) and policy.unit_in_scope(user, REVEAL, household.unit)


def _render_panels(request: AuthenticatedHttpRequest, household: Household) -> list[dict[str, Any]]:
    """Render each registered panel's template with its own context plus the archive."""
    rendered = []
    for panel in panels_for(PAGE, request, household):
        html = render_to_string(
            panel.template,
            {**panel.context, "household": household, "panel": panel},
            request=request,
        )
        rendered.append({"panel": panel, "html": SafeString(html)})
    return rendered


@require_GET
def household_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One archive: the head's fields grouped like the 档案表 (masked), members, the panels."""
    household = browse.household_detail(user=request.user, household_id=pk)
    reveal_service.household_view_log(
        user=request.user, household=household, purpose=_("查看档案详情(脱敏)")
    )
    members = browse.household_members(household=household)
    determination = browse.latest_determination(household=household)
    return render(
        request,
        "archives/browse/household_detail.html",
        {
            "household": household,
            "sections": browse.household_sections(
                household, members=members, determination=determination
            ),
            "members": pdf.member_rows(members, None),
            "opinions": browse.household_opinions(household),
            "panels": _render_panels(request, household),
            "can_reveal": _can_reveal(request.user, household),
        },
    )


@require_GET
def household_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every recorded change of the archive, its members and attachments, newest first."""
    household = browse.household_detail(user=request.user, household_id=pk)
    page = Paginator(browse.household_history(household=household), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "archives/browse/household_history.html",
        {"household": household, "page": page, "entries": history_entries(page.object_list)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def household_reveal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask for the reason, then show the full values once (logged, never cached)."""
    household = browse.household_detail(user=request.user, household_id=pk, perm=REVEAL)
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revealed = reveal_service.household_reveal(
                user=request.user,
                household=household,
                fields=form.cleaned_data["shown"],
                purpose=form.cleaned_data["purpose"],
            )
        except ValidationError as exc:
            apply_domain_error(form, exc)
        else:
            members = browse.household_members(household=household)
            return render(
                request,
                "archives/browse/reveal_result.html",
                {
                    "household": household,
                    "revealed": revealed,
                    "members": [
                        {"member": m, "id_number": (revealed.member_ids or {}).get(m.pk, "")}
                        for m in members
                    ],
                    "purpose": form.cleaned_data["purpose"],
                },
            )
    return render(
        request,
        "archives/browse/reveal_form.html",
        {
            "household": household,
            "form": form,
            "action": "reveal",
            "title": _("显示完整信息:%(name)s") % {"name": household.name},
        },
        status=400 if request.method == "POST" else 200,
    )


def _pdf_response(content: bytes, *, household: Household, suffix: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    name = _("困难职工档案表-%(name)s%(suffix)s.pdf") % {"name": household.name, "suffix": suffix}
    response["Content-Disposition"] = (
        f'attachment; filename="household-{household.pk}.pdf"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
def household_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 档案表 as an A4 PDF to sign, with IDs, phone and bank card masked."""
    household = browse.household_detail(user=request.user, household_id=pk)
    reveal_service.household_view_log(
        user=request.user, household=household, purpose=_("打印档案表(脱敏)")
    )
    content = pdf.household_pdf(
        household=household,
        members=browse.household_members(household=household),
        determination=browse.latest_determination(household=household),
    )
    return _pdf_response(content, household=household)


@never_cache
@require_http_methods(["GET", "POST"])
def household_pdf_full(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 档案表 with full values: needs archives.reveal and a reason, written to the log."""
    household = browse.household_detail(user=request.user, household_id=pk, perm=REVEAL)
    form = PdfRevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revealed = reveal_service.household_reveal(
                user=request.user,
                household=household,
                fields=list(reveal_service.REVEALABLE),
                purpose=form.cleaned_data["purpose"],
            )
        except ValidationError as exc:
            apply_domain_error(form, exc)
        else:
            content = pdf.household_pdf(
                household=household,
                members=browse.household_members(household=household),
                determination=browse.latest_determination(household=household),
                revealed=revealed,
            )
            return _pdf_response(content, household=household, suffix=_("(完整信息)"))
    return render(
        request,
        "archives/browse/reveal_form.html",
        {
            "household": household,
            "form": form,
            "action": "pdf",
            "title": _("打印完整信息档案表:%(name)s") % {"name": household.name},
        },
        status=400 if request.method == "POST" else 200,
    )
