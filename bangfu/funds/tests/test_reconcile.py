import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.core.errors import ValidationError
from bangfu.core.models import AuditEvent
from bangfu.funds import reconcile
from bangfu.funds.services.books import entry_reverse

from .factories import make_book, make_finance, make_income

D = datetime.date


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=D(2026, 1, 15))
    make_income(
        book, actor=finance, kind="interest", amount="35.20", date=D(2026, 3, 21), payer="银行"
    )
    return book


STATEMENT = (
    "交易日期,摘要,收入金额,支出金额,账户余额\r\n"
    "2026-01-16,财政拨款,20000.00,,20000.00\r\n"
    "2026-03-21,结息,35.20,,20035.20\r\n"
    "2026-03-25,手续费,,5.00,20030.20\r\n"
)


def test_a_gbk_statement_with_a_bom_is_matched_and_the_difference_named(book):
    content = b"\xef\xbb\xbf" + STATEMENT.encode("utf-8")
    lines = reconcile.read_statement(content, "对账单.csv")
    result = reconcile.match_statement(book, lines)
    assert len(result.matched) == 2
    assert [(x.line, x.amount) for x in result.only_in_statement] == [(4, Decimal("-5.00"))]
    assert result.only_in_books == []
    assert result.difference == Decimal("-5.00")
    gbk = reconcile.read_statement(STATEMENT.encode("gbk"), "对账单.csv")
    assert gbk == lines


def test_a_statement_without_dates_is_refused(book):
    with pytest.raises(ValidationError, match="找不到表头"):
        reconcile.read_statement("金额\r\n1\r\n".encode(), "x.csv")
    with pytest.raises(ValidationError, match="第 2 行:日期“昨天”无法识别"):
        reconcile.read_statement("日期,金额\r\n昨天,1\r\n".encode("gbk"), "x.csv")


def test_books_agree_with_the_records_even_after_a_reversal(book, finance):
    assert [c.words for c in reconcile.books_vs_records(book) if not c.ok] == []
    interest = book.incomes.get(kind="interest")
    entry_reverse(actor=finance, entry=interest.entry, date=D(2026, 3, 22), reason="误记")
    assert [(c.label, c.words) for c in reconcile.books_vs_records(book) if not c.ok] == []


def test_the_page_compares_and_writes_nothing(client, finance, book):
    client.force_login(finance)
    events = AuditEvent.objects.count()
    upload = SimpleUploadedFile("s.csv", STATEMENT.encode("gbk"), content_type="text/csv")
    response = client.post(reverse("funds:reconciliation", args=[book.pk]), {"file": upload})
    text = response.content.decode()
    assert response.status_code == 200
    assert "已对上 2 笔" in text
    assert "银行已记、账簿未记" in text
    assert AuditEvent.objects.count() == events
    bad = SimpleUploadedFile("s.csv", b"\xff\xfe\x00junk", content_type="text/csv")
    response = client.post(reverse("funds:reconciliation", args=[book.pk]), {"file": bad})
    assert response.status_code == 400
