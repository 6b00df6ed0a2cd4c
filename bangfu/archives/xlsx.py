"""The roster template (花名册) of the archives Excel import and export: one row per person.

A household is the head's row (与户主关系 "户主" or "本人") and its members' rows. Rows are
grouped by 户号 when it is filled in, else by the head's ID: a member names its head in
户主身份证号. The same template is read by the import and written by the export, so an
exported roster imports again as "already present" for every household.

Columns fall into four kinds (`ColumnSpec.scope`):

* ``person`` — every row: 姓名, 身份证号, 性别, 出生日期, 健康状况, 残疾类别, 医保状况, 月收入,
  工作单位或学校. On the head's row 月收入 is 本人月平均收入 and 工作单位 is the employer.
* ``head`` — the head as a person (民族, 政治面貌, 工作状态, 手机, 婚姻状况…): read on the head's
  row only. The national form keeps them for the head alone, so member rows may hold anything.
* ``household`` — the household (帮扶站, 低保地区, 申请日期, address, income and spending,
  causes, bank account…): read on the head's row; a member row may leave them blank or repeat
  the head's value, and a different value is an error (so nothing typed is silently dropped).
* ``member`` — members only (身份, 有劳动能力, 学历, 入学年份, 学制, 户主身份证号).

Choice columns take the Chinese labels of the national form (`models/choices.py`) and the usual
spellings of real rosters (男/女, 是/否, 下岗失业, 妻子, 新农合…); causes take codes or labels.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _

from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.core.text import clean_text, to_halfwidth
from bangfu.core.xlsx import (
    CellValue,
    CellValueError,
    Column,
    SheetSpec,
    cell_bool,
    cell_choice,
    cell_date,
    cell_decimal,
    cell_id_text,
    cell_int,
    cell_text,
    write_workbook,
)

from .models import choices as c
from .rules import RULE_2012

HEAD_RELATIONS = ("户主", "本人", "职工本人", "户主本人", "职工")
HEAD = "head"  # the relation code of a head's row (members use `Relation` codes)
OLD_CATEGORIES = frozenset({c.Category.DIBAO, c.Category.ABOVE_DIBAO, c.Category.NO_DIBAO})
MAX_SECONDARY_CAUSES = 3


def _labels(choices: Any) -> dict[str, Any]:
    """Return {Chinese label: code} of a Django choices class (the same dict for every cell:
    translating each label again for every cell of a large roster was a fifth of its import)."""
    return _labels_in(choices, get_language())


@lru_cache(maxsize=256)
def _labels_in(choices: Any, language: str | None) -> dict[str, Any]:
    with override(language):
        return {str(label): value for value, label in choices.choices}


def _zh_labels(choices: Any) -> dict[str, Any]:
    """{Chinese label: code}, whatever the language of the page: looked up first for the cells
    converted one by one (`get_language` for each was a tenth of converting a roster)."""
    return _labels_in(choices, "zh-hans")


def _choice(choices: Any, aliases: Mapping[str, Any] | None = None) -> Callable[[Any], Any]:
    return partial(cell_choice, choices=_labels(choices), aliases=aliases or {})


_CAUSE_SPLIT = re.compile(r"[,,、;;/\s]+")
# A cause written with its code and its name: "3 下岗失业", "3-下岗失业", "3.下岗失业",
# "下岗失业(3)" are one cause (issue 11 #2), not the code and the name as two.
_CODE_AND_LABEL = re.compile(
    r"(?P<code>\d{1,2})\s*[-.::]?\s*(?P<label>[\u4e00-\u9fff]+)"
    r"|(?P<label2>[\u4e00-\u9fff]+)\s*\(\s*(?P<code2>\d{1,2})\s*\)"
)


def _cause_code(label: str) -> int | None:
    return (
        _zh_labels(c.HardshipCause).get(label)
        or _CAUSE_ALIASES.get(label)
        or _labels(c.HardshipCause).get(label)
    )


def _code_and_label(match: re.Match[str]) -> str:
    code = int(match["code"] or match["code2"])
    label = match["label"] or match["label2"]
    named = _cause_code(label)
    if named is None or named != code:
        raise CellValueError(
            _("“%(value)s”的代码与名称不是同一个致困原因,请只填代码或只填名称。")
            % {"value": match[0].strip()}
        )
    return str(code)


# `HardshipCause.values` builds its list again on each use (a sixth of converting a roster).
_CAUSE_CODES = frozenset(c.HardshipCause.values)


def cell_cause(value: CellValue) -> int | None:
    """Return one hardship cause from its code ("3") or its label ("下岗失业")."""
    causes = cell_causes(value, limit=1)
    return causes[0] if causes else None


def cell_causes(value: CellValue, *, limit: int = MAX_SECONDARY_CAUSES) -> list[int]:
    """Return hardship causes from "2,6", "2、6" or "有劳动能力未就业、重特大疾病".

    Raise `CellValueError` for an unknown code or label, a cause given twice, or more than
    `limit` causes.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        parts = [cell_text(value)]
    else:
        text = _CODE_AND_LABEL.sub(_code_and_label, to_halfwidth(cell_text(value)))
        parts = [part for part in _CAUSE_SPLIT.split(text) if part]
    causes: list[int] = []
    for part in parts:
        code: int | None = None
        if part.isdigit():
            code = int(part) if int(part) in _CAUSE_CODES else None
        else:
            code = _cause_code(part)
        if code is None:
            raise CellValueError(
                _("“%(value)s”不是致困原因,请填代码 1–10 或名称:%(labels)s。")
                % {"value": part, "labels": "、".join(_labels(c.HardshipCause))}
            )
        if code in causes:
            raise CellValueError(_("致困原因“%(value)s”重复了。") % {"value": part})
        causes.append(code)
    if len(causes) > limit:
        raise CellValueError(
            _("最多填 %(limit)d 项(现有 %(count)d 项)。") % {"limit": limit, "count": len(causes)}
        )
    return causes


