"""Writing an export's rows to a file, one row at a time: xlsx (`workbook`: XML row by row), CSV
(UTF-8 with BOM for Excel, or GBK) and a printable PDF table (WeasyPrint, small exports only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Format
from .registry import Sheet
from .workbook import write_rows

CONTENT_TYPES = {
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.CSV: "text/csv; charset=utf-8",
    Format.CSV_GBK: "text/csv; charset=gb18030",
    Format.PDF: "application/pdf",
}
EXTENSIONS = {Format.XLSX: "xlsx", Format.CSV: "csv", Format.CSV_GBK: "csv", Format.PDF: "pdf"}
# Text that a spreadsheet would take for a formula (CSV injection) gets an apostrophe first.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def pdf_max_rows() -> int:
    return int(settings.BANGFU_EXPORT_PDF_MAX_ROWS)


def cell_text(value: Any) -> str:
    """Return a value as an export shows it in text (CSV, PDF)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _csv_cell(value: Any) -> str:
    text = cell_text(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _csv_rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """Each row's cells as `_csv_cell` writes them; the common ones (None, text that is no
    formula, whole numbers) passed to the csv module as they are, which writes them the same."""
    formula, convert, text, whole = _FORMULA_START, _csv_cell, str, int
    for row in rows:
        yield [
            value
            if value is None
            or ((kind := value.__class__) is text and not value.startswith(formula))
            or kind is whole
            else convert(value)
            for value in row
        ]


def write_xlsx(target: IO[bytes], sheet: Sheet, rows: Iterable[Sequence[Any]], name: str) -> None:
    """The cells `core.xlsx.write_workbook_to` writes, written as XML row by row
    (`workbook.write_rows`); past 1,048,576 rows the table goes on in another sheet."""
    write_rows(
        target,
        title=name,
        headers=list(sheet.headers),
        rows=rows,
        text_columns=sheet.text_columns,
        title_line=sheet.title_line or None,
    )


def write_csv(
    target: IO[bytes], sheet: Sheet, rows: Iterable[Sequence[Any]], *, encoding: str
) -> None:
    """CSV with a header row (no title line: a CSV is read by programs as much as by people).

    `utf-8-sig` writes the BOM that Excel needs to read UTF-8; `gb18030` is GBK for every
    character GBK has, and still writes the rare ones (a name's 𠮷) instead of failing.
    """
    text = io.TextIOWrapper(target, encoding=encoding, newline="", write_through=False)
    try:
        writer = csv.writer(text)
        writer.writerow(list(sheet.headers))
        writer.writerows(_csv_rows(rows))
        text.flush()
    finally:
        text.detach()  # leave `target` open for the caller


def write_pdf(
    target: IO[bytes],
    sheet: Sheet,
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    notes: Sequence[str],
) -> None:
    """A printable A4 landscape table (the caller refuses more than `pdf_max_rows` rows)."""
    from weasyprint import HTML

    headers = list(sheet.headers)
    shown = [headers.index(title) for title in sheet.pdf_columns] or list(range(len(headers)))
    html = render_to_string(
        "exports/pdf/table.html",
        {
            "title": title,
            "title_line": sheet.title_line,
            "headers": [headers[index] for index in shown],
            "rows": [
                [cell_text(row[index]) if index < len(row) else "" for index in shown]
                for row in rows
            ],
            "notes": notes,
            "printed_on": timezone.localdate(),
        },
    )
    HTML(string=html).write_pdf(target)


def write(
    target: IO[bytes],
    *,
    format: str,
    sheet: Sheet,
    rows: Iterable[Sequence[Any]],
    name: str,
    notes: Sequence[str] = (),
) -> None:
    if format == Format.XLSX:
        write_xlsx(target, sheet, rows, name)
    elif format == Format.CSV:
        write_csv(target, sheet, rows, encoding="utf-8-sig")
    elif format == Format.CSV_GBK:
        write_csv(target, sheet, rows, encoding="gb18030")
    elif format == Format.PDF:
        write_pdf(target, sheet, rows, title=name, notes=notes)
    else:  # pragma: no cover - the form offers only the formats above
        raise ValueError(format)
