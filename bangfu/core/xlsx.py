"""Excel toolkit for every import and export: read real-world spreadsheets, convert cells, collect
errors by cell, and write workbooks (including the error sheet of a refused import).

Imports follow the two-phase pattern (after UNICEF HOPE's verification import): read the whole
file, convert and check every cell, collect every problem as (sheet, row, column, message), and
write nothing unless the collector is empty; then write in bulk. A typical import::

    COLUMNS = [
        Column("name", "姓名", required=True),
        Column("id_number", "身份证号", aliases=("公民身份号码",), required=True),
        Column("filed_on", "建档日期"),
        Column("income", "月收入"),
    ]
    table = read_table(upload, COLUMNS)          # ValidationError if not Excel / no header
    errors = ErrorCollector.for_table(table)     # already holds the header problems
    clean = []
    for row in table.rows:
        name = errors.convert(row, "name", cell_text, required=True)
        id_text = errors.convert(row, "id_number", cell_id_text, required=True)
        filed_on = errors.convert(row, "filed_on", cell_date)
        income = errors.convert(row, "income", partial(cell_decimal, allow_negative=True))
        ...                                      # cross-row checks: errors.add(row.number, ...)
        clean.append(...)
    if errors:
        return errors_workbook(errors.errors, source_name=upload.name)   # offer as download
    ... write `clean` in bulk in one transaction ...

For an error that concerns a column but no converter (a duplicate ID within the file, an ID
already in another archive), use `errors.add(row.number, table.column_label("id_number"), msg)`
so the sheet names the column as the user's file does.

Speed (bench/xlsx_read.py, 100,000 rows x 17 columns, one core): `read_table` about 1.7 s,
converting every cell about 2 s, `write_workbook` about 15 s (openpyxl), peak memory about
340 MB. Exports and imports of that size belong in a background job.

Reading (`read_table`)
    Reads .xlsx and .xls (also .xlsm, .xlsb, .ods) with python-calamine, detected by content, not
    by name; anything else raises `ValidationError` ("文件不是有效的 Excel 工作簿…", field "file").
    The header row is found among the first `max_header_scan` rows: the row matching most
    template columns wins, so title rows ("响水乡困难职工花名册") and blank rows above it are
    skipped. Header matching ignores spaces, full-/half-width differences, `*` and `:` marks,
    text in brackets, and treats 号码 as 号: "身份证号码(18位)*" matches "身份证号". Every row below
    the header is read to the end of the sheet (blank rows in between do not stop it); rows blank
    in every recognised column are skipped, and each `SourceRow` keeps its 1-based Excel row
    number. `values` has every template key (None for a blank cell or a column not in the file)
    mapped to the raw value as calamine gives it: str, float (Excel numbers, whole ones too; .xls
    files may give int), bool, date, datetime, time, timedelta. With `sheet=None` the first
    visible worksheet that has all required columns is used (so an instructions sheet in front is
    passed over), else the one matching most columns; later visible sheets that also have every
    required column and data rows are named in `Table.other_sheets` (a roster split over
    sheets, one per station), for the caller to refuse or read. `Table.header_errors()` lists
    required columns that are missing and columns given twice; `ErrorCollector.for_table` starts
    with them.
    Rows as people leave them below a roster are no data: a totals row (a cell reading 合计,
    总计, 小计 or 共计) and a signature or note line (every filled cell a short label and a
    colon: "填表人:王五", "审核人:", "注:…") are left out and listed in `Table.skipped_rows`.
    A cell merged over several rows (户号 or 家庭住址 merged down a household) gives its value
    to every row of the merge, as the person sees it. Rows hidden in Excel (by hand or by a
    filter) are read like the others and listed in `Table.hidden_rows` (.xlsx files only; .xls
    keeps that in a binary record calamine does not expose), so an import can refuse them
    rather than take in rows the person could not see.

    Memory: calamine holds a sheet whole (about 270 MB for a roster of 100,000 rows, before any
    Python value), so an .xlsx sheet of `STREAM_MIN_BYTES` of XML or more is read in pieces:
    its XML is cut at row boundaries into pieces of about `CHUNK_BYTES`, and calamine reads
    each piece as a small package of its own (the same workbook, styles and shared strings),
    so every cell is typed by calamine exactly as in a whole read. A row keeps only the cells
    of the template's columns, and short texts repeated down a column are kept once. A sheet
    whose rows do not say their numbers (allowed, rare) is read whole. 100,000 roster rows:
    peak 300–370 MB for the process (150 MB of it Django) against 520–530 MB read whole, the
    same CPU time (bench/RESULTS.md, "Streaming the sheet").

Cell converters (`cell_text`, `cell_int`, `cell_decimal`, `cell_date`, `cell_bool`,
`cell_choice`, `cell_id_text`)
    Take one raw value and return the clean value, or raise `CellValueError` with a Chinese
    message that does not repeat the location (the collector adds sheet, row and column). They
    expect a non-blank value: `ErrorCollector.convert` returns None for a blank cell (and reports
    it when `required=True`) without calling them; called directly on a blank, they return None
    (`cell_text` returns "").

Writing (`write_workbook`, `errors_workbook`)
    openpyxl write-only mode, so exports of any size stream. Bold header, optional merged title
    line, frozen header, column widths from the header and the first 200 rows. Columns named in
    `text_columns` are written as text and formatted "@" for the whole column, so IDs and card
    numbers typed later into the same template stay text too. date → yyyy-mm-dd, datetime (aware
    ones in the local time zone) → yyyy-mm-dd hh:mm, Decimal → number with "0.00", bool → 是/否.
    Text starting with "=" is written as text, never as a formula (no formula injection from
    names typed by users); characters Excel cannot hold are dropped.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import unicodedata
from collections import deque
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
)
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from io import BytesIO
from itertools import chain, compress, islice
from typing import IO, TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import python_calamine
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .collector import collector_paused, return_free_memory
from .errors import ValidationError
from .masking import mask_numbers_in_text
from .text import clean_text, to_halfwidth

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = [
    "CellError",
    "CellValue",
    "CellValueError",
    "Column",
    "ErrorCollector",
    "SheetSpec",
    "SourceRow",
    "Table",
    "cell_bool",
    "cell_choice",
    "cell_date",
    "cell_decimal",
    "cell_id_text",
    "cell_int",
    "cell_text",
    "column_letter",
    "decode_text",
    "errors_workbook",
    "excel_serial_to_date",
    "is_blank",
    "is_workbook",
    "read_any_table",
    "read_table",
    "read_text_grid",
    "read_text_table",
    "sort_errors",
    "write_workbook",
    "write_workbook_to",
]

CellValue: TypeAlias = str | int | float | bool | date | datetime | time | timedelta | None
Source: TypeAlias = bytes | IO[bytes] | str | os.PathLike[str]
T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class CellError:
    """One problem in an imported file, located as a person finds it in Excel."""

    sheet: str
    row: int  # 1-based Excel row number; the header row for a problem with a whole column
    column: str  # the header title as shown in the file, or an Excel column letter
    message: str  # Chinese, shown as it is


class CellValueError(ValueError):
    """A cell's value cannot be converted; `message` says why, without the cell's location."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sort_errors(errors: Iterable[CellError]) -> list[CellError]:
    """Return the errors without repeats, sheet by sheet (in order of first appearance), by row;
    errors of one row keep the order they were found in (the order of the columns)."""
    unique = list(dict.fromkeys(errors))
    sheet_order: dict[str, int] = {}
    for error in unique:
        sheet_order.setdefault(error.sheet, len(sheet_order))
    return sorted(unique, key=lambda e: (sheet_order[e.sheet], e.row))


