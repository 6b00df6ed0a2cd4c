"""The audit trail and the access log, for auditors and security administrators."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.core.audit import event_hash
from bangfu.core.audit_actions import action_label
from bangfu.core.jobs import job_start
from bangfu.core.labels import field_label, object_type_label, value_label
from bangfu.core.tasks import AUDIT_VERIFY_KIND
from bangfu.core.tasks import audit_verify as audit_verify_task

from .. import selectors
from ..forms.audit import AccessLogFilterForm, AuditFilterForm

# --- Audit trail, access log, background jobs ----------------------------------------------

AUDIT_PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: Any, per_page: int) -> Any:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail for auditors: filters, a page of events, and "verify chain"."""
    form = AuditFilterForm(
        request.GET or None,
        actions=selectors.audit_action_choices(),
        object_types=selectors.audit_object_type_choices(),
    )
    # An invalid filter shows its errors and no rows, rather than rows filtered differently
    # from what the auditor asked for.
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else selectors.AuditFilters()
        page = _page(
            request, selectors.audit_event_list(user=request.user, filters=filters), AUDIT_PAGE_SIZE
        )
        for event in page.object_list:
            event.action_label = action_label(event.action)
    return render(
        request,
        "workbench/audit_list.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


@login_required
@require_GET
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    """One event: who did what to which object, the changes, and its place in the chain."""
    event = selectors.audit_event_get(user=request.user, seq=seq)
    changes = []
    for name, values in (event.changes or {}).items():
        pair = values if isinstance(values, list) and len(values) == 2 else [values, None]
        changes.append(
            {
                "field": name,
                "label": field_label(event.object_type, name),
                # Codes read as words (a choice, a rule version); other values as written.
                "before": value_label(event.object_type, name, pair[0]),
                "after": value_label(event.object_type, name, pair[1]),
            }
        )
    previous_seq, next_seq = selectors.audit_event_neighbours(event)
    return render(
        request,
        "workbench/audit_detail.html",
        {
            "event": event,
            "action_label": action_label(event.action),
            "object_type_label": object_type_label(event.object_type),
            "changes": changes,
            "hash_matches": event_hash(event) == event.hash,
            "previous_seq": previous_seq,
            "next_seq": next_seq,
        },
    )


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Start checking the whole chain in the background and show the job's progress."""
    job = job_start(
        user=request.user,
        kind=AUDIT_VERIFY_KIND,
        title=_("校验审计链"),
        task=audit_verify_task,
    )
    return redirect("workbench:job_detail", job_id=job.pk)


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who saw which sensitive value in full, and why."""
    form = AccessLogFilterForm(
        request.GET or None,
        object_types=selectors.access_log_object_type_choices(user=request.user),
    )
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else selectors.AccessLogFilters()
        page = _page(
            request, selectors.access_log_list(user=request.user, filters=filters), AUDIT_PAGE_SIZE
        )
    return render(
        request,
        "workbench/access_log.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )
