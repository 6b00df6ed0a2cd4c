"""The Excel import of a real-world roster: exactly the right rows refused, nothing written;
the clean roster imported once; a second import changing nothing."""

from __future__ import annotations

import gc
from datetime import date
from decimal import Decimal

import pytest

from bangfu.archives.models import Household, HouseholdMember, IdRegistration, ImportBatch
from bangfu.archives.services import importing
from bangfu.archives.tests.factories import make_area, make_household, make_standards
from bangfu.core.masking import mask_id_number
from bangfu.core.models import AuditEvent

from . import roster_files as rf

pytestmark = pytest.mark.django_db

NUMBER_LOST = (
    "身份证号被 Excel 存成了数字,末几位已丢失(显示为 4.30302E+17)。"
    "请将该列设为“文本”格式后重新录入。"
)


@pytest.fixture
def area(network):
    area = make_area()
    make_standards(area)
    return area


def check(user, content: bytes, name: str = "花名册.xlsx") -> importing.CheckResult:
    return importing.roster_check(user=user, source=content, source_name=name)


def run_import(user, content: bytes, name: str = "花名册.xlsx") -> ImportBatch:
    """Upload, check and (when clean) confirm and write, as the pages do."""
    batch, table = importing.import_upload(user=user, content=content, source_name=name)
    importing.import_check(user=user, batch=batch, table=table)
    if batch.status == ImportBatch.Status.READY:
        importing.import_confirm(user=user, batch=batch)
        importing.import_write(user=user, batch=batch)
    batch.refresh_from_db()
    assert gc.get_freeze_count() == 0  # the check spared its rows from the collector, then ended
    return batch


def counts() -> tuple[int, int, int, int]:
    return (
        Household.objects.count(),
        HouseholdMember.objects.count(),
        IdRegistration.objects.count(),
        AuditEvent.objects.count(),
    )


def test_roster_with_real_world_mistakes_is_refused_cell_by_cell_and_writes_nothing(
    network, staff, area
):
    # given: the clean roster with the mistakes people make
    p = rf.ids()
    elsewhere = make_household(network.other_township, filed_by=staff, id_number=p["feng"])
    rows = rf.clean_rows()
    rows[0]["银行卡号"] = rf.card(1)[:-1] + str((int(rf.card(1)[-1]) + 1) % 10)  # bad Luhn
    rows[1]["身份证号码"] = float(int(p["li_mei"]))  # Excel turned the ID into a number
    rows[5]["身份证号码"] = "4.30302E+17"  # pasted as text in scientific notation
    wrong = p["zhao_wife"][:-1] + ("0" if p["zhao_wife"][-1] != "0" else "1")
    rows[7]["身份证号码"] = wrong  # wrong check character
    rows[15]["身份证号码"] = p["zhang"]  # the same person twice
    rows.append(rf.member(99, "儿子", "无主", rf.ids()["jiang"]))  # a member without a head
    before = counts()

    # when
    batch = run_import(staff, rf.workbook(rows))

    # then

    assert batch.status == ImportBatch.Status.INVALID
    assert [tuple(e[1:]) for e in batch.errors] == [
        (rf.excel_row(0), "银行卡号", "银行卡号校验失败,请核对。"),
        (rf.excel_row(1), "身份证号码", NUMBER_LOST),
        (rf.excel_row(5), "身份证号码", NUMBER_LOST),
        (rf.excel_row(7), "身份证号码", "身份证号校验位错误,请对照身份证逐位核对。"),
        (
            rf.excel_row(15),
            "身份证号码",
            f"身份证号 {mask_id_number(p['zhang'])} 与第 4 行重复,同一人只能出现一次。",
        ),
        (
            rf.excel_row(21),
            "身份证号码",
            f"身份证号 {mask_id_number(p['feng'])} 已在另一份未撤档的档案中,"
            "该档案属于长城乡职工服务(帮扶)中心,请向该中心核实。",
        ),
        (rf.excel_row(len(rows) - 1), "户号", "户号“99”没有户主行(与户主关系为“户主”的行)。"),
    ]
    assert batch.error_count == 7
    assert not batch.has_content  # a refused file is not kept
    assert counts() == before
    assert elsewhere.pk == Household.objects.get().pk


