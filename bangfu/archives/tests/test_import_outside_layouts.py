"""Outside rosters laid out as township clerks make them: a merged title and a subtitle, a header
with notes and line breaks, columns we do not know, a totals row and a signature line, 户号 and
address merged down each household, hidden (filtered) rows, the roster split over two sheets,
and the national form's one-row-per-household layout. Each file is written here with openpyxl."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment

from bangfu.archives.models import Household, HouseholdMember, ImportBatch
from bangfu.archives.services import importing
from bangfu.archives.tests.factories import make_area, make_id_number, make_standards
from bangfu.archives.tests.outside_roster import through_mapping
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "户号",
    "姓名",
    "与户主关系",
    "性别\n(男/女)",
    "身份证号码(必填)",
    "出生年月",
    "家庭人口",
    "月收入(元)",
    "工作状态",
    "婚姻状况",
    "户口类型",
    "住房类型",
    "医保状况",
    "家庭住址",
    "所属帮扶站",
    "低保地区",
    "申请日期",
    "联系电话",
    "致困原因",
    "联系人",
    "审核意见",
    "备注",
]
HOUSEHOLD = {
    "工作状态": "下岗",
    "婚姻状况": "已婚",
    "户口类型": "城镇",
    "住房类型": "自有住房",
    "医保状况": "职工医保",
    "所属帮扶站": "响水社区帮扶站",
    "低保地区": "雨湖区",
    "申请日期": "2026.3.2",
    "致困原因": "下岗失业",
}
HEAD_ID = make_id_number(seq=5)  # 1975-06-15, a man
WIFE_ID = make_id_number(sex="F", seq=6)
SON_ID = make_id_number(sex="M", seq=7)


@pytest.fixture
def area(network):
    area = make_area()
    make_standards(area)
    return area


def head(no: str, name: str, id_number: Any, size: int = 1, **cells: Any) -> dict[str, Any]:
    return {
        "户号": no,
        "姓名": name,
        "与户主关系": "户主",
        "身份证号码(必填)": id_number,
        "家庭人口": size,
        "月收入(元)": "1,200.00",
        "家庭住址": f"响水乡响水社区{no}号",
        "联系电话": "138-0731-5678",
        **HOUSEHOLD,
        **cells,
    }


def member(no: str, name: str, relation: str, id_number: Any, **cells: Any) -> dict[str, Any]:
    return {
        "户号": no,
        "姓名": name,
        "与户主关系": relation,
        "身份证号码(必填)": id_number,
        **cells,
    }


def roster(
    rows: list[dict[str, Any]],
    *,
    header: list[str] = HEADER,
    footer: bool = True,
    merges: tuple[str, ...] = (),
    hidden: tuple[int, ...] = (),
    notes_sheet_first: bool = True,
    more_sheets: dict[str, list[Any]] | None = None,
) -> bytes:
    """Write a roster as a township clerk does: a notes sheet first, then the roster with a
    merged title, a subtitle, the header on row 3, a 序号 per household, a 合计 row and the
    signature line; Excel row n holds rows[n - 4]."""
    book = Workbook()
    if notes_sheet_first:
        book.active.title = "说明"
        book.active["A1"] = "填表说明:每人一行;身份证号请用文本格式;户号相同为同一户。"
        sheet = book.create_sheet("花名册")
    else:
        sheet = book.active
        sheet.title = "花名册"
    last = len(header)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet["A1"] = "响水乡2026年困难职工花名册"
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    sheet["A2"] = "填报单位:响水乡工会  填报日期:2026年3月"
    for column, title in enumerate(header, start=1):
        sheet.cell(row=3, column=column, value=title).alignment = Alignment(wrap_text=True)
    number = 0
    for offset, row in enumerate(rows):
        if row.get("与户主关系") == "户主":
            number += 1
            row = {"序号": number, **row}
        for column, title in enumerate(header, start=1):
            if row.get(title) not in (None, ""):
                sheet.cell(row=4 + offset, column=column, value=row[title])
    end = 4 + len(rows)
    if footer:
        sheet.cell(row=end, column=1, value="合计")
        sheet.cell(row=end, column=header.index("月收入(元)") + 1, value=3600)
        sheet.merge_cells(start_row=end + 1, start_column=1, end_row=end + 1, end_column=last)
        sheet.cell(
            row=end + 1, column=1, value="填表人:王五      审核人:赵六      联系电话:0731-58581234"
        )
    for cells in merges:
        sheet.merge_cells(cells)
    for number in hidden:
        sheet.row_dimensions[number].hidden = True
    for title, sheet_rows in (more_sheets or {}).items():
        extra = book.create_sheet(title)
        for sheet_row in sheet_rows:
            extra.append(sheet_row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def errors_of(result: importing.CheckResult) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in result.errors]


def check(user, content: bytes) -> importing.CheckResult:
    return importing.roster_check(user=user, source=content, source_name="响水乡花名册.xlsx")


def run_import(user, content: bytes) -> ImportBatch:
    batch, table = importing.import_upload(user=user, content=content, source_name="花名册.xlsx")
    importing.import_check(user=user, batch=batch, table=table)
    if batch.status == ImportBatch.Status.READY:
        importing.import_confirm(user=user, batch=batch)
        importing.import_write(user=user, batch=batch)
    batch.refresh_from_db()
    return batch


def counts() -> tuple[int, int, int]:
    return Household.objects.count(), HouseholdMember.objects.count(), AuditEvent.objects.count()


def test_totals_row_and_signature_line_are_not_read_as_people(network, staff, area):
    # given: a household, then 合计 (with a sum in 月收入) and 填表人/审核人 merged across the sheet
    content = roster([head("1", "张建国", HEAD_ID)])

    # when
    result = check(staff, content)

    # then: one row read, no "必填项" for the totals row, which is listed as left out (the
    # signature line in 序号, a column not read, is blank for the import)
    assert errors_of(result) == []
    assert result.rows == 1
    assert [item.name for item in result.items] == ["张建国"]
    assert result.table is not None
    assert result.table.skipped_rows == [(5, "合计")]


def test_signature_line_typed_into_the_name_column_is_not_a_person(network, staff, area):
    # given: no 序号 column: the footer's labels land in 姓名 and 身份证号 columns
    header = [title for title in HEADER if title != "序号"]
    content = roster([head("1", "张建国", HEAD_ID)], header=header, footer=False)
    book_rows: list[list[str | None]] = [
        ["填表人:王五", None, None, None, "审核人:赵六"],
        ["注:本表一式两份。"],
    ]
    book = load_workbook(BytesIO(content))
    for offset, cells in enumerate(book_rows):
        for column, value in enumerate(cells, start=2):
            if value:
                book["花名册"].cell(row=6 + offset, column=column, value=value)
    buffer = BytesIO()
    book.save(buffer)

    # when
    result = check(staff, buffer.getvalue())

    # then
    assert errors_of(result) == []
    assert [item.name for item in result.items] == ["张建国"]
    assert result.table is not None
    assert result.table.skipped_rows == [(6, "填表人:王五"), (7, "注:本表一式两份。")]


def test_household_number_and_address_merged_down_the_household_group_its_rows(
    network, staff, area
):
    # given: 户号 (B) and 家庭住址 (O) merged over the head's and members' rows, as clerks do
    rows = [
        head("1", "张建国", HEAD_ID, size=3),
        member("", "李梅", "妻", WIFE_ID),
        member("", "张伟", "长子", SON_ID),
    ]
    content = roster(rows, merges=("B4:B6", "O4:O6"))
    before = counts()

    # when
    batch = run_import(staff, content)

    # then
    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    household = Household.objects.get(name="张建国")
    assert [(m.name, m.relation) for m in household.members.order_by("sort_order")] == [
        ("李梅", "spouse"),
        ("张伟", "son"),
    ]
    assert household.address == "响水乡响水社区1号"
    assert counts()[:2] == (before[0] + 1, before[1] + 2)

    # and a second import of the same file changes nothing
    after = counts()
    second = run_import(staff, content)
    assert second.status == ImportBatch.Status.NOTHING
    assert second.counts["households_existing"] == 1
    assert counts() == after


def test_hidden_or_filtered_row_is_refused_not_imported_unseen(network, staff, area):
    # given: the wife's row (Excel row 5) hidden by a filter
    rows = [head("1", "张建国", HEAD_ID, size=2), member("1", "李梅", "妻", WIFE_ID)]
    content = roster(rows, hidden=(5,))
    before = counts()

    # when
    batch = run_import(staff, content)

    # then
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors == [
        [
            "花名册",
            5,
            "姓名",
            "这一行在 Excel 中被隐藏(或被筛选隐藏),导入时也会读到它。请取消隐藏、清除筛选,"
            "删去不要导入的行后重新上传。",
        ]
    ]
    assert counts() == before


def test_roster_split_over_two_sheets_is_refused_rather_than_half_imported(network, staff, area):
    # given: a second station's households on a second sheet with the same header
    other = [
        list(HEADER),
        [None, "9", "吴建军", "户主", "男", make_id_number(seq=40)],
    ]
    content = roster([head("1", "张建国", HEAD_ID)], more_sheets={"长丰社区": other})
    before = counts()

    # when
    batch = run_import(staff, content)

    # then
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors == [
        [
            "花名册",
            3,
            "",
            "工作簿中不止一个工作表有花名册:除“花名册”外还有“长丰社区”。一次只导入一个"
            "工作表:请把各表的行合并到一个工作表,或分成几个文件分别导入。",
        ]
    ]
    assert counts() == before


def test_roster_on_the_first_sheet_with_notes_after_it_is_read(network, staff, area):
    # given: the roster first, a 说明 sheet with a header-like line after it
    content = roster(
        [head("1", "张建国", HEAD_ID)],
        notes_sheet_first=False,
        more_sheets={"说明": [["说明"], ["姓名、身份证号必填"]]},
    )

    # when
    result = check(staff, content)

    # then
    assert errors_of(result) == []
    assert [item.name for item in result.items] == ["张建国"]


NATIONAL_HEADER = [
    "序号",
    "姓名",
    "与户主关系",
    "性别",
    "身份证号码",
    "家庭人口",
    "家庭成员(关系 姓名 身份证号)",
    "月收入",
    "家庭住址",
    *HOUSEHOLD,
]
MEMBERS_IN_ONE_CELL = (
    "本系统按“每人一行”导入,家庭成员不能写在一个格子里。请每位家庭成员各占一行"
    "(“与户主关系”填妻、儿子等,填同一户号),请下载导入模板,按模板填写后重新导入。"
)


def national(with_relation: bool) -> bytes:
    header = [t for t in NATIONAL_HEADER if with_relation or t != "与户主关系"]
    book = Workbook()
    sheet = book.active
    sheet.append(["困难职工家庭基本情况登记表"])
    sheet.append(header)
    households = [
        ("张建国", HEAD_ID, 3, f"妻 李梅 {WIFE_ID}; 子 张伟 2012.5.3"),
        ("黄志明", make_id_number(seq=41), 1, ""),
    ]
    for number, (name, id_number, size, family) in enumerate(households, start=1):
        values = {
            "序号": number,
            "姓名": name,
            "与户主关系": "户主",
            "身份证号码": id_number,
            "家庭人口": size,
            "家庭成员(关系 姓名 身份证号)": family,
            "月收入": 1100,
            "家庭住址": "响水社区1组",
            **HOUSEHOLD,
        }
        sheet.append([values.get(title) for title in header])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_national_form_one_row_per_household_is_refused_not_filed_without_members(
    network, staff, area
):
    # given: the 档案表 layout: the head's row, members written into 家庭成员
    before = counts()

    # when
    batch = run_import(staff, national(with_relation=True))

    # then: the household with members in one cell is refused; nothing is filed at all
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors == [
        ["Sheet", 3, "家庭成员(关系 姓名 身份证号)", MEMBERS_IN_ONE_CELL],
        [
            "Sheet",
            3,
            "家庭人口",
            "家庭人口填 3 人,表中这一户有 1 行。本系统每人一行:"
            "请补全或删去家庭成员的行(填同一户号),或改正家庭人口。",
        ],
    ]
    assert counts() == before


def test_national_form_without_a_relation_column_points_to_the_template(network, staff, area):
    # when
    result = check(staff, national(with_relation=False))

    # then
    assert errors_of(result) == [
        (
            2,
            "与户主关系",
            "缺少必填列“与户主关系”。本系统按“每人一行”导入:户主一行(填“户主”),"
            "每位家庭成员各占一行(填妻、儿子等)。请下载导入模板,按模板填写后重新导入。",
        ),
        (3, "家庭成员(关系 姓名 身份证号)", MEMBERS_IN_ONE_CELL),
    ]
    assert result.items == []


def test_household_size_must_match_the_rows_of_the_household(network, staff, area):
    # given: 家庭人口 says 3, but the son's row was left out
    rows = [head("1", "张建国", HEAD_ID, size=3), member("1", "李梅", "妻", WIFE_ID)]

    # when
    result = check(staff, roster(rows))

    # then
    assert errors_of(result) == [
        (
            4,
            "家庭人口",
            "家庭人口填 3 人,表中这一户有 2 行。本系统每人一行:"
            "请补全或删去家庭成员的行(填同一户号),或改正家庭人口。",
        )
    ]


def test_result_page_names_the_sheet_whose_rows_the_errors_count(client, staff, area):
    # given: the roster on the second sheet (after 说明), one wrong cell
    content = roster([head("1", "张建国", HEAD_ID, 联系电话="0731-58581234")])
    client.force_login(staff)

    # when
    response = client.post(
        reverse("archives:import_upload"),
        {"file": SimpleUploadedFile("花名册.xlsx", content)},
    )
    response = through_mapping(client, response)  # its 序号 and 说明 columns match no field
    page = client.get(response.url).content.decode()

    # then
    assert "(行号为工作表“花名册”中的行号)" in page
    assert "<td>4</td>" in page


def test_station_and_area_dragged_down_past_the_data_add_no_rows(network, staff, area):
    # given: 所属帮扶站 and 低保地区 filled down to row 200, as a drag of the fill handle does
    content = roster([head("1", "张建国", HEAD_ID)], footer=False)
    book = load_workbook(BytesIO(content))
    sheet = book["花名册"]
    for row in range(5, 201):
        sheet.cell(row=row, column=HEADER.index("所属帮扶站") + 1, value="响水社区帮扶站")
        sheet.cell(row=row, column=HEADER.index("低保地区") + 1, value="雨湖区")
    buffer = BytesIO()
    book.save(buffer)

    # when
    result = check(staff, buffer.getvalue())

    # then
    assert errors_of(result) == []
    assert result.rows == 1
    assert [item.name for item in result.items] == ["张建国"]
