"""What banks send back, on the import kit (`bangfu.kits.imports`; issue 8 #4 and #7).

* `funds.bank_return` (`BankReturnImporter`): a bank's return file (回盘) for one bank batch
  (代发批次). The batch comes from the page it was uploaded on (`ImportBatch.context`:
  {"bank_batch": id, "date": "2026-12-05"}); a file uploaded on the kit's own page finds its
  batch by its references. Fields: 业务参考号 (our payment number, also found inside a longer
  text such as a 备注), 户名, 账号 (masked 6222****1234 is compared by its visible digits),
  金额, 处理结果, 失败原因. The check names every bad line (a reference not of the batch, a
  changed amount, a name or card that differs, a line twice, a result not understood) and
  writes nothing; the write pays or fails each line through `services.banking.return_apply`
  in one transaction. A line already processed the same way is skipped, so the same file
  imported twice pays nothing twice.

Files are read by `core.xlsx.read_any_table`: .xlsx, .xls (calamine), CSV or tab-separated
text in UTF-8 (BOM or none), GBK/GB18030 or UTF-16, ="…" unwrapped; an account block or a
title above the header, a 合计 row and an "打印时间:" line below are passed over. Headers the
aliases do not know, and result words the importer does not take, are mapped once per centre
and layout on the kit's mapping page.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.policy import require_in_scope, require_perm, scope_q
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.masking import mask_bank_card
from bangfu.core.money import format_money
from bangfu.core.text import clean_text, to_halfwidth
from bangfu.core.xlsx import (
    CellError,
    CellValueError,
    Column,
    SourceRow,
    Table,
    cell_date,
    cell_decimal,
    cell_text,
    is_blank,
    read_any_table,
)
from bangfu.kits.imports.models import ImportBatch
from bangfu.kits.imports.registry import Outcome, Progress, importer_register

from .models import BankBatch, Payment
from .permissions import FundsPermission

RETURN_KIND = "funds.bank_return"
HEADER_SCAN = 20  # banks put an account block of a few lines above the header
ZERO_MONEY = Decimal("0.00")

SUCCESS = "成功"
FAILURE = "失败"

RETURN_COLUMNS = [
    Column(
        "reference",
        "业务参考号",
        aliases=(
            "参考号",
            "交易参考号",
            "客户参考号",
            "业务编号",
            "备注号",
            "客户流水号",
            "企业流水号",
            "商户流水号",
            "业务流水号",
            "指令编号",
            "明细编号",
            "客户业务编号",
        ),
        required=True,
    ),
    Column(
        "name",
        "户名",
        aliases=(
            "姓名",
            "收款人",
            "收款人姓名",
            "收款人户名",
            "收款户名",
            "收款方户名",
            "收款人名称",
            "账户名称",
            "账户名",
            "客户名称",
            "客户姓名",
            "职工姓名",
        ),
    ),
    Column(
        "card",
        "账号",
        aliases=(
            "卡号",
            "收款账号",
            "收款人账号",
            "收款卡号",
            "收款方账号",
            "银行卡号",
            "银行账号",
            "入账账号",
            "入账卡号",
            "客户账号",
            "账户",
            "卡号/账号",
        ),
    ),
    Column(
        "amount",
        "金额",
        aliases=(
            "交易金额",
            "代发金额",
            "实发金额",
            "发放金额",
            "付款金额",
            "入账金额",
            "代付金额",
            "转账金额",
            "金额元",
        ),
        required=True,
    ),
    Column(
        "result",
        "处理结果",
        aliases=(
            "结果",
            "交易结果",
            "状态",
            "交易状态",
            "处理状态",
            "代发结果",
            "代发状态",
            "入账结果",
            "入账状态",
            "付款状态",
            "付款结果",
            "是否成功",
        ),
        required=True,
    ),
    Column(
        "reason",
        "失败原因",
        aliases=(
            "原因",
            "错误信息",
            "错误原因",
            "失败信息",
            "返回信息",
            "银行返回信息",
            "处理说明",
            "备注",
            "说明",
            "附言",
        ),
    ),
]

# Result words as banks write them; anything else is mapped by the user onto 成功 or 失败.
_SUCCESS_WORDS = frozenset(
    {
        "成功",
        "已成功",
        "交易成功",
        "处理成功",
        "代发成功",
        "支付成功",
        "付款成功",
        "转账成功",
        "入账成功",
        "已入账",
        "已支付",
        "已付款",
        "已处理",
        "success",
        "succeeded",
        "ok",
    }
)
_FAILURE_WORDS = frozenset(
    {
        "失败",
        "交易失败",
        "处理失败",
        "代发失败",
        "支付失败",
        "入账失败",
        "退回",
        "已退回",
        "退票",
        "退汇",
        "fail",
        "failed",
        "failure",
    }
)
# A failure that names its reason (账户不存在, 户名不符, 账户已销户, 账户冻结, 卡号错误 …).
_FAILURE_HINT = re.compile(
    r"失败|不成功|退回|退票|退汇|不存在|不符|不一致|销户|冻结|止付|挂失|错误|有误|无效|异常|拒绝|作废"
)
_PAYMENT_NUMBER = re.compile(r"FF\d{4}-\d+-\d+", re.IGNORECASE)
_MASK_CHARS = re.compile(r"[*xX＊•●]+")


def result_of(value: Any) -> str | None:
    """成功, 失败, or None for a result word the importer does not take."""
    text = "".join(to_halfwidth(clean_text(value)).split()).lower()
    if not text:
        return None
    if text in _SUCCESS_WORDS:
        return SUCCESS
    if text in _FAILURE_WORDS or _FAILURE_HINT.search(text):
        return FAILURE
    return None


def read_bank_table(
    content: bytes, columns: Sequence[Column], mapping: dict[str, str] | None = None
) -> Table:
    """Read a bank's file (xlsx, xls, CSV/TSV in any of the usual encodings)."""
    return read_any_table(content, columns, max_header_scan=HEADER_SCAN, mapping=mapping)


