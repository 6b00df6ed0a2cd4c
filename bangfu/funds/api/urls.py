"""API URLs of funds, included under the `api` namespace. Each name is declared in
`bangfu.funds.permissions.URL_PERMISSIONS`."""

from django.urls import path

from . import funds as api
from . import sampling, writes

urlpatterns = [
    path("funds/books/", api.BookListApi.as_view(), name="funds_book_list"),
    path(
        "funds/books/<int:book_id>/trial-balance/",
        api.TrialBalanceApi.as_view(),
        name="funds_trial_balance",
    ),
    path("funds/books/<int:book_id>/budget/", api.BudgetApi.as_view(), name="funds_budget"),
    path(
        "funds/books/<int:book_id>/payments/",
        api.PaymentListApi.as_view(),
        name="funds_payment_list",
    ),
    path(
        "funds/batches/<int:bank_batch_id>/",
        api.BatchDetailApi.as_view(),
        name="funds_batch_detail",
    ),
    # Writes: the same services as the pages.
    path(
        "funds/books/<int:book_id>/incomes/",
        writes.IncomeCreateApi.as_view(),
        name="funds_income_create",
    ),
    path(
        "funds/books/<int:book_id>/payable/",
        writes.PayableListApi.as_view(),
        name="funds_payable_list",
    ),
    path(
        "funds/books/<int:book_id>/batches/",
        writes.BatchCreateApi.as_view(),
        name="funds_batch_create",
    ),
    path(
        "funds/batches/<int:bank_batch_id>/send/",
        writes.BatchSendApi.as_view(),
        name="funds_batch_send",
    ),
    path(
        "funds/batches/<int:bank_batch_id>/return/",
        writes.BatchReturnApi.as_view(),
        name="funds_batch_return",
    ),
    path(
        "funds/commitments/<int:commitment_id>/payments/",
        writes.PaymentPrepareApi.as_view(),
        name="funds_payment_prepare",
    ),
    path(
        "funds/payments/<int:payment_id>/scan/",
        writes.PaymentScanApi.as_view(),
        name="funds_payment_scan",
    ),
    path(
        "funds/payments/<int:payment_id>/confirm/",
        writes.PaymentConfirmApi.as_view(),
        name="funds_payment_confirm",
    ),
    # 抽查 after payment.
    path(
        "funds/books/<int:book_id>/samples/",
        sampling.SampleListApi.as_view(),
        name="funds_sample_list",
    ),
    path(
        "funds/books/<int:book_id>/samples/draw/",
        sampling.SampleDrawApi.as_view(),
        name="funds_sample_draw",
    ),
    path(
        "funds/checks/<int:check_id>/record/",
        sampling.CheckRecordApi.as_view(),
        name="funds_check_record",
    ),
    path(
        "funds/checks/<int:check_id>/close/",
        sampling.CheckCloseApi.as_view(),
        name="funds_check_close",
    ),
]
