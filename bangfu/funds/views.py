"""Pages of the books under /funds/: the books in scope, one book (balances, entries, money in,
receipts, closed months), an entry, the actions (through `core.formkit.action_response`)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bangfu.accounts.policy import has_perm, units_in_scope
from bangfu.core.errors import NotFound, ValidationError
from bangfu.core.formkit import action_response
from bangfu.kits.imports.views import start_upload
from bangfu.network.models import OrgUnit

from . import importing, payable, reconcile, reports, selectors
from .exporting import TAIZHANG_KIND
from .forms import (
    BatchForm,
    BookOpenForm,
    BudgetForm,
    IncomeForm,
    MonthForm,
    PaidOnForm,
    PaymentPrepareForm,
    PeriodCloseForm,
    RangeForm,
    ReasonDateForm,
    ReturnFileForm,
    ScanForm,
    SentForm,
    StatementForm,
)
from .pdf import payment_slip_pdf
from .pdf import receipt_pdf as make_receipt_pdf
from .permissions import FundsPermission
from .services import banking
from .services import books as book_services
from .services import budgets as budget_services
from .services import income as income_services
from .services import payments as payment_services


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _book_url(pk: int) -> str:
    return reverse("funds:book_detail", args=[pk])


@require_GET
def book_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "funds/book_list.html",
        {
            "books": selectors.books(request.user),
            "can_keep": has_perm(request.user, FundsPermission.KEEP),
        },
    )


@require_http_methods(["GET", "POST"])
def book_open(request: HttpRequest) -> HttpResponse:
    units = list(units_in_scope(request.user, FundsPermission.KEEP, kind=OrgUnit.Kind.CENTER))
    form = BookOpenForm(_data(request), units=units)

    def run() -> Any:
        unit = next((u for u in units if str(u.pk) == form.cleaned_data["unit"]), None)
        if unit is None:
            raise NotFound(_("没有这个帮扶中心。"))
        return book_services.book_open(
            actor=request.user,
            unit=unit,
            year=form.cleaned_data["year"],
            bank_name=form.cleaned_data.get("bank_name", ""),
        )

    return action_response(
        request,
        form=form,
        run=run,
        template="funds/action.html",
        context={"title": _("建立专户账簿"), "back_url": reverse("funds:book_list")},
        success_url=lambda book: _book_url(book.pk),
        done=_("账簿已建立。"),
    )


@require_GET
def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    page = Paginator(selectors.entries(book), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/book_detail.html",
        {
            "book": book,
            "balances": selectors.balances(book),
            "page_obj": page,
            "incomes": selectors.incomes(book)[:100],
            "receipts": selectors.receipts(book),
            "closed_months": selectors.closed_months(book),
            "reversed_ids": selectors.reversed_ids(book),
            "can_keep": has_perm(request.user, FundsPermission.KEEP),
            "can_close": has_perm(request.user, FundsPermission.CLOSE),
        },
    )


@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(request.user, pk)
    return render(
        request,
        "funds/entry_detail.html",
        {
            "entry": entry,
            "book": entry.book,
            "reversal": entry.reversed_by if hasattr(entry, "reversed_by") else None,
            "can_keep": has_perm(request.user, FundsPermission.KEEP),
        },
    )


@require_http_methods(["GET", "POST"])
def income_record(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    form = IncomeForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: income_services.income_record(
            actor=request.user, book=book, **form.cleaned_data
        ),
        template="funds/action.html",
        context={"title": _("登记收入"), "book": book, "back_url": _book_url(book.pk)},
        success_url=_book_url(book.pk),
        done=_("收入已登记入账。"),
    )


@require_http_methods(["GET", "POST"])
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(request.user, pk)
    form = ReasonDateForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: book_services.entry_reverse(
            actor=request.user,
            entry=entry,
            date=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        ),
        template="funds/action.html",
        context={
            "title": _("冲销凭证 %(entry)s") % {"entry": entry},
            "book": entry.book,
            "back_url": reverse("funds:entry_detail", args=[entry.pk]),
        },
        success_url=lambda reversal: reverse("funds:entry_detail", args=[reversal.pk]),
        done=_("已做冲销凭证。"),
    )


@require_http_methods(["GET", "POST"])
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    form = PeriodCloseForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: book_services.period_close(
            actor=request.user, book=book, month=form.cleaned_data["month"]
        ),
        template="funds/action.html",
        context={"title": _("月末结账"), "book": book, "back_url": _book_url(book.pk)},
        success_url=_book_url(book.pk),
        done=_("已结账。"),
    )


@require_http_methods(["GET", "POST"])
def receipt_void(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = selectors.receipt_get(request.user, pk)
    form = ReasonDateForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: income_services.receipt_void(
            actor=request.user,
            receipt=receipt,
            date=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        ),
        template="funds/action.html",
        context={
            "title": _("作废捐赠收据 %(n)s") % {"n": receipt.display_number},
            "book": receipt.book,
            "back_url": _book_url(receipt.book_id),
        },
        success_url=_book_url(receipt.book_id),
        done=_("收据已作废,对应凭证已冲销。"),
    )


@require_GET
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = selectors.receipt_get(request.user, pk)
    response = HttpResponse(make_receipt_pdf(receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.display_number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def budget_set(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    form = BudgetForm(_data(request), initial={"programme": request.GET.get("programme", "")})
    return action_response(
        request,
        form=form,
        run=lambda: budget_services.budget_set(actor=request.user, book=book, **form.cleaned_data),
        template="funds/action.html",
        context={"title": _("设定项目预算"), "book": book, "back_url": _budget_url(book.pk)},
        success_url=_budget_url(book.pk),
        done=_("预算已设定。"),
    )


def _budget_url(pk: int) -> str:
    return reverse("funds:budget_report", args=[pk])


def _range(request: HttpRequest, book: Any) -> tuple[reports.DateRange, RangeForm]:
    year = reports.DateRange.whole_year(book)
    form = RangeForm(request.GET or None)
    start, end = year.start, year.end
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
        if end < start:
            start, end = end, start
    return reports.DateRange(start, end), form


@require_GET
def journal(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    period, form = _range(request, book)
    page = Paginator(reports.journal(book, period), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/reports/journal.html",
        {"book": book, "period": period, "form": form, "page_obj": page},
    )


@require_GET
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    period, form = _range(request, book)
    accounts = list(book.accounts.order_by("code"))
    code = request.GET.get("account") or accounts[0].code
    account = next((a for a in accounts if a.code == code), None)
    if account is None:
        raise NotFound(_("没有这个科目。"))
    return render(
        request,
        "funds/reports/ledger.html",
        {
            "book": book,
            "period": period,
            "form": form,
            "accounts": accounts,
            "ledger": reports.ledger(account, period),
        },
    )


@require_GET
def trial_balance(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    period, form = _range(request, book)
    return render(
        request,
        "funds/reports/trial_balance.html",
        {
            "book": book,
            "period": period,
            "form": form,
            "trial": reports.trial_balance(book, period),
        },
    )


def _month(request: HttpRequest, book: Any) -> tuple[int, MonthForm]:
    from django.utils import timezone

    today = timezone.localdate()
    default = today.month if book.year == today.year else 12
    form = MonthForm(request.GET or None, initial={"month": default})
    month = default
    if form.is_valid() and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"]
    return month, form


@require_GET
def monthly_statement(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    month, form = _month(request, book)
    return render(
        request,
        "funds/reports/monthly.html",
        {
            "book": book,
            "form": form,
            "month": month,
            "statement": reports.monthly_statement(book, month),
        },
    )


@require_GET
def monthly_statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    month, _form = _month(request, book)
    content = reports.monthly_statement_workbook(reports.monthly_statement(book, month))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="monthly-{book.unit_id}-{book.year}-{month:02d}.xlsx"'
    )
    return response


@require_GET
def budget_report(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    return render(
        request,
        "funds/reports/budget.html",
        {
            "book": book,
            "rows": reports.budget_vs_spending(book),
            "can_budget": has_perm(request.user, FundsPermission.BUDGET),
        },
    )


@require_GET
def commitment_list(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    page = Paginator(selectors.commitments(book), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/commitment_list.html",
        {"book": book, "page_obj": page, "can_pay": has_perm(request.user, FundsPermission.PAY)},
    )


def _payment_url(pk: int) -> str:
    return reverse("funds:payment_detail", args=[pk])


@require_http_methods(["GET", "POST"])
def payment_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get(request.user, pk)
    form = PaymentPrepareForm(_data(request), choices=selectors.signer_choices(commitment))
    return action_response(
        request,
        form=form,
        run=lambda: payment_services.payment_prepare(
            actor=request.user, commitment=commitment, signer=form.cleaned_data["signer"]
        ),
        template="funds/action.html",
        context={
            "title": _("制发放凭证:%(label)s") % {"label": commitment.subject_label},
            "book": commitment.book,
            "back_url": reverse("funds:commitment_list", args=[commitment.book_id]),
        },
        success_url=lambda payment: _payment_url(payment.pk),
        done=_("发放凭证已生成,请打印后由领款人签字。"),
    )


@require_GET
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_get(request.user, pk)
    return render(
        request,
        "funds/payment_detail.html",
        {
            "payment": payment,
            "book": payment.commitment.book,
            "subject_url": payable.subject_url(
                payment.commitment.subject_type, payment.commitment.subject_id
            ),
            "subject_steps": payable.subject_steps(
                payment.commitment.subject_type, payment.commitment.subject_id
            ),
            "can_pay": has_perm(request.user, FundsPermission.PAY),
            "checks": selectors.payment_checks(payment),
        },
    )


@require_GET
def payment_slip(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_get(request.user, pk)
    response = HttpResponse(payment_slip_pdf(payment=payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="slip-{payment.number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def payment_scan(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_get(request.user, pk)
    form = ScanForm(_data(request), request.FILES if request.method == "POST" else None)
    return action_response(
        request,
        form=form,
        run=lambda: payment_services.payment_attach_scan(
            actor=request.user, payment=payment, file=form.cleaned_data["scan"]
        ),
        template="funds/action.html",
        context={
            "title": _("上传签字凭证 %(n)s") % {"n": payment.number},
            "book": payment.commitment.book,
            "back_url": _payment_url(payment.pk),
            "multipart": True,
        },
        success_url=_payment_url(payment.pk),
        done=_("扫描件已上传。"),
    )


@require_http_methods(["GET", "POST"])
def payment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_get(request.user, pk)
    form = PaidOnForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: payment_services.payment_confirm(
            actor=request.user, payment=payment, paid_on=form.cleaned_data["paid_on"]
        ),
        template="funds/action.html",
        context={
            "title": _("确认发放 %(n)s") % {"n": payment.number},
            "book": payment.commitment.book,
            "back_url": _payment_url(payment.pk),
        },
        success_url=_payment_url(payment.pk),
        done=_("已确认发放并记账。"),
    )


def _batch_url(pk: int) -> str:
    return reverse("funds:batch_detail", args=[pk])


@require_GET
def batch_list(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    return render(
        request,
        "funds/batch_list.html",
        {
            "book": book,
            "batches": selectors.batches(book),
            "can_pay": has_perm(request.user, FundsPermission.PAY),
        },
    )


@require_http_methods(["GET", "POST"])
def batch_create(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    payable = selectors.bank_payable(book, request.user)
    choices = [(str(c.pk), f"{c.subject_label} · {c.recipient_name} · {c.amount}") for c in payable]
    form = BatchForm(_data(request), choices=choices)

    def run() -> Any:
        wanted = {int(x) for x in form.cleaned_data["commitments"]}
        return banking.batch_create(
            actor=request.user,
            book=book,
            commitments=[c for c in payable if c.pk in wanted],
            encoding=form.cleaned_data["encoding"],
        )

    return action_response(
        request,
        form=form,
        run=run,
        template="funds/action.html",
        context={
            "title": _("制银行代发批次"),
            "book": book,
            "back_url": reverse("funds:batch_list", args=[book.pk]),
        },
        success_url=lambda batch: _batch_url(batch.pk),
        done=_("代发批次已生成。"),
    )


@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(request.user, pk)
    return render(
        request,
        "funds/batch_detail.html",
        {
            "batch": batch,
            "book": batch.book,
            "payments": batch.payments.select_related("commitment").order_by("number"),
            "can_pay": has_perm(request.user, FundsPermission.PAY),
        },
    )


@require_GET
def batch_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_download(request, pk, "xlsx")


@require_GET
def batch_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_download(request, pk, "csv")


def _batch_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    batch = selectors.batch_get(request.user, pk)
    content = banking.batch_file(actor=request.user, batch=batch, fmt=fmt)
    kind = (
        f"text/csv; charset={batch.encoding}"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
def batch_send(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(request.user, pk)
    form = SentForm(_data(request))
    return action_response(
        request,
        form=form,
        run=lambda: banking.batch_mark_sent(
            actor=request.user, batch=batch, sent_on=form.cleaned_data["sent_on"]
        ),
        template="funds/action.html",
        context={
            "title": _("代发文件已送银行 %(n)s") % {"n": batch.number},
            "book": batch.book,
            "back_url": _batch_url(batch.pk),
        },
        success_url=_batch_url(batch.pk),
        done=_("已标记为送银行。"),
    )


@require_http_methods(["GET", "POST"])
def batch_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the bank's return file of this batch onto the import kit (`funds.bank_return`):
    then the kit's pages — column and value mapping when the file's words are unknown, the
    check with every bad line named, confirm."""
    batch = selectors.batch_get(request.user, pk)
    form = ReturnFileForm(_data(request), request.FILES if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                return start_upload(
                    request,
                    importing.RETURN_KIND,
                    form.cleaned_data["file"],
                    context={
                        "bank_batch": batch.pk,
                        "date": form.cleaned_data["date"].isoformat(),
                    },
                )
            except ValidationError as exc:
                form.add_error("file", exc.message)
        status = 400
    return render(
        request,
        "funds/batch_return.html",
        {
            "title": _("导入银行回盘 %(n)s") % {"n": batch.number},
            "batch": batch,
            "book": batch.book,
            "form": form,
            "help": importing.RETURN_IMPORTER.upload_help,
            "recent": importing.return_imports(request.user, batch),
        },
        status=status,
    )


@require_GET
def ledger_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The 帮扶资金台帐 is exported on the export kit (Excel, CSV or PDF, with a purpose); old
    links come here and are led there."""
    book = selectors.book_get(request.user, pk)
    url = reverse("exports:new", kwargs={"kind": TAIZHANG_KIND})
    return redirect(f"{url}?book={book.pk}")


@require_GET
def household_totals(request: HttpRequest, pk: int) -> HttpResponse:
    book = selectors.book_get(request.user, pk)
    return render(
        request,
        "funds/reports/households.html",
        {"book": book, "rows": reports.household_totals(book)},
    )


@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest, pk: int) -> HttpResponse:
    """账账相符 always; 账款相符 over the bank statement lines imported for this book. A statement
    is uploaded here onto the import kit (`funds.bank_statement`: mapping, check, confirm);
    the page itself reads only."""
    book = selectors.book_get(request.user, pk)
    form = StatementForm(_data(request), request.FILES if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                return start_upload(
                    request,
                    importing.STATEMENT_KIND,
                    form.cleaned_data["file"],
                    context={"book": book.pk},
                )
            except ValidationError as exc:
                form.add_error("file", exc.message)
        status = 400
    lines = reconcile.stored_lines(book)
    return render(
        request,
        "funds/reports/reconciliation.html",
        {
            "book": book,
            "form": form,
            "checks": reconcile.books_vs_records(book),
            "match": reconcile.match_statement(book, lines) if lines else None,
            "statement_lines": len(lines),
            "can_import": has_perm(request.user, FundsPermission.KEEP),
        },
        status=status,
    )