# Words for two relations that differ by sex only (issue 11 #2): the person's sex (性别, or
# the ID number) chooses. `cell_relation` returns the word behind BY_SEX; the import resolves it.
BY_SEX = "by_sex:"
RELATIONS_BY_SEX: dict[str, tuple[str, str]] = {
    "子女": (c.Relation.SON, c.Relation.DAUGHTER),
    "儿女": (c.Relation.SON, c.Relation.DAUGHTER),
    "儿子/女儿": (c.Relation.SON, c.Relation.DAUGHTER),
    "父母": (c.Relation.FATHER, c.Relation.MOTHER),
    "父亲/母亲": (c.Relation.FATHER, c.Relation.MOTHER),
    "公婆": (c.Relation.FATHER_IN_LAW, c.Relation.MOTHER_IN_LAW),
    "岳父母": (c.Relation.FATHER_IN_LAW, c.Relation.MOTHER_IN_LAW),
    "岳父/岳母": (c.Relation.FATHER_IN_LAW, c.Relation.MOTHER_IN_LAW),
    "公公/婆婆": (c.Relation.FATHER_IN_LAW, c.Relation.MOTHER_IN_LAW),
}


def relation_by_sex(relation: str | None, sex: str | None) -> tuple[str | None, str]:
    """Resolve a relation word that depends on sex ("子女", "父母", "公婆", "岳父母");
    return (Relation code, "") or (None, the Chinese reason). Other relations pass through."""
    if not relation or not relation.startswith(BY_SEX):
        return relation, ""
    word = relation.removeprefix(BY_SEX)
    male, female = RELATIONS_BY_SEX[word]
    if sex == "M":
        return male, ""
    if sex == "F":
        return female, ""
    return None, _("“%(value)s”要按性别区分(如儿子或女儿),请填写此人的性别或身份证号。") % {
        "value": word
    }


def cell_relation(value: CellValue) -> str | None:
    """Return HEAD for the head's row, else the member's `Relation` code (or BY_SEX and the
    word, for a word that the person's sex resolves: `relation_by_sex`)."""
    text = "".join(to_halfwidth(cell_text(value)).split())
    if text in HEAD_RELATIONS:
        return HEAD
    if text in RELATIONS_BY_SEX:
        return BY_SEX + text
    found = _zh_labels(c.Relation).get(text) or _RELATION_ALIASES.get(text)
    if found:
        return str(found)
    try:
        return cell_choice(value, _labels(c.Relation), _RELATION_ALIASES)
    except CellValueError:
        raise CellValueError(
            _("“%(value)s”不是可选的关系,户主本人填“户主”,成员填:%(labels)s。")
            % {"value": text, "labels": "、".join(_labels(c.Relation))}
        ) from None


def _text(max_length: int) -> Callable[[Any], str]:
    return partial(cell_text, max_length=max_length)


# Named in a message only when a cell is refused: translated then, not for every cell read
# (gettext for each phone and bank card cell was a twentieth of converting a roster).
_LABEL_NUMBER = gettext_lazy("号码")
_LABEL_BANK_CARD = gettext_lazy("银行卡号")
_LABEL_POSTCODE = gettext_lazy("邮编")


def cell_digits_text(value: CellValue) -> str | None:
    """Return a phone or code kept as text; Excel numbers of up to 15 digits are exact."""
    return cell_id_text(value, label=_LABEL_NUMBER)


_LANDLINE = re.compile(r"(\(?0\d{2,3}\)?-?)?[2-9]\d{6,7}(-\d{1,4})?")


def cell_mobile(value: CellValue) -> str | None:
    """Return a mobile number as text without separators ("138-0731-5678" → 13807315678).

    Raise `CellValueError` for a landline ("0731-58581234"): the archive keeps the head's mobile
    only, and a landline typed in 联系电话 would otherwise be refused as a wrong mobile number.
    """
    text = cell_digits_text(value)
    if text and _LANDLINE.fullmatch(to_halfwidth(text)):
        raise CellValueError(
            _(
                "“%(value)s”是座机号码;这一栏只收户主的手机号(11 位,以 1 开头)。"
                "座机号码请写在“备注”里。"
            )
            % {"value": text}
        )
    # "138-0731-5678" is the archive's 13807315678: compared with it on a second import.
    return _PHONE_SEPARATORS.sub("", text) if text else text


_PHONE_SEPARATORS = re.compile(r"[-‐‑–—]")


def cell_bank_card(value: CellValue) -> str | None:
    return cell_id_text(value, label=_LABEL_BANK_CARD)


def cell_money(value: CellValue) -> Decimal | None:
    return cell_decimal(value)


