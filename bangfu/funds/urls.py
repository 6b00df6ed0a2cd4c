"""Pages of the books, under /funds/. Each name is declared in `permissions.URL_PERMISSIONS`."""

from django.urls import include, path

from bangfu.kits.imports.views import import_urls

from . import views, views_sampling
from .importing import RETURN_KIND, STATEMENT_KIND

app_name = "funds"

urlpatterns = [
    path("", views.book_list, name="book_list"),
    path("books/new/", views.book_open, name="book_open"),
    path("books/<int:pk>/", views.book_detail, name="book_detail"),
    path("books/<int:pk>/income/", views.income_record, name="income_record"),
    path("books/<int:pk>/close/", views.period_close, name="period_close"),
    path("books/<int:pk>/budget/", views.budget_report, name="budget_report"),
    path("books/<int:pk>/budget/set/", views.budget_set, name="budget_set"),
    path("books/<int:pk>/journal/", views.journal, name="journal"),
    path("books/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("books/<int:pk>/trial-balance/", views.trial_balance, name="trial_balance"),
    path("books/<int:pk>/monthly/", views.monthly_statement, name="monthly_statement"),
    path(
        "books/<int:pk>/monthly.xlsx", views.monthly_statement_xlsx, name="monthly_statement_xlsx"
    ),
    path("books/<int:pk>/commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/<int:pk>/pay/", views.payment_prepare, name="payment_prepare"),
    path("books/<int:pk>/batches/", views.batch_list, name="batch_list"),
    path("books/<int:pk>/batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/file.xlsx", views.batch_xlsx, name="batch_xlsx"),
    path("batches/<int:pk>/file.csv", views.batch_csv, name="batch_csv"),
    path("batches/<int:pk>/sent/", views.batch_send, name="batch_send"),
    path("batches/<int:pk>/return/", views.batch_return, name="batch_return"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/slip/", views.payment_slip, name="payment_slip"),
    path("payments/<int:pk>/scan/", views.payment_scan, name="payment_scan"),
    path("payments/<int:pk>/confirm/", views.payment_confirm, name="payment_confirm"),
    path("books/<int:pk>/taizhang.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("books/<int:pk>/households/", views.household_totals, name="household_totals"),
    path("books/<int:pk>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("receipts/<int:pk>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("receipts/<int:pk>/void/", views.receipt_void, name="receipt_void"),
    # 抽查 after payment, and the signed scan of a slip.
    path("books/<int:pk>/samples/", views_sampling.sample_list, name="sample_list"),
    path("books/<int:pk>/samples/new/", views_sampling.sample_draw, name="sample_draw"),
    path("samples/<int:pk>/", views_sampling.sample_detail, name="sample_detail"),
    path("checks/<int:pk>/record/", views_sampling.check_record, name="check_record"),
    path("checks/<int:pk>/close/", views_sampling.check_close, name="check_close"),
    path(
        "payments/<int:pk>/scan/file/",
        views_sampling.payment_scan_file,
        name="payment_scan_file",
    ),
    # The import kit's pages for the bank's return files (namespace funds:returns).
    path("bank-returns/", include((import_urls(RETURN_KIND, prefix=""), "returns"))),
    path("bank-statements/", include((import_urls(STATEMENT_KIND, prefix=""), "statements"))),
]