def _text(value: Any) -> str:
    return "" if is_blank(value) else cell_text(value).strip()


def _digits(value: str) -> str:
    return "".join(ch for ch in to_halfwidth(value) if ch.isdigit() or ch in "*xX＊•●")


def card_matches(shown: str, card: str) -> bool:
    """Whether the file's account number (full, or masked like 6222****1234) is the card."""
    shown = _digits(shown)
    card = "".join(ch for ch in card if ch.isdigit())
    if not _MASK_CHARS.search(shown):
        return shown == card
    parts = _MASK_CHARS.split(shown)
    head, tail = parts[0], parts[-1]
    if not head and not tail:
        return True
    return card.startswith(head) and card.endswith(tail) and len(head) + len(tail) <= len(card)


def name_matches(shown: str, name: str) -> bool:
    """Whether the file's name (maybe masked: 张*三, 张**) is the recipient's."""
    shown = "".join(clean_text(shown).split())
    name = "".join(clean_text(name).split())
    if "*" not in shown and "＊" not in shown:
        return shown == name
    pattern = "".join(".+" if ch in "*＊" else re.escape(ch) for ch in shown)
    return re.fullmatch(pattern, name) is not None


@dataclass(frozen=True)
class ReturnLine:
    row: int
    payment: Payment
    ok: bool
    reason: str


@dataclass
class ReturnCheck:
    """What the check of a return file found: the lines to apply, and the outcome."""

    lines: list[ReturnLine]
    outcome: Outcome


def _is_footer(row: SourceRow) -> bool:
    """A line below the table with no reference, no name and no result ("共 3 笔 1,800.00")."""
    return all(is_blank(row.values.get(key)) for key in ("reference", "name", "result"))


