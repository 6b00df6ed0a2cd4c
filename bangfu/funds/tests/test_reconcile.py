import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from bangfu.core.errors import ValidationError
from bangfu.core.models import AuditEvent
from bangfu.funds import reconcile
from bangfu.funds.importing import STATEMENT_KIND, direction_of
from bangfu.funds.models import StatementLine
from bangfu.funds.services.books import entry_reverse
from bangfu.kits.imports import services as kit
from bangfu.kits.imports.mapping import Mapping
from bangfu.kits.imports.models import ImportBatch

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


def _upload(finance, book, content, name="对账单.csv"):
    item, job = kit.batch_start_check(
        user=finance,
        kind=STATEMENT_KIND,
        content=content,
        source_name=name,
        context={"book": book.pk},
    )
    assert job is None
    item.refresh_from_db()
    return item


def _imported(finance, book, content, name="对账单.csv"):
    item = _upload(finance, book, content, name)
    assert item.status == ImportBatch.Status.READY, [e.message for e in kit.batch_errors(item)]
    kit.batch_start_write(user=finance, batch=item)
    item.refresh_from_db()
    return item


def _state():
    return (StatementLine.objects.count(), AuditEvent.objects.count())


def test_a_statement_with_a_bom_is_stored_matched_and_the_difference_named(finance, book):
    _imported(finance, book, b"\xef\xbb\xbf" + STATEMENT.encode("utf-8"))
    result = reconcile.match_statement(book, reconcile.stored_lines(book))
    assert len(result.matched) == 2
    assert [(x.line, x.amount) for x in result.only_in_statement] == [(4, Decimal("-5.00"))]
    assert result.only_in_books == []
    assert result.difference == Decimal("-5.00")
    # The same statement again, in GBK: every line is skipped, nothing doubled.
    again = _upload(finance, book, STATEMENT.encode("gbk"))
    assert again.status == ImportBatch.Status.NOTHING
    assert again.counts["skipped"] == 3
    assert StatementLine.objects.count() == 3


def test_a_bank_statement_with_an_account_block_debit_credit_and_serials(finance, book):
    # An xlsx as a bank's web banking gives it: account block, header on row 6, 借方/贷方
    # 发生额 as text, dates as 2026/1/16 and 20260321 and a date-time, a 合计 row, a print line.
    workbook = Workbook()
    sheet = workbook.active
    for row in [
        ["中国农业银行 账户明细"],
        ["户名:", "响水乡工会帮扶资金专户"],
        ["账号:", "6228480000000000000"],
        ["币种:", "人民币", "起止日期:", "2026-01-01至2026-03-31"],
        [],
        ["交易日期", "流水号", "摘要", "借方发生额", "贷方发生额", "余额", "对方户名"],
        ["2026/1/16", "B0001", "财政拨款", "", "20,000.00", "20,000.00", "响水乡财政所"],
        [20260321, "B0002", "结息", "", "35.20", "20035.2", ""],
        ["2026-03-25 09:12:00", "B0003", "手续费", "5.00", "", "20,030.20", ""],
        ["合计", "", "", "5.00", "20035.20", "", ""],
        ["打印时间:2026-04-01 08:00"],
    ]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    item = _imported(finance, book, out.getvalue(), name="明细.xlsx")
    assert item.counts == {"new": 3, "skipped": 0, "in": 2, "out": 1}
    stored = list(StatementLine.objects.order_by("date").values_list("serial", "amount"))
    assert stored == [
        ("B0001", Decimal("20000.00")),
        ("B0002", Decimal("35.20")),
        ("B0003", Decimal("-5.00")),
    ]
    assert StatementLine.objects.get(serial="B0001").counterparty == "响水乡财政所"
    # The same serials again: skipped.
    assert _upload(finance, book, out.getvalue(), name="明细.xlsx").status == "nothing"


