"""The petition list with its search, the petition page, its PDFs and its material.

Views fetch through the selectors (outside the scope, restricted without the permission, or
about the viewer: 404, like a missing petition) and log every view of a restricted one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bangfu.accounts import policy
from bangfu.core.errors import NotFound
from bangfu.core.files import max_bytes, sealed_file_response

from .. import hooks
from ..deadlines import counting_note
from ..forms import (
    AcceptForm,
    AcknowledgeForm,
    AttachmentUploadForm,
    DeclineForm,
    ExtendForm,
    FilterForm,
    RateForm,
    ReferForm,
    ReplyForm,
    RequestForm,
    TransferForm,
)
from ..models import Deadline, Petition, Route
from ..pdf import acknowledgement_pdf, reply_pdf
from ..permissions import PetitionsPermission as P
from ..selectors import browse
from ..selectors.access import access_attachment, access_petition
from ..services.attachments import attachment_open
from ..services.handling import RATABLE
from ..services.viewing import petition_viewed

PER_PAGE = 30
S = Petition.Status


def petition_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = browse.PetitionFilters(
        q=data.get("q") or "",
        status=data.get("status") or "",
        channel=data.get("channel") or "",
        category=data.get("category") or "",
        overdue=bool(data.get("overdue")),
    )
    page = Paginator(browse.petition_list(user=request.user, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [(p, browse.next_deadline(p)) for p in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/petition_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


def _in(user: Any, perm: str, petition: Petition) -> bool:
    return policy.unit_in_scope(user, perm, petition.unit)


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    url: str
    form: Any


TITLES = {
    "accept": gettext_lazy("受理并交办"),
    "decline": gettext_lazy("不予受理"),
    "transfer": gettext_lazy("转交其他机关"),
    "acknowledge": gettext_lazy("告知信访人"),
    "reply": gettext_lazy("答复(处理意见书)"),
    "refer": gettext_lazy("转法律援助或帮扶救助"),
    "extend": gettext_lazy("批准延期(只能一次,不超过 30 日)"),
    "review_request": gettext_lazy("登记复查请求"),
    "review_reply": gettext_lazy("复查答复"),
    "recheck_request": gettext_lazy("登记复核请求"),
    "recheck_reply": gettext_lazy("复核答复(终结)"),
    "rate": gettext_lazy("记录满意度评价"),
}


def actions_for(user: Any, petition: Petition) -> list[Action]:
    """Return the actions this user may take on the petition now, each with its form (the
    services check again)."""
    handle = _in(user, P.HANDLE, petition)
    status = petition.status
    forms: dict[str, Any] = {}
    today = timezone.localdate()
    if handle and status == S.REGISTERED:
        forms["accept"] = AcceptForm(petition=petition, user=user, initial={"accepted_on": today})
    if handle and petition.acknowledged_on is None and not petition.anonymous:
        forms["acknowledge"] = AcknowledgeForm(initial={"acknowledged_on": today})
    if handle and status == S.REGISTERED:
        forms["decline"] = DeclineForm(initial={"decided_on": today})
        forms["transfer"] = TransferForm(initial={"decided_on": today})
    if status == S.ACCEPTED:
        if handle:
            forms["reply"] = ReplyForm(initial={"replied_on": today})
        if _in(user, P.APPROVE_EXTENSION, petition) and not petition.extension_days:
            forms["extend"] = ExtendForm(initial={"told_on": today})
        if handle:
            forms["refer"] = ReferForm()
    if handle and status == S.REPLIED:
        forms["review_request"] = RequestForm(initial={"requested_on": today})
    if handle and status == S.REVIEWED:
        forms["recheck_request"] = RequestForm(initial={"requested_on": today})
    if _in(user, P.REVIEW, petition) and status == S.REVIEWING:
        forms["review_reply"] = ReplyForm(initial={"replied_on": today})
    if _in(user, P.REVIEW, petition) and status == S.RECHECKING:
        forms["recheck_reply"] = ReplyForm(initial={"replied_on": today})
    if handle and status in RATABLE and not petition.rating:
        forms["rate"] = RateForm()
    return [
        Action(
            key,
            str(TITLES[key]),
            reverse(f"petitions:petition_{key}", args=[petition.pk]),
            form,
        )
        for key, form in forms.items()
    ]


def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = access_petition(user=request.user, petition_id=pk)
    petition_viewed(user=request.user, petition=petition, what=_("信访件页面"))
    page = browse.petition_page(user=request.user, petition=petition)
    may_add = _in(request.user, P.REGISTER, petition) or _in(request.user, P.HANDLE, petition)
    countings = sorted({d.deadline.counting for d in page.deadlines})
    return render(
        request,
        "petitions/petition_detail.html",
        {
            "petition": petition,
            "page": page,
            "actions": actions_for(request.user, petition),
            "upload_form": AttachmentUploadForm() if may_add else None,
            "max_mb": max_bytes() // (1024 * 1024),
            "counting_notes": [counting_note(c) for c in countings],
            "route_installed": {k: hooks.installed(k) for k in Route.Kind.values},
            "Deadline": Deadline,
        },
    )


@require_GET
def reply_pdf_view(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    petition = access_petition(user=request.user, petition_id=pk)
    reply = petition.replies.filter(stage=stage).select_related("replied_by").first()
    if reply is None:
        raise NotFound(_("该文书尚未作出。"))
    petition_viewed(user=request.user, petition=petition, what=reply.get_stage_display())
    content = reply_pdf(petition=petition, reply=reply)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{petition.number}-{stage}.pdf"'
    return response


@require_GET
def acknowledgement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    petition = access_petition(user=request.user, petition_id=pk)
    petition_viewed(user=request.user, petition=petition, what=_("受理告知书"))
    content = acknowledgement_pdf(petition=petition)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{petition.number}-receipt.pdf"'
    return response


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = access_attachment(user=request.user, attachment_id=pk)
    opened = attachment_open(actor=request.user, attachment=attachment)
    return sealed_file_response(
        opened.content,
        content_type=opened.content_type,
        filename=opened.filename,
        ascii_stem=f"petition-material-{attachment.pk}",
        inline=bool(request.GET.get("inline")),
    )