def return_check(*, bank_batch: BankBatch, table: Table, progress: Progress) -> ReturnCheck:
    """Check every line of a return file against the bank batch; write nothing."""
    errors: list[CellError] = [*table.header_errors()]
    sheet = table.sheet_name
    label = table.column_label
    payments = {p.number: p for p in bank_batch.payments.all()}
    lines: list[ReturnLine] = []
    skipped: list[list[Any]] = []
    seen: dict[int, int] = {}
    counts = {"paid": 0, "failed": 0, "skipped": 0, "pending": 0}
    if errors:
        return ReturnCheck([], Outcome(rows=len(table.rows), errors=errors, counts=counts))
    total = len(table.rows)
    for n, row in enumerate(table.rows, start=1):
        if n % 500 == 0:
            progress(n, total)
        if _is_footer(row):
            continue

        def error(key: str, message: str, row: SourceRow = row) -> None:
            errors.append(CellError(sheet, row.number, label(key), message))

        raw = _text(row.values.get("reference"))
        if not raw:
            error("reference", _("参考号为空。"))
            continue
        payment = payments.get(raw)
        if payment is None:
            found = [
                payments[m.upper()] for m in _PAYMENT_NUMBER.findall(raw) if m.upper() in payments
            ]
            payment = found[0] if len(found) == 1 else None
        if payment is None:
            error(
                "reference",
                _("参考号“%(ref)s”不属于本批次。") % {"ref": raw[:60]},
            )
            continue
        ref = payment.number
        if payment.pk in seen:
            error(
                "reference",
                _("参考号“%(ref)s”与第 %(first)s 行重复。")
                % {"ref": ref, "first": seen[payment.pk]},
            )
            continue
        seen[payment.pk] = row.number
        bad = False
        amount_cell = row.values.get("amount")
        amount: Decimal | None = None
        if is_blank(amount_cell):
            error("amount", _("参考号“%(ref)s”的金额为空。") % {"ref": ref})
            bad = True
        else:
            try:
                amount = cell_decimal(amount_cell, allow_negative=True)
            except CellValueError as exc:
                error("amount", str(exc))
                bad = True
        if amount is not None and abs(amount) != payment.amount:
            error(
                "amount",
                _("参考号“%(ref)s”的金额 %(got)s 与发放金额 %(want)s 不符。")
                % {
                    "ref": ref,
                    "got": format_money(amount),
                    "want": format_money(payment.amount),
                },
            )
            bad = True
        name = _text(row.values.get("name"))
        if name and not name_matches(name, payment.recipient_name):
            error(
                "name",
                _("参考号“%(ref)s”的户名“%(got)s”与发放对象“%(want)s”不符。")
                % {"ref": ref, "got": name[:40], "want": payment.recipient_name},
            )
            bad = True
        card = _text(row.values.get("card"))
        if card and not card_matches(card, payment.card or ""):
            error(
                "card",
                _("参考号“%(ref)s”的账号 %(got)s 与发放卡号 %(want)s 不符。")
                % {
                    "ref": ref,
                    "got": mask_bank_card(_digits(card)),
                    "want": mask_bank_card(payment.card or ""),
                },
            )
            bad = True
        result_cell = row.values.get("result")
        result = result_of(result_cell)
        if is_blank(result_cell):
            error("result", _("参考号“%(ref)s”的处理结果为空。") % {"ref": ref})
            bad = True
        elif result is None:
            error(
                "result",
                _("处理结果“%(value)s”无法识别(应为成功或失败)。")
                % {"value": _text(result_cell)[:30]},
            )
            bad = True
        if bad or result is None:
            continue
        ok = result == SUCCESS
        reason = _text(row.values.get("reason"))
        if not ok and not reason:
            word = _text(result_cell)
            reason = word if result_of(word) == FAILURE and word not in _FAILURE_WORDS else ""
        if payment.status == Payment.Status.SENT:
            lines.append(ReturnLine(row.number, payment, ok, reason))
            counts["paid" if ok else "failed"] += 1
            continue
        done = payment.status == Payment.Status.PAID
        if done == ok and payment.batch_id == bank_batch.pk:
            skipped.append([row.number, ref, payment.get_status_display()])
            counts["skipped"] += 1
            continue
        error(
            "result",
            _("参考号“%(ref)s”已经处理过(%(state)s),与回盘结果“%(result)s”不一致。")
            % {"ref": ref, "state": payment.get_status_display(), "result": result},
        )
    progress(total, total)
    applied = {line.payment.pk for line in lines}
    counts["pending"] = sum(
        1 for p in payments.values() if p.status == Payment.Status.SENT and p.pk not in applied
    )
    outcome = Outcome(
        rows=len(table.rows),
        errors=errors,
        writable=0 if errors else len(lines),
        counts=counts,
        skipped=skipped,
    )
    return ReturnCheck([] if errors else lines, outcome)


def _context_date(batch: ImportBatch) -> datetime.date:
    text = str((batch.context or {}).get("date") or "")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return timezone.localdate()


