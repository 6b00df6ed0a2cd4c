"""`mapping.unmatched_values`: a read table's choice columns counted at once give what counting
row by row gives."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook

from bangfu.core.xlsx import Column, RowValues, SourceRow, read_table
from bangfu.kits.imports.mapping import unmatched_values

COLUMNS = [Column("name", "姓名"), Column("health", "健康状况"), Column("marital", "婚姻状况")]


class _Importer:
    def choice_columns(self) -> dict[str, list[str]]:
        return {"health": ["健康", "患病"], "marital": ["已婚", "未婚"]}

    def value_matches(self, key: str, value: object) -> bool:
        return value in self.choice_columns()[key]


def _table():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "健康状况", "婚姻状况"])
    rows = [
        ["张三", "身体好", "已婚"],
        ["李四", "健康", " 身体 好 "],
        ["王五", None, "离异"],
        ["赵六", "身体好", 1],
        ["钱七", "   ", 1.5],
        ["孙八", "有病", True],
        ["周九", "身体好", date(2026, 3, 1)],
        ["吴十", "13812345678", "离异"],
        ["郑一", "身体好", True],
    ]
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return read_table(out.getvalue(), COLUMNS)


def _found(table):
    found = unmatched_values(_Importer(), table)  # type: ignore[arg-type]  # the two methods used
    return [(v.key, v.value, v.compared, v.rows) for v in found]


def test_counted_at_once_as_row_by_row():
    table = _table()
    assert all(row.values.__class__ is RowValues for row in table.rows)
    fast = _found(table)

    # The same rows made by hand (dicts): counted row by row.
    by_hand = _table()
    by_hand.rows = [SourceRow(row.number, dict(row.values)) for row in by_hand.rows]
    assert _found(by_hand) == fast

    assert ("health", "身体好", "身体好", 4) in fast
    assert ("health", "有病", "有病", 1) in fast
    assert not any(v[1] == "13812345678" for v in fast)  # a phone number is no choice word
    assert ("marital", "离异", "离异", 2) in fast
    assert ("marital", "1.0", "1.0", 3) in fast  # 1 and TRUE, as calamine reads them


def test_equal_values_of_other_types_are_not_counted_together():
    # given: cells that are equal in Python but read differently (1, 1.0, True)
    table = _table()
    for row, value in zip(table.rows, [1, 1.0, True, True, 1, "已婚", 0, False, 0.0], strict=True):
        row.values["marital"] = value
    fast = _found(table)
    by_hand = _table()
    by_hand.rows = [SourceRow(row.number, dict(row.values)) for row in table.rows]

    # then
    assert _found(by_hand) == fast
    marital = {v[2]: v[3] for v in fast if v[0] == "marital"}
    assert marital == {"1": 5, "0": 3}
