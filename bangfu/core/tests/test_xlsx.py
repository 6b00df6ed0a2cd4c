"""Excel toolkit: reading real-world rosters, cell converters, error collection and writing.

The files are made here with openpyxl, cell by cell as people leave them. The two files in
`data/` were written by LibreOffice Calc 7 (an .xls and an .xlsx converted from an openpyxl
roster with `soffice --headless --convert-to xls` and back to xlsx), so the reader is also
tested on files another program wrote, with a formula's cached value.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import python_calamine

from bangfu.core.errors import ValidationError
from bangfu.core.xlsx import (
    CellError,
    CellValueError,
    Column,
    ErrorCollector,
    RowValues,
    SheetSpec,
    cell_bool,
    cell_choice,
    cell_date,
    cell_decimal,
    cell_id_text,
    cell_int,
    cell_text,
    errors_workbook,
    excel_serial_to_date,
    is_blank,
    read_table,
    write_workbook,
)

DATA = Path(__file__).parent / "data"

ROSTER = [
    Column("seq", "序号"),
    Column("name", "姓名", required=True),
    Column("id_number", "身份证号", aliases=("公民身份号码",), required=True),
    Column("birth_date", "出生日期"),
    Column("income", "月收入"),
    Column("on_dibao", "是否低保"),
]

ID_LOST = (
    "身份证号被 Excel 存成了数字,末几位已丢失(显示为 4.30302E+17)。"
    "请将该列设为“文本”格式后重新录入。"
)
NOT_EXCEL = "文件不是有效的 Excel 工作簿,请上传 .xlsx 或 .xls 文件。"


def make_xlsx(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    """Return an .xlsx file with the given sheets, each a title and rows written from A1."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_grid(content: bytes, sheet: int = 0) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(sheet).to_python()


def convert(converter, value):
    """Return the converted value, or the message of the CellValueError raised."""
    try:
        return converter(value)
    except CellValueError as error:
        return error.message


# --- reading ---------------------------------------------------------------------------------


def test_read_table_skips_title_and_blank_rows_above_the_header_and_blank_rows_between():
    # given a roster as people make it: a title row, a blank row, a decorated header, gaps
    content = make_xlsx(
        (
            "花名册",
            [
                ["响水乡困难职工花名册"],
                [],
                ["序号", " 姓 名 ", "身份证号码(18位)*", "出生日期", "月收入(元)"],
                [1, "张三", "430302198001011234", date(1980, 1, 1), 1234.5],
                [],
                [None, "  ", None, None, None],
                [2, "李四", "43030219800101123X", "1980.1.1", "1,234.50"],
                [],
                [],
                [None, "王五", None, datetime(1981, 2, 3, 8, 30), None],
            ],
        )
    )

    # when
    table = read_table(content, ROSTER)

    # then
    assert (table.sheet_name, table.header_row) == ("花名册", 3)
    assert table.column_titles == {
        "seq": "序号",
        "name": "姓 名",
        "id_number": "身份证号码(18位)*",
        "birth_date": "出生日期",
        "income": "月收入(元)",
    }
    assert table.column_letters == {
        "seq": "A",
        "name": "B",
        "id_number": "C",
        "birth_date": "D",
        "income": "E",
    }
    assert table.missing_required == []
    assert table.header_errors() == []
    assert [(row.number, row.values) for row in table.rows] == [
        (
            4,
            {
                "seq": 1.0,
                "name": "张三",
                "id_number": "430302198001011234",
                "birth_date": date(1980, 1, 1),
                "income": 1234.5,
                "on_dibao": None,
            },
        ),
        (
            7,
            {
                "seq": 2.0,
                "name": "李四",
                "id_number": "43030219800101123X",
                "birth_date": "1980.1.1",
                "income": "1,234.50",
                "on_dibao": None,
            },
        ),
        (
            10,
            {
                "seq": None,
                "name": "王五",
                "id_number": None,
                "birth_date": datetime(1981, 2, 3, 8, 30),
                "income": None,
                "on_dibao": None,
            },
        ),
    ]


def test_read_table_keeps_excel_row_numbers_and_letters_when_the_sheet_starts_further_in():
    # given a table that starts at C3 (calamine would otherwise trim the empty area)
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet["C3"], worksheet["D3"] = "姓名", "公民身份号码"
    worksheet["C4"], worksheet["D4"] = "张三", "430302198001011234"
    buffer = io.BytesIO()
    workbook.save(buffer)

    # when
    table = read_table(buffer.getvalue(), ROSTER)

    # then
    assert (table.header_row, table.column_letters) == (3, {"name": "C", "id_number": "D"})
    assert [(row.number, row.values["id_number"]) for row in table.rows] == [
        (4, "430302198001011234")
    ]
    assert table.column_label("id_number") == "公民身份号码"
    assert table.column_label("income") == "月收入"