def test_a_gbk_tab_file_with_one_amount_column_and_a_direction_newest_first(finance, book):
    # A tab-separated GBK file, newest line first, with 收/支 written as 贷/借 — and one bank
    # that writes 来 / 往, mapped once by the user.
    text = (
        "交易时间\t交易金额\t借贷标志\t余额\t摘要\t交易流水号\r\n"
        "2026-03-25\t5.00\t往\t20030.20\t手续费\tC3\r\n"
        "2026-03-21\t35.20\t贷\t20035.20\t结息\tC2\r\n"
        "2026-01-16\t20000.00\t来\t20000.00\t拨款\tC1\r\n"
    )
    item = _upload(finance, book, text.encode("gbk"))
    assert item.status == ImportBatch.Status.MAPPING
    kit.batch_map(
        user=finance,
        batch=item,
        chosen=Mapping(values={"direction": {"往": "支出", "来": "收入"}}),
    )
    item.refresh_from_db()
    assert item.status == "ready", [e.message for e in kit.batch_errors(item)]
    kit.batch_start_write(user=finance, batch=item)
    assert sorted(StatementLine.objects.values_list("serial", "amount")) == [
        ("C1", Decimal("20000.00")),
        ("C2", Decimal("35.20")),
        ("C3", Decimal("-5.00")),
    ]
    result = reconcile.match_statement(book, reconcile.stored_lines(book))
    assert result.statement_balance == Decimal("20030.20")


def test_a_signed_amount_column_and_no_serials_are_deduplicated(finance, book):
    text = (
        "日期,收支金额,摘要\r\n"
        "2026-01-16,20000,拨款\r\n"
        "2026-03-25,-5,手续费\r\n"
        "2026-03-25,-5,手续费\r\n"
    )
    _imported(finance, book, text.encode())
    assert StatementLine.objects.count() == 3  # two fees of the same day are two lines
    more = text + "2026-03-26,-2,短信费\r\n"
    item = _imported(finance, book, more.encode())
    assert item.counts == {"new": 1, "skipped": 3, "in": 0, "out": 1}
    assert StatementLine.objects.count() == 4


def test_every_bad_line_is_named_and_nothing_is_stored(finance, book):
    text = (
        "交易日期,摘要,收入,支出,余额,流水号\r\n"
        "2026-01-16,拨款,20000.00,,20000.00,A1\r\n"
        "昨天,利息,35.20,,20035.20,A2\r\n"
        "2026-03-25,手续费,5.00,5.00,20030.20,A3\r\n"
        "2026-03-26,转账,,1.00,20000.00,A4\r\n"
        "2025-12-31,旧账,1.00,,20001.00,A1\r\n"
        "2026-03-27,空,,,20001.00,A6\r\n"
    )
    before = _state()
    item = _upload(finance, book, text.encode("gbk"))
    assert item.status == ImportBatch.Status.INVALID
    assert [(e.row, e.column, e.message) for e in kit.batch_errors(item)] == [
        (3, "交易日期", "“昨天”不是有效的日期。请按“2012-04-10”的格式填写。"),
        (4, "收入", "同一行的收入和支出都有金额。"),
        (6, "交易日期", "交易日期 2025-12-31 不在账簿年度 2026 年内。"),
        (6, "流水号", "流水号“A1”与第 2 行重复。"),
        (7, "收入", "这一行没有发生额。"),
    ]
    assert _state() == before
    # The balance column is checked line by line: a break is named.
    broken = (
        "交易日期,收入,支出,余额\r\n"
        "2026-01-16,20000.00,,20000.00\r\n"
        "2026-03-21,35.20,,20035.20\r\n"
        "2026-03-25,,5.00,20050.20\r\n"
    )
    item = _upload(finance, book, broken.encode())
    assert [(e.row, e.column, e.message) for e in kit.batch_errors(item)] == [
        (4, "余额", "余额 20,050.20 与上一笔余额加本笔发生额 20,030.20 不符(余额不连续)。")
    ]
    assert _state() == before


