"""Outside rosters with values as people type them: 出生年月 with the year and month only, phones
with dashes, a landline in 联系电话, notes on members' rows, relation words of daily speech, and
an export read back that holds a closed archive."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone, translation

from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.services import dynamic
from bangfu.archives.tests.factories import make_area, make_id_number, make_standards
from bangfu.archives.xlsx import (
    YearMonth,
    cell_bank_card,
    cell_birth_date,
    cell_causes,
    cell_digits_text,
    cell_mobile,
)
from bangfu.archives.xlsx import _postcode as cell_postcode
from bangfu.core.xlsx import CellValueError

from .test_export_roster import export_roster
from .test_import_outside_layouts import (
    HEAD_ID,
    SON_ID,
    WIFE_ID,
    check,
    counts,
    errors_of,
    head,
    member,
    roster,
    run_import,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(network):
    area = make_area()
    make_standards(area)
    return area


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1975.6", YearMonth(1975, frozenset({6}))),
        ("1975-06", YearMonth(1975, frozenset({6}))),
        ("1975年6月", YearMonth(1975, frozenset({6}))),
        ("197506", YearMonth(1975, frozenset({6}))),
        (197506, YearMonth(1975, frozenset({6}))),
        (1975.06, YearMonth(1975, frozenset({6}))),
        (1975.1, YearMonth(1975, frozenset({1, 10}))),  # what Excel keeps of 1975.10
        ("1975.6.15", date(1975, 6, 15)),
        ("1975/06/15", date(1975, 6, 15)),
        ("1975年6月15日", date(1975, 6, 15)),
        ("19750615", date(1975, 6, 15)),
        (datetime(1975, 6, 15), date(1975, 6, 15)),
        (27560.0, date(1975, 6, 15)),  # an Excel date serial
    ],
)
def test_birth_date_cell_reads_full_dates_and_year_and_month(value, expected):
    assert cell_birth_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1975, "只填了年份“1975”,请填写出生年月日,例如 1975-06-15。"),
        ("1975.13", "“1975.13”不是有效的日期。请按“2012-04-10”的格式填写。"),
    ],
)
def test_birth_date_cell_refuses_a_year_alone_and_a_month_that_does_not_exist(value, message):
    with pytest.raises(CellValueError) as raised:
        cell_birth_date(value)
    assert raised.value.message == message


def test_birth_year_and_month_take_the_day_from_the_id_and_a_child_needs_the_full_date(
    network, staff, area
):
    # given: 出生年月 as rosters keep it; the grandchild has no ID card yet
    rows = [
        head("1", "张建国", HEAD_ID, size=4, 出生年月="1975.6"),
        member("1", "李梅", "妻", WIFE_ID, 出生年月=197506),  # a number, as Excel keeps it
        member("1", "张伟", "长子", SON_ID, 出生年月="1975-06"),
        member("1", "张丹", "孙女", "", 出生年月="2016.9", **{"性别\n(男/女)": "女"}),
    ]

    # when
    result = check(staff, roster(rows))

    # then: the head's and members' months agree with their IDs (all born 1975-06-15 here);
    # the grandchild without an ID is refused with what to write
    assert errors_of(result) == [
        (
            7,
            "出生年月",
            "只填了出生年月(2016年9月)。没有身份证号时请填写完整的出生日期(年月日),"
            "例如 2016-09-01。",
        )
    ]


def test_birth_year_and_month_that_contradict_the_id_are_refused(network, staff, area):
    # when
    result = check(staff, roster([head("1", "张建国", HEAD_ID, 出生年月="1980.3")]))

    # then
    assert errors_of(result) == [
        (4, "出生年月", "出生年月“1980年3月”与身份证号中的出生日期 1975-06-15 不一致。")
    ]


def test_household_with_birth_months_imports_with_the_id_dates_and_twice_changes_nothing(
    network, staff, area
):
    # given
    rows = [
        head("1", "张建国", HEAD_ID, size=2, 出生年月="1975.06"),
        member("1", "李梅", "妻", WIFE_ID, 出生年月="1975.6"),
    ]
    content = roster(rows)

    # when
    first = run_import(staff, content)
    after_first = counts()
    second = run_import(staff, content)

    # then
    assert first.status == ImportBatch.Status.IMPORTED, first.errors
    household = Household.objects.get(name="张建国")
    assert household.birth_date == date(1975, 6, 15)
    assert household.members.get().birth_date == date(1975, 6, 15)
    assert second.status == ImportBatch.Status.NOTHING, second.errors
    assert counts() == after_first


def test_phone_with_dashes_matches_the_archive_on_a_second_import(network, staff, area):
    # given: 联系电话 "138-0731-5678", stored as 13807315678
    content = roster([head("1", "张建国", HEAD_ID, 联系电话="138-0731-5678")])
    first = run_import(staff, content)
    assert first.status == ImportBatch.Status.IMPORTED, first.errors
    assert Household.objects.get(name="张建国").mobile == "13807315678"
    after_first = counts()

    # when
    second = run_import(staff, content)

    # then: "already present", not "differs from its archive"
    assert second.status == ImportBatch.Status.NOTHING, second.errors
    assert counts() == after_first


def test_landline_in_the_phone_column_gets_a_clear_message(network, staff, area):
    # when
    result = check(staff, roster([head("1", "张建国", HEAD_ID, 联系电话="0731-58581234")]))

    # then
    assert errors_of(result) == [
        (
            4,
            "联系电话",
            "“0731-58581234”是座机号码;这一栏只收户主的手机号(11 位,以 1 开头)。"
            "座机号码请写在“备注”里。",
        )
    ]


def test_notes_on_members_rows_are_kept_in_the_household_notes(network, staff, area):
    # given: 备注 on the head's row and on two members' rows
    rows = [
        head("1", "张建国", HEAD_ID, size=3, 备注="妻子患尿毒症"),
        member("1", "李梅", "妻", WIFE_ID, 备注="长期透析"),
        member("1", "张伟", "儿子", SON_ID, 备注="在读大学"),
    ]
    content = roster(rows)

    # when
    first = run_import(staff, content)
    after_first = counts()
    second = run_import(staff, content)

    # then
    assert first.status == ImportBatch.Status.IMPORTED, first.errors
    notes = Household.objects.get(name="张建国").notes
    assert notes == "妻子患尿毒症;李梅:长期透析;张伟:在读大学"
    assert second.status == ImportBatch.Status.NOTHING, second.errors
    assert counts() == after_first


@pytest.mark.parametrize(
    ("word", "relation"),
    [
        ("妻", "spouse"),
        ("丈夫", "spouse"),
        ("老伴", "spouse"),
        ("长子", "son"),
        ("小儿子", "son"),
        ("次女", "daughter"),
        ("大女儿", "daughter"),
        ("孙女", "grandchild"),
        ("母亲", "mother"),
        ("岳母", "mother_in_law"),
        ("儿媳", "other"),
        ("女婿", "other"),
        ("其他", "other"),
    ],
)
def test_relation_words_people_use(network, staff, area, word, relation):
    # given
    rows = [head("1", "张建国", HEAD_ID, size=2), member("1", "李梅", word, WIFE_ID)]

    # when
    result = check(staff, roster(rows))

    # then
    assert errors_of(result) == []
    assert [m.relation for m in result.items[0].members] == [relation]


def test_ids_as_people_type_them_are_read_and_the_lost_ones_refused(network, staff, area):
    # given: spaces, an apostrophe, lower-case x, full-width digits, a 15-digit old number;
    # then one stored as a number, one with a wrong check character, one with no such date
    x_id = next(
        make_id_number(date(1977, 8, 23), sex="F", seq=seq)
        for seq in range(2, 400, 2)
        if make_id_number(date(1977, 8, 23), sex="F", seq=seq).endswith("X")
    )
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in SON_ID)
    old = make_id_number(date(1963, 1, 1), seq=60)
    wrong_check = make_id_number(date(1980, 3, 3), seq=61)
    wrong_check = wrong_check[:-1] + ("0" if wrong_check[-1] != "0" else "1")
    rows = [
        head("1", "张建国", f"{HEAD_ID[:6]} {HEAD_ID[6:10]} {HEAD_ID[10:14]} {HEAD_ID[14:]}", 5),
        member("1", "李梅", "妻", x_id.lower()),
        member("1", "张伟", "儿子", full_width),
        member("1", "张老汉", "父亲", old[:6] + old[8:17]),
        member("1", "王秀", "母亲", "'" + make_id_number(date(1945, 2, 1), sex="F", seq=62)),
        head("2", "陈国强", float(make_id_number(seq=63))),
        head("3", "赵丽", wrong_check),
        head("4", "孙明", "430302197502300715"),
    ]

    # when
    result = check(staff, roster(rows))

    # then
    found = errors_of(result)
    assert [(row, column) for row, column, _message in found] == [
        (9, "身份证号码(必填)"),
        (10, "身份证号码(必填)"),
        (11, "身份证号码(必填)"),
    ]
    assert found[0][2] == (
        "身份证号被 Excel 存成了数字,末几位已丢失(显示为 4.30302E+17)。"
        "请将该列设为“文本”格式后重新录入。"
    )
    assert "校验位" in found[1][2]
    assert found[2][2] == "身份证号中的出生日期 19750230 不存在。"


def test_export_with_a_closed_archive_reads_back_as_present_and_files_nothing(network, staff, area):
    # given: an imported household, closed (撤档) since; the full roster exported
    first = run_import(staff, roster([head("1", "张建国", HEAD_ID)]))
    assert first.status == ImportBatch.Status.IMPORTED, first.errors
    household = Household.objects.get(name="张建国")
    household.status = Household.Status.ACTIVE
    household.save(update_fields=["status"])
    dynamic.household_close(
        actor=staff,
        household=household,
        reason=Household.CloseReason.RECOVERED,
        closed_on=timezone.localdate(),
    )
    _export, content = export_roster(staff, status="all")
    before = counts()

    # when: the export is imported again
    batch = run_import(staff, content)

    # then: the closed archive is "already present", not filed a second time
    assert batch.status == ImportBatch.Status.NOTHING, batch.errors
    assert batch.skipped[0][2].endswith("(已撤档)")
    assert counts() == before


def test_outside_roster_naming_a_closed_archives_head_differently_is_refused(network, staff, area):
    # given: a closed archive; an outside roster lists its head with another address
    first = run_import(staff, roster([head("1", "张建国", HEAD_ID)]))
    assert first.status == ImportBatch.Status.IMPORTED, first.errors
    household = Household.objects.get(name="张建国")
    household.status = Household.Status.ACTIVE
    household.save(update_fields=["status"])
    dynamic.household_close(
        actor=staff,
        household=household,
        reason=Household.CloseReason.RECOVERED,
        closed_on=timezone.localdate(),
    )
    before = counts()

    # when
    batch = run_import(staff, roster([head("1", "张建国", HEAD_ID, 家庭住址="长丰社区9栋")]))

    # then
    assert batch.status == ImportBatch.Status.INVALID
    assert [error[1:3] for error in batch.errors] == [[4, "身份证号码(必填)"]]
    assert batch.errors[0][3].startswith(f"此人的档案 {household.archive_no} 张建国 ")
    assert batch.errors[0][3].endswith(
        "已撤档。导入不会新建或修改档案:如需重新纳入帮扶,请在档案页恢复该档案后修改;"
        "否则请从表中删去这一户。"
    )
    assert counts() == before


@pytest.mark.parametrize(
    "value",
    ["3 下岗失业", "3-下岗失业", "3.下岗失业", "3:下岗失业", "下岗失业(3)", "下岗失业(3)", "3"],
)
def test_a_cause_written_with_its_code_and_its_name_is_one_cause(value):
    assert cell_causes(value) == [3]


def test_causes_with_codes_and_names_are_listed_in_order():
    assert cell_causes("3 下岗失业、6-重特大疾病") == [3, 6]


def test_chinese_words_are_taken_on_an_english_page_and_its_own_words_too():
    """The roster's Chinese labels are looked up first whatever the page's language (one look-up
    of the language per cell was a tenth of converting a roster); the language's own labels
    still come after, and a word in neither is refused naming them."""
    from django.utils import translation

    from bangfu.archives.models.choices import HardshipCause
    from bangfu.archives.xlsx import cell_relation

    with translation.override("en"):
        assert cell_relation("配偶") == cell_relation("Spouse") == "spouse"
        assert cell_causes("下岗失业、Accident") == [3, HardshipCause.ACCIDENT]
        with pytest.raises(CellValueError) as raised:
            cell_causes("Bad luck")
        assert "Laid off or unemployed" in raised.value.message


def test_a_code_and_a_name_of_two_causes_are_refused():
    with pytest.raises(CellValueError) as raised:
        cell_causes("2 下岗失业")
    assert raised.value.message == (
        "“2 下岗失业”的代码与名称不是同一个致困原因,请只填代码或只填名称。"
    )


def test_relation_words_for_two_sexes_take_the_sex_from_the_id_or_the_sex_column(
    network, staff, area
):
    # given: 子女 and 父母 as rosters write them; the father without an ID but with 性别,
    # the grandchild's word 子女 with neither (issue 11 #2)
    daughter_id = make_id_number(date(2001, 3, 4), sex="F", seq=30)
    mother_id = make_id_number(date(1950, 2, 1), sex="F", seq=31)
    rows = [
        head("1", "张建国", HEAD_ID, size=5),
        member("1", "张伟", "子女", SON_ID),
        member("1", "张丽", "儿子/女儿", daughter_id),
        member("1", "王秀", "父母", mother_id),
        member("1", "张老汉", "父母", None, **{"性别\n(男/女)": "男", "出生年月": "1948-05-06"}),
        head("2", "陈国强", make_id_number(seq=32), size=2),
        member("2", "陈小", "子女", None, 出生年月="2015-01-02"),
    ]

    # when
    result = check(staff, roster(rows))

    # then: each by its sex; without one, the row asks for it
    assert errors_of(result) == [
        (
            9,
            "家庭人口",
            "家庭人口填 2 人,表中这一户有 1 行。本系统每人一行:请补全或删去家庭成员的行"
            "(填同一户号),或改正家庭人口。",
        ),
        (10, "与户主关系", "“子女”要按性别区分(如儿子或女儿),请填写此人的性别或身份证号。"),
    ]

    # when: the last household is left out
    result = check(staff, roster(rows[:5]))

    # then
    assert errors_of(result) == []
    assert [m.relation for m in result.items[0].members] == [
        "son",
        "daughter",
        "mother",
        "father",
    ]


@pytest.mark.parametrize(
    ("converter", "chinese", "english"),
    [
        (cell_bank_card, "银行卡号", "Bank card number"),
        (cell_mobile, "号码", "Number"),
        (cell_digits_text, "号码", "Number"),
        (cell_postcode, "邮编", "Postcode"),
    ],
)
def test_a_long_number_excel_rounded_is_named_in_the_pages_language(converter, chinese, english):
    # The column's name is translated when the message is made, in the language of that
    # moment (it is not looked up for every cell read).
    expected = {
        "zh-hans": f"{chinese}被 Excel 存成了数字",
        "en": f"Excel stored the {english} as a number",
    }
    for language, start in expected.items():
        with translation.override(language), pytest.raises(CellValueError) as refused:
            converter(6222020200112233445.0)
        assert refused.value.message.startswith(start)