def test_clean_roster_imports_every_household_once_and_again_changes_nothing(network, staff, area):
    # given
    content = rf.workbook(rf.clean_rows())

    # when
    first = run_import(staff, content)

    # then
    assert first.status == ImportBatch.Status.IMPORTED
    assert (first.rows, first.counts["households_new"], first.counts["members_new"]) == (28, 12, 16)
    assert first.errors == []
    assert Household.objects.count() == 12
    assert HouseholdMember.objects.count() == 16
    assert IdRegistration.objects.count() == 27  # everyone but the child without an ID
    assert set(Household.objects.values_list("origin", flat=True)) == {"import"}
    p = rf.ids()
    wang = Household.objects.get(name="王五")
    assert wang.id_number == "430302197001010018"  # 15 digits converted to 18
    assert (wang.main_cause, wang.secondary_causes) == (3, [2, 6])
    zhao = Household.objects.get(name="赵六")
    assert zhao.id_number == p["zhao"]  # full-width digits and spaces cleaned
    assert zhao.secondary_causes == [2, 6]
    assert Household.objects.get(name="孙八").applied_on == date(2025, 12, 9)  # Excel serial
    assert Household.objects.get(name="钱七").applied_on == date(2026, 2, 10)  # 2026年2月10日
    assert Household.objects.get(name="钱七").members.count() == 2  # grouped by the head's ID
    assert Household.objects.get(name="郑一").unit == network.station_b
    assert Household.objects.get(name="卫五").unit == network.enterprise
    zhang = Household.objects.get(name="张三")
    assert zhang.bank_card == rf.card(1)
    child = zhang.members.get(name="张小花")
    assert (child.id_number, child.sex, child.birth_date) == ("", "F", date(2012, 5, 20))
    assert zhang.head_monthly_income == Decimal("800.00")
    after_first = counts()

    # when: the same file again
    second = run_import(staff, content)

    # then
    assert second.status == ImportBatch.Status.NOTHING
    assert (second.counts["households_new"], second.counts["members_new"]) == (0, 0)
    assert (second.counts["households_existing"], second.counts["people_existing"]) == (12, 28)
    assert second.errors == []
    assert second.skipped[0][:2] == [rf.excel_row(0), "张三"]
    assert counts() == after_first


def test_household_that_exists_but_differs_is_an_error_not_an_edit(network, staff, area):
    # given
    run_import(staff, rf.workbook(rf.clean_rows()))
    rows = rf.clean_rows()
    rows[0]["家庭住址"] = "响水乡新街 8 号"  # moved
    rows[2]["姓名"] = "张小华"  # a member not in the archive
    before = counts()

    # when
    batch = run_import(staff, rf.workbook(rows))

    # then
    zhang = Household.objects.get(name="张三")
    archive = f"{zhang.archive_no} 张三 {mask_id_number(zhang.id_number)}"
    assert [tuple(e[1:]) for e in batch.errors] == [
        (
            rf.excel_row(0),
            "家庭住址",
            f"与已有档案({archive})不一致。导入不会修改已有档案:请到档案页修改,或从表中删去这一户。",
        ),
        (
            rf.excel_row(0),
            "与户主关系",
            f"已有档案({archive})中的家庭成员“张小花”不在表中。导入不会修改已有档案:请到档案页修改,或从表中删去这一户。",
        ),
        (
            rf.excel_row(2),
            "姓名",
            f"已有档案({archive})中没有这位家庭成员。导入不会修改已有档案:请到档案页添加成员,或从表中删去这一户。",
        ),
    ]
    assert counts() == before
    assert Household.objects.get(name="张三").address == "响水乡响水社区 1 号"


def test_grouping_errors_two_heads_and_member_without_head_id(network, staff, area):
    # given
    p = rf.ids()
    rows = [
        rf.head(1, "张三", p["zhang"]),
        rf.head(1, "李梅", p["li_mei"], 性别="女"),
        rf.member(None, "儿子", "王小五", p["wang_son"]),
        rf.member(None, "儿子", "钱小七", p["qian_son"], 户主身份证号=p["qian"]),
    ]

    # when
    result = check(staff, rf.workbook(rows))

    # then
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (5, "与户主关系", "户号“1”已有户主(第 4 行),一户只能有一位户主。"),
        (6, "户主身份证号", "成员行须填写户号或户主身份证号,以确定属于哪一户。"),
        (7, "户主身份证号", f"表中没有身份证号为 {mask_id_number(p['qian'])} 的户主行。"),
    ]


def test_liaison_imports_only_into_its_own_station(network, liaison_a, area):
    # given
    p = rf.ids()
    rows = [
        rf.head(1, "张三", p["zhang"]),
        rf.head(2, "王五", p["wang"], 所属帮扶站="金霞社区帮扶站"),
    ]
    before = counts()

    # when
    batch = run_import(liaison_a, rf.workbook(rows))

    # then
    assert [tuple(e[1:]) for e in batch.errors] == [
        (
            5,
            "所属帮扶站",
            "“金霞社区帮扶站”不是您可以导入的帮扶站(点)。可填:响水社区帮扶站、响水社区一组帮扶点。",
        )
    ]
    assert counts() == before

    # when: only its own station's household
    batch = run_import(liaison_a, rf.workbook(rows[:1]))

    # then
    assert batch.status == ImportBatch.Status.IMPORTED
    assert list(Household.objects.values_list("name", "unit")) == [("张三", network.station_a.pk)]


