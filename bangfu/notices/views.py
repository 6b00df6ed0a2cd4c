"""Pages of public notices: the list, a notice with its objections, and the printable notice.

Views stay thin: they fetch through the selectors (a notice outside the user's scope is a 404,
exactly like a missing one: `core.errorviews` answers), call the services through
`formkit.action_response`, and show a form with errors again on the notice page with what was
typed (400), or the notice as it now is with the reason on top when it has moved on (409).
Reading a notice writes nothing: whether its period is over is worked out, not recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import segno
from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bangfu.accounts import policy
from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core.errors import NotFound
from bangfu.core.formkit import STATUS_WRONG_STATE, action_response, refusal_of
from bangfu.core.masking import mask_phone

from . import selectors, services
from .forms import NoticeFilterForm, ObjectionForm, PublishForm, SettleForm, WithdrawForm
from .models import Notice, Objection
from .period import notice_period
from .permissions import NoticesPermission

MANAGE = NoticesPermission.MANAGE
PER_PAGE = 30
S = Notice.Status


@dataclass
class ObjectionRow:
    objection: Objection
    from_name: str
    contact: str
    settle_form: forms.BaseForm | None


def _can_manage(user: Any, notice: Notice) -> bool:
    # For showing forms only; the services check again.
    return policy.has_perm(user, MANAGE) and policy.unit_in_scope(user, MANAGE, notice.unit)


def _detail_url(notice: Notice) -> str:
    return reverse("notices:notice_detail", args=[notice.pk])


def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    request: AuthenticatedHttpRequest,
    notice: Notice,
    *,
    publish_form: forms.BaseForm | None = None,
    withdraw_form: forms.BaseForm | None = None,
    objection_form: forms.BaseForm | None = None,
    settle_forms: dict[int, forms.BaseForm] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    can_manage = _can_manage(request.user, notice)
    today = timezone.localdate()
    shown = notice.status_on(today)
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
    can_publish = can_manage and shown == S.DRAFT
    return render(
        request,
        "notices/notice_detail.html",
        {
            "notice": notice,
            "items": selectors.notice_items(notice),
            "objections": rows,
            "can_manage": can_manage,
            "can_print": shown in (S.PUBLISHED, S.ENDED),
            "can_publish": can_publish,
            # Published today, would the period be counted on a provisional calendar? Say so
            # before it is published, not after.
            "publish_preview": notice_period(today) if can_publish else None,
            "can_withdraw": can_manage and shown in (S.DRAFT, S.PUBLISHED),
            "can_object": can_manage and shown in (S.PUBLISHED, S.ENDED),
            "refusal": refusal,
            "publish_form": publish_form or PublishForm(initial={"starts_on": today}),
            "withdraw_form": withdraw_form or WithdrawForm(),
            "objection_form": objection_form
            or ObjectionForm(notice=notice, initial={"received_on": today}),
        },
        status=status,
    )


def notice_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_notice(user=request.user, notice_id=pk))


def _display(notice: Notice) -> dict[str, Any]:
    """The notice's display fields only, with any number that looks like an ID redacted."""
    items = selectors.notice_items(notice)
    for item in items:
        for name in services.ITEM_TEXT_FIELDS:
            setattr(item, name, services.redact_numbers(getattr(item, name)))
    notice.title = services.redact_numbers(notice.title)
    notice.body = services.redact_numbers(notice.body)
    return {
        "notice": notice,
        "items": items,
        "show_category": any(i.category for i in items),
        "show_aid_kind": any(i.aid_kind for i in items),
        "show_amount": any(i.amount is not None for i in items),
    }


def notice_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = selectors.access_notice(user=request.user, notice_id=pk)
    if notice.current_status not in (S.PUBLISHED, S.ENDED):
        # A draft or a withdrawn notice is not something to post on a wall.
        raise NotFound(_("未找到该公示。"))
    # The printed copy carries a QR code (made here, no outside service) to its online copy,
    # and the same address in words.
    public_url = request.build_absolute_uri(reverse("notices:notice_public", args=[notice.pk]))
    qr_svg = segno.make(public_url, error="m").svg_inline(scale=3, border=2)
    return render(
        request,
        "notices/notice_print.html",
        {
            **_display(notice),
            # Printed without its scheme: what one types into a phone's browser.
            "public_url": public_url.split("://", 1)[-1],
            "qr_svg": mark_safe(qr_svg),  # noqa: S308 - segno's own SVG of our own address
        },
    )