def test_header_matching_ignores_width_spaces_stars_brackets_and_aliases():
    # given headers written in several ways
    content = make_xlsx(
        (
            "Sheet1",
            [
                ["＊姓　名（必填）", "公民身份号码:", "出生日期【yyyy-mm-dd】", "备注"],
                ["张三", "1", None],
            ],
        )
    )

    # when
    table = read_table(content, ROSTER)

    # then the unknown 备注 column is reported as ignored
    assert table.column_titles == {
        "name": "*姓 名(必填)",
        "id_number": "公民身份号码:",
        "birth_date": "出生日期【yyyy-mm-dd】",
    }
    assert table.ignored_titles == ["备注"]


def test_a_required_column_missing_is_a_header_error_and_not_repeated_on_every_row():
    # given a roster without an ID column
    content = make_xlsx(("花名册", [["花名册"], ["姓名", "出生日期"], ["张三", None], [None, 1]]))

    # when
    table = read_table(content, ROSTER)
    errors = ErrorCollector.for_table(table)
    for row in table.rows:
        errors.convert(row, "id_number", cell_id_text, required=True)
        errors.convert(row, "name", cell_text, required=True)

    # then
    assert table.missing_required == ["身份证号"]
    assert errors.errors == [
        CellError("花名册", 2, "身份证号", "缺少必填列“身份证号”。"),
        CellError("花名册", 4, "姓名", "必填项,不能为空。"),
    ]


def test_a_column_given_twice_is_a_header_error():
    content = make_xlsx(("Sheet1", [["姓名", "身份证号", "身份证号码"], ["张三", "1", "2"]]))

    table = read_table(content, ROSTER)

    assert table.rows[0].values["id_number"] == "1"
    assert table.header_errors() == [
        CellError("Sheet1", 1, "身份证号", "“身份证号”列出现了不止一次(第 B、C 列),请只保留一列。")
    ]


def test_no_header_in_the_first_rows_is_refused():
    content = make_xlsx(("Sheet1", [["响水乡困难职工花名册"], ["甲", "乙"], ["1", "2"]]))

    with pytest.raises(ValidationError) as raised:
        read_table(content, ROSTER)

    assert raised.value.errors == {
        "file": "在前 10 行中没有找到表头,表头应包含“姓名”“身份证号”等列。"
    }


def test_the_header_must_be_within_max_header_scan_rows():
    content = make_xlsx(("Sheet1", [[], [], [], ["姓名", "身份证号"], ["张三", "1"]]))

    assert read_table(content, ROSTER, max_header_scan=4).header_row == 4
    with pytest.raises(ValidationError):
        read_table(content, ROSTER, max_header_scan=3)


def test_without_a_sheet_named_the_first_sheet_with_the_required_columns_is_read():
    # given an instructions sheet in front of the roster
    content = make_xlsx(
        ("填表说明", [["填表说明"], ["姓名:填写户主姓名"]]),
        ("花名册", [["姓名", "身份证号"], ["张三", "430302198001011234"]]),
    )

    assert read_table(content, ROSTER).sheet_name == "花名册"
    assert read_table(content, ROSTER, sheet=1).sheet_name == "花名册"
    assert read_table(content, ROSTER, sheet="花名册").rows[0].values["name"] == "张三"


def test_a_sheet_that_does_not_exist_is_refused():
    content = make_xlsx(("花名册", [["姓名", "身份证号"]]))

    with pytest.raises(ValidationError) as by_name:
        read_table(content, ROSTER, sheet="成员")
    with pytest.raises(ValidationError) as by_index:
        read_table(content, ROSTER, sheet=1)

    assert by_name.value.message == "工作簿中没有名为“成员”的工作表。"
    assert by_index.value.message == "工作簿中只有 1 个工作表,没有第 2 个。"


@pytest.mark.parametrize(
    "content",
    [
        "姓名,身份证号\n张三,430302198001011234\n".encode(),
        "姓名,身份证号\n张三,430302198001011234\n".encode("gb18030"),
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"PK\x03\x04" + b"\x00" * 100,
        b"",
    ],
    ids=["csv-utf8", "csv-gbk", "png", "broken-zip", "empty"],
)
def test_content_that_is_not_an_excel_workbook_is_refused(content):
    with pytest.raises(ValidationError) as raised:
        read_table(content, ROSTER)

    assert raised.value.errors == {"file": NOT_EXCEL}


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")

    with pytest.raises(ValidationError) as raised:
        read_table(buffer.getvalue(), ROSTER)

    assert raised.value.message == NOT_EXCEL


def test_read_table_takes_a_path_or_an_open_file(tmp_path):
    content = make_xlsx(("Sheet1", [["姓名", "身份证号"], ["张三", "430302198001011234"]]))
    path = tmp_path / "roster.xlsx"
    path.write_bytes(content)

    with path.open("rb") as opened:
        opened.read(10)  # a file already read from is read from the start
        from_file = read_table(opened, ROSTER)

    assert read_table(path, ROSTER).rows == from_file.rows == read_table(content, ROSTER).rows