class ErrorCollector:
    """Collect the problems of one import; the import writes nothing while it holds any."""

    def __init__(self, sheet: str = "", *, table: Table | None = None) -> None:
        self.sheet = table.sheet_name if table is not None and not sheet else sheet
        self.table = table
        self._errors: list[CellError] = []

    @classmethod
    def for_table(cls, table: Table) -> ErrorCollector:
        """Return a collector for `table` that already holds its header problems."""
        collector = cls(table=table)
        collector._errors.extend(table.header_errors())
        return collector

    def add(self, row: int, column: str, message: str, *, sheet: str | None = None) -> None:
        """Record a problem at `row` (1-based Excel row) in `column` (title or letter).

        A message may quote the cell, and the cell may hold an ID, mobile or card number in the
        wrong column: such numbers are masked, since the errors are stored and downloaded.
        """
        self._errors.append(
            CellError(
                self.sheet if sheet is None else sheet, row, column, mask_numbers_in_text(message)
            )
        )

    def convert(
        self,
        row: SourceRow,
        key: str,
        converter: Callable[[Any], T],
        *,
        required: bool = False,
    ) -> T | None:
        """Return `converter(value)` for the row's cell `key`, or None when it is blank or wrong.

        A wrong value is recorded with the column's title as shown in the file. A blank cell is
        recorded only when `required`, and not when the column is a required template column
        missing from the file (its header problem already says so). Pass converter options with
        `functools.partial`.
        """
        value = row.values.get(key)
        if is_blank(value):
            column = self._column(key)
            if required and not (self.table is not None and column in self.table.missing_required):
                self.add(row.number, column, _("必填项,不能为空。"))
            return None
        try:
            return converter(value)
        except CellValueError as error:
            self.add(row.number, self._column(key), error.message)
            return None

    def _column(self, key: str) -> str:
        return self.table.column_label(key) if self.table is not None else key

    @property
    def errors(self) -> list[CellError]:
        """Return the problems without repeats, sorted by sheet and row."""
        return sort_errors(self._errors)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return len(self.errors)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Column:
    """A column of an import template, found in a file by its title or one of its aliases."""

    key: str
    title: str
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must be in the file (its cells may still be blank)


class RowValues(MutableMapping[str, CellValue]):
    """The raw cells of one data row by column key, read through the sheet's own row list.

    `read_table` gives every row one of these instead of a dict of its own: a dict per row
    (one entry per template column) costs kilobytes, and a roster of 100,000 rows held them all
    at once. The column positions (`index`: key → 0-based position, or None for a template
    column missing from the file) are shared by every row of the table; the row keeps only
    the list of its cells; an empty cell ("") reads as None. It reads and compares like the
    dict it replaces; a key that is no template column is a KeyError."""

    __slots__ = ("_cells", "_extra", "_index")

    def __init__(self, cells: list[Any], index: Mapping[str, int | None]) -> None:
        self._cells = cells
        self._index = index
        self._extra: dict[str, CellValue] | None = None

    def __getitem__(self, key: str) -> CellValue:
        if self._extra is not None and key in self._extra:
            return self._extra[key]
        return self._cell(self._index[key])

    def _cell(self, position: int | None) -> CellValue:
        if position is None or position >= len(self._cells):
            return None
        value: CellValue = self._cells[position]
        return None if value == "" else value  # calamine's empty cell

    @property
    def cells(self) -> list[Any]:
        """The row's cells at the positions of `index`."""
        return self._cells

    @property
    def index(self) -> Mapping[str, int | None]:
        """The column positions (shared by every row of the table)."""
        return self._index

    @property
    def has_extra(self) -> bool:
        """Whether a value was set for a column the file does not have."""
        return bool(self._extra) and any(self._index.get(key) is None for key in self._extra or ())

    @staticmethod
    def by_position(index: Mapping[str, int | None], items: Mapping[str, T]) -> list[T | None]:
        """`items` (column key → anything) laid out at the positions of `index` (a table's
        `RowValues.index`), None elsewhere: what `filled` reads a row with."""
        width = max((p for p in index.values() if p is not None), default=-1) + 1
        laid: list[T | None] = [None] * width
        for key, item in items.items():
            position = index.get(key)
            if position is not None:
                laid[position] = item
        return laid

    def filled(self, by_position: Sequence[T | None]) -> Iterator[tuple[T, CellValue]]:
        """(item, cell) for each cell of the row that is not blank and whose position has an
        item in `by_position` (`RowValues.by_position` of this row's index), in column order;
        a value set for a column the file does not have is not read here (`has_extra`).

        A roster's row has sixty-odd columns and a dozen filled in: the blank cells are passed
        over in C (`itertools.compress` on the cells' truth) instead of read one by one."""
        cells = self._cells
        try:
            # Cells all text (calamine's empty cell is ""), the common case: none is a 0 or
            # False. Joined in C; `0 in cells` compared 0 with each cell in turn.
            "".join(cells)
            false_filled = False
        except TypeError:
            false_filled = 0 in cells
        if false_filled:  # a 0, 0.0 or False is filled in but false: look at each cell
            # Either may be the shorter: a row set by hand, columns not wanted at the end.
            laid = zip(by_position, cells, strict=False)
            pairs: Iterable[tuple[T | None, Any]] = (
                (item, value) for item, value in laid if value is not None
            )
        else:
            # The items and the values of the true cells, paired in order (the items' list
            # may be the shorter: the pairs stop where it ends).
            pairs = zip(compress(by_position, cells), compress(cells, cells))  # noqa: B905
        for item, value in pairs:
            if item is not None and not is_blank(value):
                yield item, value

    def get(self, key: str, default: Any = None) -> Any:
        # The generic `Mapping.get` goes through a KeyError for a missing key: a tenth of an
        # import's conversion.
        if self._extra is not None and key in self._extra:
            return self._extra[key]
        if key not in self._index:
            return default
        return self._cell(self._index[key])

    def __setitem__(self, key: str, value: CellValue) -> None:
        position = self._index.get(key)
        if position is not None and position < len(self._cells):
            self._cells[position] = value
            return
        if self._extra is None:
            self._extra = {}
        self._extra[key] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("the cells of a row cannot be removed")

    def __iter__(self) -> Iterator[str]:
        yield from self._index
        if self._extra:
            yield from (key for key in self._extra if key not in self._index)

    def __len__(self) -> int:
        extra = sum(1 for key in self._extra or () if key not in self._index)
        return len(self._index) + extra

    def __contains__(self, key: object) -> bool:
        return key in self._index or (self._extra is not None and key in self._extra)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(slots=True)
class SourceRow:
    """A non-blank data row: its 1-based Excel row number and the raw value of each column key
    (a `RowValues` from `read_table`; any mapping when built by hand)."""

    number: int
    values: MutableMapping[str, CellValue]


@dataclass
class Table:
    """The rows of one sheet read against a template."""

    sheet_name: str
    header_row: int  # 1-based
    column_titles: dict[str, str]  # key → title as written in the file, for found columns
    column_letters: dict[str, str]  # key → Excel column letter, for found columns
    missing_required: list[str]  # template titles of required columns not found
    rows: list[SourceRow]
    template: list[Column] = field(default_factory=list)
    duplicate_columns: dict[str, list[str]] = field(default_factory=dict)  # key → letters
    ignored_titles: list[str] = field(default_factory=list)  # header cells matching no column
    dropped_titles: list[str] = field(default_factory=list)  # header cells mapped to "not read"
    # Every header cell in order: (column letter, title as written, key or None).
    headers: list[tuple[str, str, str | None]] = field(default_factory=list)
    samples: dict[str, list[str]] = field(default_factory=dict)  # letter → first values
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)  # totals, signature lines
    hidden_rows: list[int] = field(default_factory=list)  # data rows hidden in Excel (.xlsx)
    other_sheets: list[str] = field(default_factory=list)  # more sheets with the header and data

    def column_label(self, key: str) -> str:
        """Return the column's title as in the file, or the template's title when absent."""
        if key in self.column_titles:
            return self.column_titles[key]
        for column in self.template:
            if column.key == key:
                return column.title
        return key

    def header_errors(self) -> list[CellError]:
        """Return the problems of the header: required columns missing, columns given twice."""
        errors = [
            CellError(
                self.sheet_name,
                self.header_row,
                title,
                _("缺少必填列“%(title)s”。") % {"title": title},
            )
            for title in self.missing_required
        ]
        for key, letters in self.duplicate_columns.items():
            title = self.column_titles[key]
            message = _("“%(title)s”列出现了不止一次(第 %(letters)s 列),请只保留一列。") % {
                "title": title,
                "letters": "、".join(letters),
            }
            errors.append(CellError(self.sheet_name, self.header_row, title, message))
        return errors


def column_letter(index: int) -> str:
    """Return the Excel letter of a 0-based column index: 0 → A, 26 → AA."""
    return str(get_column_letter(index + 1))