@require_GET
def notice_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The online copy of a published notice, for anyone: display fields only (name as
    published, unit, category, kind of aid, amount), only while the notice runs."""
    notice = selectors.public_notice(pk)
    return render(request, "notices/public.html", _display(notice))


def _manage_notice(request: AuthenticatedHttpRequest, pk: int) -> Notice:
    return selectors.access_notice(user=request.user, notice_id=pk, perm=MANAGE)


def _on_notice(
    request: AuthenticatedHttpRequest,
    notice: Notice,
    show: Callable[[forms.BaseForm, int], HttpResponse],
) -> Callable[[forms.BaseForm, int], HttpResponse]:
    """Return how the notice page answers a refused form: `show(form, status)` puts the form
    back with its errors (400); when the notice has moved on meanwhile (a second click: 409),
    the page shows the notice as it now is, the form gone and the reason on top."""

    def page(form: forms.BaseForm, status: int) -> HttpResponse:
        if status == STATUS_WRONG_STATE:
            notice.refresh_from_db()
            return _detail(request, notice, refusal=refusal_of(form), status=status)
        return show(form, status)

    return page


@require_POST
def notice_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _manage_notice(request, pk)
    form = PublishForm(request.POST)
    return action_response(
        request,
        form=form,
        run=lambda: services.notice_publish(
            actor=request.user, notice=notice, starts_on=form.cleaned_data["starts_on"]
        ),
        page=_on_notice(
            request,
            notice,
            lambda form, status: _detail(request, notice, publish_form=form, status=status),
        ),
        success_url=_detail_url(notice),
        done=lambda published: _("已发布:%(rule)s。") % {"rule": published.period_text},
    )


@require_POST
def notice_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _manage_notice(request, pk)
    form = WithdrawForm(request.POST)
    return action_response(
        request,
        form=form,
        run=lambda: services.notice_withdraw(
            actor=request.user, notice=notice, reason=form.cleaned_data["reason"]
        ),
        page=_on_notice(
            request,
            notice,
            lambda form, status: _detail(request, notice, withdraw_form=form, status=status),
        ),
        success_url=_detail_url(notice),
        done=_("已撤回该公示。"),
    )


@require_POST
def objection_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _manage_notice(request, pk)
    form = ObjectionForm(request.POST, notice=notice)

    def run() -> Objection:
        data = form.cleaned_data
        return services.objection_record(
            actor=request.user,
            notice=notice,
            item=data["item"],
            received_on=data["received_on"],
            channel=data["channel"],
            from_name=data["from_name"],
            contact=data["contact"],
            content=data["content"],
        )

    return action_response(
        request,
        form=form,
        run=run,
        # The objection form stays on the page whatever the refusal (the same objection posted
        # twice: 409): it shows the reason itself.
        page=lambda form, status: _detail(request, notice, objection_form=form, status=status),
        success_url=_detail_url(notice),
        done=_("已登记异议。"),
    )


@require_POST
def objection_settle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    objection = selectors.access_objection(user=request.user, objection_id=pk)
    notice = _manage_notice(request, objection.notice_id)
    form = SettleForm(request.POST, prefix=f"settle-{objection.pk}")
    return action_response(
        request,
        form=form,
        run=lambda: services.objection_settle(
            actor=request.user,
            objection=objection,
            upheld=form.cleaned_data["decision"] == "upheld",
            resolution=form.cleaned_data["resolution"],
        ),
        page=_on_notice(
            request,
            notice,
            lambda form, status: _detail(
                request, notice, settle_forms={objection.pk: form}, status=status
            ),
        ),
        success_url=_detail_url(notice),
        done=lambda settled: (
            _("异议已办结:%(status)s。") % {"status": settled.get_status_display()}
        ),
    )