@pytest.mark.parametrize("name", ["roster-libreoffice.xls", "roster-libreoffice.xlsx"])
def test_a_roster_written_by_libreoffice_imports_with_exactly_the_expected_errors(name):
    # given the roster LibreOffice wrote: row 5 has the ID as a number, row 7 a serial date and
    # a formula for the income (=1000+234.5)
    table = read_table(DATA / name, ROSTER)

    # when every cell is converted
    errors = ErrorCollector.for_table(table)
    converted = [
        (
            row.number,
            errors.convert(row, "name", cell_text, required=True),
            errors.convert(row, "id_number", cell_id_text, required=True),
            errors.convert(row, "birth_date", cell_date),
            errors.convert(row, "income", cell_decimal),
            errors.convert(row, "on_dibao", cell_bool),
        )
        for row in table.rows
    ]

    # then
    assert (table.sheet_name, table.header_row) == ("花名册", 3)
    assert converted == [
        (4, "张三", "430302198001011234", date(1980, 1, 1), Decimal("1234.50"), True),
        (5, "李 四", None, date(1980, 1, 1), Decimal("1234.50"), False),
        (7, "王五", "43030219800101123X", date(1980, 1, 1), Decimal("1234.50"), True),
    ]
    assert errors.errors == [CellError("花名册", 5, "身份证号码(18位)*", ID_LOST)]


# --- converters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("430302198001011234", "430302198001011234"),
        ("４３０３０２１９８００１０１１２３ｘ", "43030219800101123x"),
        (" 430302 19800101 1234 ", "430302198001011234"),
        ("'430302198001011234", "430302198001011234"),
        ("\u200b430302198001011234\u3000", "430302198001011234"),
        (430302800101123.0, "430302800101123"),  # an old 15-digit ID is exact in Excel
        (430302198001011234.0, ID_LOST),
        (4.30302e17, ID_LOST),
        ("4.30302E+17", ID_LOST),
        ("4.30302e17", ID_LOST.replace("4.30302E+17", "4.30302e17")),
        ("４.３０３０２Ｅ＋１７", ID_LOST),
        (6222020200112233445.0, ID_LOST.replace("4.30302E+17", "6.22202E+18")),
        ("43030E17", ID_LOST.replace("4.30302E+17", "43030E17")),  # letters and digits only
        ("43030219800101123x", "43030219800101123x"),
        ("", None),
        ("　", None),
        (None, None),
    ],
)
def test_cell_id_text(value, expected):
    assert convert(cell_id_text, value) == expected


def test_cell_id_text_names_what_was_lost():
    message = convert(partial(cell_id_text, label="银行卡号"), 6222020200112233445.0)

    assert message == (
        "银行卡号被 Excel 存成了数字,末几位已丢失(显示为 6.22202E+18)。"
        "请将该列设为“文本”格式后重新录入。"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2012, 4, 10, 8, 30), date(2012, 4, 10)),
        (date(2012, 4, 10), date(2012, 4, 10)),
        (41009, date(2012, 4, 10)),
        (41009.0, date(2012, 4, 10)),
        (41009.75, date(2012, 4, 10)),
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (20120410, date(2012, 4, 10)),
        (20120410.0, date(2012, 4, 10)),
        ("2012-04-10", date(2012, 4, 10)),
        ("2012/4/10", date(2012, 4, 10)),
        ("2012.4.10", date(2012, 4, 10)),
        ("2012年4月10日", date(2012, 4, 10)),
        ("2012 年 4 月 10 日", date(2012, 4, 10)),
        ("20120410", date(2012, 4, 10)),
        ("２０１２．４．１０", date(2012, 4, 10)),
        ("２０１２年４月１０日", date(2012, 4, 10)),
        (" 2012-04-10 00:00:00 ", date(2012, 4, 10)),
        ("2012-04-10T08:30", date(2012, 4, 10)),
        (None, None),
        ("   ", None),
        ("2012.2.30", "日期“2012.2.30”不存在,请检查年、月、日。"),
        ("２０１２.２.３０", "日期“2012.2.30”不存在,请检查年、月、日。"),
        ("20120230", "日期“20120230”不存在,请检查年、月、日。"),
        (20121310, "日期“20121310”不存在,请检查年、月、日。"),
        ("2012年4月", "“2012年4月”不是有效的日期。请按“2012-04-10”的格式填写。"),
        ("12-4-10", "“12-4-10”不是有效的日期。请按“2012-04-10”的格式填写。"),
        ("41009", "“41009”不是有效的日期。请按“2012-04-10”的格式填写。"),
        ("不详", "“不详”不是有效的日期。请按“2012-04-10”的格式填写。"),
        (60, "数字 60 不是有效的日期。请按“2012-04-10”的格式填写。"),
        (0, "数字 0 不是有效的日期。请按“2012-04-10”的格式填写。"),
        (-5.0, "数字 -5 不是有效的日期。请按“2012-04-10”的格式填写。"),
        (430302.0, "数字 430302 不是有效的日期。请按“2012-04-10”的格式填写。"),
        (4.30302198001011e17, "数字 4.30302E+17 不是有效的日期。请按“2012-04-10”的格式填写。"),
        (True, "“是”不是有效的日期。请按“2012-04-10”的格式填写。"),
        ("1899-12-31", "日期 1899-12-31 不在 1900-01-01 至 2099-12-31 之间。"),
    ],
)
def test_cell_date(value, expected):
    assert convert(cell_date, value) == expected