def is_blank(value: object) -> bool:
    """Return whether a cell holds nothing a person could see (None, "", spaces)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    stripped = value.strip()
    # Printable text has no zero-width characters: skip the full clean-up (the common case).
    return not stripped or (not stripped.isprintable() and not clean_text(stripped))


_BRACKETED = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|【[^】]*】?|〔[^〕]*〕?|<[^>]*>?|《[^》]*》?")
_HEADER_NOISE = re.compile(r"[\s*:※#]")


def _header_key(value: object) -> str:
    """Return the comparable form of a header title: "身份证号码(18位)*" → "身份证号"."""
    text = _BRACKETED.sub("", clean_text(value))
    return _HEADER_NOISE.sub("", text).replace("号码", "号").lower()


def _open_workbook(source: Source) -> python_calamine.CalamineWorkbook:
    try:
        if isinstance(source, bytes):
            return python_calamine.CalamineWorkbook.from_filelike(BytesIO(source))
        if isinstance(source, str | os.PathLike):
            return python_calamine.CalamineWorkbook.from_path(os.fspath(source))
        if source.seekable():
            source.seek(0)
        return python_calamine.CalamineWorkbook.from_filelike(BytesIO(source.read()))
    except python_calamine.PasswordError as error:
        raise ValidationError(
            _("文件设置了打开密码,请取消密码后重新上传。"), field="file"
        ) from error
    except Exception as error:  # calamine reports a broken file in several ways
        raise ValidationError(
            _("文件不是有效的 Excel 工作簿,请上传 .xlsx 或 .xls 文件。"), field="file"
        ) from error


@dataclass
class _Header:
    row_index: int  # 0-based
    positions: dict[str, int]  # key → 0-based column index of the first matching cell
    titles: dict[str, str]
    duplicates: dict[str, list[int]]
    ignored: list[str]
    cells: list[tuple[int, str, str | None]]  # every header cell: index, title, key (or None)
    dropped: list[str]  # titles the mapping says not to read


def _find_header(
    grid: list[list[Any]],
    columns: Sequence[Column],
    scan: int,
    mapping: Mapping[str, str | None] | None = None,
) -> _Header | None:
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.title, *column.aliases):
            lookup.setdefault(_header_key(name), column.key)
    mapping = mapping or {}
    best: _Header | None = None
    for row_index, cells in enumerate(grid[:scan]):
        positions: dict[str, int] = {}
        titles: dict[str, str] = {}
        duplicates: dict[str, list[int]] = {}
        ignored: list[str] = []
        found: list[tuple[int, str, str | None]] = []
        dropped: list[str] = []
        for index, cell in enumerate(cells):
            if is_blank(cell):
                continue
            title = clean_text(cell)
            if title in mapping:
                key = mapping[title] or None
                if key is None:
                    dropped.append(title)
                    found.append((index, title, None))
                    continue
            else:
                key = lookup.get(_header_key(cell))
            found.append((index, title, key))
            if key is None:
                ignored.append(title)
            elif key in positions:
                duplicates.setdefault(key, [positions[key]]).append(index)
            else:
                positions[key] = index
                titles[key] = title
        if positions and (best is None or len(positions) > len(best.positions)):
            best = _Header(row_index, positions, titles, duplicates, ignored, found, dropped)
    return best


Merge: TypeAlias = tuple[
    tuple[int, int], tuple[int, int]
]  # ((top, left), (bottom, right)), 0-based


def _merges_of(sheet: Any) -> list[Merge]:
    try:
        return list(sheet.merged_cell_ranges or [])
    except Exception:  # calamine gives none for some formats
        return []


def _filled_down(rows: Iterable[list[Any]], merges: Iterable[Merge]) -> Iterator[list[Any]]:
    """Give a merged cell's value to every cell of its merge when it spans several rows (户号
    or 家庭住址 merged down a household), as the rows go by; merges within one row (titles, a
    footer line) are left as they are. `rows` has every row from the first (an absent row is an
    empty list); a row shorter than a merge's column reads blank there."""
    pending = sorted((merge for merge in merges if merge[1][0] > merge[0][0]), reverse=True)
    active: list[tuple[int, int, list[Any]]] = []  # bottom, left, the top row's values
    for index, cells in enumerate(rows):
        if active:
            active = [item for item in active if item[0] >= index]
            for _bottom, left, values in active:
                for offset, value in enumerate(values):
                    column = left + offset
                    if column >= len(cells):
                        cells.extend([""] * (column + 1 - len(cells)))
                    if is_blank(cells[column]):
                        cells[column] = value
        while pending and pending[-1][0][0] == index:
            (_top, left), (bottom, right) = pending.pop()
            values = [cells[c] if c < len(cells) else None for c in range(left, right + 1)]
            active.append((bottom, left, values))
        while pending and pending[-1][0][0] < index:  # a merge starting on no row given
            pending.pop()
        yield cells


class _SheetRows:
    """The rows of one sheet in order from the first (an absent row is an empty list), merged
    cells filled down: the first rows kept for the header search, the rest read as they come
    (a large .xlsx sheet is never held whole, see `_XlsxPackage.rows`)."""

    def __init__(
        self,
        rows: Iterable[list[Any]],
        merges: Iterable[Merge],
        hidden: Callable[[], set[int]],
    ) -> None:
        self._rows = _filled_down(rows, merges)
        self._head: list[list[Any]] = []
        self.hidden = hidden  # the 1-based numbers of the rows hidden in Excel, when asked

    def head(self, count: int) -> list[list[Any]]:
        while len(self._head) < count:
            row = next(self._rows, None)
            if row is None:
                break
            self._head.append(row)
        return self._head[:count]

    def rows_from(self, start: int) -> Iterator[tuple[int, list[Any]]]:
        """Yield (0-based index, cells) of every row from `start` on; read once."""
        head, self._head = self._head, []
        for index in range(start, len(head)):
            yield index, head[index]
        for index, cells in enumerate(self._rows, len(head)):
            if index >= start:
                yield index, cells


_TOTALS_LABEL = re.compile(r"(合计|总计|小计|共计)[::]?")
# A label and a colon at the start of a cell: "填表人:王五", "审核人:", "注:1.…", "日期:".
_LABEL_COLON = re.compile(r"[\u4e00-\u9fff()()]{1,8}[::]")


def _skip_reason(cells: Sequence[Any]) -> str | None:
    """Return why a row below the header is no data row (a totals row, a signature or note
    line), or None for a row to read."""
    # A totals label ends in 计 and a label line has a colon (":" or ":", the only characters
    # that `clean_text` turns into one): a row without them is read, and most rows are — one
    # test over the joined cells instead of cleaning every cell of every row.
    # Only text cells can be such a row's (a number, a date is never a label): the cells are
    # joined in C when they are all text (calamine's empty cell is ""), the common case.
    try:
        joined = "".join(cells)
    except TypeError:
        joined = "".join([cell for cell in cells if isinstance(cell, str)])
    if "计" not in joined and ":" not in joined and "\uff1a" not in joined:
        return None
    texts: list[str | None] = []
    for cell in cells:
        if is_blank(cell):
            continue
        if not isinstance(cell, str):
            texts.append(None)
            continue
        texts.append("".join(to_halfwidth(clean_text(cell)).split()))
    for text in texts:
        if text is not None and _TOTALS_LABEL.fullmatch(text):
            return text
    if texts and all(text is not None and _LABEL_COLON.match(text) for text in texts):
        return str(texts[0])[:30]
    return None


_XML_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_XML_PLAIN_ROW = re.compile(rb"<row\b([^>]*)>")
_XML_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_XML_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_XML_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_XML_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b([^>]*)>")
_XML_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_XML_WORKSHEET = re.compile(rb"<((?:\w+:)?)worksheet\b")
_XML_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*>")
_EMPTY_WORKSHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)
# A sheet's XML of at least STREAM_MIN_BYTES (about 3,500 rows of a roster) is read in pieces of
# about CHUNK_BYTES; a smaller one is read whole. Module settings so tests can force pieces.
STREAM_MIN_BYTES = 2 * 1024 * 1024
CHUNK_BYTES = 4 * 1024 * 1024
_PIECE_BYTES = 1024 * 1024


@dataclass
class _PartScan:
    hidden: set[int]  # 1-based numbers of the hidden rows
    merges: list[Merge]
    streamable: bool  # every row says its number, in increasing order


# Pieces of a large sheet being parsed ahead while the last is turned into Python values.
_PIECES_AHEAD = 1


def _parse_piece(content: bytes, sheet_name: str) -> tuple[Any, Any]:
    book = python_calamine.CalamineWorkbook.from_filelike(BytesIO(content))
    return book, book.get_sheet_by_name(sheet_name)


