"""Bank return files on the import kit (`funds.bank_return`): outside layouts, the mapping of
unknown headers and result words, every bad line named, nothing written on a refusal, and the
same file twice paying nothing twice."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from bangfu.core.masking import mask_bank_card
from bangfu.funds import reports
from bangfu.funds.importing import RETURN_KIND, card_matches, name_matches, result_of
from bangfu.funds.models import BankBatch, Entry, Payment
from bangfu.funds.services.commitments import room
from bangfu.kits.imports import services as kit
from bangfu.kits.imports.mapping import Mapping
from bangfu.kits.imports.models import ColumnMapping, ImportBatch

from .factories import make_book, make_finance, make_income
from .test_banking import _item, _sent_batch, luhn_card

D = datetime.date


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=D(2026, 1, 15))
    return book


@pytest.fixture
def sent(book, finance, staff, network):
    items = [
        _item(book, finance, staff, network, 1, "1000", luhn_card("622202001000000001")),
        _item(book, finance, staff, network, 2, "800", luhn_card("622202001000000002")),
        _item(book, finance, staff, network, 3, "500", luhn_card("622202001000000003")),
    ]
    batch = _sent_batch(book, finance, items)
    return batch, list(batch.payments.order_by("number"))


APRIL_6 = D(2026, 4, 6)


def _upload(finance, batch, content, name="回盘.csv", date=APRIL_6):
    item, job = kit.batch_start_check(
        user=finance,
        kind=RETURN_KIND,
        content=content,
        source_name=name,
        context={"bank_batch": batch.pk, "date": date.isoformat()},
    )
    assert job is None
    item.refresh_from_db()
    return item


def _state(batch):
    """What a refused file must leave as it was: books, payments, the batch."""
    return (
        Entry.objects.count(),
        sorted(Payment.objects.values_list("number", "status", "failure_reason")),
        BankBatch.objects.get(pk=batch.pk).status,
    )


def _masked(card):
    return card[:4] + "*" * (len(card) - 8) + card[-4:]


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_gbk_csv_with_an_account_block_masked_cards_and_a_totals_line(finance, sent):
    # Layout 1: a GBK CSV as a bank's web banking saves it: an account block above the header,
    # ="…" around long numbers, masked cards, a result word that names the failure (no reason
    # column), a 合计 row and a print line below.
    batch, (p1, p2, p3) = sent
    text = (
        "户名:,响水乡工会帮扶资金专户\r\n"
        '账号:,="6217000010000000000"\r\n'
        "币种:,人民币\r\n"
        "起止日期:,2026-04-05 至 2026-04-06\r\n"
        "\r\n"
        "序号,客户参考号,收款人户名,收款卡号,交易金额,交易状态\r\n"
        f'1,="{p1.number}",户主1,="{_masked(p1.card)}","1,000.00",交易成功\r\n'
        f'2,="{p2.number}",户主2,="{_masked(p2.card)}",800.00,账户不存在\r\n'
        f'3,="{p3.number}",户主3,="{_masked(p3.card)}",￥500.00,交易成功\r\n'
        ',合计,,,"2,300.00",\r\n'
        "打印时间:2026-04-06 10:12:00,,,,,\r\n"
    )
    item = _upload(finance, batch, text.encode("gbk"))
    # 序号 is no field: the user is asked once, and the answer is kept for this layout.
    assert item.status == ImportBatch.Status.MAPPING
    columns = {"序号": "", "客户参考号": "reference", "收款人户名": "name", "收款卡号": "card"}
    columns |= {"交易金额": "amount", "交易状态": "result"}
    kit.batch_map(user=finance, batch=item, chosen=Mapping(columns))
    item.refresh_from_db()
    assert item.status == ImportBatch.Status.READY, list(item.error_rows.values("message"))
    assert item.counts == {"paid": 2, "failed": 1, "skipped": 0, "pending": 0}
    assert set(Payment.objects.values_list("status", flat=True)) == {"sent"}

    kit.batch_start_write(user=finance, batch=item)

    item.refresh_from_db()
    assert item.status == ImportBatch.Status.IMPORTED
    statuses = {p.number: (p.status, p.failure_reason) for p in Payment.objects.all()}
    assert statuses == {
        p1.number: ("paid", ""),
        p2.number: ("failed", "账户不存在"),
        p3.number: ("paid", ""),
    }
    assert BankBatch.objects.get(pk=batch.pk).status == "returned"
    assert str(Payment.objects.get(pk=p1.pk).paid_on) == "2026-04-06"
    trial = reports.trial_balance(batch.book, reports.DateRange.whole_year(batch.book))
    assert trial.balanced
    # The same layout next time: the centre's mapping is applied, no question asked.
    assert ColumnMapping.objects.filter(kind=RETURN_KIND).count() == 1
    again = _upload(finance, batch, text.encode("gbk"))
    assert again.status == ImportBatch.Status.NOTHING
    assert again.counts["skipped"] == 3


def test_an_xlsx_with_a_title_block_text_amounts_and_a_totals_row(finance, sent, book):
    # Layout 2: an xlsx with a title and the batch above the header, amounts as text with ¥
    # and 元, result words of another bank, a reason column, a 合计 row.
    batch, (p1, p2, p3) = sent
    content = _xlsx(
        [
            ["湘潭农商银行 批量代发结果明细"],
            ["批次号:", batch.number, "", "交易日期:", "2026年4月6日"],
            [],
            ["明细编号", "账户名称", "入账账号", "代发金额", "处理状态", "银行返回信息"],
            [p1.number, "户主1", p1.card, "¥1,000.00", "处理成功", ""],
            [p2.number, "户主2", p2.card, "800元", "处理失败", "户名不符"],
            [p3.number, "户主3", p3.card, 500, "已入账", ""],
            ["合计", "", "", "2300.00", "", ""],
        ]
    )
    item = _upload(finance, batch, content, name="代发结果.xlsx")
    assert item.status == ImportBatch.Status.READY, list(item.error_rows.values("message"))
    kit.batch_start_write(user=finance, batch=item)
    assert Payment.objects.get(pk=p2.pk).failure_reason == "户名不符"
    # The failed line's money is back in the account, still committed to its item.
    assert room(book, "living").available == Decimal("20000.00") - 1000 - 800 - 500


def test_a_tab_separated_utf8_file_with_a_bom_and_unknown_result_words(finance, sent):
    # Layout 3: tab-separated UTF-8 with a BOM; the bank writes S / F, which the user maps
    # onto 成功 / 失败 once; the reason column is called 附言.
    batch, (p1, p2, p3) = sent
    text = (
        "代发明细查询结果\n"
        "业务参考号\t户名\t账号\t金额\t结果\t附言\n"
        f"{p1.number}\t户主1\t{_masked(p1.card)}\t1000.00\tS\t\n"
        f"{p2.number}\t户主2\t{_masked(p2.card)}\t800.00\tS\t\n"
        f"{p3.number}\t户主3\t{_masked(p3.card)}\t500.00\tF\t账户已销户\n"
    )
    item = _upload(finance, batch, b"\xef\xbb\xbf" + text.encode())
    assert item.status == ImportBatch.Status.MAPPING
    kit.batch_map(
        user=finance,
        batch=item,
        chosen=Mapping(values={"result": {"s": "成功", "f": "失败"}}),
    )
    item.refresh_from_db()
    assert item.status == ImportBatch.Status.READY, list(item.error_rows.values("message"))
    kit.batch_start_write(user=finance, batch=item)
    assert Payment.objects.get(pk=p3.pk).failure_reason == "账户已销户"
    assert Payment.objects.filter(status="paid").count() == 2


def test_a_utf16_text_export_and_a_reference_inside_a_memo(finance, sent):
    # Layout 4: Excel's "Unicode text" (UTF-16, tabs); the bank echoes our reference inside
    # its 备注 column, so the user maps 备注 onto 业务参考号 and 摘要 onto nothing.
    batch, (p1, p2, p3) = sent
    text = (
        "收款人\t收款账号\t付款金额\t付款状态\t备注\t摘要\r\n"
        f"户主1\t{p1.card}\t1000\t成功\t代发 {p1.number} 生活救助\t工资\r\n"
        f"户主2\t{p2.card}\t800\t成功\t代发 {p2.number} 生活救助\t工资\r\n"
    )
    item = _upload(finance, batch, text.encode("utf-16"))
    assert item.status == ImportBatch.Status.MAPPING
    columns = {"收款人": "name", "收款账号": "card", "付款金额": "amount"}
    columns |= {"付款状态": "result", "备注": "reference", "摘要": ""}
    kit.batch_map(user=finance, batch=item, chosen=Mapping(columns))
    item.refresh_from_db()
    assert item.status == ImportBatch.Status.READY, list(item.error_rows.values("message"))
    assert item.counts["pending"] == 1  # p3 is not in this file: it stays with the bank
    kit.batch_start_write(user=finance, batch=item)
    assert Payment.objects.get(pk=p3.pk).status == "sent"
    assert BankBatch.objects.get(pk=batch.pk).status == "sent"


def test_every_bad_line_is_named_and_nothing_is_written(finance, sent):
    batch, (p1, p2, p3) = sent
    other = luhn_card("622202009999999999")
    text = (
        "业务参考号,户名,账号,金额,处理结果,失败原因\r\n"
        f"{p1.number},户主1,{_masked(p1.card)},1000.00,成功,\r\n"
        f"{p2.number},户主2,{_masked(p2.card)},880.00,成功,\r\n"
        f"{p3.number},王五,{other},500.00,成功,\r\n"
        f"{p1.number},户主1,{_masked(p1.card)},1000.00,成功,\r\n"
        "FF2026-9-99999,某人,,100.00,成功,\r\n"
        f"{p3.number},户主3,{_masked(p3.card)},500.00,,\r\n"
    )
    before = _state(batch)
    item = _upload(finance, batch, text.encode("gbk"))
    assert item.status == ImportBatch.Status.INVALID
    errors = [(e.row, e.column, e.message) for e in kit.batch_errors(item)]
    assert errors == [
        (3, "金额", f"参考号“{p2.number}”的金额 880.00 与发放金额 800.00 不符。"),
        (4, "户名", f"参考号“{p3.number}”的户名“王五”与发放对象“户主3”不符。"),
        (
            4,
            "账号",
            f"参考号“{p3.number}”的账号 {mask_bank_card(other)} 与发放卡号 "
            f"{mask_bank_card(p3.card)} 不符。",
        ),
        (5, "业务参考号", f"参考号“{p1.number}”与第 2 行重复。"),
        (6, "业务参考号", "参考号“FF2026-9-99999”不属于本批次。"),
        (7, "业务参考号", f"参考号“{p3.number}”与第 4 行重复。"),
    ]
    assert other not in str(errors) and p3.card not in str(errors)
    assert _state(batch) == before
    assert not item.has_content  # a refused file is not kept


def test_a_blank_result_and_a_missing_column_are_named(finance, sent):
    batch, (p1, _p2, _p3) = sent
    before = _state(batch)
    blank = _upload(finance, batch, f"参考号,金额,结果\r\n{p1.number},1000,\r\n".encode())
    assert [e.message for e in kit.batch_errors(blank)] == [f"参考号“{p1.number}”的处理结果为空。"]
    # No result column at all: the user is asked to map one before anything is checked.
    missing = _upload(finance, batch, f"参考号,金额\r\n{p1.number},1000\r\n".encode())
    assert missing.status == ImportBatch.Status.MAPPING
    assert _state(batch) == before


def test_the_same_file_twice_pays_nothing_twice(finance, sent):
    batch, (p1, p2, p3) = sent
    text = "参考号,金额,结果\r\n" + "".join(f"{p.number},{p.amount},成功\r\n" for p in (p1, p2, p3))
    first = _upload(finance, batch, text.encode())
    second = _upload(finance, batch, text.encode())  # checked before the first is written
    kit.batch_start_write(user=finance, batch=first)
    entries = Entry.objects.count()
    kit.batch_start_write(user=finance, batch=second)  # checked again: all done, skipped
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.NOTHING
    assert second.counts["skipped"] == 3
    assert Entry.objects.count() == entries
    third = _upload(finance, batch, text.encode())
    assert third.status == ImportBatch.Status.NOTHING
    assert Entry.objects.count() == entries


def test_a_result_that_contradicts_what_was_recorded_is_refused(finance, sent):
    batch, (p1, _p2, _p3) = sent
    paid = _upload(finance, batch, f"参考号,金额,结果\r\n{p1.number},1000,成功\r\n".encode())
    kit.batch_start_write(user=finance, batch=paid)
    before = _state(batch)
    item = _upload(finance, batch, f"参考号,金额,结果\r\n{p1.number},1000,失败\r\n".encode())
    assert [e.message for e in kit.batch_errors(item)] == [
        f"参考号“{p1.number}”已经处理过(已发放),与回盘结果“失败”不一致。"
    ]
    assert _state(batch) == before


def test_the_kit_page_finds_the_batch_by_its_references(client, finance, sent):
    _batch, (p1, p2, p3) = sent
    client.force_login(finance)
    text = "参考号,金额,结果\r\n" + "".join(f"{p.number},{p.amount},成功\r\n" for p in (p1, p2, p3))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("funds:returns:import_upload"),
        {"file": SimpleUploadedFile("r.csv", text.encode("gbk"), content_type="text/csv")},
    )
    assert response.status_code == 302
    item = ImportBatch.objects.get(kind=RETURN_KIND)
    assert item.status == ImportBatch.Status.READY
    assert client.post(reverse("funds:returns:import_confirm", args=[item.pk])).status_code == 302
    assert Payment.objects.filter(status="paid").count() == 3


def test_the_return_page_and_the_mapping_page(client, finance, sent, staff):
    batch, (p1, _p2, _p3) = sent
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(finance)
    page = client.get(reverse("funds:batch_return", args=[batch.pk]))
    assert page.status_code == 200
    text = f"凭证号,户名,金额,办理情况\r\n{p1.number},户主1,1000,S\r\n"
    upload = SimpleUploadedFile("r.csv", text.encode("gbk"), content_type="text/csv")
    response = client.post(
        reverse("funds:batch_return", args=[batch.pk]), {"file": upload, "date": "2026-04-06"}
    )
    item = ImportBatch.objects.get(kind=RETURN_KIND)
    assert response["Location"] == reverse("funds:returns:import_mapping", args=[item.pk])
    mapping = client.get(response["Location"]).content.decode()
    assert "凭证号" in mapping and "办理情况" in mapping
    # A file that cannot be read: the form says why, nothing is kept.
    bad = SimpleUploadedFile("r.csv", b"\x81\x30\xff\xfe\x00junk", content_type="text/csv")
    refused = client.post(
        reverse("funds:batch_return", args=[batch.pk]), {"file": bad, "date": "2026-04-06"}
    )
    assert refused.status_code == 400
    # Staff may read the batch but not import its return file.
    client.force_login(staff)
    assert client.get(reverse("funds:returns:import_upload")).status_code == 403


def test_the_return_words_and_the_masked_numbers():
    assert [result_of(w) for w in ("交易成功", "已入账", "处理成功", "SUCCESS")] == ["成功"] * 4
    assert [result_of(w) for w in ("退回", "账户不存在", "户名不符", "账户已销户", "不成功")] == [
        "失败"
    ] * 5
    assert result_of("S") is None and result_of("处理中") is None
    assert card_matches("6222****1234", "6222001234561234")
    assert card_matches("622200******1234", "6222001234561234")
    assert not card_matches("6222****1235", "6222001234561234")
    assert card_matches("6222 0012 3456 1234", "6222001234561234")
    assert name_matches("张*", "张三丰") and name_matches("张*丰", "张三丰")
    assert not name_matches("李*", "张三丰")
