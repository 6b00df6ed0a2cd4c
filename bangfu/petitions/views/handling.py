"""The action pages of a petition: each shows its form (GET) or calls its service (POST) through
`core.formkit.action_response` — 400 with the form for bad input, 403 with the reason when the
role may not, 409 when the petition is in the wrong state, 404 outside the scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bangfu.core.formkit import action_response

from ..forms import (
    AcceptForm,
    AcknowledgeForm,
    AttachmentUploadForm,
    AttachmentWithdrawForm,
    DeclineForm,
    ExtendForm,
    RateForm,
    ReferForm,
    RegisterForm,
    ReplyForm,
    RequestForm,
    TransferForm,
)
from ..models import Petition
from ..selectors.access import access_attachment, access_petition
from ..services import attachments as material
from ..services import handling as h
from ..services.registration import petition_register


def detail_url(petition: Petition | int, anchor: str = "") -> str:
    pk = petition if isinstance(petition, int) else petition.pk
    return reverse("petitions:petition_detail", args=[pk]) + (f"#{anchor}" if anchor else "")


def _action(
    request: HttpRequest,
    pk: int,
    *,
    form: Callable[[Petition], forms.Form],
    run: Callable[[Any, Petition, dict[str, Any]], Any],
    title: Any,
    done: Any,
) -> HttpResponse:
    petition = access_petition(user=request.user, petition_id=pk)
    bound = form(petition)
    return action_response(
        request,
        form=bound,
        run=lambda: run(request.user, petition, bound.cleaned_data),
        template="petitions/action.html",
        context={"petition": petition, "title": title, "detail_url": detail_url(petition)},
        success_url=detail_url(petition),
        done=str(done),
    )


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def petition_register_view(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"group_size": 1}
    household = request.GET.get("household", "")
    if household.isdigit():
        initial["household"] = int(household)
    from django.utils import timezone

    initial["received_on"] = timezone.localdate()
    form = RegisterForm(_data(request), user=request.user, initial=initial)
    return action_response(
        request,
        form=form,
        run=lambda: petition_register(
            actor=request.user, unit=form.cleaned_data["unit"], data=form.to_input()
        ),
        template="petitions/petition_register.html",
        context={"household_id": initial.get("household")},
        success_url=lambda petition: detail_url(petition),
        done=lambda petition: _("已登记信访件 %(number)s。") % {"number": petition.number},
    )


@require_http_methods(["GET", "POST"])
def petition_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: AcceptForm(_data(request), petition=p, user=request.user),
        run=lambda user, p, d: h.petition_accept(
            actor=user, petition=p, handling_unit=d["handling_unit"], accepted_on=d["accepted_on"]
        ),
        title=gettext_lazy("受理并交办"),
        done=gettext_lazy("已受理,办理期限自受理之日起计算。"),
    )


@require_http_methods(["GET", "POST"])
def petition_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: DeclineForm(_data(request)),
        run=lambda user, p, d: h.petition_decline(
            actor=user, petition=p, reason=d["reason"], decided_on=d["decided_on"]
        ),
        title=gettext_lazy("不予受理"),
        done=gettext_lazy("已作不予受理处理,请书面告知信访人理由。"),
    )


@require_http_methods(["GET", "POST"])
def petition_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: TransferForm(_data(request)),
        run=lambda user, p, d: h.petition_transfer(
            actor=user, petition=p, body=d["body"], reason=d["reason"], decided_on=d["decided_on"]
        ),
        title=gettext_lazy("转交其他机关"),
        done=gettext_lazy("已转交,请告知信访人向何处反映。"),
    )


@require_http_methods(["GET", "POST"])
def petition_refer(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: ReferForm(_data(request)),
        run=lambda user, p, d: h.petition_refer(
            actor=user, petition=p, kind=d["kind"], reason=d["reason"]
        ),
        title=gettext_lazy("转法律援助或帮扶救助"),
        done=gettext_lazy("已转办。"),
    )


@require_http_methods(["GET", "POST"])
def petition_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: AcknowledgeForm(_data(request)),
        run=lambda user, p, d: h.petition_acknowledge(
            actor=user, petition=p, method=d["method"], acknowledged_on=d["acknowledged_on"]
        ),
        title=gettext_lazy("告知信访人"),
        done=gettext_lazy("已记录告知。"),
    )


@require_http_methods(["GET", "POST"])
def petition_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: ExtendForm(_data(request)),
        run=lambda user, p, d: h.petition_extend(
            actor=user, petition=p, days=d["days"], reason=d["reason"], told_on=d["told_on"]
        ),
        title=gettext_lazy("批准延期"),
        done=gettext_lazy("已延长办理期限。"),
    )


def _reply(service: Callable[..., Any]) -> Callable[[Any, Petition, dict[str, Any]], Any]:
    return lambda user, p, d: service(
        actor=user,
        petition=p,
        outcome=d["outcome"],
        decision=d["decision"],
        basis=d["basis"],
        replied_on=d["replied_on"],
    )


@require_http_methods(["GET", "POST"])
def petition_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: ReplyForm(_data(request)),
        run=_reply(h.petition_reply),
        title=gettext_lazy("答复(处理意见书)"),
        done=gettext_lazy("已答复。可打印处理意见书交信访人。"),
    )


@require_http_methods(["GET", "POST"])
def petition_review_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: RequestForm(_data(request)),
        run=lambda user, p, d: h.petition_review_request(
            actor=user, petition=p, reason=d["reason"], requested_on=d["requested_on"]
        ),
        title=gettext_lazy("登记复查请求"),
        done=gettext_lazy("已登记复查请求。"),
    )


@require_http_methods(["GET", "POST"])
def petition_review_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: ReplyForm(_data(request)),
        run=_reply(h.petition_review_reply),
        title=gettext_lazy("复查答复(复查意见书)"),
        done=gettext_lazy("已作复查答复。"),
    )


@require_http_methods(["GET", "POST"])
def petition_recheck_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: RequestForm(_data(request)),
        run=lambda user, p, d: h.petition_recheck_request(
            actor=user, petition=p, reason=d["reason"], requested_on=d["requested_on"]
        ),
        title=gettext_lazy("登记复核请求"),
        done=gettext_lazy("已登记复核请求。"),
    )


@require_http_methods(["GET", "POST"])
def petition_recheck_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: ReplyForm(_data(request)),
        run=_reply(h.petition_recheck_reply),
        title=gettext_lazy("复核答复(复核意见书)"),
        done=gettext_lazy("已作复核答复,该信访事项终结。"),
    )


@require_http_methods(["GET", "POST"])
def petition_rate(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        form=lambda p: RateForm(_data(request)),
        run=lambda user, p, d: h.petition_rate(
            actor=user, petition=p, rating=d["rating"], comment=d.get("comment") or ""
        ),
        title=gettext_lazy("记录满意度评价"),
        done=gettext_lazy("已记录评价。"),
    )


@require_http_methods(["GET", "POST"])
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    petition = access_petition(user=request.user, petition_id=pk)
    form = AttachmentUploadForm(_data(request), request.FILES or None)

    def run() -> Any:
        upload = form.cleaned_data["file"]
        return material.attachment_upload(
            actor=request.user,
            petition=petition,
            kind=form.cleaned_data["kind"],
            file=upload,
            name=upload.name,
        )

    return action_response(
        request,
        form=form,
        run=run,
        template="petitions/action.html",
        context={
            "petition": petition,
            "title": _("上传信访材料"),
            "detail_url": detail_url(petition),
            "multipart": True,
        },
        success_url=detail_url(petition, "material"),
        done=lambda a: _("已上传“%(name)s”。") % {"name": a.original_name},
    )


@require_http_methods(["GET", "POST"])
def attachment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = access_attachment(user=request.user, attachment_id=pk)
    form = AttachmentWithdrawForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: material.attachment_withdraw(
            actor=request.user, attachment=attachment, reason=form.cleaned_data["reason"]
        ),
        template="petitions/action.html",
        context={
            "petition": attachment.petition,
            "title": _("撤回材料:%(name)s") % {"name": attachment.original_name},
            "detail_url": detail_url(attachment.petition),
        },
        success_url=detail_url(attachment.petition, "material"),
        done=_("已撤回材料。"),
    )
