import datetime
import io
from decimal import Decimal

import pytest
from django.db import transaction
from openpyxl import Workbook, load_workbook

from bangfu.archives.tests.factories import make_household
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.masking import mask_bank_card
from bangfu.funds import bankfiles, reports
from bangfu.funds.models import BankBatch, Commitment, Entry, Payment
from bangfu.funds.services.banking import (
    batch_create,
    batch_file,
    batch_mark_sent,
    return_import,
)
from bangfu.funds.services.commitments import commitment_make, room

from .factories import make_book, make_finance, make_income

D = datetime.date


def luhn_card(body: str) -> str:
    for check in "0123456789":
        if bankfiles.luhn_ok(body + check):
            return body + check
    raise AssertionError


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=D(2026, 1, 15))
    return book


def _item(book, finance, staff, network, n, amount, card):
    household = make_household(
        network.station_a, filed_by=staff, name=f"户主{n}", mobile=f"1380000{n:04d}"
    )
    household.bank_card = card
    household.save()
    with transaction.atomic():
        return commitment_make(
            actor=finance,
            book=book,
            programme="living",
            amount=amount,
            date=D(2026, 4, 1),
            subject_type="test.item",
            subject_id=n,
            subject_label=f"生活救助 户主{n}",
            recipient_name=f"户主{n}",
            household=household,
        )


@pytest.fixture
def items(book, finance, staff, network):
    return [
        _item(book, finance, staff, network, 1, "1000", luhn_card("621700001000000001")),
        _item(book, finance, staff, network, 2, "800", luhn_card("621700001000000002")),
    ]


def _return_csv(lines, *, encoding="utf-8", bom=False):
    text = "业务参考号,户名,交易金额,处理结果,失败原因\r\n" + "".join(
        f"{ref},{name},{amount},{result},{reason}\r\n"
        for ref, name, amount, result, reason in lines
    )
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def _sent_batch(book, finance, items):
    batch = batch_create(actor=finance, book=book, commitments=items)
    batch_mark_sent(actor=finance, batch=batch, sent_on=D(2026, 4, 5))
    return batch


def test_the_bank_file_has_the_generic_layout_in_gbk(book, finance, items):
    batch = batch_create(actor=finance, book=book, commitments=items)
    csv = batch_file(actor=finance, batch=batch, fmt="csv").decode("gbk")
    assert csv.splitlines()[0] == "姓名,卡号,金额,用途,参考号"
    first = csv.splitlines()[1].split(",")
    assert first[0] == "户主1" and first[2] == "1000.00" and first[3] == "生活救助"
    assert first[4] == batch.payments.order_by("number")[0].number
    sheet = load_workbook(io.BytesIO(batch_file(actor=finance, batch=batch, fmt="xlsx"))).active
    assert [c.value for c in sheet[1]] == ["姓名", "卡号", "金额", "用途", "参考号"]
    assert sheet["B2"].value == items[0].household.bank_card


def test_a_card_failing_luhn_is_refused_naming_the_item(book, finance, staff, network):
    good = luhn_card("621700001000000003")
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    bad = _item(book, finance, staff, network, 3, "100", wrong)
    with pytest.raises(ValidationError) as exc:
        batch_create(actor=finance, book=book, commitments=[bad])
    assert exc.value.message == (
        f"“生活救助 户主3”的银行卡号 {mask_bank_card(wrong)} 校验不通过,请核对后更正档案。"
    )
    assert wrong[-4:] in exc.value.message and wrong not in exc.value.message
    assert not BankBatch.objects.exists()
    assert not Payment.objects.exists()