class _XlsxPackage:
    """An .xlsx package (a zip of XML parts), for what calamine does not give (hidden rows) and
    for reading a large sheet in pieces: calamine holds a sheet whole in memory (about 270 MB
    for a roster of 100,000 rows, on top of the Python values), so a large sheet's rows are
    cut into pieces at row boundaries and each piece read by calamine as a small package of
    its own (the same workbook, styles and shared strings; the sheet holding only those rows).
    Every cell is still typed by calamine, exactly as a whole read types it.

    The XML is scanned with patterns, not parsed: an uploaded file is untrusted, and only the
    row boundaries and a few attributes are needed ("<" never occurs inside a tag or a value)."""

    def __init__(self, archive: Any) -> None:
        self.archive = archive
        self._targets: dict[str, str] | None = None

    @classmethod
    def open(cls, source: Source) -> _XlsxPackage | None:
        import zipfile

        try:
            if isinstance(source, bytes):
                handle: Any = BytesIO(source)
            elif isinstance(source, str | os.PathLike):
                handle = os.fspath(source)
            else:
                if source.seekable():
                    source.seek(0)
                handle = BytesIO(source.read())
            archive = zipfile.ZipFile(handle)
            archive.getinfo("xl/workbook.xml")
        except Exception:  # not an .xlsx (an .xls, .ods) or no workbook part: nothing known
            return None
        return cls(archive)

    def part(self, sheet_name: str) -> str | None:
        """Return the name of the sheet's XML part, or None when it cannot be followed."""
        import posixpath
        from html import unescape

        if self._targets is None:
            self._targets = {}
            try:
                relations = {
                    attrs.get(b"Id"): attrs.get(b"Target", b"").decode()
                    for match in _XML_RELATIONSHIP.finditer(
                        self.archive.read("xl/_rels/workbook.xml.rels")
                    )
                    if (attrs := dict(_XML_ATTR.findall(match.group(1))))
                }
                for match in _XML_SHEET.finditer(self.archive.read("xl/workbook.xml")):
                    attrs = dict(_XML_ATTR.findall(match.group(1)))
                    # r:id, whatever the prefix of the relationships namespace
                    rel_id = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
                    target = relations.get(rel_id)
                    if not target:
                        continue
                    path = (
                        target.lstrip("/")
                        if target.startswith("/")
                        else posixpath.join("xl", target)
                    )
                    name = unescape(attrs.get(b"name", b"").decode())
                    self._targets[name] = posixpath.normpath(path)
            except Exception:  # an unusual package: nothing known
                return None
        part = self._targets.get(sheet_name)
        try:
            self.archive.getinfo(part)
        except Exception:
            return None
        return part

    def size(self, part: str) -> int:
        return int(self.archive.getinfo(part).file_size)

    def _pieces(self, part: str) -> Iterator[bytes]:
        """The part's XML in pieces that each end before a "<" (no tag is cut)."""
        with self.archive.open(part) as stream:
            rest = b""
            while piece := stream.read(_PIECE_BYTES):
                data = rest + piece
                cut = data.rfind(b"<")
                cut = len(data) if cut <= 0 else cut
                yield data[:cut]
                rest = data[cut:]
            if rest:
                yield rest

    def scan(self, part: str) -> _PartScan:
        """One pass over the sheet's XML: hidden rows, merged ranges, whether rows are numbered."""
        from openpyxl.utils.cell import range_boundaries

        hidden: set[int] = set()
        merges: list[Merge] = []
        streamable = True
        last = 0
        for content in self._pieces(part):
            if streamable or b"hidden" in content:
                # A sheet's rows are "<row …>" (no namespace prefix) in most files: found by
                # their literal start, not by trying the pattern at every tag of every cell
                # (a fifth of a second for 100,000 rows). Any prefixed row: the full pattern.
                rows = _XML_ROW if b":row" in content else _XML_PLAIN_ROW
                for match in rows.finditer(content):
                    attrs_text = match.group(1)
                    if streamable:
                        number = _XML_ATTR_R.search(attrs_text)
                        if number is None or int(number.group(1)) <= last:
                            streamable = False
                        else:
                            last = int(number.group(1))
                    if b"hidden" in attrs_text:
                        attrs = dict(_XML_ATTR.findall(attrs_text))
                        if (
                            attrs.get(b"hidden") in (b"1", b"true")
                            and attrs.get(b"r", b"").isdigit()
                        ):
                            hidden.add(int(attrs[b"r"]))
            if b"mergeCell" in content:
                for match in _XML_MERGE.finditer(content):
                    ref = dict(_XML_ATTR.findall(match.group(1))).get(b"ref", b"").decode()
                    try:
                        left, top, right, bottom = range_boundaries(ref)
                    except (TypeError, ValueError):
                        continue
                    if left and top and right and bottom:
                        merges.append(((top - 1, left - 1), (bottom - 1, right - 1)))
        return _PartScan(hidden, merges, streamable)

    def rows(self, part: str, sheet_name: str) -> Iterator[list[Any]]:
        """Every row of the sheet from the first, read by calamine piece by piece (an absent
        row is an empty list); the next piece is parsed while the last is read (`_parsed`)."""
        expected = 0
        for parsed in self._parsed(part, sheet_name):
            book, sheet = parsed
            start = sheet.start
            # to_python skips the empty area above and left of the piece (its rows start at
            # `start`); iter_rows would give every row from the sheet's first.
            values = (
                sheet.to_python(skip_empty_area=True) if start is not None and sheet.height else []
            )
            # The piece as parsed is let go before its rows are given: with the next piece
            # parsed meanwhile, two are never held at once.
            del parsed, book, sheet
            if not values:
                continue
            first, left = start
            pad = [""] * left
            for index, cells in enumerate(values, first):
                if index < expected:
                    raise ValueError("rows out of order")  # the scan said they were not
                while expected < index:
                    yield []
                    expected += 1
                yield pad + cells if left else cells
                expected += 1
            del values

    def _parsed(self, part: str, sheet_name: str) -> Iterator[tuple[Any, Any]]:
        """(workbook, sheet) of each piece in order, each parsed by calamine in a thread while
        this one cuts the next piece and the caller turns the last into Python values.

        calamine parses without holding the GIL (measured: a Python thread runs at full speed
        beside it), and parsing is two thirds of reading a large sheet (2.0 of 3.2 s for a
        100,000-row roster): the upload uses the second core itself, in any process, on any
        database. At most one piece is parsed ahead (memory stays flat); a piece's error is
        raised here as it is; leaving early waits for the piece being parsed, no more."""
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bangfu-xlsx-read")
        pending: deque[Future[tuple[Any, Any]]] = deque()
        try:
            for content in self._packages(part):
                pending.append(pool.submit(_parse_piece, content, sheet_name))
                del content
                if len(pending) > _PIECES_AHEAD:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            return_free_memory()  # what the reader thread parsed and freed

    def _packages(self, part: str) -> Iterator[bytes]:
        """Small packages, each holding the workbook with the sheet cut to a piece of rows."""
        import zipfile

        others: dict[str, bytes] = {}
        for info in self.archive.infolist():
            if info.filename == part or info.is_dir():
                continue
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                others[info.filename] = _EMPTY_WORKSHEET  # only this sheet is read
            elif info.filename.startswith("xl/media/"):
                continue
            else:
                others[info.filename] = self.archive.read(info)

        def package(sheet_xml: bytes) -> bytes:
            buffer = BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
                for name, content in others.items():
                    out.writestr(name, content)
                out.writestr(part, sheet_xml)
            return buffer.getvalue()

        pieces = self._pieces(part)
        data = b""
        opened = None
        for piece in pieces:
            data += piece
            opened = _XML_SHEET_DATA.search(data)
            if opened is not None:
                break
        if opened is None:
            raise ValueError("no sheetData")
        root = _XML_WORKSHEET.search(data)
        head = _XML_DIMENSION.sub(b"", data[: opened.end()])
        if opened.group(2):  # <sheetData/>: no rows
            yield package(data)
            return
        prefix = opened.group(1)
        root_prefix = root.group(1) if root else b""
        closing = b"</" + prefix + b"sheetData></" + root_prefix + b"worksheet>"
        end_tag = b"</" + prefix + b"sheetData>"
        row_start = re.compile(b"<" + re.escape(prefix) + rb"row[\s>/]")
        data = data[opened.end() :]
        body: list[bytes] = []
        size = 0
        while True:
            end = data.find(end_tag)
            if end != -1:
                complete, data = data[:end], b""
            else:
                # Whole rows: everything before the last row's start.
                tail = max(0, len(data) - _PIECE_BYTES - 1)
                cut = max((found.start() for found in row_start.finditer(data, tail)), default=0)
                complete, data = data[:cut], data[cut:]
            # Cut the whole rows into pieces of about CHUNK_BYTES, at row starts.
            while complete:
                need = max(CHUNK_BYTES - size, 1)
                found = row_start.search(complete, need) if len(complete) > need else None
                if found is None:
                    body.append(complete)
                    size += len(complete)
                    break
                body.append(complete[: found.start()])
                yield package(head + b"".join(body) + closing)
                body, size = [], 0
                complete = complete[found.start() :]
            if end != -1:
                break
            more = next(pieces, None)
            if more is None:
                raise ValueError("the sheet's XML ends inside its rows")
            data += more
        if body:
            yield package(head + b"".join(body) + closing)