def test_cell_date_checks_the_range_given():
    birth_date = partial(cell_date, earliest=date(1900, 1, 1), latest=date(2025, 6, 30))

    assert convert(birth_date, "2025-06-30") == date(2025, 6, 30)
    assert (
        convert(birth_date, "2025-07-01") == "日期 2025-07-01 不在 1900-01-01 至 2025-06-30 之间。"
    )
    assert convert(birth_date, 45839) == "数字 45839 不是有效的日期。请按“2012-04-10”的格式填写。"


def test_excel_serial_to_date_follows_the_1900_date_system():
    assert excel_serial_to_date(45658) == date(2025, 1, 1)
    assert excel_serial_to_date(2958465) == date(9999, 12, 31)
    assert excel_serial_to_date(2958466) is None
    assert excel_serial_to_date(60) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234.5, Decimal("1234.50")),
        (0.1, Decimal("0.10")),
        (612.4999999999999, Decimal("612.50")),
        (1234.005, Decimal("1234.01")),
        (1500, Decimal("1500.00")),
        (Decimal("1.005"), Decimal("1.01")),
        ("1,234.50", Decimal("1234.50")),
        ("1,234,567", Decimal("1234567.00")),
        ("¥1234.5", Decimal("1234.50")),
        ("￥ 1,234.50 元", Decimal("1234.50")),
        ("1234.5元", Decimal("1234.50")),
        ("１，２３４．５０", Decimal("1234.50")),
        (" 650 ", Decimal("650.00")),
        (".5", Decimal("0.50")),
        ("0", Decimal("0.00")),
        (None, None),
        ("", None),
        ("1,5", "“1,5”不是有效的金额(例如 1234.50)。"),
        ("12,34.5", "“12,34.5”不是有效的金额(例如 1234.50)。"),
        ("1.2万", "“1.2万”不是有效的金额(例如 1234.50)。"),
        ("无", "“无”不是有效的金额(例如 1234.50)。"),
        ("1e3", "“1e3”不是有效的金额(例如 1234.50)。"),
        ("NaN", "“NaN”不是有效的金额(例如 1234.50)。"),
        (float("nan"), "“nan”不是有效的金额(例如 1234.50)。"),
        (True, "“是”不是有效的金额(例如 1234.50)。"),
        ("1234.567", "“1234.567”的小数超过 2 位。"),
        ("-100", "金额不能为负数。"),
        (-0.5, "金额不能为负数。"),
    ],
)
def test_cell_decimal(value, expected):
    assert convert(cell_decimal, value) == expected


def test_cell_decimal_takes_negative_amounts_and_other_places_when_asked():
    assert convert(partial(cell_decimal, allow_negative=True), "-1,200.5") == Decimal("-1200.50")
    assert convert(partial(cell_decimal, places=0), 3.5) == Decimal("4")
    assert convert(partial(cell_decimal, places=4), "0.1234") == Decimal("0.1234")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        (3.0, 3),
        ("３", 3),
        (" 12 ", 12),
        ("-2", -2),
        ("4.0", 4),
        (None, None),
        (3.5, "“3.5”不是整数。"),
        ("3.5", "“3.5”不是整数。"),
        ("三", "“三”不是整数。"),
        ("3人", "“3人”不是整数。"),
        (True, "“是”不是整数。"),
    ],
)
def test_cell_int(value, expected):
    assert convert(cell_int, value) == expected


def test_cell_int_checks_the_bounds_given():
    members = partial(cell_int, min_value=1, max_value=20)

    assert [convert(members, value) for value in (1, 20, 0, 21)] == [
        1,
        20,
        "不能小于 1。",
        "不能大于 20。",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("YES", True),
        ("√", True),
        ("×", False),
        (" 是 ", True),
        (1, True),
        (0.0, False),
        ("1", True),
        ("0", False),
        ("TRUE", True),
        ("false", False),
        (True, True),
        (None, None),
        ("有", "“有”无法识别,请填“是”或“否”。"),
        (2, "“2”无法识别,请填“是”或“否”。"),
    ],
)
def test_cell_bool(value, expected):
    assert convert(cell_bool, value) == expected


CATEGORIES = {"深度困难": "deep", "相对困难": "relative", "意外致困": "accident"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("深度困难", "deep"),
        (" 深度 困难 ", "deep"),
        ("相对困难", "relative"),
        ("深困", "deep"),
        (None, None),
        ("特困", "“特困”不是可选的值,可选:深度困难、相对困难、意外致困。"),
    ],
)
def test_cell_choice(value, expected):
    choice = partial(cell_choice, choices=CATEGORIES, aliases={"深困": "deep"})

    assert convert(choice, value) == expected