def test_not_excel_and_too_large_are_refused(network, staff, area, settings):
    from bangfu.core.errors import ValidationError

    with pytest.raises(ValidationError) as not_excel:
        importing.import_upload(
            user=staff, content=b"%PDF-1.4 not a workbook", source_name="a.xlsx"
        )
    assert not_excel.value.message == "文件不是有效的 Excel 工作簿,请上传 .xlsx 或 .xls 文件。"

    settings.BANGFU_IMPORT_MAX_MB = 0
    with pytest.raises(ValidationError) as too_large:
        importing.import_upload(user=staff, content=rf.workbook([]), source_name="a.xlsx")
    assert too_large.value.message == "文件超过 0 MB,请分成几个文件导入。"
    assert ImportBatch.objects.count() == 0


def test_someone_filing_between_check_and_confirm_refuses_the_whole_import(network, staff, area):
    # given: a checked roster
    p = rf.ids()
    batch, table = importing.import_upload(
        user=staff, content=rf.workbook(rf.clean_rows()), source_name="花名册.xlsx"
    )
    importing.import_check(user=staff, batch=batch, table=table)
    assert batch.status == ImportBatch.Status.READY
    # and then another centre files one of its people
    make_household(network.other_township, filed_by=staff, id_number=p["zhou"], name="周九")
    before = counts()

    # when
    importing.import_confirm(user=staff, batch=batch)
    with pytest.raises(importing.ValidationError):
        importing.import_write(user=staff, batch=batch)

    # then
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert [tuple(e[1:]) for e in batch.errors] == [
        (
            rf.excel_row(14),
            "身份证号码",
            f"身份证号 {mask_id_number(p['zhou'])} 已在另一份未撤档的档案中,"
            "该档案属于长城乡职工服务(帮扶)中心,请向该中心核实。",
        )
    ]
    assert counts() == before


def test_a_wrong_station_does_not_hide_the_other_errors_of_its_rows(network, liaison_a, area):
    # given: a household with a station outside the liaison's scope, no address and no
    # application date (issue 11 #4)
    p = rf.ids()
    rows = [
        rf.head(1, "王五", p["wang"], 所属帮扶站="金霞社区帮扶站", 家庭住址=None, 申请日期=None),
    ]
    before = counts()

    # when
    result = check(liaison_a, rf.workbook(rows))

    # then: every error of the row in one pass
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (
            4,
            "所属帮扶站",
            "“金霞社区帮扶站”不是您可以导入的帮扶站(点)。可填:响水社区帮扶站、响水社区一组帮扶点。",
        ),
        (4, "申请日期", "请填写申请日期。"),
        (4, "家庭住址", "请填写家庭住址。"),
    ]
    assert result.items == []
    assert counts() == before


def test_a_cell_agrees_with_its_archive_as_read_or_as_converted():
    """The second import's comparison (`_Expected`): a file's cell holding the value an export
    writes agrees without converting; the same value written otherwise (spaces, a float for
    money, a date as text) agrees after converting; another value does not."""
    from datetime import date as day
    from decimal import Decimal as D

    from bangfu.archives import xlsx as roster
    from bangfu.archives.services.importing import _Expected

    exported = {"name": "王五", "wage_income": D("1200.00"), "applied_on": day(2026, 3, 1)}
    row = _Expected([exported.get(spec.key) for spec in roster.SPECS])
    assert row.converted == {}  # nothing converted until asked
    for key, raw in exported.items():
        assert row.agrees(key, raw, raw)
    assert row.converted == {}  # the very values: none converted
    assert row.agrees("name", "王五", " 王五 ")
    assert row.agrees("wage_income", D("1200.00"), 1200.0)
    assert row.agrees("applied_on", day(2026, 3, 1), "2026-03-01")
    assert not row.agrees("name", "王六", "王六")
    assert not row.agrees("wage_income", D("1300.00"), D("1300.00"))
    assert not row.agrees("applied_on", day(2026, 3, 2), day(2026, 3, 2))
    assert not row.agrees("address", "某路 1 号", "某路 1 号")  # the archive has none
    # Another archive's row of the same check converts the same export value once.
    converted = row.converted
    assert converted[("wage_income", D, D("1200.00"))] == D("1200.00")
    size = len(converted)
    other = _Expected([exported.get(spec.key) for spec in roster.SPECS], converted)
    assert other.agrees("wage_income", D("1200.00"), 1200.0)
    assert len(converted) == size
    # (the shared entry is what is compared: changed, the cell no longer agrees)
    converted[("wage_income", D, D("1200.00"))] = "wrong"
    assert not other.agrees("wage_income", D("1200.00"), 1200.0)


