"""Realistic roster files for the import tests, written with openpyxl as people make them:
a title line and a blank row above the header, blank rows between households, IDs typed as
text, numbers or scientific notation, full-width digits, stray spaces, dates in every format."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from stdnum import luhn

from bangfu.archives.tests.factories import make_id_number

HEADER = [
    "户号",
    "与户主关系",
    "姓名",
    "身份证号码",
    "户主身份证号",
    "性别",
    "出生日期",
    "民族",
    "政治面貌",
    "健康状况",
    "残疾类别",
    "医保状况",
    "月收入",
    "工作单位或学校",
    "身份",
    "有劳动能力",
    "学历",
    "工作状态",
    "手机",
    "婚姻状况",
    "户口类型",
    "所属帮扶站",
    "低保标准地区",
    "申请日期",
    "家庭住址",
    "住房类型",
    "工资性收入",
    "医疗支出",
    "主要致困原因",
    "次要致困原因",
    "开户银行",
    "银行卡号",
    "持卡人",
]


def card(seed: int) -> str:
    first = f"6222020200{seed:08d}"
    return first + luhn.calc_check_digit(first)


def ids() -> dict[str, str]:
    """The IDs of the roster's people (valid, distinct, fixed)."""

    def make(year: int, month: int, day: int, sex: str, seq: int) -> str:
        return make_id_number(date(year, month, day), sex=sex, seq=seq)

    return {
        "zhang": make(1975, 6, 15, "M", 11),
        "li_mei": make(1977, 3, 2, "F", 12),
        "wang": "430302700101001",  # an old 15-digit ID (1970-01-01, male)
        "wang_son": make(2001, 9, 9, "M", 14),
        "zhao": make(1968, 2, 28, "M", 15),
        "zhao_wife": make(1970, 8, 8, "F", 16),
        "qian": make(1972, 12, 1, "F", 17),
        "qian_son": make(1998, 4, 4, "M", 18),
        "qian_mother": make(1945, 5, 5, "F", 19),
        "sun": make(1980, 5, 6, "M", 20),
        "sun_wife": make(1982, 1, 1, "F", 21),
        "zhou": make(1966, 10, 10, "M", 22),
        "zhou_wife": make(1967, 11, 11, "F", 23),
        "wu": make(1979, 7, 7, "F", 24),
        "wu_daughter": make(2005, 3, 3, "F", 25),
        "zheng": make(1970, 1, 20, "M", 26),
        "zheng_wife": make(1971, 2, 20, "F", 27),
        "zheng_son": make(1996, 6, 20, "M", 28),
        "feng": make(1985, 9, 1, "M", 29),
        "feng_wife": make(1986, 9, 2, "F", 30),
        "chen": make(1974, 4, 14, "F", 31),
        "chen_husband": make(1973, 3, 13, "M", 32),
        "chu": make(1969, 6, 6, "M", 33),
        "chu_wife": make(1970, 7, 7, "F", 34),
        "wei": make(1977, 8, 18, "M", 35),
        "wei_wife": make(1978, 8, 28, "F", 36),
        "wei_son": make(2003, 1, 8, "M", 37),
        "jiang": make(1962, 12, 12, "M", 38),
        "jiang_wife": make(1964, 2, 2, "F", 39),
    }


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "0" <= ch <= "9" or ch == "X" else ch for ch in text)


def head(no: Any, name: str, id_value: Any, **extra: Any) -> dict[str, Any]:
    row = {
        "户号": no,
        "与户主关系": "户主",
        "姓名": name,
        "身份证号码": id_value,
        "民族": "汉族",
        "政治面貌": "群众",
        "健康状况": "健康",
        "残疾类别": "无",
        "医保状况": "城镇职工基本医疗保险",
        "月收入": 800,
        "工作单位或学校": "湘潭电机厂",
        "工作状态": "下岗",
        "婚姻状况": "已婚",
        "户口类型": "城镇",
        "所属帮扶站": "响水社区帮扶站",
        "低保标准地区": "雨湖区",
        "申请日期": "2026-03-01",
        "家庭住址": f"响水乡响水社区 {no} 号",
        "住房类型": "自有住房",
        "工资性收入": 9600,
        "医疗支出": 3000,
        "主要致困原因": "下岗失业",
    }
    row.update(extra)
    return row


def member(no: Any, relation: str, name: str, id_value: Any, **extra: Any) -> dict[str, Any]:
    row = {
        "户号": no,
        "与户主关系": relation,
        "姓名": name,
        "身份证号码": id_value,
        "健康状况": "健康",
        "残疾类别": "无",
        "月收入": 0,
        "身份": "失业",
        "有劳动能力": "是",
    }
    row.update(extra)
    return row


