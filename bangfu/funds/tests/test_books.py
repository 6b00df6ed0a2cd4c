import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.models import AuditEvent
from bangfu.funds import selectors
from bangfu.funds.models import Book, Entry, EntryLine, Period
from bangfu.funds.services.books import Line, entry_reverse, period_close, post_entry

from .factories import make_book, make_finance, make_income

D = datetime.date


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    return make_book(network.township, actor=finance)


def _balance(book, code):
    return next(b.balance for b in selectors.balances(book) if b.account.code == code)


def test_opening_a_book_makes_the_chart_and_one_audit_event(network, finance):
    before = AuditEvent.objects.count()
    book = make_book(network.township, actor=finance)
    assert book.accounts.filter(code="1001").exists()
    assert book.accounts.count() == 14
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-seq")[0].action == "funds.book.open"


def test_a_second_book_for_the_same_year_is_refused(network, finance, book):
    with pytest.raises(Conflict, match="账簿已经建立"):
        make_book(network.township, actor=finance)
    assert Book.objects.count() == 1


def test_staff_may_not_open_a_book(network, staff):
    with pytest.raises(PermissionDenied):
        make_book(network.township, actor=staff)
    assert not Book.objects.exists()


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(book, finance):
    with pytest.raises(ValidationError) as exc, transaction.atomic():
        post_entry(
            actor=finance,
            book=book,
            date=D(2026, 3, 1),
            memo="错账",
            lines=[Line("1001", debit=Decimal("100.00")), Line("4001", credit=Decimal("99.00"))],
        )
    assert exc.value.message == "借贷不平衡:借方合计 100.00,贷方合计 99.00。"
    assert not Entry.objects.exists()
    assert not EntryLine.objects.exists()


def test_a_line_with_both_sides_is_refused(book, finance):
    message = "第 1 条分录:借方、贷方只能填一方"
    with pytest.raises(ValidationError, match=message), transaction.atomic():
        post_entry(
            actor=finance,
            book=book,
            date=D(2026, 3, 1),
            memo="错账",
            lines=[
                Line("1001", debit=Decimal("1.00"), credit=Decimal("1.00")),
                Line("4001", credit=Decimal("0.00")),
            ],
        )
    assert not Entry.objects.exists()


def test_an_income_posts_a_balanced_entry(book, finance):
    income = make_income(book, actor=finance)
    assert income.entry.number == 1
    assert _balance(book, "1001") == Decimal("20000.00")
    assert _balance(book, "4001") == Decimal("20000.00")


def test_a_posted_entry_is_not_edited_nor_deleted_by_the_code(book, finance):
    entry = make_income(book, actor=finance).entry
    entry.memo = "改过"
    with pytest.raises(Conflict, match="已记账的凭证不能修改"):
        entry.save()
    with pytest.raises(Conflict, match="已记账的凭证不能删除"):
        entry.delete()
    line = entry.lines.get(debit__gt=0)
    with pytest.raises(Conflict):
        line.save()
    assert Entry.objects.get().memo != "改过"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE funds_entry SET memo = 'x'",
        "DELETE FROM funds_entry",
        "UPDATE funds_entryline SET debit = debit + 1 WHERE debit > 0",
        "DELETE FROM funds_entryline",
    ],
)
def test_the_database_refuses_to_change_a_posted_entry(book, finance, sql):
    make_income(book, actor=finance)
    from django.db import DatabaseError

    refused = pytest.raises(DatabaseError, match="已记账的凭证不能修改或删除")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert Entry.objects.get().memo.startswith("财政拨款")
    assert sorted(EntryLine.objects.values_list("debit", flat=True)) == [
        Decimal("0.00"),
        Decimal("20000.00"),
    ]


def test_a_reversal_swaps_the_sides_and_is_refused_twice(book, finance):
    entry = make_income(book, actor=finance, kind="interest", payer="湘潭农商银行").entry
    reversal = entry_reverse(actor=finance, entry=entry, date=D(2026, 3, 5), reason="重复登记")
    assert reversal.reverses == entry
    assert _balance(book, "1001") == Decimal("0.00")
    assert reversal.memo == "冲销 记-0001:重复登记"
    with pytest.raises(Conflict, match="该凭证已经冲销过"):
        entry_reverse(actor=finance, entry=entry, date=D(2026, 3, 5), reason="再来")
    with pytest.raises(Conflict, match="冲销凭证本身不能再冲销"):
        entry_reverse(actor=finance, entry=reversal, date=D(2026, 3, 5), reason="再来")
    assert Entry.objects.count() == 2


def test_nothing_is_dated_into_a_closed_month(book, finance):
    period_close(actor=finance, book=book, month=3)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_income(book, actor=finance, date=D(2026, 3, 31))
    assert exc.value.message == "3 月已结账,不能再记入该月的凭证。"
    assert not Entry.objects.exists()
    assert AuditEvent.objects.count() == events
    make_income(book, actor=finance, date=D(2026, 4, 1))
    with pytest.raises(Conflict, match="3 月已经结账"):
        period_close(actor=finance, book=book, month=3)
    assert Period.objects.count() == 1


def test_a_date_outside_the_year_is_refused(book, finance):
    with pytest.raises(ValidationError, match="不在 2026 年度内"):
        make_income(book, actor=finance, date=D(2025, 12, 31))
    assert not Entry.objects.exists()


def test_verify_books_passes_then_names_a_tampered_entry(book, finance):
    make_income(book, actor=finance)
    make_income(book, actor=finance, kind="donation", payer="湘潭电机厂", amount="5000")
    out = StringIO()
    call_command("verify_books", stdout=out)
    assert "共校验 2 张凭证" in out.getvalue()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A superuser tampering past the trigger.
            cursor.execute("SET LOCAL session_replication_role = replica")
    Entry.objects.filter(number=2).update(memo="捐赠:别人")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    with pytest.raises(CommandError, match="记-0002 的内容被改动"):
        call_command("verify_books", stdout=StringIO())
