"""Reading a large .xlsx sheet in pieces (issue 10: a roster of 100,000 rows under 500 MB).

`read_table` reads a sheet whose XML is at least `STREAM_MIN_BYTES` in pieces of about
`CHUNK_BYTES`, each piece read by calamine as a small package of its own. These tests force
pieces on small files (`STREAM_MIN_BYTES` = 0, pieces of one row, a few rows, everything) and
check that the table is the one the whole read gives — rows, values and their types, merged
cells filled down across pieces, hidden rows, samples, skipped totals lines, other sheets — and
that the pieces were really used (a silent fall-back to the whole read would pass otherwise).
Packages written by hand cover what openpyxl does not write: shared strings (Excel and WPS
always use them), a namespace prefix on every element (.NET's Open XML SDK writes `<x:row>`),
rows without numbers, a truncated sheet.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Generator
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import openpyxl
import pytest

from bangfu.core import xlsx
from bangfu.core.errors import ValidationError
from bangfu.core.xlsx import Column, Table, read_table

DATA = Path(__file__).parent / "data"

ROSTER = [
    Column("household_no", "户号"),
    Column("name", "姓名", required=True),
    Column("id_number", "身份证号", required=True),
    Column("born", "出生日期"),
    Column("income", "月收入"),
    Column("dibao", "是否低保"),
    Column("address", "家庭住址"),
]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def facts(table: Table) -> tuple[Any, ...]:
    """Everything a caller reads from a table, values with their types."""
    return (
        table.sheet_name,
        table.header_row,
        table.column_titles,
        table.column_letters,
        table.missing_required,
        [
            (row.number, [(k, type(v), v) for k, v in dict(row.values).items()])
            for row in table.rows
        ],
        table.samples,
        table.skipped_rows,
        table.hidden_rows,
        table.other_sheets,
        table.headers,
        table.ignored_titles,
        table.duplicate_columns,
    )


def read_whole(monkeypatch: pytest.MonkeyPatch, content: bytes, **kwargs: Any) -> Table:
    monkeypatch.setattr(xlsx, "STREAM_MIN_BYTES", 10**12)
    return read_table(content, kwargs.pop("columns", ROSTER), **kwargs)


def read_in_pieces(
    monkeypatch: pytest.MonkeyPatch, content: bytes, chunk: int, **kwargs: Any
) -> tuple[Table, int]:
    """Read with pieces forced; return the table and the number of pieces read."""
    monkeypatch.setattr(xlsx, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(xlsx, "CHUNK_BYTES", chunk)
    pieces = 0
    packages = xlsx._XlsxPackage._packages

    def counting(self: Any, part: str) -> Any:
        nonlocal pieces
        for package in packages(self, part):
            if part.endswith("sheet1.xml"):  # the first sheet's pieces
                pieces += 1
            yield package

    monkeypatch.setattr(xlsx._XlsxPackage, "_packages", counting)
    return read_table(content, kwargs.pop("columns", ROSTER), **kwargs), pieces


def roster_workbook() -> bytes:
    """A roster as a township leaves it: a merged title, the data from column B, 户号 and
    家庭住址 merged down each household, blank rows, hidden rows, dates, numbers, yes/no, a
    totals and a signature line, and a second sheet with the same header and data."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet["B1"] = "响水乡困难职工花名册"
    sheet.merge_cells("B1:H1")
    header = ["户号", "姓名", "身份证号", "出生日期", "月收入", "是否低保", "家庭住址", "工号"]
    for offset, title in enumerate(header):
        sheet.cell(3, 2 + offset, title)
    row = 4
    for household in range(1, 13):
        first = row
        for person in range(3):
            sheet.cell(row, 3, f"成员{household}-{person}")
            sheet.cell(row, 4, f"43030219800101{household:02d}{person}X")
            sheet.cell(row, 5, date(1980, 1, household) if person != 1 else "1980.1.1")
            sheet.cell(row, 6, 800.5 * person if person else "1,234.50")
            sheet.cell(row, 7, person == 0)
            sheet.cell(row, 9, household * 10 + person)
            row += 1
        sheet.cell(first, 2, str(household))
        sheet.cell(first, 8, f"响水乡 {household} 号")
        sheet.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)
        sheet.merge_cells(start_row=first, start_column=8, end_row=row - 1, end_column=8)
        if household % 4 == 0:
            row += 2  # blank rows between households
    sheet.row_dimensions[10].hidden = True
    sheet.row_dimensions[23].hidden = True
    sheet.cell(row, 2, "合计")
    sheet.cell(row, 6, 12345)
    sheet.cell(row + 2, 2, "填表人:王五")
    sheet.cell(row + 2, 5, "审核人:")
    sheet.cell(row + 3, 3, datetime(2026, 3, 1, 8, 30))
    other = workbook.create_sheet("第二站")
    other.append(header)
    other.append(["1", "赵六", "430302198001019999", date(1970, 5, 6), 0, "否", "某地"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def handmade_xlsx(rows_xml: str, *, strings: list[str], prefix: str = "", merges=()) -> bytes:
    """An .xlsx written part by part as Excel, WPS or .NET write them: shared strings, a date
    style, optionally a namespace prefix on every element of the sheet."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    merge_xml = ""
    if merges:
        cells = "".join(f'<{p}mergeCell ref="{ref}"/>' for ref in merges)
        merge_xml = f'<{p}mergeCells count="{len(merges)}">{cells}</{p}mergeCells>'
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{p}worksheet {xmlns} xmlns:r="{REL}"><{p}dimension ref="A1:Z999"/>'
        f"<{p}sheetData>{rows_xml}</{p}sheetData>{merge_xml}</{p}worksheet>"
    )
    items = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
    shared = (
        f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="1">'
        '<numFmt numFmtId="164" formatCode="yyyy/m/d"/></numFmts>'
        '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
        "</cellXfs></styleSheet>"
    )
    workbook = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    kinds = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = (
        f'<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{kinds}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{kinds}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{kinds}/styles" Target="styles.xml"/></Relationships>'
    )
    root_rels = (
        f'<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{kinds}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{office}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{office}.sharedStrings+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{office}.styles+xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", types)
        package.writestr("_rels/.rels", root_rels)
        package.writestr("xl/workbook.xml", workbook)
        package.writestr("xl/_rels/workbook.xml.rels", rels)
        package.writestr("xl/sharedStrings.xml", shared)
        package.writestr("xl/styles.xml", styles)
        package.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def shared_strings_roster(prefix: str = "", numbered: bool = True) -> bytes:
    """A roster with shared strings: the header on row 2, 20 people from row 3, 户号 merged
    over each pair, a date-styled number, an inline string, an escaped ampersand."""
    p = f"{prefix}:" if prefix else ""
    strings = ["户号", "姓名", "身份证号", "出生日期", "家庭住址", "a &amp; b 社区"]
    rows = []

    def cell(ref: str, body: str, kind: str = "", style: str = "") -> str:
        attrs = f' r="{ref}"'
        attrs += f' t="{kind}"' if kind else ""
        attrs += f' s="{style}"' if style else ""
        return f"<{p}c{attrs}>{body}</{p}c>"

    header = "".join(
        cell(f"{letter}2", f"<{p}v>{i}</{p}v>", "s") for i, letter in enumerate("ABCDF")
    )
    rows.append(f"<{p}row{' r=' + chr(34) + '2' + chr(34) if numbered else ''}>{header}</{p}row>")
    for person in range(20):
        number = person + 3
        strings.append(f"职工{person}")
        strings.append(f"4303021980010{person:03d}{person % 10}"[:18])
        body = (
            (cell(f"A{number}", f"<{p}v>{person // 2 + 1}</{p}v>") if person % 2 == 0 else "")
            + cell(f"B{number}", f"<{p}v>{len(strings) - 2}</{p}v>", "s")
            + cell(f"C{number}", f"<{p}v>{len(strings) - 1}</{p}v>", "s")
            + cell(f"D{number}", f"<{p}v>{29221 + person}</{p}v>", style="1")
            + (
                cell(f"F{number}", f"<{p}v>5</{p}v>", "s")
                if person == 7
                else cell(f"F{number}", f"<{p}is><{p}t>路 {person}</{p}t></{p}is>", "inlineStr")
            )
        )
        attrs = f' r="{number}"' if numbered else ""
        if person == 4:
            attrs += ' hidden="1"'
        rows.append(f"<{p}row{attrs}>{body}</{p}row>")
    merges = [f"A{n}:A{n + 1}" for n in range(3, 23, 2)]
    return handmade_xlsx("".join(rows), strings=strings, prefix=prefix, merges=merges)


@pytest.mark.parametrize("chunk", [1, 300, 10**9])
def test_a_roster_read_in_pieces_is_the_table_read_whole(monkeypatch, chunk):
    # given a roster with merges across the pieces, hidden rows, totals and a second sheet
    content = roster_workbook()
    whole = read_whole(monkeypatch, content)

    # when it is read in pieces of one row, of a few rows, and in one piece
    table, pieces = read_in_pieces(monkeypatch, content, chunk)

    # then the table is the same in every respect, and the pieces were read
    assert facts(table) == facts(whole)
    assert pieces == 1 if chunk == 10**9 else pieces > 1
    if chunk == 1:
        assert pieces > 30  # every row its own piece
    assert whole.hidden_rows == [10, 23]
    assert whole.other_sheets == ["第二站"]
    assert [reason for _n, reason in whole.skipped_rows] == ["合计", "填表人:王五"]
    household_2 = [row.values["household_no"] for row in whole.rows if row.number in (7, 8, 9)]
    assert household_2 == ["2", "2", "2"]  # merged down, across pieces when read in pieces


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("chunk", [1, 200, 10**9])
def test_shared_strings_and_prefixed_elements_read_in_pieces(monkeypatch, prefix, chunk):
    # given a package as Excel or the .NET SDK writes it (shared strings, x: prefixes)
    content = shared_strings_roster(prefix)
    columns = [*ROSTER[:4], Column("address", "家庭住址")]
    whole = read_whole(monkeypatch, content, columns=columns)

    # when read in pieces
    table, pieces = read_in_pieces(monkeypatch, content, chunk, columns=columns)

    # then the same table: shared and inline strings, dates by style, merges, hidden rows
    assert pieces >= 1
    assert facts(table) == facts(whole)
    first = whole.rows[0].values
    assert (first["household_no"], first["name"], first["born"]) == (1.0, "职工0", date(1980, 1, 1))
    assert whole.rows[1].values["household_no"] == 1.0  # merged down from the row above
    assert whole.hidden_rows == [7]
    assert whole.samples["F"] == ["路 0", "路 1", "路 2"]
    assert whole.rows[7].values["address"] == "a & b 社区"
    assert whole.header_row == 2


def test_rows_without_numbers_are_read_whole(monkeypatch):
    # given rows that do not say their number (allowed: they follow one another)
    content = shared_strings_roster(numbered=False)
    columns = [*ROSTER[:4], Column("address", "家庭住址")]

    # when read with pieces asked for
    table, pieces = read_in_pieces(monkeypatch, content, 200, columns=columns)

    # then the sheet is read whole (row positions within pieces could be wrong), the same
    assert pieces == 0
    assert [row.values["name"] for row in table.rows][:2] == ["职工0", "职工1"]
    assert facts(table) == facts(read_whole(monkeypatch, content, columns=columns))


def test_a_file_written_by_another_program_reads_the_same_in_pieces(monkeypatch):
    content = (DATA / "roster-libreoffice.xlsx").read_bytes()
    whole = read_whole(monkeypatch, content, columns=ROSTER)
    table, pieces = read_in_pieces(monkeypatch, content, 1, columns=ROSTER)
    assert pieces >= 1
    assert facts(table) == facts(whole)


def test_a_sheet_cut_short_is_a_broken_file_not_a_server_error(monkeypatch):
    # given a package whose sheet's XML ends in the middle of its rows
    good = shared_strings_roster()
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b'<row r="12"') + 40]
            target.writestr(info.filename, data)
    content = broken.getvalue()

    # when it is read in pieces, then whole
    with pytest.raises(ValidationError) as in_pieces:
        read_in_pieces(monkeypatch, content, 200, columns=ROSTER[:4])
    with pytest.raises(ValidationError) as whole:
        read_whole(monkeypatch, content, columns=ROSTER[:4])

    # then a clear Chinese message both ways
    assert "无法读取" in in_pieces.value.message or "不是有效" in in_pieces.value.message
    assert "无法读取" in whole.value.message or "不是有效" in whole.value.message


def _reader_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("bangfu-xlsx-read")]


def test_pieces_are_parsed_ahead_in_a_thread_and_the_rows_come_in_order(monkeypatch):
    # given pieces of one row each, parsed by a function that notes its thread
    content = shared_strings_roster()
    whole = read_whole(monkeypatch, content, columns=ROSTER)
    parsed_in: list[str] = []
    parse = xlsx._parse_piece

    def noting(piece: bytes, name: str) -> Any:
        parsed_in.append(threading.current_thread().name)
        return parse(piece, name)

    monkeypatch.setattr(xlsx, "_parse_piece", noting)

    # when the sheet is read in pieces
    table, pieces = read_in_pieces(monkeypatch, content, 1, columns=ROSTER)

    # then every piece was parsed beside the caller, and the table is the whole read's
    assert pieces > 3 and len(parsed_in) >= pieces
    assert all(name.startswith("bangfu-xlsx-read") for name in parsed_in)
    assert facts(table) == facts(whole)
    assert _reader_threads() == []


def test_a_piece_that_fails_in_the_reader_thread_is_a_broken_file(monkeypatch):
    # given a parser that fails on the third piece, as calamine does on a damaged one
    content = shared_strings_roster()
    parse = xlsx._parse_piece
    calls = 0

    def failing(piece: bytes, name: str) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ValueError("damaged piece")
        return parse(piece, name)

    monkeypatch.setattr(xlsx, "_parse_piece", failing)

    # when it is read in pieces
    with pytest.raises(ValidationError) as refused:
        read_in_pieces(monkeypatch, content, 1, columns=ROSTER)

    # then the caller gets the broken-file message, and no reader thread is left
    assert "无法读取" in refused.value.message
    assert isinstance(refused.value.__cause__, ValueError)
    assert _reader_threads() == []


def test_leaving_the_rows_early_stops_the_reader(monkeypatch):
    # given a sheet of many pieces and a count of the pieces parsed
    content = shared_strings_roster()
    monkeypatch.setattr(xlsx, "CHUNK_BYTES", 1)
    parse = xlsx._parse_piece
    parsed = 0

    def counting(piece: bytes, name: str) -> Any:
        nonlocal parsed
        parsed += 1
        return parse(piece, name)

    monkeypatch.setattr(xlsx, "_parse_piece", counting)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        package = xlsx._XlsxPackage(archive)
        part = package.part("花名册")
        assert part is not None
        total = sum(1 for _ in package._packages(part))

        # when the caller takes the first row and lets the rest go
        rows = cast(Generator[list[Any], None, None], package.rows(part, "花名册"))
        next(rows)
        rows.close()

    # then the reader stopped a piece or two ahead, and is gone
    assert total > 5
    assert parsed <= 1 + xlsx._PIECES_AHEAD + 1
    assert _reader_threads() == []