def couples(households: int, start: int, **changed: Any) -> list[dict[str, Any]]:
    """`households` households of a head and a spouse (IDs numbered from `start`); `changed`:
    "<index>" → cells of that household's head row."""
    rows = []
    for i in range(households):
        head_id = make_id_number(date(1970, 1, 1 + i % 28), seq=start + i)
        rows.append(head(i + 1, f"职工{i}", head_id, **changed.get(str(i), {})))
        spouse = make_id_number(date(1972, 2, 2), sex="F", seq=start + i)
        rows.append(member(i + 1, "配偶", f"配偶{i}", spouse))
    return rows


BLANK: dict[str, Any] = {}


def clean_rows() -> list[dict[str, Any]]:
    """12 households, 29 people, no mistakes (but every kind of real-world spelling)."""
    p = ids()
    return [
        head(1, "张三", p["zhang"], 银行卡号=card(1), 开户银行="中国农业银行", 持卡人="张三"),
        member(1, "妻子", "李梅", p["li_mei"], 性别="女"),
        member(
            1,
            "女儿",
            "张小花",
            None,
            性别="女",
            出生日期="2012.5.20",
            身份="在校学生",
            有劳动能力="否",
            学历="初中",
            工作单位或学校="响水中学",
        ),
        BLANK,
        # An old 15-digit ID typed as a number: Excel keeps 15 digits exactly.
        head(2, "王五", int(p["wang"]), 性别="男", 主要致困原因=3, 次要致困原因="2,6"),
        member(2, "儿子", "王小五", p["wang_son"], 身份="在校学生", 有劳动能力="否"),
        # Full-width digits and stray spaces.
        head(
            3,
            " 赵六 ",
            "  " + full_width(p["zhao"]) + " ",
            次要致困原因="有劳动能力未就业、重特大疾病",
        ),
        member(3, "配偶", "孙丽", " " + p["zhao_wife"] + " "),
        # No 户号: members name their head by ID.
        head(None, "钱七", p["qian"], 申请日期="2026年2月10日", 工作状态="下岗失业", 性别="女"),
        member(None, "儿子", "钱小七", p["qian_son"], 户主身份证号=p["qian"]),
        member(
            None,
            "母亲",
            "钱母",
            p["qian_mother"],
            户主身份证号=p["qian"],
            身份="退休",
            有劳动能力="否",
            月收入=1200,
        ),
        BLANK,
        # Dates as an Excel serial number (46000 = 2025-12-09), a datetime cell and 2012.4.10.
        head(5, "孙八", p["sun"], 申请日期=46000, 出生日期="1980.5.6"),
        member(5, "妻子", "周燕", p["sun_wife"], 出生日期=datetime(1982, 1, 1)),
        head(6, "周九", p["zhou"], 主要致困原因="6", 健康状况="重病", 医保状况="职工医保"),
        member(6, "妻子", "吴芳", p["zhou_wife"]),
        head(7, "吴十", p["wu"], 性别="女", 婚姻状况="离异", 手机="13800001111"),
        member(7, "女儿", "吴小", p["wu_daughter"], 身份="在校学生", 有劳动能力="否"),
        head(8, "郑一", p["zheng"], 所属帮扶站="金霞社区帮扶站"),
        member(8, "妻子", "王芳", p["zheng_wife"]),
        member(8, "儿子", "郑小一", p["zheng_son"]),
        head(9, "冯二", p["feng"], 低保标准地区="430302"),
        member(9, "妻", "陈红", p["feng_wife"]),
        head(10, "陈三", p["chen"], 性别="女"),
        member(10, "丈夫", "刘军", p["chen_husband"]),
        head(11, "褚四", p["chu"], 住房类型="廉租房", 户口类型="农业"),
        member(11, "配偶", "卫红", p["chu_wife"]),
        head(12, "卫五", p["wei"], 所属帮扶站="湘潭电机厂帮扶站"),
        member(12, "配偶", "蒋丽", p["wei_wife"]),
        member(12, "儿子", "卫小五", p["wei_son"]),
    ]


def workbook(rows: list[dict[str, Any]], *, title: str = "响水乡困难职工花名册(2026 年)") -> bytes:
    """Write rows under a title line and a blank row, as a person would; returns .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append([title])
    ws.append([])
    ws.append(HEADER)
    for row in rows:
        ws.append([row.get(title_) for title_ in HEADER])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FIRST_DATA_ROW = 4  # title, blank, header


def excel_row(index: int) -> int:
    """Return the Excel row number of rows[index]."""
    return FIRST_DATA_ROW + index