_RELATION_ALIASES = {
    "妻子": c.Relation.SPOUSE,
    "妻": c.Relation.SPOUSE,
    "丈夫": c.Relation.SPOUSE,
    "夫": c.Relation.SPOUSE,
    "爱人": c.Relation.SPOUSE,
    "夫妻": c.Relation.SPOUSE,
    "子": c.Relation.SON,
    "长子": c.Relation.SON,
    "次子": c.Relation.SON,
    "儿": c.Relation.SON,
    "女": c.Relation.DAUGHTER,
    "长女": c.Relation.DAUGHTER,
    "次女": c.Relation.DAUGHTER,
    "父": c.Relation.FATHER,
    "母": c.Relation.MOTHER,
    "岳父": c.Relation.FATHER_IN_LAW,
    "公公": c.Relation.FATHER_IN_LAW,
    "岳母": c.Relation.MOTHER_IN_LAW,
    "婆婆": c.Relation.MOTHER_IN_LAW,
    "孙子": c.Relation.GRANDCHILD,
    "孙女": c.Relation.GRANDCHILD,
    "外孙": c.Relation.GRANDCHILD,
    "外孙子": c.Relation.GRANDCHILD,
    "外孙女": c.Relation.GRANDCHILD,
    "孙子女": c.Relation.GRANDCHILD,
    "兄": c.Relation.SIBLING,
    "弟": c.Relation.SIBLING,
    "姐": c.Relation.SIBLING,
    "妹": c.Relation.SIBLING,
    "哥哥": c.Relation.SIBLING,
    "弟弟": c.Relation.SIBLING,
    "姐姐": c.Relation.SIBLING,
    "妹妹": c.Relation.SIBLING,
    "老伴": c.Relation.SPOUSE,
    "儿子": c.Relation.SON,
    "大儿子": c.Relation.SON,
    "二儿子": c.Relation.SON,
    "小儿子": c.Relation.SON,
    "三子": c.Relation.SON,
    "养子": c.Relation.SON,
    "继子": c.Relation.SON,
    "女儿": c.Relation.DAUGHTER,
    "大女儿": c.Relation.DAUGHTER,
    "二女儿": c.Relation.DAUGHTER,
    "小女儿": c.Relation.DAUGHTER,
    "三女": c.Relation.DAUGHTER,
    "养女": c.Relation.DAUGHTER,
    "继女": c.Relation.DAUGHTER,
    "父亲": c.Relation.FATHER,
    "母亲": c.Relation.MOTHER,
    "孙": c.Relation.GRANDCHILD,
    "长孙": c.Relation.GRANDCHILD,
    "孙女儿": c.Relation.GRANDCHILD,
    "外孙女儿": c.Relation.GRANDCHILD,
    "哥": c.Relation.SIBLING,
    "兄弟": c.Relation.SIBLING,
    "姐妹": c.Relation.SIBLING,
    # The national form has no place for these: they are 其他.
    "儿媳": c.Relation.OTHER,
    "儿媳妇": c.Relation.OTHER,
    "女婿": c.Relation.OTHER,
    "祖父": c.Relation.OTHER,
    "祖母": c.Relation.OTHER,
    "爷爷": c.Relation.OTHER,
    "奶奶": c.Relation.OTHER,
    "外公": c.Relation.OTHER,
    "外婆": c.Relation.OTHER,
}
_SEX_ALIASES = {"男性": "M", "女性": "F", "M": "M", "F": "F"}
_HEALTH_ALIASES = {
    "良好": c.Health.HEALTHY,
    "一般": c.Health.HEALTHY,
    "慢性病": c.Health.CHRONIC,
    "重特大疾病": c.Health.SERIOUS_ILLNESS,
    "重病": c.Health.SERIOUS_ILLNESS,
    "大病": c.Health.SERIOUS_ILLNESS,
    "重大疾病": c.Health.SERIOUS_ILLNESS,
}
_DISABILITY_ALIASES = {
    "否": c.Disability.NONE,
    "没有": c.Disability.NONE,
    "视力": c.Disability.VISUAL,
    "听力": c.Disability.HEARING,
    "言语": c.Disability.SPEECH,
    "肢体": c.Disability.PHYSICAL,
    "智力": c.Disability.INTELLECTUAL,
    "精神": c.Disability.MENTAL,
    "多重": c.Disability.MULTIPLE,
}
_INSURANCE_ALIASES = {
    "职工医保": c.MedicalInsurance.EMPLOYEE,
    "城镇职工医保": c.MedicalInsurance.EMPLOYEE,
    "居民医保": c.MedicalInsurance.RESIDENT,
    "城乡居民医保": c.MedicalInsurance.RESIDENT,
    "新农合": c.MedicalInsurance.RESIDENT,
    "城镇居民医保": c.MedicalInsurance.RESIDENT,
    "无": c.MedicalInsurance.NONE,
    "没有": c.MedicalInsurance.NONE,
    "未参加": c.MedicalInsurance.NONE,
}
_WORK_STATUS_ALIASES = {
    "下岗失业": c.WorkStatus.LAID_OFF,
    "在职": c.WorkStatus.EMPLOYED,
    "在岗职工": c.WorkStatus.EMPLOYED,
    "下岗职工": c.WorkStatus.LAID_OFF,
    "失业人员": c.WorkStatus.UNEMPLOYED,
    "退休人员": c.WorkStatus.RETIRED,
    "内部退养": c.WorkStatus.EARLY_RETIRED,
    "进城务工人员": c.WorkStatus.MIGRANT,
}
_MODEL_WORKER_ALIASES = {
    "否": c.ModelWorker.NONE,
    "无": c.ModelWorker.NONE,
    "不是": c.ModelWorker.NONE,
}
_POLITICAL_ALIASES = {
    "党员": c.PoliticalStatus.PARTY_MEMBER,
    "预备党员": c.PoliticalStatus.PROBATIONARY,
    "团员": c.PoliticalStatus.LEAGUE_MEMBER,
    "无党派": c.PoliticalStatus.NON_PARTISAN,
}
_EMPLOYER_ALIASES = {
    "国企": c.EmployerNature.STATE_OWNED,
    "集体": c.EmployerNature.COLLECTIVE,
    "私企": c.EmployerNature.PRIVATE,
    "民营企业": c.EmployerNature.PRIVATE,
    "外企": c.EmployerNature.FOREIGN,
    "机关": c.EmployerNature.PUBLIC_INSTITUTION,
    "事业单位": c.EmployerNature.PUBLIC_INSTITUTION,
    "个体": c.EmployerNature.INDIVIDUAL,
}
_ENTERPRISE_ALIASES = {
    "停产": c.EnterpriseStatus.SUSPENDED,
    "半停产": c.EnterpriseStatus.SUSPENDED,
    "经营困难": c.EnterpriseStatus.DIFFICULT,
}
_HOUSING_ALIASES = {
    "自有": c.Housing.OWNED,
    "自购房": c.Housing.OWNED,
    "公租房": c.Housing.PUBLIC_RENTAL,
    "廉租房": c.Housing.PUBLIC_RENTAL,
    "租房": c.Housing.PRIVATE_RENTAL,
    "租住": c.Housing.PRIVATE_RENTAL,
    "借住亲友": c.Housing.BORROWED,
    "无房": c.Housing.NONE,
}
_MARITAL_ALIASES = {
    "离婚": c.Marital.DIVORCED,
    "再婚": c.Marital.MARRIED,
    "初婚": c.Marital.MARRIED,
}
_HUKOU_ALIASES = {
    "城市": c.Hukou.URBAN,
    "非农": c.Hukou.URBAN,
    "非农业": c.Hukou.URBAN,
    "城镇户口": c.Hukou.URBAN,
    "农业": c.Hukou.RURAL,
    "农村户口": c.Hukou.RURAL,
}
_IDENTITY_ALIASES = {
    "学生": c.MemberIdentity.STUDENT,
    "在读": c.MemberIdentity.STUDENT,
    "学龄前": c.MemberIdentity.PRESCHOOL,
    "待业": c.MemberIdentity.NO_WORK,
    "在岗": c.MemberIdentity.EMPLOYED,
    "下岗失业": c.MemberIdentity.LAID_OFF,
    "农民": c.MemberIdentity.FARMING,
}
_EDUCATION_ALIASES = {
    "文盲": c.Education.NONE,
    "高中": c.Education.SENIOR,
    "中专": c.Education.SENIOR,
    "职高": c.Education.SENIOR,
    "技校": c.Education.SENIOR,
    "专科": c.Education.COLLEGE,
    "大学": c.Education.BACHELOR,
    "大学本科": c.Education.BACHELOR,
    "硕士": c.Education.POSTGRADUATE,
    "博士": c.Education.POSTGRADUATE,
}
_INDUSTRY_CODES = {str(code): code for code in c.Industry.values}
_CAUSE_ALIASES = {"下岗": 3, "失业": 3, "大病": 6, "疾病": 6, "上学": 9, "子女教育": 9}


