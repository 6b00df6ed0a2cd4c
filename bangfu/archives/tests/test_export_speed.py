"""The roster export made fast (issue 10) writes the same file: rows from tuples and the masked
forms kept beside the ciphertext give, cell for cell, what the import template's
`household_rows` gives from model instances; a masked file holds no full number."""

from __future__ import annotations

import csv
import importlib
import io
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook

from bangfu.archives import xlsx as roster
from bangfu.archives.models import Household, HouseholdMember
from bangfu.archives.selectors.browse import HouseholdFilters
from bangfu.archives.selectors.exporting import roster_batches, roster_households
from bangfu.archives.services.exporting import RosterExporter
from bangfu.archives.tests.factories import make_household, make_member
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.core.xlsx import SheetSpec, write_workbook_to
from bangfu.kits.exports import workbook
from bangfu.kits.exports.models import Format
from bangfu.kits.exports.writers import _csv_cell

from .test_export_roster import export_roster, imported  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

FILL = importlib.import_module("bangfu.archives.migrations.0014_exportspeed_masked_forms_fill")


@pytest.fixture
def roster_of_every_kind(imported, network, staff):  # noqa: F811 - the fixture
    """The 12 imported archives (masked forms kept by the filing service), and two as rows
    stored before the masked forms were kept (emptied): decrypted and masked on export."""
    area = Household.objects.get(name="郑一").area
    full = make_household(
        network.station_a,
        filed_by=staff,
        area=area,
        name="旧档案",
        status=Household.Status.CLOSED,
        bank_name="工商银行",
        bank_card="6222021234567890123",
        secondary_causes=[2, 6],
        floor_area=Decimal("56.50"),
        industry="C",
        work_started_on=date(1995, 7, 1),
        sudden_hardship=True,
        notes="=SUM(A1)",
    )
    make_member(full, id_number="430302200203040021", name="旧成员", relation="daughter")
    make_member(full, name="无证成员", relation="son", sex="M")
    make_household(network.station_a, filed_by=staff, area=area, name="无手机", mobile="")
    old = Household.objects.filter(name__in=["旧档案", "无手机"])
    old.update(id_masked="", mobile_masked="", bank_card_masked="")
    HouseholdMember.objects.filter(household__in=old).update(id_masked="")
    return full


def template_rows(*, masked: bool) -> list[list[Any]]:
    """The roster's rows as `household_rows` writes them from model instances (the way every
    export was written before), in list order, each ending with the archive's status."""
    rows: list[list[Any]] = []
    for household in Household.objects.select_related("unit", "area").order_by(
        "-created_at", "-id"
    ):
        members = list(household.members.order_by("sort_order", "id"))
        status = household.get_status_display()
        rows += [[*row, status] for row in roster.household_rows(household, members, masked=masked)]
    return rows


def exported_rows(user: Any, *, masked: bool, size: int = 500) -> list[list[Any]]:
    households = roster_households(user=user, filters=HouseholdFilters())
    counts: dict[str, int] = {}
    return [
        list(row)
        for batch in roster_batches(households, masked=masked, counts=counts, size=size)
        for row in batch
    ]


@pytest.mark.parametrize("masked", [True, False])
def test_rows_from_tuples_are_the_rows_of_the_import_template(roster_of_every_kind, staff, masked):
    # when
    rows = exported_rows(staff, masked=masked, size=4)

    # then: the same cells, of the same types, in the same order
    expected = template_rows(masked=masked)
    assert len(rows) == 28 + 3 + 1 == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert [(type(v), v) for v in got] == [(type(v), v) for v in want]


def test_filing_keeps_the_masked_forms_beside_the_ciphertext(imported):  # noqa: F811
    for household in Household.objects.all():
        assert household.id_masked == mask_id_number(household.id_number)
        assert household.mobile_masked == mask_phone(household.mobile)
        assert household.bank_card_masked == mask_bank_card(household.bank_card)
    members = HouseholdMember.objects.all()
    assert members
    for member in members:
        assert member.id_masked == mask_id_number(member.id_number)


def test_the_migration_fills_the_masked_forms_of_rows_stored_before(roster_of_every_kind):
    # given: rows without their masked forms (as stored before 0013)
    Household.objects.update(id_masked="", mobile_masked="", bank_card_masked="")
    HouseholdMember.objects.update(id_masked="")

    # when
    FILL.fill(None, type("Editor", (), {"connection": connection})())

    # then
    for household in Household.objects.all():
        assert household.id_masked == mask_id_number(household.id_number)
        assert household.mobile_masked == mask_phone(household.mobile)
        assert household.bank_card_masked == mask_bank_card(household.bank_card)
    assert Household.objects.get(name="旧档案").bank_card_masked == "***************0123"
    for member in HouseholdMember.objects.all():
        assert member.id_masked == mask_id_number(member.id_number)


