"""Time the Excel toolkit on a large roster: read, convert every cell, write it back.

Run: `.venv/bin/python bench/xlsx_read.py [rows]` (default 100,000 rows of 17 columns). The file
is generated with openpyxl in write-only mode in a temporary folder and removed afterwards.
Prints seconds and rows per second for each step, and the peak memory of the process.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from openpyxl import Workbook  # noqa: E402

from bangfu.core.xlsx import (  # noqa: E402
    Column,
    ErrorCollector,
    SheetSpec,
    cell_bool,
    cell_choice,
    cell_date,
    cell_decimal,
    cell_id_text,
    cell_int,
    cell_text,
    read_table,
    write_workbook,
)

COLUMNS = [
    Column("seq", "序号"),
    Column("household", "户编号", required=True),
    Column("name", "姓名", required=True),
    Column("id_number", "身份证号", required=True),
    Column("sex", "性别"),
    Column("birth_date", "出生日期"),
    Column("relation", "与户主关系"),
    Column("phone", "联系电话"),
    Column("unit", "工作单位"),
    Column("station", "所属站点"),
    Column("category", "困难类别"),
    Column("cause", "主要致困原因"),
    Column("income", "月收入"),
    Column("members", "家庭人口"),
    Column("dibao", "是否低保"),
    Column("filed_on", "建档日期"),
    Column("note", "备注"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华红玉建国志文"
CATEGORIES = {"深度困难": "deep", "相对困难": "relative", "意外致困": "accident"}
RELATIONS = {"户主": "head", "配偶": "spouse", "子女": "child", "父母": "parent", "其他": "other"}


def generate(path: Path, rows: int) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(["响水乡困难职工花名册"])
    sheet.append([])
    sheet.append([column.title for column in COLUMNS])
    rng = random.Random(42)
    for number in range(1, rows + 1):
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(25000))
        sheet.append(
            [
                number,
                f"XS{number // 3:06d}",
                rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                f"430302{birth:%Y%m%d}{rng.randrange(10000):04d}",
                rng.choice(("男", "女")),
                birth if number % 2 else f"{birth.year}.{birth.month}.{birth.day}",
                rng.choice(list(RELATIONS)),
                f"13{rng.randrange(10**9):09d}",
                "湘潭电机厂",
                f"响水乡第{rng.randrange(1, 9)}工作站",
                rng.choice(list(CATEGORIES)),
                "因病",
                round(rng.uniform(0, 3000), 2),
                rng.randrange(1, 7),
                rng.choice(("是", "否")),
                date(2012, 4, 10) + timedelta(days=rng.randrange(4000)),
                "",
            ]
        )
        if number % 1000 == 0:
            sheet.append([])  # blank rows in between, as in real files
    workbook.save(path)


def timed(label: str, rows: int, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label:<28} {seconds:7.2f} s  {rows / seconds:10,.0f} rows/s")
    return result


def convert_all(table: Any) -> ErrorCollector:
    errors = ErrorCollector.for_table(table)
    category = partial(cell_choice, choices=CATEGORIES)
    relation = partial(cell_choice, choices=RELATIONS)
    for row in table.rows:
        errors.convert(row, "household", cell_text, required=True)
        errors.convert(row, "name", cell_text, required=True)
        errors.convert(row, "id_number", cell_id_text, required=True)
        errors.convert(row, "sex", cell_text)
        errors.convert(row, "birth_date", cell_date)
        errors.convert(row, "relation", relation)
        errors.convert(row, "phone", cell_id_text)
        errors.convert(row, "unit", cell_text)
        errors.convert(row, "station", cell_text)
        errors.convert(row, "category", category)
        errors.convert(row, "cause", cell_text)
        errors.convert(row, "income", cell_decimal)
        errors.convert(row, "members", cell_int)
        errors.convert(row, "dibao", cell_bool)
        errors.convert(row, "filed_on", cell_date)
        errors.convert(row, "note", cell_text)
    return errors


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.xlsx"
        timed("generate (openpyxl)", rows, lambda: generate(path, rows))
        print(f"file: {path.stat().st_size / 1e6:.1f} MB, {rows:,} rows x {len(COLUMNS)} columns")
        table = timed("read_table", rows, lambda: read_table(path, COLUMNS))
        assert len(table.rows) == rows, len(table.rows)
        errors = timed("convert 16 cells per row", rows, lambda: convert_all(table))
        assert not errors, errors.errors[:5]

        def export() -> bytes:
            values: Iterator[list[Any]] = (
                [row.values[column.key] for column in COLUMNS] for row in table.rows
            )
            spec = SheetSpec(
                title="花名册",
                headers=[column.title for column in COLUMNS],
                rows=values,
                text_columns={"身份证号", "联系电话"},
                title_line="响水乡困难职工花名册",
            )
            return write_workbook([spec])

        timed("write_workbook", rows, export)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
