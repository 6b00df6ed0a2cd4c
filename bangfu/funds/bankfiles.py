"""Bank files of the generic 代发 layout, and reading what banks send back.

The file we send (xlsx or CSV; CSV in GBK or UTF-8 as the bank wants), one row per payment:
姓名, 卡号, 金额, 用途, 参考号 (the payment's slip number, which the bank echoes back).

A return file or a statement comes as xlsx or CSV, in UTF-8 (with or without a BOM) or GBK;
its header row is found among the first rows by the names below (the usual words of several
banks), so an outside file made with other column titles still reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from bangfu.core.errors import ValidationError

HEADER = ("姓名", "卡号", "金额", "用途", "参考号")

ALIASES = {
    "reference": (
        "参考号",
        "业务参考号",
        "交易参考号",
        "流水号",
        "业务编号",
        "备注号",
        "客户参考号",
    ),
    "amount": ("金额", "交易金额", "代发金额", "实发金额", "金额(元)"),
    "result": ("结果", "处理结果", "交易结果", "状态", "交易状态"),
    "reason": ("原因", "失败原因", "错误信息", "备注", "说明"),
    "name": ("姓名", "户名", "收款人", "收款人姓名", "账户名称"),
    "card": ("卡号", "账号", "收款账号", "收款人账号"),
    # Statements (对账单): the bank's view — money in is its credit side.
    "date": ("日期", "交易日期", "记账日期", "入账日期"),
    "inflow": ("收入", "收入金额", "存入", "存入金额", "贷方金额", "贷方发生额", "来账金额"),
    "outflow": ("支出", "支出金额", "支取", "支取金额", "借方金额", "借方发生额", "往账金额"),
    "balance": ("余额", "账户余额", "交易后余额"),
    "memo": ("摘要", "用途", "附言", "交易摘要"),
}
SUCCESS_WORDS = ("成功", "已成功", "交易成功", "处理成功", "success", "ok")
FAILURE_WORDS = ("失败", "交易失败", "处理失败", "退回", "fail", "failed")


def luhn_ok(number: str) -> bool:
    digits = [int(ch) for ch in number if ch.isdigit()]
    if len(digits) != len(number) or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def write_csv(rows: Iterable[Sequence[str]], *, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("gbk" if encoding == "gbk" else "utf-8")


def write_xlsx(rows: Iterable[Sequence[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("代发")
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(list(row))  # card numbers and amounts as text: Excel keeps every digit
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def decode(content: bytes) -> str:
    """UTF-8 (a BOM tolerated), else GBK; refuse anything else with a Chinese message."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gbk")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("文件编码无法识别:请保存为 UTF-8 或 GBK 编码的 CSV,或 Excel 文件。"), field="file"
        ) from exc


@dataclass(frozen=True)
class Row:
    line: int  # the row number as the user sees it in the file (1-based)
    values: dict[str, str]


def _grid(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith((".xlsx", ".xls")) or content[:2] == b"PK":
        try:
            import python_calamine

            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
            data = book.get_sheet_by_index(0).to_python()
        except Exception as exc:
            raise ValidationError(_("无法读取该 Excel 文件。"), field="file") from exc
        return [[_cell(v) for v in row] for row in data]
    text = decode(content)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes, filename: str, *, required: Sequence[str]) -> list[Row]:
    """Read the rows under the header; every key in `required` must have a column."""
    grid = _grid(content, filename)
    for index, cells in enumerate(grid[:10]):
        found: dict[str, int] = {}
        for key, names in ALIASES.items():
            for col, cell in enumerate(cells):
                if cell.replace(" ", "") in names and key not in found:
                    found[key] = col
        if all(key in found for key in required):
            rows = []
            for offset, data in enumerate(grid[index + 1 :], start=index + 2):
                if not any(c.strip() for c in data):
                    continue
                values = {k: (data[c].strip() if c < len(data) else "") for k, c in found.items()}
                rows.append(Row(offset, values))
            return rows
    wanted = "、".join(ALIASES[k][0] for k in required)
    raise ValidationError(
        _("文件的前 10 行中找不到表头(需要有:%(names)s)。") % {"names": wanted}, field="file"
    )