def _industry(value: CellValue) -> str | None:
    text = to_halfwidth(cell_text(value)).strip().upper()
    if text in _INDUSTRY_CODES:
        return _INDUSTRY_CODES[text]
    return cell_choice(value, _labels(c.Industry))


def _ethnicity(value: CellValue) -> str | None:
    text = "".join(cell_text(value).split())
    if text in c.ETHNIC_GROUPS:
        return text
    if f"{text}族" in c.ETHNIC_GROUPS:  # "汉" for 汉族
        return f"{text}族"
    raise CellValueError(_("“%(value)s”不是民族名称(例如 汉族、土家族)。") % {"value": text})


def _year(value: CellValue) -> int | None:
    return cell_int(value, min_value=1950, max_value=2100)


def _schooling(value: CellValue) -> int | None:
    return cell_int(value, min_value=1, max_value=10)


def _area_floor(value: CellValue) -> Decimal | None:
    return cell_decimal(value)


def _category(value: CellValue) -> str | None:
    return cell_choice(value, _labels(c.Category))


def _postcode(value: CellValue) -> str | None:
    text = cell_id_text(value, label=_LABEL_POSTCODE)
    if text and not re.fullmatch(r"\d{6}", text):
        raise CellValueError(_("邮编应为 6 位数字。"))
    return text


def _date(value: CellValue) -> date | None:
    return cell_date(value)


@dataclass(frozen=True)
class YearMonth:
    """A birth date given as year and month only (出生年月 "1975.6", "197506", "1975年6月").

    `months` holds both readings of an Excel number: 1975.1 is what Excel keeps of 1975.10.
    The import takes the full date from the ID number when the year and month agree with it,
    and refuses a year and month alone for a person without an ID (a child), whose date must
    be complete.
    """

    year: int
    months: frozenset[int]

    def shown(self) -> str:
        return "/".join(
            _("%(year)d年%(month)d月") % {"year": self.year, "month": month}
            for month in sorted(self.months)
        )

    def agrees_with(self, day: date) -> bool:
        return day.year == self.year and day.month in self.months


_YEAR_MONTH_TEXT = re.compile(r"(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*月?|(?P<mm>\d{2}))")


def cell_birth_date(value: CellValue) -> date | YearMonth | None:
    """Return a birth date, or a `YearMonth` for a cell that gives only the year and month.

    Raise `CellValueError` as `cell_date` does for anything else, and for a month outside 1–12.
    """
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if float(value).is_integer() and 1900 <= value <= 2099:  # 1975: Excel would read 1905
            raise CellValueError(
                _("只填了年份“%(value)s”,请填写出生年月日,例如 1975-06-15。")
                % {"value": _shown_number(value)}
            )
        if float(value).is_integer() and 190001 <= value <= 209912:  # 197506
            year, month = divmod(int(value), 100)
            return _year_month(year, frozenset({month}), _shown_number(value))
        if 1900 < value < 2100 and not float(value).is_integer():  # 1975.06, 1975.1 (=1975.10?)
            year = int(value)
            digits = f"{value:.2f}".split(".")[1]
            months = {int(digits)} if digits[1] != "0" else {int(digits[0]), int(digits)}
            return _year_month(year, frozenset(months), _shown_number(value))
    if isinstance(value, str):
        text = "".join(to_halfwidth(clean_text(value)).split())
        match = _YEAR_MONTH_TEXT.fullmatch(text)
        if match:
            month = int(match["m"] or match["mm"])
            return _year_month(int(match["y"]), frozenset({month}), clean_text(value))
    return cell_date(value)


def _shown_number(value: float | int) -> str:
    return cell_text(value)


def _year_month(year: int, months: frozenset[int], shown: str) -> YearMonth:
    months = frozenset(month for month in months if 1 <= month <= 12)
    if not months or not 1900 <= year <= 2099:
        raise CellValueError(
            _("“%(value)s”不是有效的日期。请按“2012-04-10”的格式填写。") % {"value": shown}
        )
    return YearMonth(year, months)


@dataclass(frozen=True)
class ColumnSpec:
    """A template column: where it is read (`scope`), how a cell converts, how it is written."""

    key: str
    title: Any  # a lazy Chinese title
    scope: str  # person | head | household | member
    convert: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()
    required: bool = False
    as_text: bool = False  # written as text ("@") so long numbers stay intact
    example: Any = None

    def column(self) -> Column:
        return Column(self.key, str(self.title), self.aliases, self.required)


T = gettext_lazy
PERSON, HEAD_ONLY, HOUSEHOLD, MEMBER = "person", "head", "household", "member"

SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "household_no",
        T("户号"),
        "group",
        _text(40),
        ("家庭编号", "户编号", "家庭序号"),
        as_text=True,
        example="1",
    ),
    ColumnSpec(
        "relation",
        T("与户主关系"),
        "group",
        cell_relation,
        ("关系", "与户主的关系", "家庭关系", "称谓"),
        required=True,
        example="户主",
    ),
    ColumnSpec(
        "name",
        T("姓名"),
        PERSON,
        _text(50),
        ("成员姓名", "职工姓名"),
        required=True,
        example="张三",
    ),
    ColumnSpec(
        "id_number",
        T("身份证号"),
        PERSON,
        cell_id_text,
        ("公民身份号", "公民身份证号", "身份证件号", "身份证", "证件号"),
        required=True,
        as_text=True,
        example="11010519491231002X",
    ),
    ColumnSpec("head_id", T("户主身份证号"), MEMBER, cell_id_text, ("户主身份证",), as_text=True),
    ColumnSpec("sex", T("性别"), PERSON, _choice(c.Sex, _SEX_ALIASES), example="女"),
    ColumnSpec(
        "birth_date",
        T("出生日期"),
        PERSON,
        cell_birth_date,
        ("出生年月日", "出生年月", "出生时间", "生日"),
        example="1949-12-31",
    ),
    ColumnSpec("ethnicity", T("民族"), HEAD_ONLY, _ethnicity, example="汉族"),
    ColumnSpec(
        "political_status",
        T("政治面貌"),
        HEAD_ONLY,
        _choice(c.PoliticalStatus, _POLITICAL_ALIASES),
        example="群众",
    ),
    ColumnSpec(
        "health",
        T("健康状况"),
        PERSON,
        _choice(c.Health, _HEALTH_ALIASES),
        ("健康情况",),
        example="健康",
    ),
    ColumnSpec(
        "disability",
        T("残疾类别"),
        PERSON,
        _choice(c.Disability, _DISABILITY_ALIASES),
        ("残疾情况",),
        example="无",
    ),
    ColumnSpec(
        "medical_insurance",
        T("医保状况"),
        PERSON,
        _choice(c.MedicalInsurance, _INSURANCE_ALIASES),
        ("医疗保险", "医保"),
        example="城镇职工基本医疗保险",
    ),
    ColumnSpec(
        "income",
        T("月收入"),
        PERSON,
        cell_money,
        ("本人月平均收入", "月平均收入", "本人月收入", "个人月收入", "月均收入"),
        example=Decimal("800.00"),
    ),
    ColumnSpec(
        "work_unit",
        T("工作单位或学校"),
        PERSON,
        _text(100),
        ("工作单位", "单位或学校", "就读学校"),
        example="湘潭电机厂",
    ),
    ColumnSpec(
        "identity", T("身份"), MEMBER, _choice(c.MemberIdentity, _IDENTITY_ALIASES), ("成员身份",)
    ),
    ColumnSpec("able_to_work", T("有劳动能力"), MEMBER, cell_bool, ("是否有劳动能力", "劳动能力")),
    ColumnSpec(
        "education", T("学历"), MEMBER, _choice(c.Education, _EDUCATION_ALIASES), ("文化程度",)
    ),
    ColumnSpec("enrolled_year", T("入学年份"), MEMBER, _year, ("入学时间",)),
    ColumnSpec("schooling_years", T("学制"), MEMBER, _schooling, ("学制年限",)),
    ColumnSpec(
        "work_status",
        T("工作状态"),
        HEAD_ONLY,
        _choice(c.WorkStatus, _WORK_STATUS_ALIASES),
        ("就业状况", "职工状态"),
        example="下岗",
    ),
    ColumnSpec(
        "model_worker",
        T("劳模类型"),
        HEAD_ONLY,
        _choice(c.ModelWorker, _MODEL_WORKER_ALIASES),
        ("是否劳模",),
        example="非劳模",
    ),
    ColumnSpec(
        "work_started_on",
        T("参加工作时间"),
        HEAD_ONLY,
        _date,
        ("工作时间",),
        example=date(1968, 9, 1),
    ),
    ColumnSpec("industry", T("所属行业"), HEAD_ONLY, _industry, ("行业",), example="制造业"),
    ColumnSpec(
        "employer_nature",
        T("单位性质"),
        HEAD_ONLY,
        _choice(c.EmployerNature, _EMPLOYER_ALIASES),
        example="国有企业",
    ),
    ColumnSpec(
        "enterprise_status",
        T("企业状况"),
        HEAD_ONLY,
        _choice(c.EnterpriseStatus, _ENTERPRISE_ALIASES),
        ("企业状态",),
        example="困难",
    ),
    ColumnSpec(
        "mobile",
        T("手机"),
        HEAD_ONLY,
        cell_mobile,
        ("手机号", "联系电话", "电话", "电话号码", "联系方式", "手机号码"),
        as_text=True,
        example="13800005678",
    ),
    ColumnSpec(
        "marital_status",
        T("婚姻状况"),
        HEAD_ONLY,
        _choice(c.Marital, _MARITAL_ALIASES),
        ("婚姻",),
        example="已婚",
    ),
    ColumnSpec(
        "hukou",
        T("户口类型"),
        HEAD_ONLY,
        _choice(c.Hukou, _HUKOU_ALIASES),
        ("户口性质", "户籍类型"),
        example="城镇",
    ),
    ColumnSpec(
        "hukou_area_code",
        T("户口所在地行政区划"),
        HEAD_ONLY,
        cell_digits_text,
        ("户口所在地",),
        as_text=True,
        example="430302",
    ),
    ColumnSpec(
        "union_member", T("是否工会会员"), HEAD_ONLY, cell_bool, ("工会会员",), example="是"
    ),
    ColumnSpec(
        "unit",
        T("所属帮扶站"),
        HOUSEHOLD,
        _text(100),
        ("所属帮扶站点", "帮扶站", "所属单位"),
        example="响水社区帮扶站",
    ),
    ColumnSpec("area", T("低保标准地区"), HOUSEHOLD, _text(60), ("低保地区",), example="雨湖区"),
    ColumnSpec(
        "applied_on", T("申请日期"), HOUSEHOLD, _date, ("申请时间",), example=date(2026, 3, 1)
    ),
    ColumnSpec("category", T("困难类别"), HOUSEHOLD, _category, ("困难类型",)),
    ColumnSpec(
        "address",
        T("家庭住址"),
        HOUSEHOLD,
        _text(200),
        ("住址", "现住址", "家庭地址", "居住地址", "现居住地址", "家庭住所"),
        example="响水乡响水社区 1 号",
    ),
    ColumnSpec(
        "postcode", T("邮编"), HOUSEHOLD, _postcode, ("邮政编码",), as_text=True, example="411100"
    ),
    ColumnSpec(
        "housing",
        T("住房类型"),
        HOUSEHOLD,
        _choice(c.Housing, _HOUSING_ALIASES),
        ("住房情况",),
        example="自有住房",
    ),
    ColumnSpec(
        "floor_area", T("建筑面积"), HOUSEHOLD, _area_floor, ("住房面积",), example=Decimal("45.00")
    ),
    ColumnSpec("single_parent", T("是否单亲"), HOUSEHOLD, cell_bool, ("单亲家庭",), example="否"),
    ColumnSpec(
        "zero_employment", T("是否零就业家庭"), HOUSEHOLD, cell_bool, ("零就业家庭",), example="否"
    ),
    ColumnSpec(
        "wage_income",
        T("工资性收入"),
        HOUSEHOLD,
        cell_money,
        ("工资性年收入",),
        example=Decimal("9600.00"),
    ),
    ColumnSpec("business_income", T("经营净收入"), HOUSEHOLD, cell_money, ("经营性收入",)),
    ColumnSpec("property_income", T("财产净收入"), HOUSEHOLD, cell_money, ("财产性收入",)),
    ColumnSpec("transfer_income", T("转移净收入"), HOUSEHOLD, cell_money, ("转移性收入",)),
    ColumnSpec("other_income", T("其他收入"), HOUSEHOLD, cell_money),
    ColumnSpec(
        "medical_spending", T("医疗支出"), HOUSEHOLD, cell_money, example=Decimal("3000.00")
    ),
    ColumnSpec("disability_spending", T("残疾康复支出"), HOUSEHOLD, cell_money),
    ColumnSpec("education_spending", T("非义务教育支出"), HOUSEHOLD, cell_money, ("教育支出",)),
    ColumnSpec("housing_spending", T("住房支出"), HOUSEHOLD, cell_money),
    ColumnSpec("other_spending", T("其他刚性支出"), HOUSEHOLD, cell_money),
    ColumnSpec("sudden_hardship", T("因突发事件致困"), HOUSEHOLD, cell_bool, example="否"),
    ColumnSpec(
        "receives_dibao", T("是否享受低保"), HOUSEHOLD, cell_bool, ("享受低保",), example="否"
    ),
    ColumnSpec(
        "controlling_shareholder", T("家庭成员为企业控股股东"), HOUSEHOLD, cell_bool, ("控股股东",)
    ),
    ColumnSpec("multiple_homes", T("拥有两套及以上住房"), HOUSEHOLD, cell_bool, ("多套住房",)),
    ColumnSpec("owns_vehicle", T("拥有机动车辆"), HOUSEHOLD, cell_bool, ("机动车辆",)),
    ColumnSpec(
        "refuses_cooperation", T("拒不配合调查或隐瞒收入"), HOUSEHOLD, cell_bool, ("拒不配合调查",)
    ),
    ColumnSpec(
        "main_cause",
        T("主要致困原因"),
        HOUSEHOLD,
        cell_cause,
        ("致困原因", "主要困难原因", "困难原因", "致贫原因"),
        example="下岗失业",
    ),
    ColumnSpec(
        "secondary_causes",
        T("次要致困原因"),
        HOUSEHOLD,
        cell_causes,
        ("其他致困原因",),
        example="6",
    ),
    ColumnSpec(
        "bank_name", T("开户银行"), HOUSEHOLD, _text(50), ("开户行",), example="中国农业银行"
    ),
    ColumnSpec(
        "bank_branch",
        T("支行"),
        HOUSEHOLD,
        _text(100),
        ("开户支行", "开户网点"),
        example="雨湖支行",
    ),
    ColumnSpec(
        "bank_card",
        T("银行卡号"),
        HOUSEHOLD,
        cell_bank_card,
        ("银行账号", "卡号", "账号"),
        as_text=True,
        example="6222020200112233445",
    ),
    ColumnSpec(
        "bank_account_holder",
        T("持卡人"),
        HOUSEHOLD,
        _text(50),
        ("账户名", "开户人姓名", "户名"),
        example="张三",
    ),
    ColumnSpec(
        "consent_sensitive_on", T("敏感信息处理同意日期"), HOUSEHOLD, _date, ("知情同意日期",)
    ),
    ColumnSpec("consent_publication_on", T("同意公示日期"), HOUSEHOLD, _date),
    ColumnSpec("notes", T("备注"), HOUSEHOLD, _text(1000)),
)