def test_a_return_file_with_a_failure_and_a_later_repayment(book, finance, items):
    batch = _sent_batch(book, finance, items)
    p1, p2 = batch.payments.order_by("number")
    content = _return_csv(
        [
            (p1.number, "户主1", "1000.00", "成功", ""),
            (p2.number, "户主2", "800", "失败", "户名不符"),
        ],
        encoding="gbk",
    )
    result = return_import(
        actor=finance, batch=batch, content=content, filename="回盘.csv", date=D(2026, 4, 6)
    )
    assert result == {"paid": 1, "failed": 1}
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert (p1.status, p2.status) == ("paid", "failed")
    assert p2.failure_reason == "户名不符"
    # The failed money is back in the account, still committed to its item.
    assert room(book, "living").available == Decimal("20000.00") - 1000 - 800
    # Importing the same file again changes nothing.
    entries = Entry.objects.count()
    with pytest.raises(Conflict, match="已经处理过"):
        return_import(
            actor=finance, batch=batch, content=content, filename="回盘.csv", date=D(2026, 4, 6)
        )
    assert Entry.objects.count() == entries
    # The card is corrected; the item is paid in a new batch.
    household = items[1].household
    household.bank_card = luhn_card("621700001000000099")
    household.save()
    again = _sent_batch(book, finance, [items[1]])
    (p3,) = again.payments.all()
    return_import(
        actor=finance,
        batch=again,
        content=_return_csv([(p3.number, "户主2", "800.00", "成功", "")], bom=True),
        filename="回盘2.csv",
        date=D(2026, 4, 9),
    )
    assert Commitment.objects.filter(status="paid").count() == 2
    trial = reports.trial_balance(book, reports.DateRange.whole_year(book))
    assert trial.balanced
    bank = next(r for r in trial.rows if r.account.code == "1001")
    assert bank.closing_debit == Decimal("18200.00")
    transit = next(r for r in trial.rows if r.account.code == "1101")
    assert (transit.closing_debit, transit.closing_credit) == (Decimal("0.00"), Decimal("0.00"))


def test_unknown_references_and_changed_amounts_are_refused_with_the_line(book, finance, items):
    batch = _sent_batch(book, finance, items)
    p1, p2 = batch.payments.order_by("number")
    entries = Entry.objects.count()
    with pytest.raises(ValidationError) as exc:
        return_import(
            actor=finance,
            batch=batch,
            content=_return_csv(
                [(p1.number, "户主1", "1000", "成功", ""), ("XX-1", "某", "1", "成功", "")]
            ),
            filename="r.csv",
            date=D(2026, 4, 6),
        )
    assert exc.value.message == "第 3 行:参考号“XX-1”不属于本批次。"
    with pytest.raises(ValidationError) as exc:
        return_import(
            actor=finance,
            batch=batch,
            content=_return_csv([(p2.number, "户主2", "880.00", "成功", "")]),
            filename="r.csv",
            date=D(2026, 4, 6),
        )
    assert exc.value.message == f"第 2 行:参考号“{p2.number}”的金额 880.00 与发放金额 800.00 不符。"
    assert Entry.objects.count() == entries
    assert set(batch.payments.values_list("status", flat=True)) == {"sent"}


def test_an_outside_xlsx_return_file_with_its_own_headers(book, finance, items):
    batch = _sent_batch(book, finance, items)
    p1, p2 = batch.payments.order_by("number")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["湘潭农商银行 代发结果明细"])
    sheet.append(["批次", batch.number])
    sheet.append(
        ["序号", "收款人姓名", "收款账号", "代发金额", "交易状态", "错误信息", "客户参考号"]
    )
    sheet.append([1, "户主1", "x", 1000, "交易成功", "", p1.number])
    sheet.append([2, "户主2", "x", 800.0, "交易失败", "账户已销户", p2.number])
    out = io.BytesIO()
    workbook.save(out)
    result = return_import(
        actor=finance, batch=batch, content=out.getvalue(), filename="结果.xlsx", date=D(2026, 4, 6)
    )
    assert result == {"paid": 1, "failed": 1}
    assert Payment.objects.get(pk=p2.pk).failure_reason == "账户已销户"


def test_a_return_file_before_the_batch_was_sent_is_refused(book, finance, items):
    batch = batch_create(actor=finance, book=book, commitments=items)
    with pytest.raises(Conflict, match="还没有发送银行"):
        return_import(
            actor=finance,
            batch=batch,
            content=_return_csv([]),
            filename="r.csv",
            date=D(2026, 4, 6),
        )