def test_cell_choice_matches_numbers_and_latin_letters_by_their_text():
    choice = partial(cell_choice, choices={"1": 1, "2": 2, "A": "a"})

    assert [convert(choice, value) for value in (1.0, "２", "ａ")] == [1, 2, "a"]


def test_cell_choice_with_a_label_and_an_alias_alike_takes_the_label_and_sees_new_choices():
    labels = {"已婚": "married", "未婚": "single"}
    choice = partial(cell_choice, choices=labels, aliases={"已 婚": "other", "单身": "single"})

    assert [convert(choice, value) for value in ("已婚", "单身")] == ["married", "single"]
    # Another mapping (another language's labels) is matched on its own labels, not a cache's.
    other = partial(cell_choice, choices={"Married": "married"})
    assert convert(other, "married") == "married"
    assert convert(other, "已婚") == "“已婚”不是可选的值,可选:Married。"


def _row(cells: list[Any]) -> RowValues:
    return RowValues(cells, {"name": 0, "income": 1, "on_dibao": 2, "notes": 3, "absent": None})


def test_row_values_get_reads_like_the_dict_it_replaces():
    row = _row(["张三", "", 0.0])  # shorter than the columns: the rest reads blank

    assert [row.get(key) for key in ("name", "income", "on_dibao", "notes", "absent")] == [
        "张三",
        None,
        0.0,
        None,
        None,
    ]
    assert row.get("no_such_column", "x") == "x"
    assert row.get("no_such_column") is None
    with pytest.raises(KeyError):
        row["no_such_column"]
    assert not row.has_extra
    row["income"] = 800  # a column of the file: kept in the cells
    assert not row.has_extra
    row["absent"] = "补"  # a column the file does not have
    assert row.has_extra and row.get("absent") == "补"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["张三", "", None, "在读"], [("N", "张三"), ("D", "在读")]),
        # Zero, 0.0 and False are filled in although false; blanks of spaces are not.
        (["  ", 0, False, " \u200b"], [("I", 0), ("B", False)]),
        ([None, 0.0], [("I", 0.0)]),
        (["王五"], [("N", "王五")]),
        ([], []),
    ],
)
def test_row_values_filled_gives_the_filled_cells_of_the_wanted_columns(cells, expected):
    row = _row(cells)
    laid = RowValues.by_position(row.index, {"name": "N", "income": "I", "on_dibao": "B"})
    assert laid == ["N", "I", "B", None]  # 备注 not wanted
    laid[3] = "D"  # now wanted too

    assert list(row.filled(laid)) == expected
    # The same as reading each wanted column by key.
    by_key = dict(zip(["name", "income", "on_dibao", "notes"], ["N", "I", "B", "D"], strict=True))
    slow = [(item, row.get(key)) for key, item in by_key.items() if not is_blank(row.get(key))]
    assert list(row.filled(laid)) == slow


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  张　三\u200b ", "张 三"),
        (13812345678.0, "13812345678"),
        (3, "3"),
        (2.5, "2.5"),
        (date(2012, 4, 10), "2012-04-10"),
        (datetime(2012, 4, 10, 8, 30), "2012-04-10 08:30"),
        (False, "否"),
        (None, ""),
    ],
)
def test_cell_text(value, expected):
    assert convert(cell_text, value) == expected


def test_cell_text_checks_the_length_given():
    assert convert(partial(cell_text, max_length=2), "欧阳娜娜") == "不能超过 2 个字(现有 4 个)。"


# --- collecting errors -----------------------------------------------------------------------


def test_error_collector_sorts_by_sheet_and_row_keeps_column_order_and_drops_repeats():
    errors = ErrorCollector("成员")
    assert not errors

    errors.add(9, "姓名", "必填项,不能为空。")
    errors.add(3, "身份证号", "甲")
    errors.add(3, "出生日期", "乙")
    errors.add(2, "姓名", "丙", sheet="户主")
    errors.add(3, "身份证号", "甲")

    assert errors
    assert len(errors) == 4
    assert errors.errors == [
        CellError("成员", 3, "身份证号", "甲"),
        CellError("成员", 3, "出生日期", "乙"),
        CellError("成员", 9, "姓名", "必填项,不能为空。"),
        CellError("户主", 2, "姓名", "丙"),
    ]


