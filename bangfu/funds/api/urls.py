"""API URLs of funds, included under the `api` namespace. Each name is declared in
`bangfu.funds.permissions.URL_PERMISSIONS`."""

from django.urls import path

from . import funds as api

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
]
