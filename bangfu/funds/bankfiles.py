"""Bank files of the generic 代发 layout.

The file we send (xlsx or CSV; CSV in GBK or UTF-8 as the bank wants), one row per payment:
姓名, 卡号, 金额, 用途, 参考号 (the payment's slip number, which the bank echoes back).

What banks send back (return files, statements) is read on the import kit: `funds.importing`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

HEADER = ("姓名", "卡号", "金额", "用途", "参考号")


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