def test_a_whole_import_reports_every_wrong_cell_by_row_and_header_title():
    # given a roster with mistakes people make
    content = make_xlsx(
        (
            "花名册",
            [
                ["响水乡困难职工花名册"],
                [None],
                ["姓名", "身份证号码(18位)*", "出生日期", "月收入(元)", "是否低保"],
                ["　张三 ", "４３０３０２１９８００１０１１２３４", 41009, "1,234.50", "是"],
                ["李四", 430302198001011234.0, "2012.2.30", "一千", "有"],
                [],
                [None, "4.30302E+17", "2012年4月10日", 650, "否"],
            ],
        )
    )

    # when
    table = read_table(content, ROSTER)
    errors = ErrorCollector.for_table(table)
    rows = [
        (
            errors.convert(row, "name", cell_text, required=True),
            errors.convert(row, "id_number", cell_id_text, required=True),
            errors.convert(row, "birth_date", cell_date),
            errors.convert(row, "income", cell_decimal),
            errors.convert(row, "on_dibao", cell_bool),
        )
        for row in table.rows
    ]

    # then
    assert rows[0] == ("张三", "430302198001011234", date(2012, 4, 10), Decimal("1234.50"), True)
    assert errors.errors == [
        CellError("花名册", 5, "身份证号码(18位)*", ID_LOST),
        CellError("花名册", 5, "出生日期", "日期“2012.2.30”不存在,请检查年、月、日。"),
        CellError("花名册", 5, "月收入(元)", "“一千”不是有效的金额(例如 1234.50)。"),
        CellError("花名册", 5, "是否低保", "“有”无法识别,请填“是”或“否”。"),
        CellError("花名册", 7, "姓名", "必填项,不能为空。"),
        CellError("花名册", 7, "身份证号码(18位)*", ID_LOST),
    ]


# --- writing ---------------------------------------------------------------------------------


def test_write_then_read_gives_back_the_same_values_and_ids_stay_text():
    # given
    people: list[list[Any]] = [
        ["张三", "430302198001011234", date(2012, 4, 10), Decimal("1234.50"), True, 3],
        ["李四", "43030219800101123X", date(1999, 12, 31), Decimal("0.10"), False, 1],
        ["王五", "430302800101123", None, Decimal("650.00"), None, None],
    ]
    template = [*ROSTER, Column("members", "家庭人口")]
    spec = SheetSpec(
        title="花名册",
        headers=["姓名", "身份证号", "出生日期", "月收入", "是否低保", "家庭人口"],
        rows=iter(people),
        text_columns={"身份证号"},
        title_line="响水乡困难职工花名册",
    )

    # when
    table = read_table(write_workbook([spec]), template)

    # then
    assert (table.sheet_name, table.header_row) == ("花名册", 2)
    assert [
        (
            row.number,
            cell_text(row.values["name"]),
            row.values["id_number"],
            cell_date(row.values["birth_date"]),
            cell_decimal(row.values["income"]),
            cell_bool(row.values["on_dibao"]),
            cell_int(row.values["members"]),
        )
        for row in table.rows
    ] == [(3 + index, *person) for index, person in enumerate(people)]


def test_written_workbook_formats_ids_as_text_dates_and_money_and_freezes_the_header():
    # given
    spec = SheetSpec(
        title="花名册",
        headers=["姓名", "身份证号", "建档日期", "月收入", "更新时间"],
        rows=[
            [
                "张三",
                "430302198001011234",
                date(2012, 4, 10),
                Decimal("1234.5"),
                datetime(2025, 1, 1, 1, 30, tzinfo=ZoneInfo("UTC")),
            ]
        ],
        text_columns={"身份证号"},
        title_line="响水乡困难职工花名册",
    )

    # when
    workbook = openpyxl.load_workbook(io.BytesIO(write_workbook([spec])))
    sheet = workbook["花名册"]

    # then
    assert sheet["A1"].value == "响水乡困难职工花名册"
    assert sheet["A1"].font.bold
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:E1"]
    assert [cell.value for cell in sheet[2]] == [
        "姓名",
        "身份证号",
        "建档日期",
        "月收入",
        "更新时间",
    ]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert (sheet["B3"].value, sheet["B3"].data_type, sheet["B3"].number_format) == (
        "430302198001011234",
        "s",
        "@",
    )
    assert sheet.column_dimensions["B"].number_format == "@"
    assert (sheet["C3"].value, sheet["C3"].number_format) == (datetime(2012, 4, 10), "yyyy-mm-dd")
    assert (sheet["D3"].value, sheet["D3"].number_format) == (1234.5, "0.00")
    # an aware datetime is written in Asia/Shanghai time
    assert (sheet["E3"].value, sheet["E3"].number_format) == (
        datetime(2025, 1, 1, 9, 30),
        "yyyy-mm-dd hh:mm",
    )
    assert sheet.column_dimensions["B"].width == 20  # 18 digits + 2
    assert sheet.column_dimensions["A"].width == 6  # the narrowest