def test_a_statement_without_dates_or_amounts_is_refused(finance, book):
    before = _state()
    with pytest.raises(ValidationError, match="没有找到表头"):
        _upload(finance, book, "姓名\r\n张三\r\n".encode())
    # No date column: the user is asked to map one before anything is checked.
    assert _upload(finance, book, "金额\r\n1\r\n".encode()).status == "mapping"
    item = _upload(finance, book, "交易日期,摘要\r\n2026-01-16,拨款\r\n".encode())
    assert [e.message for e in kit.batch_errors(item)] == [
        "对账单中找不到金额列:需要借方/贷方(支出/收入)两列,或收支金额一列。"
    ]
    assert _state() == before


def test_books_agree_with_the_records_even_after_a_reversal(book, finance):
    assert [c.words for c in reconcile.books_vs_records(book) if not c.ok] == []
    labels = [c.label for c in reconcile.books_vs_records(book)]
    # The income accounts under their names in the book ("其他收入收入" was "<kind>收入").
    assert labels[:5] == ["财政拨款收入", "上级补助收入", "捐赠收入", "利息收入", "其他收入"]
    interest = book.incomes.get(kind="interest")
    entry_reverse(actor=finance, entry=interest.entry, date=D(2026, 3, 22), reason="误记")
    assert [(c.label, c.words) for c in reconcile.books_vs_records(book) if not c.ok] == []


def test_the_page_uploads_onto_the_kit_and_shows_the_match(client, finance, book, staff):
    client.force_login(finance)
    page = client.get(reverse("funds:reconciliation", args=[book.pk]))
    assert "本账簿还没有导入银行对账单。" in page.content.decode()
    upload = SimpleUploadedFile("s.csv", STATEMENT.encode("gbk"), content_type="text/csv")
    response = client.post(reverse("funds:reconciliation", args=[book.pk]), {"file": upload})
    item = ImportBatch.objects.get(kind=STATEMENT_KIND)
    assert response["Location"] == reverse("funds:statements:import_batch", args=[item.pk])
    assert not StatementLine.objects.exists()
    client.post(reverse("funds:statements:import_confirm", args=[item.pk]))
    assert StatementLine.objects.count() == 3
    events = AuditEvent.objects.count()
    text = client.get(reverse("funds:reconciliation", args=[book.pk])).content.decode()
    assert "已对上 2 笔" in text
    assert "银行已记、账簿未记" in text
    assert AuditEvent.objects.count() == events
    bad = SimpleUploadedFile("s.csv", b"\x81\x30\xff\xfe\x00junk", content_type="text/csv")
    response = client.post(reverse("funds:reconciliation", args=[book.pk]), {"file": bad})
    assert response.status_code == 400
    # Staff read the reconciliation but import no statement.
    client.force_login(staff)
    assert client.get(reverse("funds:reconciliation", args=[book.pk])).status_code in (200, 404)
    assert client.get(reverse("funds:statements:import_upload")).status_code == 403


def test_the_direction_words():
    assert [direction_of(w) for w in ("收", "贷", "C", "收入", "+")] == ["收入"] * 5
    assert [direction_of(w) for w in ("支", "借", "DR", "支出", "-")] == ["支出"] * 5
    assert direction_of("来") is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_statement_written_twice_at_once_is_stored_once_without_an_error(finance, book):
    import threading

    from django.db import connection

    content = (
        "交易日期,流水号,摘要,收入金额,支出金额,账户余额\r\n"
        "2026-01-16,S001,财政拨款,20000.00,,20000.00\r\n"
        "2026-03-21,S002,结息,35.20,,20035.20\r\n"
        "2026-03-25,S003,手续费,,5.00,20030.20\r\n"
    ).encode("gbk")
    first, second = _upload(finance, book, content), _upload(finance, book, content)
    assert first.status == second.status == ImportBatch.Status.READY
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(item) -> None:
        try:
            barrier.wait()
            kit.batch_start_write(user=finance, batch=item)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(item,)) for item in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(StatementLine.objects.values_list("serial", flat=True)) == [
        "S001",
        "S002",
        "S003",
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert sorted([first.status, second.status]) == ["imported", "nothing"]
