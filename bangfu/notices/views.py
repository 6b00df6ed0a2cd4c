"""Pages of public notices: the list, a notice with its objections, and the printable notice.

Views stay thin: they fetch through the selectors (a notice outside the user's scope is a 404,
exactly like a missing one), call the services, and turn domain errors into form errors. A form
with errors is shown again on the notice page with what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts import policy
from bangfu.core.errors import DomainError, ValidationError
from bangfu.core.masking import mask_phone
from bangfu.core.shortcuts import found

from . import selectors, services
from .forms import (
    NoticeFilterForm,
    ObjectionForm,
    PublishForm,
    SettleForm,
    WithdrawForm,
    apply_errors,
)
from .models import Notice, Objection
from .period import notice_period
from .permissions import NoticesPermission

MANAGE = NoticesPermission.MANAGE
PER_PAGE = 30


@dataclass
class ObjectionRow:
    objection: Objection
    from_name: str
    contact: str
    settle_form: SettleForm | None


def _can_manage(user: Any, notice: Notice) -> bool:
    # For showing forms only; the services check again.
    return policy.has_perm(user, MANAGE) and policy.unit_in_scope(user, MANAGE, notice.unit)


def notice_list(request: HttpRequest) -> HttpResponse:
    form = NoticeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.notice_list(user=request.user, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notices/notice_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _detail(
    request: HttpRequest,
    notice: Notice,
    *,
    publish_form: PublishForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    objection_form: ObjectionForm | None = None,
    settle_forms: dict[int, SettleForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = _can_manage(request.user, notice)
    today = timezone.localdate()
    settle_forms = settle_forms or {}
    rows: list[ObjectionRow] = []
    for objection in selectors.notice_objections(notice):
        # Who objected and how to reach them is for the staff who handle it, not for every
        # viewer (a liaison may know the people concerned).
        settle_form = None
        if can_manage and objection.status == Objection.Status.OPEN:
            settle_form = settle_forms.get(objection.pk) or SettleForm(
                prefix=f"settle-{objection.pk}"
            )
        rows.append(
            ObjectionRow(
                objection=objection,
                from_name=(objection.from_name or _("匿名"))
                if can_manage
                else _("(仅经办人员可见)"),
                contact=(objection.contact if can_manage else mask_phone(objection.contact)) or "—",
                settle_form=settle_form,
            )
        )
    can_publish = can_manage and notice.status == Notice.Status.DRAFT
    return render(
        request,
        "notices/notice_detail.html",
        {
            "notice": notice,
            "items": selectors.notice_items(notice),
            "objections": rows,
            "can_manage": can_manage,
            "can_publish": can_publish,
            # Published today, would the period be counted on a provisional calendar? Say so
            # before it is published, not after.
            "publish_preview": notice_period(today) if can_publish else None,
            "can_withdraw": can_manage
            and notice.status in (Notice.Status.DRAFT, Notice.Status.PUBLISHED),
            "can_object": can_manage
            and notice.status in (Notice.Status.PUBLISHED, Notice.Status.ENDED),
            "publish_form": publish_form or PublishForm(initial={"starts_on": today}),
            "withdraw_form": withdraw_form or WithdrawForm(),
            "objection_form": objection_form
            or ObjectionForm(notice=notice, initial={"received_on": today}),
        },
        status=status,
    )


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = found(lambda: selectors.access_notice(user=request.user, notice_id=pk))
    return _detail(request, notice)


def notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    notice = found(lambda: selectors.access_notice(user=request.user, notice_id=pk))
    if notice.status not in (Notice.Status.PUBLISHED, Notice.Status.ENDED):
        # A draft or a withdrawn notice is not something to post on a wall.
        raise Http404
    items = selectors.notice_items(notice)
    for item in items:
        for name in services.ITEM_TEXT_FIELDS:
            setattr(item, name, services.redact_numbers(getattr(item, name)))
    notice.title = services.redact_numbers(notice.title)
    notice.body = services.redact_numbers(notice.body)
    return render(
        request,
        "notices/notice_print.html",
        {
            "notice": notice,
            "items": items,
            "show_category": any(i.category for i in items),
            "show_aid_kind": any(i.aid_kind for i in items),
            "show_amount": any(i.amount is not None for i in items),
        },
    )


def _manage_notice(request: HttpRequest, pk: int) -> Notice:
    return found(lambda: selectors.access_notice(user=request.user, notice_id=pk, perm=MANAGE))


@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _manage_notice(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.notice_publish(
                actor=request.user, notice=notice, starts_on=form.cleaned_data["starts_on"]
            )
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except DomainError as exc:
            # Already published (a second click): the form is gone from the page, so say it
            # above the notice as it now is.
            messages.error(request, exc.message)
            return redirect("notices:notice_detail", pk=notice.pk)
        else:
            messages.success(request, _("已发布:%(rule)s。") % {"rule": notice.period_text})
            return redirect("notices:notice_detail", pk=notice.pk)
    return _detail(request, notice, publish_form=form)


@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _manage_notice(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.notice_withdraw(
                actor=request.user, notice=notice, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("notices:notice_detail", pk=notice.pk)
        else:
            messages.success(request, _("已撤回该公示。"))
            return redirect("notices:notice_detail", pk=notice.pk)
    return _detail(request, notice, withdraw_form=form)


@require_POST
def objection_record(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _manage_notice(request, pk)
    form = ObjectionForm(request.POST, notice=notice)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_record(
                actor=request.user,
                notice=notice,
                item=data["item"],
                received_on=data["received_on"],
                channel=data["channel"],
                from_name=data["from_name"],
                contact=data["contact"],
                content=data["content"],
            )
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记异议。"))
            return redirect("notices:notice_detail", pk=notice.pk)
    return _detail(request, notice, objection_form=form)


@require_POST
def objection_settle(request: HttpRequest, pk: int) -> HttpResponse:
    objection = found(lambda: selectors.access_objection(user=request.user, objection_id=pk))
    notice = _manage_notice(request, objection.notice_id)
    form = SettleForm(request.POST, prefix=f"settle-{objection.pk}")
    if form.is_valid():
        try:
            services.objection_settle(
                actor=request.user,
                objection=objection,
                upheld=form.cleaned_data["decision"] == "upheld",
                resolution=form.cleaned_data["resolution"],
            )
        except ValidationError as exc:
            apply_errors(form, exc.errors, exc.message)
        except DomainError as exc:
            # Already settled (a second click): its form is no longer on the page.
            messages.error(request, exc.message)
            return redirect("notices:notice_detail", pk=notice.pk)
        else:
            messages.success(
                request,
                _("异议已办结:%(status)s。") % {"status": objection.get_status_display()},
            )
            return redirect("notices:notice_detail", pk=notice.pk)
    return _detail(request, notice, settle_forms={objection.pk: form})
