import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent
from bangfu.funds import reports
from bangfu.funds.models import Budget
from bangfu.funds.services.books import Line, entry_reverse, period_close, post_entry
from bangfu.funds.services.budgets import budget_set

from .factories import make_book, make_finance, make_income

D = datetime.date


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    return make_book(network.township, actor=finance)


def _spend(book, finance, code, amount, date=None):
    date = date or D(2026, 4, 1)
    with transaction.atomic():
        return post_entry(
            actor=finance,
            book=book,
            date=date,
            memo="发放",
            lines=[Line(code, debit=Decimal(amount)), Line("1001", credit=Decimal(amount))],
        )


def test_ledger_runs_a_balance_from_the_opening(book, finance):
    make_income(book, actor=finance, date=D(2026, 1, 15))
    _spend(book, finance, "5001", "1200.00", D(2026, 4, 1))
    _spend(book, finance, "5003", "800.00", D(2026, 5, 1))
    bank = book.accounts.get(code="1001")
    result = reports.ledger(bank, reports.DateRange(D(2026, 4, 1), D(2026, 12, 31)))
    assert result.opening == Decimal("20000.00")
    assert [r.balance for r in result.rows] == [Decimal("18800.00"), Decimal("18000.00")]
    assert result.closing == Decimal("18000.00")
    assert result.credit == Decimal("2000.00")


def test_trial_balance_balances_and_splits_periods(book, finance):
    make_income(book, actor=finance, date=D(2026, 1, 15))
    _spend(book, finance, "5001", "1200.00", D(2026, 4, 1))
    trial = reports.trial_balance(book, reports.DateRange(D(2026, 4, 1), D(2026, 4, 30)))
    assert trial.balanced
    row = next(r for r in trial.rows if r.account.code == "1001")
    assert (row.opening_debit, row.credit, row.closing_debit) == (
        Decimal("20000.00"),
        Decimal("1200.00"),
        Decimal("18800.00"),
    )


def test_budget_vs_spending(book, finance):
    budget_set(actor=finance, book=book, programme="living", amount="5000", note="年初预算")
    _spend(book, finance, "5001", "1200.00")
    rows = {r.programme: r for r in reports.budget_vs_spending(book)}
    assert rows["living"].budget == Decimal("5000.00")
    assert rows["living"].spent == Decimal("1200.00")
    assert rows["living"].remaining == Decimal("3800.00")
    assert rows["living"].used_percent == Decimal("24.0")
    assert rows["medical"].budget is None


def test_setting_a_budget_again_keeps_one_row_and_audits_the_change(book, finance):
    budget_set(actor=finance, book=book, programme="living", amount="5000")
    budget_set(actor=finance, book=book, programme="living", amount="6000", note="追加")
    assert Budget.objects.get().amount == Decimal("6000.00")
    event = AuditEvent.objects.filter(action="funds.budget.set").order_by("-seq")[0]
    assert event.changes["amount"] == ["5000.00", "6000.00"]


def test_a_bad_budget_is_refused_and_staff_may_not_set_one(book, finance, staff):
    with pytest.raises(ValidationError, match="预算金额不能为负数"):
        budget_set(actor=finance, book=book, programme="living", amount="-1")
    with pytest.raises(ValidationError, match="请选择帮扶项目"):
        budget_set(actor=finance, book=book, programme="party", amount="1")
    with pytest.raises(PermissionDenied):
        budget_set(actor=staff, book=book, programme="living", amount="1")
    assert not Budget.objects.exists()


@pytest.mark.parametrize("name", ["journal", "ledger", "trial_balance", "budget_report"])
def test_the_supervisor_reads_every_report_and_may_not_set_a_budget(
    client, supervisor, book, finance, name
):
    make_income(book, actor=finance)
    client.force_login(supervisor)
    response = client.get(reverse(f"funds:{name}", args=[book.pk]))
    assert response.status_code == 200
    refused = client.post(
        reverse("funds:budget_set", args=[book.pk]), {"programme": "living", "amount": "1"}
    )
    assert refused.status_code == 403
    assert not Budget.objects.exists()


@pytest.mark.parametrize("name", ["journal", "ledger", "trial_balance", "budget_report"])
def test_reports_as_finance(client, finance, book, name):
    make_income(book, actor=finance)
    budget_set(actor=finance, book=book, programme="living", amount="20000")
    client.force_login(finance)
    response = client.get(reverse(f"funds:{name}", args=[book.pk]) + "?start=2026-01-01")
    assert response.status_code == 200
    assert "20,000.00" in response.content.decode()


def test_a_report_of_another_centre_is_not_found(client, network, book):
    client.force_login(make_finance(network.other_township))
    assert client.get(reverse("funds:trial_balance", args=[book.pk])).status_code == 404


operations = st.lists(
    st.tuples(
        st.sampled_from(["income", "spend", "reverse", "close"]),
        st.integers(min_value=1, max_value=500_000),
        st.integers(min_value=1, max_value=12),
        st.sampled_from(["5001", "5002", "5003", "4002", "4004"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_the_trial_balance_balances_after_any_operations(network, ops):
    with transaction.atomic():
        finance = make_finance(network.township)
        book = make_book(network.township, actor=finance)
        for kind, cents, month, code in ops:
            amount = Decimal(cents) / 100
            date = D(2026, month, 10)
            try:
                if kind == "income":
                    make_income(book, actor=finance, amount=str(amount), date=date)
                elif kind == "spend":
                    _spend(book, finance, code, str(amount), date)
                elif kind == "reverse":
                    last = book.entries.filter(reverses__isnull=True, reversed_by__isnull=True)
                    if last.exists():
                        entry_reverse(
                            actor=finance, entry=last.latest("number"), date=date, reason="更正"
                        )
                else:
                    period_close(actor=finance, book=book, month=month)
            except (ValidationError, Conflict):
                pass
        for start_month in (1, 6):
            trial = reports.trial_balance(
                book, reports.DateRange(D(2026, start_month, 1), D(2026, 12, 31))
            )
            assert trial.balanced
        transaction.set_rollback(True)