_XML_ATTR_R = re.compile(rb'\br="(\d+)"')


def _no_header(columns: Sequence[Column], max_header_scan: int) -> ValidationError:
    """The refusal when no header row is found in the first `max_header_scan` rows."""
    titles = [column.title for column in columns if column.required] or [
        column.title for column in columns[:3]
    ]
    return ValidationError(
        _("在前 %(rows)d 行中没有找到表头,表头应包含“%(titles)s”等列。")
        % {"rows": max_header_scan, "titles": "”“".join(titles)},
        field="file",
    )


def _table(sheet_name: str, sheet: _SheetRows, header: _Header, columns: Sequence[Column]) -> Table:
    """The table of the sheet's rows below its found `header` (a sheet's or a text file's)."""
    rows, skipped, samples = _data_rows(sheet, header, columns)
    hidden = sheet.hidden() if rows else set()
    return Table(
        sheet_name=sheet_name,
        header_row=header.row_index + 1,
        column_titles=header.titles,
        column_letters={key: column_letter(index) for key, index in header.positions.items()},
        missing_required=[
            column.title
            for column in columns
            if column.required and column.key not in header.positions
        ],
        rows=rows,
        template=list(columns),
        duplicate_columns={
            key: [column_letter(index) for index in indexes]
            for key, indexes in header.duplicates.items()
        },
        ignored_titles=header.ignored,
        dropped_titles=header.dropped,
        headers=[(column_letter(index), title, key) for index, title, key in header.cells],
        samples=samples,
        skipped_rows=skipped,
        hidden_rows=sorted(row.number for row in rows if row.number in hidden) if hidden else [],
    )


def read_table(
    source: Source,
    columns: Sequence[Column],
    *,
    sheet: str | int | None = None,
    max_header_scan: int = 10,
    mapping: Mapping[str, str | None] | None = None,
) -> Table:
    """Read one sheet of an Excel file against a template of columns.

    `mapping` ({header title as written: column key, or None/"" for "do not read"}) overrides
    the matching by titles and aliases for the titles it names (a user's column mapping).

    `sheet` is a sheet name, a 0-based index, or None to pick the sheet (see the module
    docstring). Raise `ValidationError` (field "file") when the content is not an Excel workbook,
    the sheet does not exist, or no header row is found among the first `max_header_scan` rows.
    A found header with required columns missing is not an error here: see `Table.header_errors`.
    """
    with collector_paused():
        return _read_table(source, columns, sheet, max_header_scan, mapping)