def _household_size(value: CellValue) -> int | None:
    text = to_halfwidth(cell_text(value)).strip().rstrip("人口").strip()
    return cell_int(text or value, min_value=1, max_value=30)


def cell_family_members(value: CellValue) -> None:
    """Refuse family members written into one cell (the national form's 家庭成员 box): the
    import reads one row per person, and a household filed without them would be wrong."""
    raise CellValueError(
        _(
            "本系统按“每人一行”导入,家庭成员不能写在一个格子里。请每位家庭成员各占一行"
            "(“与户主关系”填妻、儿子等,填同一户号),请下载导入模板,按模板填写后重新导入。"
        )
    )


# Columns that real rosters have and the import reads to check the file, but that the template
# and the export do not carry: 家庭人口 (compared with the rows of the household) and the
# national form's 家庭成员 box (refused: members are rows).
CHECK_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "household_size",
        T("家庭人口"),
        HOUSEHOLD,
        _household_size,
        ("家庭人数", "家庭人口数", "家庭成员人数", "家庭总人口", "人口数", "共同生活人口"),
    ),
    ColumnSpec(
        "family_members",
        T("家庭成员"),
        HOUSEHOLD,
        cell_family_members,
        (
            "家庭成员情况",
            "家庭主要成员",
            "主要家庭成员",
            "家庭成员信息",
            "家庭成员及关系",
            "家庭成员姓名",
            "共同生活家庭成员",
            "共同生活的家庭成员",
        ),
    ),
)