def test_text_that_looks_like_a_formula_is_written_as_text():
    spec = SheetSpec(
        title="Sheet1",
        headers=["姓名", "备注"],
        rows=[['=HYPERLINK("http://x","点我")', "+1-2\x07"]],
    )

    content = write_workbook([spec])

    sheet = openpyxl.load_workbook(io.BytesIO(content))["Sheet1"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ('=HYPERLINK("http://x","点我")', "s")
    assert read_grid(content)[1] == ['=HYPERLINK("http://x","点我")', "+1-2"]


def test_write_workbook_writes_several_sheets_with_valid_unique_titles():
    content = write_workbook(
        [
            SheetSpec(title="户主/成员", headers=["姓名"], rows=[["张三"]]),
            SheetSpec(title="户主/成员", headers=["姓名"], rows=[]),
        ]
    )

    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["户主_成员", "户主_成员(2)"]


def test_errors_workbook_lists_the_errors_by_row_under_a_title():
    # given
    errors = [
        CellError("花名册", 12, "出生日期", "日期“2012.2.30”不存在,请检查年、月、日。"),
        CellError("花名册", 5, "身份证号码(18位)*", ID_LOST),
        CellError("花名册", 5, "姓名", "必填项,不能为空。"),
    ]

    # when
    content = errors_workbook(errors, source_name="响水乡花名册.xlsx")

    # then
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["错误"]
    assert read_grid(content) == [
        [
            "“响水乡花名册.xlsx”中有 3 处错误,没有导入任何数据。请改正后重新导入整个文件。",
            "",
            "",
            "",
        ],
        ["工作表", "行号", "列", "错误说明"],
        ["花名册", 5.0, "身份证号码(18位)*", ID_LOST],
        ["花名册", 5.0, "姓名", "必填项,不能为空。"],
        ["花名册", 12.0, "出生日期", "日期“2012.2.30”不存在,请检查年、月、日。"],
    ]


def test_only_two_characters_clean_to_a_colon_and_none_but_itself_to_ji():
    # `_skip_reason` reads a row only when it holds "计", ":" or ":" (its fast path)
    from bangfu.core.text import clean_text, to_halfwidth

    colons = set()
    ji = set()
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        shown = to_halfwidth(clean_text(chr(code)))
        if ":" in shown:
            colons.add(chr(code))
        if "计" in shown:
            ji.add(chr(code))
    assert (colons, ji) == ({":", "\uff1a"}, {"计"})


def test_rows_of_text_and_rows_with_numbers_or_times_are_told_apart_alike():
    from datetime import time

    from bangfu.core.xlsx import _skip_reason

    # A totals or label line is found among numbers and dates; a number, date or time (whose
    # text has a colon) never makes a row a label line, nor hides one.
    assert _skip_reason(["合计", "", "", 1234.0, None]) == "合计"
    assert _skip_reason(["合计:", "", ""]) == "合计:"
    assert _skip_reason(["填表人:王五", "", "审核人:", ""]) == "填表人:王五"
    assert _skip_reason(["填表人:王五", time(8, 30)]) is None
    assert _skip_reason(["张三", datetime(1981, 2, 3, 8, 30), time(8, 30), 3, True]) is None
    assert _skip_reason(["张三", "430302198001011234", "", "下岗"]) is None
    assert _skip_reason([1.0, "", "共计", date(2026, 1, 1)]) == "共计"


@pytest.mark.parametrize(
    "cells",
    [
        ["张三", "", "430302198001011234", "", " ", "下岗"],  # text only (calamine's rows)
        ["张三", None, "", 0, 0.0, False, "800"],  # filled-in zeros and false
        ["", "", "", "", "", "", "", "", "甲"],  # a true cell past the items' end
        [None, "李四", 1.5, True, "", "\u3000"],
    ],
)
@pytest.mark.parametrize("width", [3, 6, 12])
def test_a_rows_filled_cells_are_its_cells_neither_none_nor_blank(cells, width):
    from bangfu.core.xlsx import RowValues

    # given: items at some positions (None elsewhere), fewer or more than the cells
    items = [f"item{n}" if n % 4 != 1 else None for n in range(width)]
    row = RowValues(list(cells), {})

    # then: an item with its cell for each cell filled in, in column order
    expected = [
        (item, value)
        for item, value in zip(items, cells, strict=False)
        if item is not None and value is not None and not is_blank(value)
    ]
    assert list(row.filled(items)) == expected


def test_samples_are_the_first_three_cells_filled_in_below_each_header_cell():
    from datetime import date as day

    # given: text rows, and rows with numbers, a date, zero and false among text
    content = make_xlsx(
        (
            "花名册",
            [
                ["姓名", "身份证号", "月收入", "备注", "空列"],
                ["张三", "", "", " ", ""],
                ["李四", "430302198001011234", 0, "甲", None],
                ["王五", None, 800, False, ""],
                ["赵六", "", "", "", ""],
                ["钱七", "43030219800101123X", 1.5, day(2020, 1, 2), None],
            ],
        )
    )

    # when
    table = read_table(content, ROSTER)

    # then: blank cells are passed over; 0 and false are shown as filled in
    assert table.samples == {
        "A": ["张三", "李四", "王五"],
        "B": ["430302198001011234", "43030219800101123X"],
        "C": ["0", "800", "1.5"],
        "D": ["甲", "否", "2020-01-02"],
        "E": [],
    }


def test_a_read_row_reads_and_compares_like_a_dict():
    content = make_xlsx(("花名册", [["姓名", "身份证号", "月收入"], ["张三", None, 800]]))
    row = read_table(content, ROSTER).rows[0]
    as_dict = dict(row.values)
    assert row.values == as_dict
    assert as_dict["id_number"] is None
    row.values["name"] = "李四"
    assert row.values["name"] == "李四"
    with pytest.raises(KeyError):
        row.values["no such column"]


def test_a_table_kept_as_frames_comes_back_equal_with_every_kind_of_cell():
    from dataclasses import fields
    from datetime import time, timedelta

    from bangfu.core.xlsx import table_frames, table_from_frames

    # given: a sheet with a title, a duplicate-free header with an unknown column, cells of
    # every type calamine gives, a zero, False, a totals row and a row of the mapping's value
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["响水乡困难职工花名册"])
    ws.append(["序号", "姓名", "身份证号码", "出生日期", "月收入", "是否低保", "备注列"])
    ws.append([1, "张三", "430302198001011234", date(1980, 1, 1), 1234.5, True, "甲"])
    ws.append([2, "李四", "43030219800101123X", datetime(1981, 2, 3, 8, 30), 0, False, None])
    ws.append([3, "王五\u3000", None, time(8, 30), -0.5, "是", 7])
    ws.append([4, "赵六", None, None, timedelta(hours=36), None, None])
    ws.append(["合计", None, None, None, 1234, None, None])
    ws.row_dimensions[5].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), ROSTER, mapping={"备注列": ""})
    table.rows[0].values["on_dibao"] = "是"  # a value mapped into the rows (`apply_values`)

    # when
    frames = list(table_frames(table) or [])
    back = table_from_frames(iter(frames))

    # then: every field, every row and every cell (with its type)
    assert len(frames) == 3  # description, rows, end
    for spec in fields(table):
        if spec.name != "rows":
            assert getattr(back, spec.name) == getattr(table, spec.name), spec.name
    assert [row.number for row in back.rows] == [row.number for row in table.rows]
    for row, kept in zip(table.rows, back.rows, strict=True):
        assert dict(kept.values) == dict(row.values)
        assert [type(v) for v in kept.values.values()] == [type(v) for v in row.values.values()]
    assert table.hidden_rows == [5] and table.skipped_rows
    kinds = {type(v) for row in back.rows for v in row.values.values()}
    assert kinds >= {str, float, bool, datetime, time, timedelta}