def _bank_batch(*, user: Any, batch: ImportBatch, table: Table, lock: bool) -> BankBatch:
    """The bank batch the file returns: the page's (context), else the one batch in the user's
    scope that holds the file's references."""
    batches = BankBatch.objects.filter(scope_q(user, FundsPermission.PAY, field="book__unit"))
    if lock:
        batches = batches.select_for_update(of=("self",))
    wanted = (batch.context or {}).get("bank_batch")
    if wanted is None:
        refs: set[str] = set()
        for row in table.rows:
            raw = _text(row.values.get("reference"))
            refs.add(raw)
            refs.update(m.upper() for m in _PAYMENT_NUMBER.findall(raw))
        ids = set(
            Payment.objects.filter(number__in=refs, batch__isnull=False).values_list(
                "batch_id", flat=True
            )
        )
        if len(ids) != 1:
            raise ValidationError(
                _(
                    "无法从文件中的参考号确定是哪个代发批次,请在代发批次页面上点“导入银行回盘”上传。"
                ),
                field="file",
            )
        wanted = ids.pop()
    found = batches.select_related("book__unit").filter(pk=wanted).first()
    if found is None:
        raise ValidationError(_("未找到该代发批次。"), field="file")
    require_in_scope(user, FundsPermission.PAY, found.book.unit)
    if found.status == BankBatch.Status.MADE:
        raise ValidationError(
            _("代发批次 %(n)s 还没有发送银行,不能导入回盘。") % {"n": found.number}, field="file"
        )
    return found


