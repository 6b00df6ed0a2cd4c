from enum import StrEnum

from bangfu.accounts.roles import Role


class FundsPermission(StrEnum):
    VIEW = "funds.view"  # books, entries, incomes, receipts, reports
    KEEP = "funds.keep"  # open books, record incomes, post and reverse entries, void receipts
    CLOSE = "funds.close"  # close a month
    BUDGET = "funds.budget"  # set a programme's budget for the year
    PAY = "funds.pay"  # prepare payment slips, attach the signed scans, confirm payments
    RESOLVE = "funds.resolve"  # close a sampled check that did not match (处理结果)


ROLE_GRANTS = {
    Role.LEADER: {FundsPermission.VIEW, FundsPermission.BUDGET, FundsPermission.RESOLVE},
    Role.STAFF: {FundsPermission.VIEW},
    Role.FINANCE: {
        FundsPermission.VIEW,
        FundsPermission.KEEP,
        FundsPermission.CLOSE,
        FundsPermission.BUDGET,
        FundsPermission.PAY,
        FundsPermission.RESOLVE,
    },
    # 纪检/审计 read everything of the fund and change nothing.
    Role.SUPERVISOR: {FundsPermission.VIEW},
}

URL_PERMISSIONS: dict[str, str] = {
    "funds:book_list": FundsPermission.VIEW,
    "funds:book_open": FundsPermission.KEEP,
    "funds:book_detail": FundsPermission.VIEW,
    "funds:entry_detail": FundsPermission.VIEW,
    "funds:receipt_pdf": FundsPermission.VIEW,
    # Actions: funds.view at the door, so a book outside the scope answers 404; the service
    # then checks the action's own permission (403).
    "funds:income_record": FundsPermission.VIEW,
    "funds:entry_reverse": FundsPermission.VIEW,
    "funds:period_close": FundsPermission.VIEW,
    "funds:receipt_void": FundsPermission.VIEW,
    "funds:budget_set": FundsPermission.VIEW,
    "funds:commitment_list": FundsPermission.VIEW,
    "funds:payment_prepare": FundsPermission.VIEW,
    "funds:payment_detail": FundsPermission.VIEW,
    "funds:payment_slip": FundsPermission.VIEW,
    "funds:payment_scan": FundsPermission.VIEW,
    "funds:payment_confirm": FundsPermission.VIEW,
    "funds:batch_list": FundsPermission.VIEW,
    "funds:batch_create": FundsPermission.VIEW,
    "funds:batch_detail": FundsPermission.VIEW,
    # The bank file holds full card numbers: only who pays downloads it.
    "funds:batch_xlsx": FundsPermission.PAY,
    "funds:batch_csv": FundsPermission.PAY,
    "funds:batch_send": FundsPermission.VIEW,
    "funds:batch_return": FundsPermission.VIEW,
    # The import kit's pages of the bank's return files and statements (one's own imports).
    **{
        f"funds:{area}:import_{name}": perm
        for area, perm in (("returns", FundsPermission.PAY), ("statements", FundsPermission.KEEP))
        for name in (
            *("upload", "template", "batch", "mapping"),
            *("errors", "confirm", "cancel", "retry"),
        )
    },
    # Reports.
    "funds:journal": FundsPermission.VIEW,
    "funds:ledger": FundsPermission.VIEW,
    "funds:trial_balance": FundsPermission.VIEW,
    "funds:monthly_statement": FundsPermission.VIEW,
    "funds:monthly_statement_xlsx": FundsPermission.VIEW,
    "funds:budget_report": FundsPermission.VIEW,
    "funds:ledger_xlsx": FundsPermission.VIEW,
    "funds:household_totals": FundsPermission.VIEW,
    "funds:reconciliation": FundsPermission.VIEW,
    # 抽查: funds.view reads; the services check funds.pay (draw, record) and funds.resolve.
    "funds:sample_list": FundsPermission.VIEW,
    "funds:sample_draw": FundsPermission.VIEW,
    "funds:sample_detail": FundsPermission.VIEW,
    "funds:check_record": FundsPermission.VIEW,
    "funds:check_close": FundsPermission.VIEW,
    # The signed scan: whoever may read the payment; each opening is access-logged.
    "funds:payment_scan_file": FundsPermission.VIEW,
    # The API.
    "api:funds_book_list": FundsPermission.VIEW,
    "api:funds_trial_balance": FundsPermission.VIEW,
    "api:funds_budget": FundsPermission.VIEW,
    "api:funds_payment_list": FundsPermission.VIEW,
    "api:funds_batch_detail": FundsPermission.VIEW,
    "api:funds_payable_list": FundsPermission.VIEW,
    # API writes: funds.view at the door (404 outside the scope), the service checks the
    # action's own permission (403).
    "api:funds_income_create": FundsPermission.VIEW,
    "api:funds_batch_create": FundsPermission.VIEW,
    "api:funds_batch_send": FundsPermission.VIEW,
    "api:funds_batch_return": FundsPermission.VIEW,
    "api:funds_payment_prepare": FundsPermission.VIEW,
    "api:funds_payment_scan": FundsPermission.VIEW,
    "api:funds_payment_confirm": FundsPermission.VIEW,
    "api:funds_sample_list": FundsPermission.VIEW,
    "api:funds_sample_draw": FundsPermission.VIEW,
    "api:funds_check_record": FundsPermission.VIEW,
    "api:funds_check_close": FundsPermission.VIEW,
}
