"""Pages of 抽查 (after payment) under a book: its samples, drawing one (the population and
the size the settings give are shown before confirming), a sample with each chosen payment,
recording a check, closing a mismatch; and opening a payment's signed scan (access-logged).
Whoever pays draws and checks; finance and leaders close mismatches; funds.view reads."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.policy import has_perm
from bangfu.core.formkit import action_response

from . import selectors
from .forms import MismatchCloseForm, SampleCheckForm, SampleDrawForm
from .permissions import FundsPermission
from .services import payments as payment_services
from .services import sampling


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _sample_url(pk: int) -> str:
    return reverse("funds:sample_detail", args=[pk])


def _check_url(check: Any) -> str:
    """The sample's page at the check's row."""
    return _sample_url(check.sample_id) + f"#check-{check.pk}"


@require_GET
def sample_list(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    return render(
        request,
        "funds/sampling/sample_list.html",
        {
            "book": book,
            "samples": selectors.samples(book)[:200],
            "can_pay": has_perm(request.user, FundsPermission.PAY),
        },
    )


@require_http_methods(["GET", "POST"])
def sample_draw(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    preview = sampling.draw_preview(book)
    form = SampleDrawForm(_data(request), initial={"after": preview.last_sample_id})
    return action_response(
        request,
        form=form,
        run=lambda: sampling.sample_draw(
            actor=request.user,
            book=book,
            drawn_on=timezone.localdate(),
            seed=form.cleaned_data.get("seed"),
            after=form.cleaned_data["after"],
        ),
        template="funds/sampling/sample_draw.html",
        context={
            "title": _("抽取样本"),
            "book": book,
            "preview": preview,
            "back_url": reverse("funds:sample_list", args=[book.pk]),
        },
        success_url=lambda sample: _sample_url(sample.pk),
        done=lambda sample: _("已抽取 %(size)s 笔,请逐笔入户或电话核查。") % {"size": sample.size},
    )


@require_GET
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get(request.user, pk)
    return render(
        request,
        "funds/sampling/sample_detail.html",
        {
            "sample": sample,
            "book": sample.book,
            "checks": selectors.sample_checks(sample),
            "can_pay": has_perm(request.user, FundsPermission.PAY),
            "can_resolve": has_perm(request.user, FundsPermission.RESOLVE),
        },
    )


@require_http_methods(["GET", "POST"])
def check_record(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.check_get(request.user, pk)
    form = SampleCheckForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: sampling.sample_check_record(
            actor=request.user, check=check, **form.cleaned_data
        ),
        template="funds/action.html",
        context={
            "title": _("记录核查:%(name)s(%(number)s)")
            % {"name": check.payment.recipient_name, "number": check.payment.number},
            "book": check.sample.book,
            "back_url": _check_url(check),
        },
        success_url=_check_url(check),
        done=_("核查结果已记录。"),
    )


@require_http_methods(["GET", "POST"])
def check_close(request: HttpRequest, pk: int) -> HttpResponse:
    check = selectors.check_get(request.user, pk)
    form = MismatchCloseForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: sampling.sample_mismatch_close(
            actor=request.user, check=check, resolution=form.cleaned_data["resolution"]
        ),
        template="funds/action.html",
        context={
            "title": _("处理抽查不相符:%(name)s(%(number)s)")
            % {"name": check.payment.recipient_name, "number": check.payment.number},
            "book": check.sample.book,
            "back_url": _check_url(check),
        },
        success_url=_check_url(check),
        done=_("已记录处理结果。"),
    )


@require_GET
def payment_scan_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed slip's scan, inline, for whoever may read the payment; each opening is
    written to the access log (it shows the recipient's ID number and signature)."""
    payment = selectors.payment_get(request.user, pk)
    content = payment_services.payment_scan_open(actor=request.user, payment=payment)
    kind = mimetypes.guess_type(payment.scan.name)[0] or "application/octet-stream"
    response = HttpResponse(content, content_type=kind)
    extension = payment.scan.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="scan-{payment.number}.{extension}"'
    return response
