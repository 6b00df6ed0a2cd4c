"""The xlsx writer escapes what XML needs escaped and drops what XML 1.0 does not allow, in
every kind of cell, and leaves every other text as it is."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bangfu.kits.exports import workbook

TEXTS = [
    "张三",
    "a & b",
    "<script>alert(1)</script>",
    "x > y",
    "响水\x01乡\x08\x0b\x0c\x1f",
    "tab\tand\nnew line",
    "&amp; already",
    "",
]


def test_texts_are_escaped_in_plain_and_text_cells_and_in_the_title_and_header():
    # given: each text in a plain column and in a text column ("@")
    target = io.BytesIO()

    # when
    workbook.write_rows(
        target,
        title="花名册",
        headers=["普通 <列>", "文本 & 列"],
        rows=[[text, text] for text in TEXTS],
        text_columns={"文本 & 列"},
        title_line="标题 <测试> & 说明\x02",
    )

    # then: read back, every text is the one written, less the control characters
    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "标题 <测试> & 说明"
    assert values[1] == ["普通 <列>", "文本 & 列"]
    expected = [
        "张三",
        "a & b",
        "<script>alert(1)</script>",
        "x > y",
        "响水乡",
        "tab\tand\nnew line",
        "&amp; already",
        None,
    ]
    assert [row[0] for row in values[2:]] == expected
    assert [row[1] for row in values[2:]] == expected