class BankReturnImporter:
    """The bank's return file of one bank batch: each line paid or failed."""

    kind = RETURN_KIND
    label = gettext_lazy("银行回盘文件")
    permission = FundsPermission.PAY
    url_namespace = "funds:returns"
    upload_help = gettext_lazy(
        "请在代发批次页面点“导入银行回盘”上传银行返回的文件(Excel 或 CSV,GBK 或 UTF-8 均可)。"
        "系统先校验每一行:参考号、金额、户名、账号须与本批次的发放一致,处理结果须为成功或失败;"
        "有任何一行不符都不会入账,并列出行号和原因。认不出的列名或结果用语可对应一次,"
        "本单位下次上传同样格式的文件时自动沿用。校验通过后确认,各行逐笔记为已发放或失败。"
    )
    count_labels = (
        ("paid", gettext_lazy("将记为成功"), gettext_lazy("已记为成功")),
        ("failed", gettext_lazy("将记为失败"), gettext_lazy("已记为失败")),
        ("skipped", gettext_lazy("已处理过,跳过"), gettext_lazy("已处理过,跳过")),
        ("pending", gettext_lazy("本批次仍待回盘"), gettext_lazy("本批次仍待回盘")),
    )
    skipped_labels = (gettext_lazy("参考号"), gettext_lazy("已是"))

    def template(self) -> bytes | None:
        return None

    def read(self, content: bytes, columns: dict[str, str] | None = None) -> Table:
        return read_bank_table(content, RETURN_COLUMNS, columns)

    def fields(self) -> list[tuple[str, str]]:
        return [(column.key, column.title) for column in RETURN_COLUMNS]

    def choice_columns(self) -> dict[str, list[str]]:
        return {"result": [SUCCESS, FAILURE]}

    def value_matches(self, key: str, value: Any) -> bool:
        return key != "result" or result_of(value) is not None

    def check(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        require_perm(user, self.permission)
        bank_batch = _bank_batch(user=user, batch=batch, table=table, lock=False)
        return return_check(bank_batch=bank_batch, table=table, progress=progress).outcome

    def write(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        from .services.banking import return_apply

        require_perm(user, self.permission)
        with transaction.atomic():
            bank_batch = _bank_batch(user=user, batch=batch, table=table, lock=True)
            checked = return_check(bank_batch=bank_batch, table=table, progress=progress)
            if checked.outcome.errors or not checked.lines:
                return checked.outcome
            return_apply(
                actor=user, batch=bank_batch, lines=checked.lines, date=_context_date(batch)
            )
        return checked.outcome

    def summary(self, batch: Any) -> str:
        counts = batch.counts
        values = {
            "paid": counts.get("paid", 0),
            "failed": counts.get("failed", 0),
            "skipped": counts.get("skipped", 0),
            "pending": counts.get("pending", 0),
        }
        if batch.status == ImportBatch.Status.INVALID:
            return _("校验发现 %(count)d 处错误,没有入账任何一笔。") % {"count": batch.error_count}
        if batch.status == ImportBatch.Status.NOTHING:
            return _("回盘中的 %(skipped)d 笔都已处理过(跳过),无需再导入。") % values
        if batch.status == ImportBatch.Status.IMPORTED:
            return (
                _(
                    "回盘已导入:成功 %(paid)d 笔,失败 %(failed)d 笔;已处理过跳过 %(skipped)d 笔;"
                    "本批次仍待回盘 %(pending)d 笔。"
                )
                % values
            )
        return (
            _(
                "校验通过:将记为成功 %(paid)d 笔、失败 %(failed)d 笔,已处理过跳过 %(skipped)d 笔;"
                "本批次另有 %(pending)d 笔不在此文件中。请确认导入。"
            )
            % values
        )


RETURN_IMPORTER = importer_register(BankReturnImporter())


def return_file_import(
    *, actor: Any, batch: BankBatch, content: bytes, date: datetime.date
) -> dict[str, int]:
    """A return file read, checked and written in one call, without the kit's pages (the API,
    scripts): the same reading, check and write as the importer. Raise ValidationError naming
    every bad line, Conflict when the batch was not sent or every line was processed before."""
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, batch.book.unit)
    table = RETURN_IMPORTER.read(content)
    with transaction.atomic():
        locked = BankBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == BankBatch.Status.MADE:
            raise Conflict(_("该批次还没有发送银行,不能导入回盘。"))
        checked = return_check(bank_batch=locked, table=table, progress=lambda d, t: None)
        errors = checked.outcome.errors
        if errors:
            raise ValidationError(errors_message(errors), field="file")
        if not checked.lines:
            if checked.outcome.skipped:
                raise Conflict(_("回盘中的各行都已经处理过,不能重复导入。"))
            raise ValidationError(_("回盘文件中没有数据行。"), field="file")
        from .services.banking import return_apply

        return return_apply(actor=actor, batch=locked, lines=checked.lines, date=date)


def return_imports(user: Any, bank_batch: BankBatch) -> list[ImportBatch]:
    """The user's last imports of return files for this bank batch (newest first)."""
    return list(
        ImportBatch.objects.filter(
            created_by_id=getattr(user, "pk", None),
            kind=RETURN_KIND,
            context__bank_batch=bank_batch.pk,
        )[:10]
    )


def errors_message(errors: Sequence[CellError], shown: int = 20) -> str:
    """Every problem as "第 N 行:…" in one message (the first `shown` of them)."""
    parts = [
        _("第 %(row)s 行:%(message)s") % {"row": e.row, "message": e.message}
        for e in errors[:shown]
    ]
    if len(errors) > shown:
        parts.append(_("……共 %(count)d 处错误。") % {"count": len(errors)})
    return ";".join(parts)


# --- Bank statements (对账单) ----------------------------------------------------------------

STATEMENT_KIND = "funds.bank_statement"
MONEY_IN = "收入"
MONEY_OUT = "支出"

STATEMENT_COLUMNS = [
    Column(
        "date",
        "交易日期",
        aliases=(
            "日期",
            "记账日期",
            "入账日期",
            "交易时间",
            "记账时间",
            "交易日",
            "发生日期",
            "交易日期时间",
        ),
        required=True,
    ),
    Column("memo", "摘要", aliases=("用途", "附言", "交易摘要", "交易用途", "摘要说明", "备注")),
    Column(
        "outflow",
        "借方发生额",
        aliases=(
            "借方金额",
            "借方",
            "支出",
            "支出金额",
            "支取",
            "支取金额",
            "付款金额",
            "往账金额",
            "转出金额",
        ),
    ),
    Column(
        "inflow",
        "贷方发生额",
        aliases=(
            "贷方金额",
            "贷方",
            "收入",
            "收入金额",
            "存入",
            "存入金额",
            "收款金额",
            "来账金额",
            "转入金额",
        ),
    ),
    Column("amount", "收支金额", aliases=("交易金额", "发生额", "金额", "发生金额")),
    Column(
        "direction",
        "收/支",
        aliases=(
            "收支",
            "收支标志",
            "收支方向",
            "借贷标志",
            "借贷方向",
            "借贷",
            "方向",
            "交易方向",
            "收付标志",
            "借贷标识",
        ),
    ),
    Column(
        "balance",
        "余额",
        aliases=("账户余额", "交易后余额", "当前余额", "联机余额", "本次余额", "余额元"),
    ),
    Column(
        "counterparty",
        "对方户名",
        aliases=(
            "对方账户名称",
            "对方名称",
            "对方户名称",
            "对方单位",
            "对方账户名",
            "交易对手名称",
            "对方单位名称",
            "收付款人名称",
        ),
    ),
    Column(
        "serial",
        "流水号",
        aliases=(
            "交易流水号",
            "银行流水号",
            "交易序号",
            "凭证号",
            "传票号",
            "柜员流水号",
            "交易编号",
            "核心流水号",
            "交易参考号",
        ),
    ),
]

_IN_WORDS = frozenset({"收", "收入", "入", "贷", "贷方", "存入", "来账", "转入", "c", "cr", "+"})
_OUT_WORDS = frozenset({"支", "支出", "出", "借", "借方", "支取", "往账", "转出", "d", "dr", "-"})
_PLACEHOLDER = frozenset({"-", "—", "--", "－", "/"})
_TOTALS_TEXT = re.compile(r"合计|总计|小计|累计|笔数|本页|承前|过次页")
_OPENING_TEXT = re.compile(r"期初|上日余额|上期余额|承前余额|初始余额")


def direction_of(value: Any) -> str | None:
    """收入, 支出, or None for a direction word the importer does not take."""
    text = "".join(to_halfwidth(clean_text(value)).split()).lower()
    if text in _IN_WORDS:
        return MONEY_IN
    if text in _OUT_WORDS:
        return MONEY_OUT
    return None


@dataclass(frozen=True)
class ParsedLine:
    row: int
    date: datetime.date
    amount: Decimal
    balance: Decimal | None
    memo: str
    counterparty: str
    serial: str


def _money(value: Any) -> Decimal | None:
    """An amount cell; blank, "-" and the like are no amount."""
    if is_blank(value) or (isinstance(value, str) and value.strip() in _PLACEHOLDER):
        return None
    return cell_decimal(value, allow_negative=True)


def _balance_breaks(lines: Sequence[ParsedLine]) -> list[tuple[ParsedLine, Decimal]]:
    """The lines whose balance is not the previous balance plus the movements since, with the
    balance expected."""
    breaks: list[tuple[ParsedLine, Decimal]] = []
    running: Decimal | None = None
    for line in lines:
        if running is not None:
            running += line.amount
        if line.balance is not None:
            if running is not None and running != line.balance:
                breaks.append((line, running))
            running = line.balance
    return breaks


def statement_check(
    *, book: Any, table: Table, progress: Progress
) -> tuple[list[ParsedLine], Outcome]:
    """Check every line of a statement for `book` (every error in one pass); write nothing.
    Return the lines to store (not already stored) and the outcome."""
    from .models import StatementLine

    errors: list[CellError] = [*table.header_errors()]
    sheet = table.sheet_name
    label = table.column_label
    titles = table.column_titles
    has_pair = "inflow" in titles or "outflow" in titles
    if not has_pair and "amount" not in titles:
        errors.append(
            CellError(
                sheet,
                table.header_row,
                "",
                _("对账单中找不到金额列:需要借方/贷方(支出/收入)两列,或收支金额一列。"),
            )
        )
    counts = {"new": 0, "skipped": 0, "in": 0, "out": 0}
    if errors:
        return [], Outcome(rows=len(table.rows), errors=errors, counts=counts)
    parsed: list[ParsedLine] = []
    serial_rows: dict[str, int] = {}
    total = len(table.rows)
    for n, row in enumerate(table.rows, start=1):
        if n % 500 == 0:
            progress(n, total)
        values = row.values
        texts = " ".join(_text(values.get(k)) for k in ("date", "memo", "serial", "counterparty"))
        if is_blank(values.get("date")) and _TOTALS_TEXT.search(texts):
            continue  # a totals line ("本页合计", "共 12 笔")
        if _OPENING_TEXT.search(_text(values.get("memo"))) and not any(
            _money_or_none(values.get(k)) for k in ("inflow", "outflow", "amount")
        ):
            continue  # the opening balance line: the balance check starts from it

        def error(key: str, message: str, row: SourceRow = row) -> None:
            errors.append(CellError(sheet, row.number, label(key), message))

        bad = False
        day: datetime.date | None = None
        if is_blank(values.get("date")):
            error("date", _("交易日期为空。"))
            bad = True
        else:
            try:
                day = cell_date(values.get("date"))
            except CellValueError as exc:
                error("date", str(exc))
                bad = True
        if day is not None and day.year != book.year:
            error(
                "date",
                _("交易日期 %(date)s 不在账簿年度 %(year)s 年内。")
                % {"date": day.isoformat(), "year": book.year},
            )
            bad = True
        amount: Decimal | None = None
        try:
            if has_pair:
                money_in = abs(_money(values.get("inflow")) or Decimal("0.00"))
                money_out = abs(_money(values.get("outflow")) or Decimal("0.00"))
                if money_in and money_out:
                    error("inflow", _("同一行的收入和支出都有金额。"))
                    bad = True
                elif money_in or money_out:
                    amount = money_in - money_out
            if amount is None and not bad and "amount" in titles:
                signed = _money(values.get("amount"))
                if signed is not None and "direction" in titles:
                    direction = direction_of(values.get("direction"))
                    if direction is None:
                        error(
                            "direction",
                            _("收支方向“%(value)s”无法识别(应为收或支)。")
                            % {"value": _text(values.get("direction"))[:20]},
                        )
                        bad = True
                    else:
                        signed = abs(signed) if direction == MONEY_IN else -abs(signed)
                amount = signed
        except CellValueError as exc:
            error("amount" if "amount" in titles and not has_pair else "inflow", str(exc))
            bad = True
        if amount is None and not bad:
            error("amount" if not has_pair else "inflow", _("这一行没有发生额。"))
            bad = True
        balance: Decimal | None = None
        try:
            balance = _money(values.get("balance"))
        except CellValueError as exc:
            error("balance", str(exc))
            bad = True
        serial = _text(values.get("serial"))[:64]
        if serial:
            if serial in serial_rows:
                error(
                    "serial",
                    _("流水号“%(serial)s”与第 %(first)s 行重复。")
                    % {"serial": serial, "first": serial_rows[serial]},
                )
                bad = True
            else:
                serial_rows[serial] = row.number
        if bad or day is None or amount is None:
            continue
        parsed.append(
            ParsedLine(
                row.number,
                day,
                amount,
                balance,
                _text(values.get("memo"))[:200],
                _text(values.get("counterparty"))[:200],
                serial,
            )
        )
    progress(total, total)
    # Newest first, as some banks list it: the lines are taken (and checked) oldest first.
    if parsed and parsed[0].date > parsed[-1].date:
        parsed.reverse()
    if not errors and any(line.balance is not None for line in parsed):
        breaks = _balance_breaks(parsed)
        if breaks and len(_balance_breaks(parsed[::-1])) < len(breaks):
            parsed.reverse()  # all on one day, newest first
            breaks = _balance_breaks(parsed)
        for line, expected in sorted(breaks, key=lambda item: item[0].row):
            errors.append(
                CellError(
                    sheet,
                    line.row,
                    label("balance"),
                    _("余额 %(got)s 与上一笔余额加本笔发生额 %(want)s 不符(余额不连续)。")
                    % {
                        "got": format_money(line.balance or ZERO_MONEY),
                        "want": format_money(expected),
                    },
                )
            )
    if errors:
        return [], Outcome(rows=total, errors=errors, counts=counts)
    # What is already stored is skipped: the same 流水号, or the same date, amount and balance
    # (as many times as it is stored).
    stored = StatementLine.objects.filter(book=book)
    serials = set(
        stored.filter(serial__in=[line.serial for line in parsed if line.serial]).values_list(
            "serial", flat=True
        )
    )
    unserialled = [line for line in parsed if not line.serial]
    have: dict[tuple[Any, ...], int] = {}
    if unserialled:
        for key in stored.filter(
            date__in={line.date for line in unserialled},
        ).values_list("date", "amount", "balance"):
            have[key] = have.get(key, 0) + 1
    new: list[ParsedLine] = []
    skipped: list[list[Any]] = []
    for line in parsed:
        if line.serial:
            known = line.serial in serials
        else:
            key = (line.date, line.amount, line.balance)
            known = have.get(key, 0) > 0
            if known:
                have[key] -= 1
        if known:
            shown = line.serial or line.date.isoformat()
            skipped.append([line.row, shown, format_money(line.amount)])
            counts["skipped"] += 1
            continue
        new.append(line)
        counts["new"] += 1
        counts["in" if line.amount > 0 else "out"] += 1
    return new, Outcome(rows=total, writable=len(new), counts=counts, skipped=skipped)


def _money_or_none(value: Any) -> Decimal | None:
    try:
        return _money(value)
    except CellValueError:
        return None


def _statement_book(*, user: Any, batch: ImportBatch) -> Any:
    from .models import Book

    wanted = (batch.context or {}).get("book")
    book = (
        Book.objects.filter(scope_q(user, FundsPermission.KEEP, field="unit"))
        .select_related("unit")
        .filter(pk=wanted)
        .first()
        if wanted is not None
        else None
    )
    if book is None:
        raise ValidationError(
            _("请在账簿的“对账”页面上传对账单(系统需要知道是哪个账簿的对账单)。"), field="file"
        )
    require_in_scope(user, FundsPermission.KEEP, book.unit)
    return book


class BankStatementImporter:
    """The bank's statement of a book's special account, stored line by line."""

    kind = STATEMENT_KIND
    label = gettext_lazy("银行对账单")
    permission = FundsPermission.KEEP
    url_namespace = "funds:statements"
    upload_help = gettext_lazy(
        "请在账簿的“对账”页面上传银行对账单(Excel 或 CSV,GBK 或 UTF-8 均可)。需有交易日期,"
        "以及借方/贷方(支出/收入)两列或收支金额一列(可带收/支标志列);有余额列时逐行核对"
        "余额是否连续。有任何一行不符都不会保存,并列出行号和原因。已导入过的行(流水号相同,"
        "或日期、金额、余额都相同)跳过,不会重复。"
    )
    count_labels = (
        ("new", gettext_lazy("将保存的行"), gettext_lazy("已保存的行")),
        ("in", gettext_lazy("其中收入"), gettext_lazy("其中收入")),
        ("out", gettext_lazy("其中支出"), gettext_lazy("其中支出")),
        ("skipped", gettext_lazy("已导入过,跳过"), gettext_lazy("已导入过,跳过")),
    )
    skipped_labels = (gettext_lazy("流水号或日期"), gettext_lazy("发生额"))

    def template(self) -> bytes | None:
        return None

    def read(self, content: bytes, columns: dict[str, str] | None = None) -> Table:
        return read_bank_table(content, STATEMENT_COLUMNS, columns)

    def fields(self) -> list[tuple[str, str]]:
        return [(column.key, column.title) for column in STATEMENT_COLUMNS]

    def choice_columns(self) -> dict[str, list[str]]:
        return {"direction": [MONEY_IN, MONEY_OUT]}

    def value_matches(self, key: str, value: Any) -> bool:
        return key != "direction" or direction_of(value) is not None

    def check(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        require_perm(user, self.permission)
        book = _statement_book(user=user, batch=batch)
        return statement_check(book=book, table=table, progress=progress)[1]

    def write(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        from .services.banking import statement_store

        require_perm(user, self.permission)
        with transaction.atomic():
            book = _statement_book(user=user, batch=batch)
            # Two imports of the same statement at once: the book's row lock makes the second
            # wait, then see the first's lines and skip them (not a uniqueness error).
            type(book).objects.select_for_update().filter(pk=book.pk).first()
            lines, outcome = statement_check(book=book, table=table, progress=progress)
            if outcome.errors or not lines:
                return outcome
            statement_store(actor=user, book=book, lines=lines, import_batch=batch.pk)
        return outcome

    def summary(self, batch: Any) -> str:
        counts = {k: batch.counts.get(k, 0) for k in ("new", "in", "out", "skipped")}
        if batch.status == ImportBatch.Status.INVALID:
            return _("校验发现 %(count)d 处错误,没有保存任何一行。") % {"count": batch.error_count}
        if batch.status == ImportBatch.Status.NOTHING:
            return _("对账单的 %(skipped)d 行都已导入过(跳过),无需再导入。") % counts
        if batch.status == ImportBatch.Status.IMPORTED:
            return (
                _(
                    "对账单已导入:保存 %(new)d 行(收入 %(in)d 笔,支出 %(out)d 笔),"
                    "已导入过跳过 %(skipped)d 行。请到“对账”页查看核对结果。"
                )
                % counts
            )
        return (
            _(
                "校验通过:将保存 %(new)d 行(收入 %(in)d 笔,支出 %(out)d 笔),"
                "已导入过跳过 %(skipped)d 行。请确认导入。"
            )
            % counts
        )


STATEMENT_IMPORTER = importer_register(BankStatementImporter())