def widths(sheet: Any) -> dict[str, int]:
    return {letter: round(d.width) for letter, d in sheet.column_dimensions.items()}


def cells(content: bytes) -> list[list[tuple[Any, str]]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows()]


def _before(*, masked: bool) -> bytes:
    """The file as it was written before: rows from model instances, through openpyxl."""
    sheet = RosterExporter().sheet(masked=masked)
    before = io.BytesIO()
    write_workbook_to(
        before,
        [
            SheetSpec(
                title=str(RosterExporter.title),
                headers=sheet.headers,
                rows=template_rows(masked=masked),
                text_columns=sheet.text_columns,
                title_line=sheet.title_line,
            )
        ],
    )
    return before.getvalue()


@pytest.mark.parametrize("masked", [True, False])
def test_the_xlsx_is_the_file_written_before_cell_by_cell(roster_of_every_kind, staff, masked):
    # given
    before = _before(masked=masked)

    # when
    _export, content = export_roster(
        staff, masked=masked, note="核对" if not masked else "", status="all"
    )

    # then: every cell's value and number format; the sheet's name, panes, merged title
    assert cells(content) == cells(before)
    got, want = load_workbook(io.BytesIO(content)), load_workbook(io.BytesIO(before))
    assert got.sheetnames == want.sheetnames == ["困难职工花名册"]
    assert got.active.freeze_panes == want.active.freeze_panes == "A3"
    assert got.active.merged_cells.ranges == want.active.merged_cells.ranges
    assert got.active["A1"].font.b and got.active["A1"].font.sz == 14
    assert got.active["A2"].font.b and got.active["A2"].fill.fgColor.rgb.endswith("DDEBF7")
    assert {
        letter: round(dimension.width) for letter, dimension in got.active.column_dimensions.items()
    } == {
        letter: round(dimension.width)
        for letter, dimension in want.active.column_dimensions.items()
    }


@pytest.mark.parametrize(
    ("fmt", "encoding"), [(Format.CSV, "utf-8-sig"), (Format.CSV_GBK, "gb18030")]
)
def test_the_csv_is_the_file_written_before(roster_of_every_kind, staff, fmt, encoding):
    # given: the file as it was written before, each cell through `_csv_cell`
    sheet = RosterExporter().sheet(masked=True)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(sheet.headers)
    for row in template_rows(masked=True):
        writer.writerow([_csv_cell(value) for value in row])

    # when
    _export, content = export_roster(staff, fmt=fmt, status="all")

    # then
    assert content == text.getvalue().encode(encoding)
    assert "'=SUM(A1)" in content.decode(encoding)


def test_past_the_rows_of_a_sheet_the_table_goes_on_in_another(
    roster_of_every_kind, staff, monkeypatch
):
    # given: sheets of 10 rows (Excel's are 1,048,576): a title line, a header, 8 data rows
    monkeypatch.setattr(workbook, "SHEET_MAX_ROWS", 10)

    # when
    _export, content = export_roster(staff, status="all")

    # then: 32 rows over 4 sheets, each with the title line and header, none lost
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "困难职工花名册",
        "困难职工花名册(2)",
        "困难职工花名册(3)",
        "困难职工花名册(4)",
    ]
    expected = cells(_before(masked=True))
    got = []
    for sheet in book.worksheets:
        rows = [[(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows()]
        assert rows[:2] == expected[:2]
        assert sheet.freeze_panes == "A3"
        assert [str(merged) for merged in sheet.merged_cells.ranges] == ["A1:BN1"]
        got += rows[2:]
    assert [len(list(sheet.iter_rows())) for sheet in book.worksheets] == [10, 10, 10, 10]
    assert got == expected[2:]


def full_numbers() -> set[str]:
    numbers = set()
    for household in Household.objects.all():
        numbers |= {household.id_number, household.mobile, household.bank_card}
    numbers |= {member.id_number for member in HouseholdMember.objects.all()}
    return {number for number in numbers if number}


@pytest.mark.parametrize("fmt", [Format.XLSX, Format.CSV, Format.CSV_GBK])
def test_a_masked_file_holds_no_full_number(roster_of_every_kind, staff, fmt):
    # when
    _export, content = export_roster(staff, fmt=fmt, status="all")

    # then: not in any part of the file (an xlsx is a zip of XML parts)
    if fmt == Format.XLSX:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            text = "".join(archive.read(name).decode() for name in archive.namelist())
    else:
        text = content.decode("gb18030" if fmt == Format.CSV_GBK else "utf-8-sig")
        assert len(list(csv.reader(io.StringIO(text)))) == 1 + 32
    numbers = full_numbers()
    assert len(numbers) > 30
    assert [number for number in numbers if number in text] == []
    assert mask_id_number(Household.objects.get(name="旧档案").id_number) in text
