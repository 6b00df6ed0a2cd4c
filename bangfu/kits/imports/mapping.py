"""Column and value mapping (issue 11 "Real rosters" #1, #2): reading an outside sheet whose
headers and words are not the template's.

* Columns: every header cell of the sheet is shown beside the field its title (or an alias)
  matched; the user maps, skips or corrects each; headers that match no field are listed,
  never dropped in silence. The mapping is `{title as written: field key, or "" to skip}`.
* Values: an importer declares its choice columns (`Importer.choice_columns`); every distinct
  cell that its converter does not take is listed once with the number of rows using it, and
  the user picks the national choice once: `{field key: {cell as compared: choice label}}`.
  Cells are compared after trimming, full-width folding and case (`value_key`); the
  importer's own converter has already tried its synonyms.
* Both are saved per centre (the uploader's unit), kind and header layout (`ColumnMapping`)
  and offered on the next upload of a sheet with the same headers.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from bangfu.core.masking import mask_numbers_in_text
from bangfu.core.text import clean_text, to_halfwidth
from bangfu.core.xlsx import RowValues, Table, is_blank

from .models import ColumnMapping
from .registry import Importer


@dataclass
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # title → key ("" = not read)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # key → {cell: label}

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Mapping:
        data = data or {}
        return cls(dict(data.get("columns") or {}), dict(data.get("values") or {}))

    def as_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "values": self.values}

    def __bool__(self) -> bool:
        return bool(self.columns or self.values)


@dataclass
class UnmatchedValue:
    key: str  # field key
    column: str  # the column's title as in the file
    value: str  # the cell as shown
    compared: str  # `value_key(value)`
    rows: int  # rows using it
    choices: list[str]  # the labels to choose from


def value_key(value: object) -> str:
    """The form in which cells are compared: trimmed, half-width, no spaces, lower case."""
    return "".join(to_halfwidth(clean_text(value)).split()).lower()


def headers_key(table: Table) -> str:
    """A digest of the sheet's header titles in order (a layout seen before has the same)."""
    titles = "\x1f".join(value_key(title) for _letter, title, _key in table.headers)
    return hashlib.sha256(titles.encode()).hexdigest()


def read(importer: Importer, content: bytes, mapping: Mapping) -> Table:
    """Read the file with the user's column mapping, then apply the value mapping to the rows."""
    table = importer.read(content, mapping.columns or None)
    apply_values(table, mapping)
    return table


def apply_values(table: Table, mapping: Mapping) -> None:
    for key, chosen in mapping.values.items():
        if not chosen or key not in table.column_titles:
            continue
        for row in table.rows:
            value = row.values.get(key)
            if not is_blank(value):
                label = chosen.get(value_key(value))
                if label:
                    row.values[key] = label


def unmatched_values(importer: Importer, table: Table) -> list[UnmatchedValue]:
    """Every distinct cell of the importer's choice columns that it cannot take, once, with the
    number of rows using it (in the order of the columns, then of first appearance)."""
    found: list[UnmatchedValue] = []
    choices = importer.choice_columns()
    at_once = _cell_lists(table)
    for key, labels in choices.items():
        if key not in table.column_titles:
            continue
        counts: Counter[str] = Counter()
        shown: dict[str, str] = {}
        verdict: dict[str, bool] = {}
        for value, rows in _column_counts(table, key, at_once).items():
            if value is None or is_blank(value):
                continue
            compared = value_key(value)
            if not compared:
                continue
            if compared not in verdict:
                verdict[compared] = importer.value_matches(key, value)
                shown[compared] = clean_text(value)
            if not verdict[compared]:
                counts[compared] += rows
        # A cell holding what looks like an ID, mobile or card number is no word for a choice
        # (a value in the wrong column): the check reports it, masked; it is never listed here.
        for compared in [c for c in counts if mask_numbers_in_text(shown[c]) != shown[c]]:
            del counts[compared]
        for compared, rows in counts.items():
            found.append(
                UnmatchedValue(
                    key, table.column_label(key), shown[compared], compared, rows, list(labels)
                )
            )
    return found


_NUMBERS = frozenset({bool, int, float})
# (the column positions, the row width, each row's cells)
_CellLists = tuple[AnyMapping[str, int | None], int, list[list[Any]]]


def _cell_lists(table: Table) -> _CellLists | None:
    """(the column positions, the row width, each row's cells) when every row is read through
    the same positions with as many cells (`read_table`'s rows): a column is then counted in C
    over the cell lists. None otherwise (rows made by hand): counted row by row."""
    first = table.rows[0].values if table.rows else None
    if not isinstance(first, RowValues):
        return None
    index, width = first.index, len(first.cells)
    lists = []
    for row in table.rows:
        values = row.values
        if type(values) is not RowValues or values.index is not index:
            return None
        cells = values.cells
        if len(cells) != width:
            return None
        lists.append(cells)
    return index, width, lists


def _column_counts(table: Table, key: str, at_once: _CellLists | None) -> Counter[Any]:
    """How many rows hold each value of column `key`, as `row.values.get(key)` reads it (an
    empty cell as None), in the order of first appearance. 18 choice columns of 100,000 rows
    read cell by cell were a sixth of the upload's mapping review."""
    if at_once is not None:
        index, width, lists = at_once
        position = index.get(key)
        # A cell within the row's cells is the cell (a value set for the column is written
        # into it): read all of them in C.
        if position is not None and position < width:
            counts = Counter(map(itemgetter(position), lists))
            # Equal numbers of other types share a key (1, 1.0 and True), though they read
            # differently: such a column is counted row by row.
            if not any(value.__class__ in _NUMBERS for value in counts):
                if "" in counts:  # calamine's empty cell
                    counts[None] += counts.pop("")
                return counts
    return Counter(row.values.get(key) for row in table.rows)


def saved(*, unit_id: int | None, kind: str, key: str) -> ColumnMapping | None:
    if unit_id is None:
        return None
    return ColumnMapping.objects.filter(unit_id=unit_id, kind=kind, headers_key=key).first()


def save(
    *, user: Any, unit_id: int | None, kind: str, table: Table, mapping: Mapping
) -> ColumnMapping | None:
    """Keep the mapping for the next sheet with these headers (per centre and kind)."""
    if unit_id is None:
        return None
    record, _created = ColumnMapping.objects.update_or_create(
        unit_id=unit_id,
        kind=kind,
        headers_key=headers_key(table),
        defaults={
            "headers": [title for _letter, title, _key in table.headers],
            "columns": mapping.columns,
            "values": mapping.values,
            "updated_by": user,
        },
    )
    return record


def needs_review(importer: Importer, table: Table) -> bool:
    """Whether the user must look at the mapping before the check: a header that matches no
    field, a required field not found, or a choice the importer cannot take."""
    return bool(table.ignored_titles or table.missing_required or unmatched_values(importer, table))