def test_a_masked_head_is_found_by_its_masked_id_and_name_kept_or_not(network, staff):
    """A masked export's head (`_archives`, `_masked_matches`): the archives sharing its last
    four are narrowed on the masked form and the name before any is read whole; an archive
    stored without its masked form (before it was kept) is decrypted and still found."""
    from bangfu.archives import xlsx as roster
    from bangfu.archives.services.importing import _archives
    from bangfu.archives.tests.factories import make_id_number

    kept_id, unkept_id, other_id = (make_id_number(seq=n) for n in (11, 12, 13))
    kept = make_household(network.station_a, filed_by=staff, id_number=kept_id, name="王 五")
    unkept = make_household(network.station_a, filed_by=staff, id_number=unkept_id, name="赵六")
    Household.objects.filter(pk=unkept.pk).update(id_masked="")
    other = make_household(network.station_a, filed_by=staff, id_number=other_id, name="李四")
    heads = {
        (mask_id_number(kept_id), roster.normalise_name("王五")),
        (mask_id_number(unkept_id), "赵六"),
        (mask_id_number(other_id), "张三"),  # this archive's masked ID, another name: not it
    }
    found = {archive.pk: archive for archive in _archives(staff, [], heads)}
    assert set(found) == {kept.pk, unkept.pk}
    assert other.pk not in found
    assert found[unkept.pk].id_number == unkept_id and found[kept.pk].name == "王 五"


@pytest.mark.parametrize("layout", ["template", "outside"])
def test_rows_read_by_the_files_columns_convert_as_read_column_by_column(layout):
    """`_RowSpecs.of(table)` reads a row's filled cells by position; the same rows read column
    by column, by key (`_ANY_TABLE`, the path of hand-built rows), give the same people and
    the same errors — on the template and on an outside sheet whose columns are fewer, renamed
    and in another order, with wrong cells, zeros and values mapped into the rows."""
    from bangfu.archives.tests.outside_roster import outside_roster
    from bangfu.core.xlsx import RowValues
    from bangfu.kits.imports import mapping

    p = rf.ids()
    rows = rf.clean_rows()
    rows[0]["银行卡号"] = rf.card(1)[:-1] + str((int(rf.card(1)[-1]) + 1) % 10)
    rows[1]["身份证号码"] = float(int(p["li_mei"]))
    rows[2]["月收入"] = 0  # a zero is filled in
    rows[4]["婚姻状况"] = "未知的词"  # (rows[3] is the blank row, shared)
    rows[6]["婚姻状况"] = "未知的词"  # the same wrong word again (a word is converted once)
    rows[6]["次要致困原因"] = rows[4]["次要致困原因"] = "2,6"
    rows[5]["身份证号码"] = "  "
    importer = importing.RosterImporter()
    if layout == "template":
        table = importer.read(rf.workbook(rows))
    else:  # read with the mapping a user would choose for it, its words mapped into the rows
        chosen = mapping.Mapping(
            {"家庭角色": "relation", "身体状况": "health", "帮扶站点": "unit"},
            {"health": {"身体好": "健康"}},
        )
        table = mapping.read(importer, outside_roster(rows), chosen)
        assert table.rows[0].values["health"] == "健康"
    assert isinstance(table.rows[0].values, RowValues)
    today = date(2026, 12, 7)

    def convert(specs):
        errors = importing._collector(table)
        people = [importing._convert_row(row, errors, table, today, specs) for row in table.rows]
        return [(p.number, p.relation, p.values, p.canonical_id) for p in people], errors.errors

    by_position, errors = convert(importing._RowSpecs.of(table))
    by_key, errors_by_key = convert(importing._ANY_TABLE)
    assert by_position == by_key
    assert sorted(errors, key=repr) == sorted(errors_by_key, key=repr)
    assert [error.column for error in errors] == ["身份证号码", "婚姻状况", "婚姻状况"]
    causes = [values["secondary_causes"] for _n, _r, values, _id in by_position[3:6:2]]
    assert causes == [[2, 6], [2, 6]] and causes[0] is not causes[1]  # no list shared
    assert [person[2].get("income") for person in by_position[:3]] == [Decimal(800), 0, 0]