def test_a_table_not_kept_whole_is_refused_and_broken_frames_are_an_error():
    import pickle
    from datetime import timedelta

    from bangfu.core.xlsx import table_frames, table_from_frames

    table = read_table(make_xlsx(("S", [["姓名", "身份证号码"], ["张三", "1"]])), ROSTER)
    frames = list(table_frames(table) or [])
    assert len(frames) == 3
    cells = [["张三", 1.0, timedelta(days=1), None]]  # the cell classes load
    assert table_from_frames([frames[0], pickle.dumps([(2, cells[0])]), b'{"rows": 1}'])
    # Any other class named by a frame is refused before it is looked up (no code runs).
    for hostile in (pickle.dumps([(2, [Column("k", "t")])]), b"cos\nsystem\n(S'true'\ntR."):
        with pytest.raises(ValueError):
            table_from_frames([frames[0], hostile, b'{"rows": 1}'])
    for broken in (frames[:2], [frames[0], frames[2]], [*frames, frames[1]], [b"{}", *frames[1:]]):
        with pytest.raises(ValueError):
            table_from_frames(broken)
    table.rows[0].values["income"] = 1  # a column the file does not have
    assert table_frames(table) is None


def test_collector_spared_hides_what_is_alive_and_shows_it_again_after():
    import gc

    from bangfu.core.collector import collector_spared, spare_more

    assert gc.get_freeze_count() == 0
    with collector_spared():
        hidden = gc.get_freeze_count()
        assert hidden > 0
        made = [[n] for n in range(1000)]  # noqa: F841 — made inside, then hidden too
        spare_more()
        assert gc.get_freeze_count() >= hidden + 1000
        # A cycle made now is still collected.
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    assert gc.get_freeze_count() == 0
    with pytest.raises(ValueError), collector_spared():
        raise ValueError
    assert gc.get_freeze_count() == 0


def test_collector_paused_for_a_block_and_resumed_after_it():
    import gc

    from bangfu.core.collector import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner block leaves the outer one paused
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_free_memory_is_given_back_to_the_system():
    # given memory freed by another thread in its own allocator arena (as the reader of a
    # large sheet's pieces leaves it)
    import threading

    from bangfu.core import collector

    kept: list[bytearray] = []

    def churn() -> None:
        blocks = [bytearray(4096) for _ in range(20_000)]  # 80 MB in small blocks, written
        # The last one stays: the heap cannot shrink from its top by itself, so what was freed
        # below it stays resident until it is asked back (whatever the arena held before).
        kept.append(blocks[-1])
        del blocks

    def resident_mb() -> float:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    assert collector._malloc_trim() is not None  # glibc, as on every supported system
    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    before = resident_mb()

    # when it is asked back
    collector.return_free_memory()

    # then the process holds less of it
    assert resident_mb() < before - 20