def _status_written_by_export(value: CellValue) -> None:
    """档案状态 is written by the export (so a roster can be filtered in Excel); an import
    never takes a status from a file: the procedure sets it."""
    return None


# Columns an export writes beside the template's; the import recognises and does not use them.
EXPORT_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec("archive_status", T("档案状态"), HOUSEHOLD, _status_written_by_export),
)
ALL_SPECS = SPECS + CHECK_SPECS + EXPORT_SPECS
SPEC_BY_KEY = {spec.key: spec for spec in ALL_SPECS}
COLUMNS: list[Column] = [spec.column() for spec in ALL_SPECS]


def choice_labels() -> dict[str, list[str]]:
    """{column key: labels} of the choice columns whose words the import's value mapping lists
    (issue 11 #2): a word the column's converter does not take is shown once with its rows,
    and the user picks one of these labels for it."""
    by_key: dict[str, Any] = {
        "sex": c.Sex,
        "political_status": c.PoliticalStatus,
        "health": c.Health,
        "disability": c.Disability,
        "medical_insurance": c.MedicalInsurance,
        "identity": c.MemberIdentity,
        "education": c.Education,
        "work_status": c.WorkStatus,
        "model_worker": c.ModelWorker,
        "industry": c.Industry,
        "employer_nature": c.EmployerNature,
        "enterprise_status": c.EnterpriseStatus,
        "marital_status": c.Marital,
        "hukou": c.Hukou,
        "housing": c.Housing,
        "main_cause": c.HardshipCause,
        "category": c.Category,
    }
    labels = {"relation": [HEAD_RELATIONS[0], *_labels(c.Relation)]}
    labels.update({key: list(_labels(choices)) for key, choices in by_key.items()})
    return {key: value for key, value in labels.items() if key in SPEC_BY_KEY}


def columns() -> list[Column]:
    """Return the columns the import looks for (the template's and `CHECK_SPECS`), with titles
    in the active language."""
    return [spec.column() for spec in ALL_SPECS]


def headers() -> list[str]:
    return [str(spec.title) for spec in SPECS]


def text_headers() -> set[str]:
    return {str(spec.title) for spec in SPECS if spec.as_text}


# Where an error of the filing service on an input field is shown: (scope, input field) → column
# key. Fields not listed here have the column key of the same name.
HEAD_FIELD_COLUMNS = {
    "head_monthly_income": "income",
    "employer": "work_unit",
    "rule_version": "category",
    "members": "relation",
}
MEMBER_FIELD_COLUMNS = {"monthly_income": "income", "employer_or_school": "work_unit"}


def head_field_column(field_name: str) -> str | None:
    key = HEAD_FIELD_COLUMNS.get(field_name, field_name)
    return key if key in SPEC_BY_KEY else None


def member_field_column(field_name: str) -> str | None:
    key = MEMBER_FIELD_COLUMNS.get(field_name, field_name)
    return key if key in SPEC_BY_KEY else None


# ---------------------------------------------------------------------------------------------
# Writing: the empty template and the export


_EXAMPLE_MEMBER: dict[str, Any] = {
    "household_no": "1",
    "relation": "女儿",
    "name": "张小花",
    "id_number": "",
    "sex": "女",
    "birth_date": date(2012, 5, 20),
    "health": "健康",
    "identity": "在校学生",
    "able_to_work": "否",
    "education": "初中",
    "enrolled_year": 2024,
    "schooling_years": 3,
    "work_unit": "响水中学",
}


def template_workbook() -> bytes:
    """Return the empty roster template: a title line, the header, an example head and member."""
    head_example = [spec.example for spec in SPECS]
    member_example = [_EXAMPLE_MEMBER.get(spec.key) for spec in SPECS]
    notes = [
        [_("填表说明")],
        [_("1. 每人一行。户主行的“与户主关系”填“户主”(或“本人”);成员行填配偶、儿子、女儿等。")],
        [_("2. 同一户的各行填相同的“户号”;不填户号时,成员行须在“户主身份证号”填户主的身份证号。")],
        [
            _(
                "3. 家庭信息(帮扶站、住址、收入支出、致困原因、银行卡等)填在户主行;"
                "成员行留空或与户主行相同。"
            )
        ],
        [
            _(
                "4. 身份证号、银行卡号、手机请以文本格式填写(本模板的这些列已设为文本),"
                "否则 Excel 会丢失末几位。"
            )
        ],
        [
            _(
                "5. 日期可写 2012-04-10、2012.4.10 或 2012年4月10日。"
                "选项列填中文名称,例如 男/女、是/否。"
            )
        ],
        [
            _(
                "6. 次要致困原因最多 3 项,用逗号或顿号分开,可填代码或名称,"
                "例如“2,6”或“有劳动能力未就业、重特大疾病”。"
            )
        ],
        [_("7. 导入时先校验整个文件:有任何错误都不会导入,请按错误清单改正后重新上传整个文件。")],
        [_("8. 请删除示例行后再导入;已有档案的户会显示“已存在,跳过”,不会重复建档。")],
        [
            _(
                "9. 出生日期只写年月(如 1975.6)时以身份证号中的日期为准;没有身份证号的成员"
                "须写完整日期。“合计”行和“填表人:…”一类的落款行不会读取;隐藏或筛选掉的行"
                "请先取消隐藏。一次只导入一个工作表。"
            )
        ],
    ]
    return write_workbook(
        [
            SheetSpec(
                title=_("花名册"),
                headers=headers(),
                rows=[head_example, member_example],
                text_columns=text_headers(),
                title_line=_("困难职工家庭花名册(导入模板)"),
            ),
            SheetSpec(title=_("填表说明"), headers=[_("说明")], rows=notes[1:]),
        ]
    )


@lru_cache(maxsize=256)
def _code_labels(choices: Any, language: str | None) -> dict[Any, str]:
    """{code: label} of a choices class, once per language (rows are built for every archive
    of an export and of an import's comparison)."""
    return {code: str(label) for code, label in reversed(choices.choices)}


