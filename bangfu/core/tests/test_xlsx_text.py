"""CSV and tab-separated files read like sheets (`read_text_table`, `read_any_table`)."""

import io

import pytest
from openpyxl import Workbook

from bangfu.core.errors import ValidationError
from bangfu.core.xlsx import (
    Column,
    cell_date,
    cell_decimal,
    decode_text,
    read_any_table,
    read_text_grid,
    read_text_table,
)

COLUMNS = [
    Column("ref", "参考号", aliases=("业务参考号",), required=True),
    Column("name", "户名"),
    Column("amount", "金额", aliases=("交易金额",), required=True),
    Column("date", "交易日期"),
]

BANK_CSV = (
    "户名:,响水乡工会\r\n"
    '账号:,="6217000010000000000"\r\n'
    "\r\n"
    "序号,业务参考号,户名,交易金额,交易日期\r\n"
    '1,="FF2026-1-00001",张三,"1,000.00",2026年12月5日\r\n'
    "2,FF2026-1-00002,李四,￥500,20261205\r\n"
    "\r\n"
    "3,FF2026-1-00003,王五,500元,2026/12/5 10:01:02\r\n"
    ',合计,,"2,000.00",\r\n'
    "打印时间:2026-12-05 10:12,,,,\r\n"
)


@pytest.mark.parametrize(
    "content",
    [
        BANK_CSV.encode("gbk"),
        BANK_CSV.encode("gb18030"),
        BANK_CSV.encode("utf-8"),
        b"\xef\xbb\xbf" + BANK_CSV.encode("utf-8"),
        BANK_CSV.encode("utf-16"),
    ],
    ids=["gbk", "gb18030", "utf-8", "utf-8-bom", "utf-16"],
)
def test_a_bank_csv_in_any_usual_encoding_reads_like_a_sheet(content):
    table = read_text_table(content, COLUMNS)
    assert table.header_row == 4
    assert table.column_letters == {"ref": "B", "name": "C", "amount": "D", "date": "E"}
    assert table.ignored_titles == ["序号"]
    assert [row.number for row in table.rows] == [5, 6, 8]
    assert [row.values["ref"] for row in table.rows] == [
        "FF2026-1-00001",
        "FF2026-1-00002",
        "FF2026-1-00003",
    ]
    assert [str(cell_decimal(row.values["amount"])) for row in table.rows] == [
        "1000.00",
        "500.00",
        "500.00",
    ]
    assert {str(cell_date(row.values["date"])) for row in table.rows} == {"2026-12-05"}
    assert [number for number, _reason in table.skipped_rows] == [9]  # the print line: no data


def test_a_tab_separated_file_with_unquoted_thousands():
    text = "参考号\t金额\nA1\t1,000.00\nA2\t12,345.60\n"
    table = read_any_table(text.encode("gbk"), COLUMNS)
    assert [row.values["amount"] for row in table.rows] == ["1,000.00", "12,345.60"]


def test_a_workbook_goes_to_read_table():
    book = Workbook()
    book.active.append(["参考号", "金额"])
    book.active.append(["A1", 12.5])
    out = io.BytesIO()
    book.save(out)
    table = read_any_table(out.getvalue(), COLUMNS)
    assert table.rows[0].values == {"ref": "A1", "amount": 12.5, "name": None, "date": None}


def test_kept_as_text_cells_are_unwrapped():
    assert read_text_grid(b'="0012",=123, x \r\n') == [["0012", "123", "x"]]


def test_a_text_file_without_the_header_or_in_another_encoding_is_refused():
    with pytest.raises(ValidationError) as exc:
        read_text_table("姓名,电话\r\n张三,1\r\n".encode(), COLUMNS)
    assert exc.value.message == "在前 10 行中没有找到表头,表头应包含“参考号”“金额”等列。"
    with pytest.raises(ValidationError) as exc:
        decode_text(b"\x81\x30\xff\xfe\x00junk")
    assert exc.value.message == "文件编码无法识别:请保存为 UTF-8 或 GBK 编码的 CSV,或 Excel 文件。"