def _read_table(
    source: Source,
    columns: Sequence[Column],
    sheet: str | int | None,
    max_header_scan: int,
    mapping: Mapping[str, str | None] | None,
) -> Table:
    if not isinstance(source, bytes | str | os.PathLike):
        if source.seekable():
            source.seek(0)
        source = source.read()  # read once for calamine and for the package's own parts
    book = _open_workbook(source)
    worksheets = [
        meta.name
        for meta in book.sheets_metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    if isinstance(sheet, str):
        if sheet not in worksheets:
            raise ValidationError(
                _("工作簿中没有名为“%(sheet)s”的工作表。") % {"sheet": sheet}, field="file"
            )
        candidates = [sheet]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(worksheets):
            raise ValidationError(
                _("工作簿中只有 %(count)d 个工作表,没有第 %(number)d 个。")
                % {"count": len(worksheets), "number": sheet + 1},
                field="file",
            )
        candidates = [worksheets[sheet]]
    else:
        visible = {
            meta.name
            for meta in book.sheets_metadata
            if meta.visible == python_calamine.SheetVisibleEnum.Visible
        }
        candidates = [name for name in worksheets if name in visible]
        if not candidates:
            raise ValidationError(_("工作簿中没有可读取的工作表。"), field="file")

    package = _XlsxPackage.open(source)
    required = {column.key for column in columns if column.required}
    chosen: tuple[str, _SheetRows, _Header] | None = None
    complete = False
    also_complete: list[str] = []
    for name in candidates:
        rows = _sheet_rows(book, package, name)
        header = _find_header(rows.head(max_header_scan), columns, max_header_scan, mapping)
        if header is None:
            continue
        has_required = required <= header.positions.keys()
        if complete:
            # Another sheet with the whole header and data: the roster may be split over
            # sheets (one per station), and reading only the first would drop the others.
            if has_required and _has_data_row(rows, header):
                also_complete.append(name)
            continue
        if chosen is None or len(header.positions) > len(chosen[2].positions):
            chosen = (name, rows, header)
        if has_required:
            chosen = (name, rows, header)
            complete = True
        del rows
    if chosen is None:
        raise _no_header(columns, max_header_scan)
    name, rows, header = chosen
    del chosen
    table = _table(name, rows, header, columns)
    table.other_sheets = also_complete
    return table


def _sheet_rows(
    book: python_calamine.CalamineWorkbook, package: _XlsxPackage | None, name: str
) -> _SheetRows:
    """The rows of a sheet: a large .xlsx sheet read in pieces, any other read whole."""
    part = package.part(name) if package is not None else None
    if package is not None and part is not None and package.size(part) >= STREAM_MIN_BYTES:
        try:
            scan = package.scan(part)
        except Exception:  # a broken part: calamine's whole read says what it can
            scan = None
        if scan is not None and scan.streamable:
            found = scan.hidden
            rows = _unbroken(package.rows(part, name), name)
            return _SheetRows(rows, scan.merges, lambda: found)
    try:
        # skip_empty_area=False keeps the grid anchored at A1: indexes give rows and letters.
        sheet = book.get_sheet_by_name(name)
        grid = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine reports a broken sheet in several ways
        raise _broken_sheet(name) from error

    def hidden() -> set[int]:
        if package is None or part is None:
            return set()
        try:
            return package.scan(part).hidden
        except Exception:
            return set()

    return _SheetRows(grid, _merges_of(sheet), hidden)


def _broken_sheet(name: str) -> ValidationError:
    return ValidationError(
        _("工作表“%(sheet)s”无法读取,文件可能已损坏。请用 Excel 打开后另存为 .xlsx 再上传。")
        % {"sheet": name},
        field="file",
    )


def _unbroken(rows: Iterator[list[Any]], name: str) -> Iterator[list[Any]]:
    """The rows, a broken piece of the sheet reported as a broken file (not a server error)."""
    try:
        yield from rows
    except Exception as error:
        raise _broken_sheet(name) from error


def _has_data_row(rows: _SheetRows, header: _Header) -> bool:
    positions = list(header.positions.values())
    for _index, cells in rows.rows_from(header.row_index + 1):
        width = len(cells)
        if any(p < width and not is_blank(cells[p]) for p in positions) and (
            _skip_reason(cells) is None
        ):
            return True
    return False


_SHARED_TEXT_MAX = 12
_NONES = (None,) * 16_384  # an Excel sheet's width


def _data_rows(
    sheet: _SheetRows, header: _Header, columns: Sequence[Column], samples_count: int = 3
) -> tuple[list[SourceRow], list[tuple[int, str]], dict[str, list[str]]]:
    """Return the data rows below the header, the rows left out with the reason, and the first
    `samples_count` values of the data rows below each header cell (as shown, by letter).

    One pass over the rows as they are read. Each row keeps only the cells of the template's
    columns (`RowValues` over one short list), not the whole row as read."""
    positions = list(header.positions.values())
    last = max(positions, default=-1)
    index: dict[str, int | None] = {key: i for i, key in enumerate(header.positions)}
    index.update({column.key: None for column in columns if column.key not in header.positions})
    rows: list[SourceRow] = []
    skipped: list[tuple[int, str]] = []
    shared: dict[str, str] = {}
    share = shared.setdefault
    samples: dict[str, list[str]] = {}
    wanted: dict[int, list[str]] = {}
    for position, _title, _key in header.cells:
        samples[column_letter(position)] = wanted[position] = []
    for row_index, cells in sheet.rows_from(header.row_index + 1):
        width = len(cells)
        if not width:
            continue
        # A row that ends early (its last cells empty) is padded, to be read in C.
        padded = cells if width > last else [*cells, *_NONES[: last + 1 - width]]
        # The same words fill a column (下岗, 已婚, a station's name): keep one copy of each.
        kept = [
            share(value, value)
            if value and value.__class__ is str and len(value) <= _SHARED_TEXT_MAX
            else value
            for value in map(padded.__getitem__, positions)
        ]
        for value in kept:
            if value is not None and value != "" and not is_blank(value):
                break
        else:
            continue
        reason = _skip_reason(cells)
        if reason is not None:
            skipped.append((row_index + 1, reason))
            continue
        if wanted:
            try:
                # Cells all text (the common case): only the true ones can be samples — not
                # each column still wanting one, which a column blank in every row always is.
                "".join(cells)
                looked_at = [p for p in compress(range(width), cells) if p in wanted]
            except TypeError:  # a number, date, None or False among them: every column
                looked_at = [p for p in wanted if p < width]
            for position in looked_at:
                value = cells[position]
                if value is None or value == "" or is_blank(value):
                    continue
                values = wanted[position]
                values.append(_shown(value))
                if len(values) == samples_count:
                    del wanted[position]
        rows.append(SourceRow(row_index + 1, RowValues(kept, index)))
    return rows, skipped, samples


# ---------------------------------------------------------------------------------------------
# A read table kept between the phases of an import (`table_frames`, `table_from_frames`)

TABLE_FORMAT = 2
_ROWS_PER_FRAME = 1000
# The only classes a kept frame of rows may name: the cells calamine gives besides text,
# numbers and booleans. Anything else in a frame is refused before it is looked up.
_CELL_CLASSES: dict[tuple[str, str], type] = {
    ("datetime", "date"): date,
    ("datetime", "datetime"): datetime,
    ("datetime", "time"): time,
    ("datetime", "timedelta"): timedelta,
}


class _CellsUnpickler(pickle.Unpickler):
    """Loads rows of cells (lists of str, float, int, bool, None and the classes above), never
    any other object: a class the frame names outside `_CELL_CLASSES` is an error (the
    "restricting globals" of the pickle documentation), so what is loaded is data, not code."""

    def find_class(self, module: str, name: str) -> Any:
        found = _CELL_CLASSES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cell")
        return found


def table_frames(table: Table) -> Iterator[bytes] | None:
    """The table as frames of bytes (its description as JSON, its rows a thousand to a frame,
    the number of rows) for `table_from_frames` to give back equal — or None when it cannot be
    kept so (a row that is not a `RowValues` of the table's own columns).

    An import reads its file at the upload (for the column mapping) and again in each later
    phase: 2 s for a roster of 100,000 rows; these frames are made in 0.1 s and loaded in 0.13 s.
    The rows are pickled, which keeps the words a column repeats as one object each, as the
    read keeps them (JSON made each cell a string of its own: half as much memory again), and
    are loaded by `_CellsUnpickler` only; the caller seals them (`core.crypto`)."""
    rows = table.rows
    index = rows[0].values.index if rows and isinstance(rows[0].values, RowValues) else {}
    for row in rows:
        values = row.values
        if not isinstance(values, RowValues) or values.index is not index or values.has_extra:
            return None

    def frames() -> Iterator[bytes]:
        head: dict[str, Any] = {
            spec.name: getattr(table, spec.name)
            for spec in dataclass_fields(Table)
            if spec.name not in ("rows", "template")
        }
        head["template"] = [[c.key, c.title, list(c.aliases), c.required] for c in table.template]
        head["format"] = TABLE_FORMAT
        head["index"] = index
        yield json.dumps(head, ensure_ascii=False, default=_lazy_text).encode()
        for start in range(0, len(rows), _ROWS_PER_FRAME):
            yield pickle.dumps(
                [
                    (row.number, cast(RowValues, row.values).cells)
                    for row in rows[start : start + _ROWS_PER_FRAME]
                ],
                protocol=5,
            )
        yield json.dumps({"rows": len(rows)}).encode()

    return frames()


def table_from_frames(frames: Iterable[bytes]) -> Table:
    """The table kept by `table_frames`; ValueError when the frames are not all of one."""
    frames = iter(frames)
    head = json.loads(next(frames))
    if not isinstance(head, dict) or head.get("format") != TABLE_FORMAT:
        raise ValueError("not a kept table of this format")
    index: dict[str, int | None] = head["index"]
    rows: list[SourceRow] = []
    end: Any = None
    with collector_paused():  # lists of plain values, no cycles
        for frame in frames:
            if end is not None:
                raise ValueError("frames after the end")
            if frame.startswith(b"{"):
                end = json.loads(frame)
                continue
            try:
                kept = _CellsUnpickler(BytesIO(frame)).load()
            except Exception as error:
                raise ValueError("a frame that is no rows of cells") from error
            rows.extend(SourceRow(number, RowValues(cells, index)) for number, cells in kept)
    if not isinstance(end, dict) or end.get("rows") != len(rows):
        raise ValueError("the kept table is incomplete")
    described = {
        spec.name: head[spec.name]
        for spec in dataclass_fields(Table)
        if spec.name not in ("rows", "template")
    }
    described["headers"] = [tuple(header) for header in described["headers"]]
    described["skipped_rows"] = [tuple(skipped) for skipped in described["skipped_rows"]]
    return Table(
        **described,
        rows=rows,
        template=[
            Column(key, title, tuple(aliases), required)
            for key, title, aliases, required in head["template"]
        ],
    )


def _lazy_text(value: Any) -> str:
    """A translation not yet made (a template title, a reason) as the text it gives."""
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not kept in a table's description")


# ---------------------------------------------------------------------------------------------
# Reading text files (CSV, tab-separated) with the same header scan and row rules


_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_TEXT_DELIMITERS = ("\t", ",", "|", ";")
_KEPT_AS_TEXT = re.compile(r'^="(.*)"$|^=(\d+)$', re.DOTALL)


def is_workbook(content: bytes) -> bool:
    """Return whether the bytes are an Excel/ODS workbook (a zip package or an old .xls)."""
    return content.startswith(_WORKBOOK_MAGIC)


def decode_text(content: bytes) -> str:
    """Decode a text file as banks and Excel save them: UTF-8 (with or without a BOM),
    UTF-16 with a BOM (Excel's "Unicode text"), else GB18030 (which reads GBK and GB2312).
    Raise `ValidationError` (field "file") for anything else."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("文件编码无法识别:请保存为 UTF-8 或 GBK 编码的 CSV,或 Excel 文件。"), field="file"
        ) from error


def _text_delimiter(lines: Sequence[str]) -> str:
    """The separator of a text table: the one found on most of the first lines (a tab wins a
    tie, since amounts like 1,000.00 may stand unquoted in a tab-separated file)."""
    sample = [line for line in lines[:50] if line.strip()]
    best, best_lines = ",", 0
    for delimiter in _TEXT_DELIMITERS:
        count = sum(1 for line in sample if delimiter in line)
        if count > best_lines:
            best, best_lines = delimiter, count
    return best


def _text_cell(value: str) -> str:
    """A CSV cell as the person sees it: ="6222…" and =123 (kept as text for Excel) unwrapped,
    tabs and spaces around it dropped."""
    text = value.strip()
    match = _KEPT_AS_TEXT.match(text)
    if match:
        text = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
    return text


def read_text_grid(content: bytes) -> list[list[Any]]:
    """Read a CSV or tab-separated text into a grid of strings ("" for an empty cell)."""
    import csv
    from io import StringIO

    text = decode_text(content).replace("\x00", "")
    lines = text.splitlines()
    delimiter = _text_delimiter(lines)
    try:
        rows = list(csv.reader(StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ValidationError(
            _("CSV 文件格式有误(%(detail)s),请用 Excel 另存为 .xlsx 后再上传。")
            % {"detail": str(error)[:80]},
            field="file",
        ) from error
    return [[_text_cell(cell) for cell in row] for row in rows]


def read_text_table(
    content: bytes,
    columns: Sequence[Column],
    *,
    max_header_scan: int = 10,
    mapping: Mapping[str, str | None] | None = None,
    sheet_name: str = "CSV",
) -> Table:
    """Read a CSV or tab-separated file against a template of columns, as `read_table` reads a
    sheet: the header found among the first `max_header_scan` lines (an account block or a
    title above it is passed over), every line below it read, totals and signature lines
    ("合计", "打印时间:…") left out and listed in `skipped_rows`. Cells are text (GBK,
    GB18030, UTF-8 with or without BOM, UTF-16; ="…" unwrapped); the converters read them."""
    grid = read_text_grid(content)
    header = _find_header(grid, columns, max_header_scan, mapping)
    if header is None:
        raise _no_header(columns, max_header_scan)
    return _table(sheet_name, _SheetRows(grid, (), set), header, columns)


def read_any_table(
    content: bytes,
    columns: Sequence[Column],
    *,
    max_header_scan: int = 10,
    mapping: Mapping[str, str | None] | None = None,
) -> Table:
    """Read an Excel workbook (`read_table`: .xlsx, .xls, .ods, by content) or a CSV /
    tab-separated text file (`read_text_table`) against a template of columns."""
    if is_workbook(content):
        return read_table(content, columns, max_header_scan=max_header_scan, mapping=mapping)
    return read_text_table(content, columns, max_header_scan=max_header_scan, mapping=mapping)


# ---------------------------------------------------------------------------------------------
# Cell converters


def shown_value(value: Any) -> str:
    """Return a cell as Excel shows it (1.0 → "1", a date as 2026-03-01): for previews."""
    return "" if is_blank(value) else _shown(value)


def _shown(value: Any) -> str:
    """Return a value as a message quotes it."""
    if isinstance(value, float):
        return _excel_general(value)
    return cell_text(value)


def _excel_general(number: float) -> str:
    """Return a number as Excel's General format shows it: 4.30302E+17 for an 18-digit ID."""
    if not math.isfinite(number):
        return str(number)
    if abs(number) >= 1e11:
        mantissa, exponent = f"{number:.5E}".split("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"
    if number.is_integer():
        return str(int(number))
    return repr(number)


def _number_as_text(number: int | float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number) if isinstance(number, float) else str(number)


def cell_text(value: CellValue, *, max_length: int | None = None) -> str:
    """Return the cell as clean text: numbers without a spurious ".0", dates as 2012-04-10,
    true/false as 是/否.

    Raise `CellValueError` when the text is longer than `max_length` characters.
    """
    if value is None:
        return ""
    if value.__class__ is str:  # most cells: past the checks of numbers and dates
        text = clean_text(value)
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, int | float):
        text = _number_as_text(value)
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = clean_text(value)
    if max_length is not None and len(text) > max_length:
        raise CellValueError(
            _("不能超过 %(max)d 个字(现有 %(length)d 个)。")
            % {"max": max_length, "length": len(text)}
        )
    return text


_INT_TEXT = re.compile(r"[+-]?\d+(\.0*)?")


def cell_int(
    value: CellValue, *, min_value: int | None = None, max_value: int | None = None
) -> int | None:
    """Return the cell as a whole number ("３", 3.0 and " 3 " give 3).

    Raise `CellValueError` for text that is not a whole number, a fraction, or a number outside
    `min_value`..`max_value`.
    """
    if is_blank(value):
        return None
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        text = re.sub(r"\s", "", to_halfwidth(value))
        if _INT_TEXT.fullmatch(text):
            number = int(text.split(".")[0])
    if number is None:
        raise CellValueError(_("“%(value)s”不是整数。") % {"value": _shown(value)})
    if min_value is not None and number < min_value:
        raise CellValueError(_("不能小于 %(min)d。") % {"min": min_value})
    if max_value is not None and number > max_value:
        raise CellValueError(_("不能大于 %(max)d。") % {"max": max_value})
    return number


_MONEY_NOISE = re.compile(r"[\s¥￥元]|RMB|CNY", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def cell_decimal(
    value: CellValue | Decimal, *, places: int = 2, allow_negative: bool = False
) -> Decimal | None:
    """Return the cell as a Decimal with `places` decimal places (money by default).

    Accept "1,234.50", "¥1234.5", "1234.5元" and full-width digits. Excel numbers (floats) are
    taken by their shortest repr and rounded half-up, so 612.4999999999 stays 612.50 and 0.1 is
    0.10, not 0.1000000000000000055. Raise `CellValueError` for text that is not an amount, text
    with more than `places` decimals (a person typed it: nothing is rounded silently), commas
    that are not thousands separators ("1,5"), and negative amounts unless `allow_negative`.
    """
    if is_blank(value):
        return None
    quantum = Decimal(1).scaleb(-places)
    amount: Decimal | None = None
    if isinstance(value, bool):
        amount = None
    elif isinstance(value, int):
        amount = Decimal(value).quantize(quantum)
    elif isinstance(value, float):
        if math.isfinite(value):
            amount = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    elif isinstance(value, Decimal):
        amount = value.quantize(quantum, rounding=ROUND_HALF_UP)
    elif isinstance(value, str):
        text = _MONEY_NOISE.sub("", to_halfwidth(value))
        if _PLAIN_NUMBER.fullmatch(text) or _GROUPED_NUMBER.fullmatch(text):
            try:
                amount = Decimal(text.replace(",", ""))
            except InvalidOperation:
                amount = None
            if amount is not None:
                exponent = amount.as_tuple().exponent
                if isinstance(exponent, int) and exponent < -places:
                    raise CellValueError(
                        _("“%(value)s”的小数超过 %(places)d 位。")
                        % {"value": clean_text(value), "places": places}
                    )
                amount = amount.quantize(quantum)
    if amount is None:
        raise CellValueError(
            _("“%(value)s”不是有效的金额(例如 1234.50)。") % {"value": _shown(value)}
        )
    if amount < 0 and not allow_negative:
        raise CellValueError(_("金额不能为负数。"))
    return amount


# Excel's 1900 date system counts 1900-01-01 as day 1 and, copying Lotus 1-2-3, also has a day
# 60 for 1900-02-29, which did not exist; from day 61 on, serial n is 1899-12-30 + n days.
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
DEFAULT_EARLIEST = date(1900, 1, 1)
DEFAULT_LATEST = date(2099, 12, 31)


def excel_serial_to_date(serial: float) -> date | None:
    """Return the date of an Excel serial number (1900 date system), or None when there is
    none: below 1, the fictitious 1900-02-29 (60), or past 9999-12-31. A time fraction is
    dropped."""
    day = math.floor(serial)
    if day < 1 or day == 60 or day > 2958465:
        return None
    if day < 60:
        return date(1899, 12, 31) + timedelta(days=day)
    return _EXCEL_EPOCH + timedelta(days=day)


def _calendar_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellValueError(
            _("日期“%(value)s”不存在,请检查年、月、日。") % {"value": text}
        ) from None


def cell_date(
    value: CellValue, *, earliest: date = DEFAULT_EARLIEST, latest: date = DEFAULT_LATEST
) -> date | None:
    """Return the cell as a date.

    Accept date and datetime cells, Excel serial numbers (whole numbers like 20120410 are read as
    yyyymmdd), and text "2012-04-10", "2012/4/10", "2012.4.10", "2012年4月10日", "20120410", with
    full-width digits and an optional time after the date. Raise `CellValueError` for other
    text, dates that do not exist ("2012.2.30"), numbers that are no plausible date, and dates
    outside `earliest`..`latest`.
    """
    if is_blank(value):
        return None
    result: date | None = None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            result = None
        elif float(value).is_integer() and _COMPACT_DATE.fullmatch(str(int(value))):
            text = str(int(value))
            result = _calendar_date(text, int(text[:4]), int(text[4:6]), int(text[6:]))
        else:
            result = excel_serial_to_date(value)
            if result is not None and not earliest <= result <= latest:
                result = None
        if result is None:
            raise CellValueError(
                _("数字 %(value)s 不是有效的日期。请按“2012-04-10”的格式填写。")
                % {"value": _shown(value)}
            )
    elif isinstance(value, str):
        text = clean_text(value)
        digits = to_halfwidth(text)
        match = _DATE_TEXT.fullmatch(digits) or _COMPACT_DATE.fullmatch(digits)
        if match:
            result = _calendar_date(text, int(match["y"]), int(match["m"]), int(match["d"]))
    if result is None:
        raise CellValueError(
            _("“%(value)s”不是有效的日期。请按“2012-04-10”的格式填写。") % {"value": _shown(value)}
        )
    if not earliest <= result <= latest:
        raise CellValueError(
            _("日期 %(value)s 不在 %(earliest)s 至 %(latest)s 之间。")
            % {
                "value": result.isoformat(),
                "earliest": earliest.isoformat(),
                "latest": latest.isoformat(),
            }
        )
    return result


_TRUE_TEXTS = frozenset({"是", "y", "yes", "√", "✓", "✔", "1", "true", "对"})
_FALSE_TEXTS = frozenset({"否", "n", "no", "×", "✗", "✘", "0", "false", "不是"})


def cell_bool(value: CellValue) -> bool | None:
    """Return the cell as yes or no: 是/否, Y/N, yes/no, √/×, 1/0, true/false (any case).

    Raise `CellValueError` for anything else.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = clean_text(value).lower()
        if text in _TRUE_TEXTS:
            return True
        if text in _FALSE_TEXTS:
            return False
    raise CellValueError(_("“%(value)s”无法识别,请填“是”或“否”。") % {"value": _shown(value)})


@lru_cache(maxsize=4096)
def _choice_key(text: str) -> str:
    return "".join(clean_text(text).split()).lower()


_NO_CHOICE = object()
# (choices, aliases) by their ids → (choices, aliases, {compared label: code}); the mappings are
# held, so an id is not reused while its entry lives. Matching every label in turn was a tenth
# of converting a roster.
_CHOICE_INDEXES: dict[tuple[int, int], tuple[Mapping[str, Any], Any, dict[str, Any]]] = {}


def _choice_index(choices: Mapping[str, Any], aliases: Mapping[str, Any] | None) -> dict[str, Any]:
    cached = _CHOICE_INDEXES.get((id(choices), id(aliases)))
    if cached is not None and cached[0] is choices and cached[1] is aliases:
        return cached[2]
    index: dict[str, Any] = {}
    for mapping in (choices, aliases or {}):
        for label, code in mapping.items():
            index.setdefault(_choice_key(label), code)  # the first match wins, as before
    if len(_CHOICE_INDEXES) > 1024:
        _CHOICE_INDEXES.clear()
    _CHOICE_INDEXES[(id(choices), id(aliases))] = (choices, aliases, index)
    return index


def cell_choice(
    value: CellValue,
    choices: Mapping[str, T],
    aliases: Mapping[str, T] | None = None,
) -> T | None:
    """Return the code of the label in the cell; `choices` maps each label to its code, and
    `aliases` maps other accepted spellings to a code.

    Matching ignores spaces, case and full-width forms. Raise `CellValueError` listing the
    labels of `choices` when nothing matches.
    """
    if is_blank(value):
        return None
    key = _choice_key(cell_text(value))
    found = _choice_index(choices, aliases).get(key, _NO_CHOICE)
    if found is not _NO_CHOICE:
        return cast("T", found)
    raise CellValueError(
        _("“%(value)s”不是可选的值,可选:%(labels)s。")
        % {"value": _shown(value), "labels": "、".join(choices)}
    )


_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?[eE][+-]?\d+")
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number


def cell_id_text(value: CellValue, *, label: str | Promise | None = None) -> str | None:
    """Return a long number kept as text (ID, bank card) cleaned: half-width, no spaces, no
    leading apostrophe. The caller validates the number itself (`bangfu.core.idnumber`).

    Raise `CellValueError` when Excel stored it as a number of more than 15 digits, or as text
    in scientific notation ("4.30302E+17"): the last digits are lost and cannot be recovered.
    A whole number of at most 15 digits (an old 15-digit ID) is exact in Excel and is accepted.
    `label` names the value in the message ("身份证号" by default; a lazy translation is
    translated only then).
    """
    # Digits (and letters) only, the common case: nothing to clean; still refused when written
    # in scientific notation.
    if (
        type(value) is str
        and value.isascii()
        and value.isalnum()
        and not _SCIENTIFIC.fullmatch(value)
    ):
        return value
    if is_blank(value):
        return None
    lost: str | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        whole = isinstance(value, int) or (math.isfinite(value) and value.is_integer())
        if whole and len(str(abs(int(value)))) <= _EXCEL_DIGITS:
            return str(int(value))
        lost = _excel_general(float(value))
    else:
        text = "".join(cell_text(value).split()).lstrip("'`")
        if not _SCIENTIFIC.fullmatch(text):
            return text
        lost = text
    raise CellValueError(
        _(
            "%(label)s被 Excel 存成了数字,末几位已丢失(显示为 %(shown)s)。"
            "请将该列设为“文本”格式后重新录入。"
        )
        % {"label": label or _("身份证号"), "shown": lost}
    )


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class SheetSpec:
    """One sheet to write: `rows` may be any iterable (a generator streams a large export)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    text_columns: Collection[str] = frozenset()  # header titles of columns kept as text
    title_line: str | None = None


_WIDTH_SAMPLE_ROWS = 200
_MIN_WIDTH, _MAX_WIDTH = 6, 50
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_MONEY_FORMAT = "0.00"
_TEXT_FORMAT = "@"


def display_width(value: object) -> int:
    """The width of a value in Excel character units (CJK characters count two)."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def sheet_title(title: str, used: set[str]) -> str:
    """A sheet title Excel accepts (31 characters, no []:*?/\\), unique among `used` (added)."""
    base = _SHEET_TITLE_FORBIDDEN.sub("_", title).strip("'")[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f"({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


def _cell(ws: WriteOnlyWorksheet, value: Any, as_text: bool) -> Any:
    """Return what to append for one value: the value itself, or a styled write-only cell."""
    if value is None:
        return None
    if as_text:
        text = cell_text(value) if not isinstance(value, str) else value
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", text))
        cell.data_type = "s"
        cell.number_format = _TEXT_FORMAT
        return cell
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if text.startswith("="):
            cell = WriteOnlyCell(ws, value=text)
            cell.data_type = "s"  # text that looks like a formula stays text
            return cell
        return text
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = _DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = _DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = _MONEY_FORMAT
        return cell
    return value


def _write_sheet(workbook: Workbook, spec: SheetSpec, used_titles: set[str]) -> None:
    ws = workbook.create_sheet(sheet_title(spec.title, used_titles))
    headers = list(spec.headers)
    text_indexes = {index for index, title in enumerate(headers) if title in spec.text_columns}
    rows = iter(spec.rows)
    sample = list(islice(rows, _WIDTH_SAMPLE_ROWS))

    for index, title in enumerate(headers):
        width = max(
            [display_width(title)]
            + [display_width(row[index]) for row in sample if index < len(row)]
        )
        dimension = ws.column_dimensions[column_letter(index)]
        dimension.width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
        if index in text_indexes:
            dimension.number_format = _TEXT_FORMAT  # also for cells typed into the file later

    # Write-only sheets write their views with the first row: freeze before appending.
    header_row = 2 if spec.title_line else 1
    ws.freeze_panes = f"A{header_row + 1}"
    if spec.title_line:
        title = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", spec.title_line))
        title.font = _TITLE_FONT
        title.alignment = _CENTER
        ws.append([title])
        if len(headers) > 1:
            ws.merged_cells.add(f"A1:{column_letter(len(headers) - 1)}1")

    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        header_cells.append(cell)
    ws.append(header_cells)

    for row in chain(sample, rows):
        ws.append([_cell(ws, value, index in text_indexes) for index, value in enumerate(row)])


def write_workbook_to(target: Any, sheets: Sequence[SheetSpec]) -> None:
    """Write an .xlsx file with one sheet per spec to `target` (a path or a binary file).

    The workbook is write-only: rows go to disk as they come, so a generator of rows is never
    held whole in memory (a large export).
    """
    if not sheets:
        raise ValueError("write_workbook needs at least one sheet")
    workbook = Workbook(write_only=True)
    used_titles: set[str] = set()
    for spec in sheets:
        _write_sheet(workbook, spec, used_titles)
    workbook.save(target)


def write_workbook(sheets: Sequence[SheetSpec]) -> bytes:
    """Return an .xlsx file with one sheet per spec (see the module docstring for the format)."""
    buffer = BytesIO()
    write_workbook_to(buffer, sheets)
    return buffer.getvalue()


def errors_workbook(errors: Iterable[CellError], *, source_name: str) -> bytes:
    """Return the downloadable error sheet of a refused import: one row per problem, by row."""
    ordered = sort_errors(errors)
    title_line = _(
        "“%(name)s”中有 %(count)d 处错误,没有导入任何数据。请改正后重新导入整个文件。"
    ) % {"name": source_name, "count": len(ordered)}
    return write_workbook(
        [
            SheetSpec(
                title=_("错误"),
                headers=[_("工作表"), _("行号"), _("列"), _("错误说明")],
                rows=((e.sheet, e.row, e.column, e.message) for e in ordered),
                title_line=title_line,
            )
        ]
    )