def household_rows(
    household: Any, members: Sequence[Any], *, masked: bool = True, household_no: str = ""
) -> list[list[Any]]:
    """Return the roster rows of one archive (the head's row, then each member's), in template
    column order. With `masked`, IDs, phone and bank card keep only their ends."""
    id_text = mask_id_number if masked else (lambda v: v or "")
    # The language once per archive, not once per cell (an export writes every archive, an
    # import's second run compares every archive: asking Django for it was a tenth of both).
    language = get_language()
    yes, no = _("是"), _("否")

    def label(choices: Any, value: Any) -> str:
        if value in (None, ""):
            return ""
        return _code_labels(choices, language).get(value, str(value))

    def yes_no(value: bool) -> str:
        return yes if value else no

    head = household
    number = household_no or head.archive_no or f"D{head.pk}"
    head_values: dict[str, Any] = {
        "household_no": number,
        "relation": _("户主"),
        "name": head.name,
        "id_number": id_text(head.id_number),
        "sex": label(c.Sex, head.sex),
        "birth_date": head.birth_date,
        "ethnicity": head.ethnicity,
        "political_status": label(c.PoliticalStatus, head.political_status),
        "health": label(c.Health, head.health),
        "disability": label(c.Disability, head.disability),
        "medical_insurance": label(c.MedicalInsurance, head.medical_insurance),
        "income": head.head_monthly_income,
        "work_unit": head.employer,
        "work_status": label(c.WorkStatus, head.work_status),
        "model_worker": label(c.ModelWorker, head.model_worker),
        "work_started_on": head.work_started_on,
        "industry": label(c.Industry, head.industry),
        "employer_nature": label(c.EmployerNature, head.employer_nature),
        "enterprise_status": label(c.EnterpriseStatus, head.enterprise_status),
        "mobile": mask_phone(head.mobile) if masked else head.mobile,
        "marital_status": label(c.Marital, head.marital_status),
        "hukou": label(c.Hukou, head.hukou),
        "hukou_area_code": head.hukou_area_code,
        "union_member": yes_no(head.union_member),
        "unit": head.unit.name,
        "area": head.area.code,
        "applied_on": head.applied_on,
        "category": label(c.Category, head.category),
        "address": head.address,
        "postcode": head.postcode,
        "housing": label(c.Housing, head.housing),
        "floor_area": head.floor_area,
        "single_parent": yes_no(head.single_parent),
        "zero_employment": yes_no(head.zero_employment),
        "main_cause": label(c.HardshipCause, head.main_cause),
        "secondary_causes": "、".join(
            label(c.HardshipCause, int(code)) for code in head.secondary_causes or []
        ),
        "bank_name": head.bank_name,
        "bank_branch": head.bank_branch,
        "bank_card": mask_bank_card(head.bank_card) if masked else head.bank_card,
        "bank_account_holder": head.bank_account_holder
        if hasattr(head, "bank_account_holder")
        else "",
        "consent_sensitive_on": head.consent_sensitive_on,
        "consent_publication_on": head.consent_publication_on,
        "notes": head.notes,
    }
    if not head_values["bank_account_holder"] and head.bank_card:
        head_values["bank_account_holder"] = head.name  # 实名制: the card is the head's own
    for key in (
        "wage_income",
        "business_income",
        "property_income",
        "transfer_income",
        "other_income",
        "medical_spending",
        "disability_spending",
        "education_spending",
        "housing_spending",
        "other_spending",
    ):
        head_values[key] = getattr(head, key)
    for key in (
        "sudden_hardship",
        "receives_dibao",
        "controlling_shareholder",
        "multiple_homes",
        "owns_vehicle",
        "refuses_cooperation",
    ):
        head_values[key] = yes_no(getattr(head, key))
    rows = [[head_values.get(spec.key) for spec in SPECS]]
    for member in members:
        values = {
            "household_no": number,
            "relation": label(c.Relation, member.relation),
            "name": member.name,
            "id_number": id_text(member.id_number),
            "sex": label(c.Sex, member.sex),
            "birth_date": member.birth_date,
            "health": label(c.Health, member.health),
            "disability": label(c.Disability, member.disability),
            "medical_insurance": label(c.MedicalInsurance, member.medical_insurance),
            "income": member.monthly_income,
            "work_unit": member.employer_or_school,
            "identity": label(c.MemberIdentity, member.identity),
            "able_to_work": yes_no(member.able_to_work),
            "education": label(c.Education, member.education),
            "enrolled_year": member.enrolled_year,
            "schooling_years": member.schooling_years,
        }
        rows.append([values.get(spec.key) for spec in SPECS])
    return rows


def roster_sheet(rows: Iterable[Sequence[Any]], *, title_line: str) -> SheetSpec:
    """Return the roster sheet of an export: the import template's header, then the export's
    own columns (`EXPORT_SPECS`: 档案状态), which an import reads back and leaves alone."""
    return SheetSpec(
        title=_("花名册"),
        headers=headers() + [str(spec.title) for spec in EXPORT_SPECS],
        rows=rows,
        text_columns=text_headers(),
        title_line=title_line,
    )


def is_masked(text: str | None) -> bool:
    """Return whether an ID or card number from a file was masked by an export (has "*")."""
    return bool(text) and "*" in str(text)


def normalise_name(value: Any) -> str:
    return "".join(clean_text(value).split())


__all__ = [
    "ALL_SPECS",
    "CHECK_SPECS",
    "COLUMNS",
    "EXPORT_SPECS",
    "HEAD",
    "HEAD_ONLY",
    "HOUSEHOLD",
    "MEMBER",
    "OLD_CATEGORIES",
    "PERSON",
    "RULE_2012",
    "SPECS",
    "SPEC_BY_KEY",
    "ColumnSpec",
    "YearMonth",
    "cell_birth_date",
    "cell_causes",
    "cell_mobile",
    "cell_relation",
    "columns",
    "head_field_column",
    "household_rows",
    "member_field_column",
    "roster_sheet",
    "template_workbook",
]
