"""The 金秋助学 batch import: applications as schools or stations send them, in two phases.

Phase 1, `campaign_check`, reads the whole file and writes nothing: each row is converted
(`core.xlsx`), matched to an archive in the user's scope (by 职工编号, by the head's ID, or by the
head's name when only one archive in the scope has it) and to a recorded member of it (the
student, by ID or by name), and then put through the very service that makes an application
(`services.application_create`) inside a savepoint that is rolled back — so the application
window, the archive's state, the exclusions (military academies, free teacher-training places,
students aided elsewhere), the caps and the duplicate rules are checked exactly as for one
application typed on its page. Every bad row is reported with its row, column and reason.

Phase 2, `campaign_import`, runs on the user's confirmation: it reads and checks the file again
(the database may have changed since) and makes a draft application for each good row — the
bad ones are reported again and skipped — and puts them in the batch, all in one transaction.

Decisions (for files as schools send them):

* 学段: 大学, 本科, 大专, 专科, 高职, 研究生, 硕士, 博士 → university; 高中, 普高, 中职, 中专, 职高,
  技校, 职业高中 → high school; anything else (初中, 小学) is refused: not in the campaign.
* 学校性质 may be a column (普通 / 军校 / 免费师范); without it a school whose name says it is a
  military or police academy (军事, 解放军, 武警, 陆军, 海军, 空军, 火箭军, 国防科技大学, 警官学院
  is not one) is taken as a military academy and refused; 免费师范生 / 公费师范生 as a yes/no
  column marks a free teacher-training place.
* 已获其他资助: yes/no, or a text naming the other grant (anything but 无/否/没有 counts as
  aided).
* 年级: 1–8, or 一年级, 大一, 高二, 研一 and the like.
* The same student twice in the file: the second row is refused.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.archives.identity import id_index
from bangfu.archives.models import Household
from bangfu.core.errors import DomainError, ValidationError
from bangfu.core.idnumber import parse_id_number
from bangfu.core.xlsx import (
    CellError,
    CellValueError,
    Column,
    ErrorCollector,
    SourceRow,
    Table,
    cell_bool,
    cell_decimal,
    cell_id_text,
    cell_text,
    read_table,
)

from . import campaign, services
from .models import Application, CampaignBatch, Programme, SchoolKind, SchoolLevel
from .permissions import AssistancePermission as P

COLUMNS = [
    Column("student_name", "学生姓名", aliases=("姓名", "受助学生", "学生"), required=True),
    Column("student_id", "学生身份证号", aliases=("身份证号", "学生身份证", "身份证号码")),
    Column("school", "学校", aliases=("就读学校", "录取学校", "学校名称", "院校"), required=True),
    Column("level", "学段", aliases=("学历层次", "层次", "就读阶段", "类别"), required=True),
    Column("school_year", "年级", aliases=("就读年级",)),
    Column("tuition", "学费", aliases=("学费(元)", "每年学费", "学费金额")),
    Column("head_name", "户主姓名", aliases=("家长姓名", "父(母)姓名", "困难职工姓名", "户主")),
    Column("head_id", "户主身份证号", aliases=("家长身份证号", "职工身份证号")),
    Column("archive_no", "职工编号", aliases=("档案编号", "档案号", "困难职工编号")),
    Column("school_kind", "学校性质", aliases=("院校性质", "学校类型")),
    Column("free_teacher", "免费师范生", aliases=("公费师范生", "是否免费师范生")),
    Column("aided_elsewhere", "已获其他资助", aliases=("其他资助", "是否获其他资助")),
    Column("admission_letter", "录取通知书", aliases=("已交录取通知书",)),
]

UNIVERSITY_WORDS = ("大学", "本科", "大专", "专科", "高职", "研究生", "硕士", "博士")
HIGH_SCHOOL_WORDS = ("高中", "普高", "中职", "中专", "职高", "技校", "职业高中", "高级中学")
MILITARY_WORDS = ("军事", "解放军", "武警", "陆军", "海军", "空军", "火箭军", "国防科技大学")
NO_WORDS = ("", "无", "否", "没有", "未获", "/", "-", "—")
CHINESE_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
MAX_ROWS = 5000


def _level(value: Any) -> str:
    text = cell_text(value)
    if any(word in text for word in HIGH_SCHOOL_WORDS):
        return SchoolLevel.HIGH_SCHOOL
    if any(word in text for word in UNIVERSITY_WORDS):
        return SchoolLevel.UNIVERSITY
    raise CellValueError(_("“%(text)s”不在金秋助学范围内(应为大学或高中、中职)。") % {"text": text})


def _school_year(value: Any) -> int:
    text = cell_text(value).strip()
    digits = re.search(r"\d+", text)
    if digits:
        number = int(digits.group())
    else:
        found = next((n for c, n in CHINESE_NUMBERS.items() if c in text), None)
        if found is None:
            raise CellValueError(_("年级应为 1 至 8 或“大一”“高二”等。"))
        number = found
    if not 1 <= number <= 8:
        raise CellValueError(_("年级应为 1 至 8 或“大一”“高二”等。"))
    return number


def _school_kind(value: Any) -> str:
    text = cell_text(value)
    if "军" in text or "警" in text:
        return SchoolKind.MILITARY
    if "师范" in text:
        return SchoolKind.FREE_TEACHER
    if text in ("普通", "普通学校", "普通高校", "公办", "民办", "", "否", "无"):
        return SchoolKind.ORDINARY
    raise CellValueError(_("学校性质应为普通、军事院校或免费师范。"))


def _aided(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).strip()
    if text in NO_WORDS:
        return False
    try:
        flag = cell_bool(value)
    except CellValueError:
        return True  # a text naming the other grant
    return bool(flag)


def _military_by_name(school: str) -> bool:
    return any(word in school for word in MILITARY_WORDS) and "警官" not in school


@dataclass
class ReadyRow:
    """A row that passed every check: what the application will be made of."""

    row: int
    household_id: int
    household_name: str
    student_name: str
    data: services.ApplicationInput
    amount: Decimal = Decimal("0.00")


@dataclass
class CampaignCheck:
    """What the file holds: the good rows and every problem of the bad ones."""

    sheet: str
    rows: int
    ready: list[ReadyRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})


# Which column a service refusal belongs to (by the service's field name).
FIELD_COLUMN = {
    "student": "student_name",
    "school": "school",
    "school_level": "level",
    "school_kind": "school_kind",
    "aided_elsewhere": "aided_elsewhere",
    "tuition": "tuition",
    "household": "archive_no",
    "period_start": "student_name",
    "amount": "level",
    "programme": "student_name",
}


def _period(programme: Programme) -> tuple[date, date]:
    return date(programme.year, 9, 1), date(programme.year + 1, 6, 30)


class _Lookup:
    """The archives of the user's scope the file names, read in a few queries."""

    def __init__(self, user: Any, rows: Sequence[SourceRow]) -> None:
        scoped = Household.objects.filter(policy.scope_q(user, P.APPLY, field="unit"))
        numbers = {cell_text(r.values.get("archive_no")).strip() for r in rows} - {""}
        names = {cell_text(r.values.get("head_name")).strip() for r in rows} - {""}
        indexes = set()
        for r in rows:
            raw = r.values.get("head_id")
            if raw not in (None, ""):
                with contextlib.suppress(ValidationError, CellValueError):
                    indexes.add(id_index(parse_id_number(cell_id_text(raw) or "").value))
        found = list(
            scoped.filter(
                Q(archive_no__in=numbers) | Q(id_index__in=indexes) | Q(name__in=names)
            ).prefetch_related("members")
        )
        self.by_number = {h.archive_no: h for h in found if h.archive_no}
        self.by_index = {h.id_index: h for h in found}
        self.by_name: dict[str, list[Household]] = {}
        for h in found:
            self.by_name.setdefault(h.name, []).append(h)


def _household(
    row: SourceRow, errors: ErrorCollector, table: Table, lookup: _Lookup
) -> Household | None:
    number = cell_text(row.values.get("archive_no")).strip()
    head_name = cell_text(row.values.get("head_name")).strip()
    raw_id = row.values.get("head_id")
    if number:
        household = lookup.by_number.get(number)
        if household is None:
            errors.add(
                row.number,
                table.column_label("archive_no"),
                _("没有职工编号为“%(no)s”的困难职工档案(或不在您的范围内)。") % {"no": number},
            )
        elif head_name and head_name != household.name:
            errors.add(
                row.number,
                table.column_label("head_name"),
                _("职工编号“%(no)s”的户主是%(name)s,与填写的“%(given)s”不符。")
                % {"no": number, "name": household.name, "given": head_name},
            )
            return None
        return household
    if raw_id not in (None, ""):
        column = table.column_label("head_id")
        try:
            canonical = parse_id_number(cell_id_text(raw_id) or "").value
        except CellValueError as error:
            errors.add(row.number, column, error.message)
            return None
        except ValidationError as error:
            errors.add(row.number, column, error.message)
            return None
        household = lookup.by_index.get(id_index(canonical))
        if household is None:
            errors.add(
                row.number, column, _("没有以该身份证号为户主的困难职工档案(或不在您的范围内)。")
            )
        return household
    if head_name:
        matches = lookup.by_name.get(head_name, [])
        if len(matches) == 1:
            return matches[0]
        column = table.column_label("head_name")
        if not matches:
            errors.add(
                row.number,
                column,
                _("没有户主为%(name)s的困难职工档案(或不在您的范围内)。") % {"name": head_name},
            )
        else:
            errors.add(
                row.number,
                column,
                _("户主为%(name)s的档案有 %(n)d 份,请填写职工编号或户主身份证号。")
                % {"name": head_name, "n": len(matches)},
            )
        return None
    errors.add(
        row.number,
        table.column_label("archive_no"),
        _("请填写职工编号、户主身份证号或户主姓名,以找到学生家庭的档案。"),
    )
    return None


def _student(
    row: SourceRow, errors: ErrorCollector, table: Table, household: Household, name: str
) -> Any:
    members = list(household.members.all())
    raw_id = row.values.get("student_id")
    column = table.column_label("student_id")
    if raw_id not in (None, ""):
        try:
            canonical = parse_id_number(cell_id_text(raw_id) or "").value
        except (CellValueError, ValidationError) as error:
            errors.add(row.number, column, error.message)
            return None
        index = id_index(canonical)
        member = next((m for m in members if m.id_index == index), None)
        if member is not None:
            if member.name != name:
                errors.add(
                    row.number,
                    table.column_label("student_name"),
                    _("该身份证号在档案中登记的是%(member)s,与填写的“%(name)s”不符。")
                    % {"member": member.name, "name": name},
                )
                return None
            return member
    named = [m for m in members if m.name == name]
    if len(named) == 1:
        if raw_id not in (None, "") and named[0].id_index:
            errors.add(
                row.number,
                column,
                _("%(name)s在档案中登记的身份证号与填写的不符。") % {"name": name},
            )
            return None
        return named[0]
    errors.add(
        row.number,
        table.column_label("student_name"),
        _("%(name)s不是%(head)s档案中登记的家庭成员,请先在档案中登记。")
        % {"name": name, "head": household.name},
    )
    return None


def _read(content: bytes) -> tuple[Table, ErrorCollector]:
    table = read_table(content, COLUMNS)
    errors = ErrorCollector.for_table(table)
    if len(table.rows) > MAX_ROWS:
        raise ValidationError(
            _("一次最多导入 %(n)d 行,请分成几个文件。") % {"n": MAX_ROWS}, field="file"
        )
    for number in table.hidden_rows:
        errors.add(number, "", _("这一行在 Excel 中被隐藏了,请取消隐藏并核对后再导入。"))
    return table, errors


def _convert(
    programme: Programme,
    row: SourceRow,
    errors: ErrorCollector,
    table: Table,
    lookup: _Lookup,
    seen: dict[tuple[int, int], int],
) -> ReadyRow | None:
    before = len(errors)
    name = errors.convert(row, "student_name", partial(cell_text, max_length=50), required=True)
    school = errors.convert(row, "school", partial(cell_text, max_length=100), required=True)
    level = errors.convert(row, "level", _level, required=True)
    school_year = errors.convert(row, "school_year", _school_year)
    tuition = errors.convert(row, "tuition", cell_decimal)
    school_kind = errors.convert(row, "school_kind", _school_kind)
    free_teacher = errors.convert(row, "free_teacher", _aided)
    aided = errors.convert(row, "aided_elsewhere", _aided)
    letter = errors.convert(row, "admission_letter", _aided)
    household = _household(row, errors, table, lookup)
    if len(errors) > before or household is None or not name:
        return None
    student = _student(row, errors, table, household, name)
    if student is None:
        return None
    key = (household.pk, student.pk)
    if key in seen:
        errors.add(
            row.number,
            table.column_label("student_name"),
            _("与第 %(row)d 行是同一名学生。") % {"row": seen[key]},
        )
        return None
    seen[key] = row.number
    kind = school_kind or SchoolKind.ORDINARY
    if kind == SchoolKind.ORDINARY and free_teacher:
        kind = SchoolKind.FREE_TEACHER
    if kind == SchoolKind.ORDINARY and _military_by_name(school or ""):
        kind = SchoolKind.MILITARY
    start, end = _period(programme)
    data = services.ApplicationInput(
        programme=programme,
        period_start=start,
        period_end=end,
        student_id=student.pk,
        school=school or "",
        school_level=level or "",
        school_year=school_year,
        tuition=tuition,
        admission_letter=bool(letter),
        school_kind=kind,
        aided_elsewhere=bool(aided),
    )
    return ReadyRow(row.number, household.pk, household.name, name, data)


def _service_error(error: DomainError, row: ReadyRow, errors: ErrorCollector, table: Table) -> None:
    fields = getattr(error, "errors", None) or {}
    if fields:
        for name, message in fields.items():
            key = FIELD_COLUMN.get(name, "student_name")
            column = table.column_label(key)
            if key == "school_kind" and "school_kind" not in table.column_titles:
                column = table.column_label("school")
            errors.add(row.row, column, str(message))
    else:
        errors.add(row.row, table.column_label("student_name"), str(error.message))


def _check(
    *, actor: Any, programme: Programme, content: bytes, write: bool
) -> tuple[CampaignCheck, list[Application]]:
    if not programme.campaign:
        raise ValidationError(_("只有金秋助学项目可以批量导入。"), field="programme")
    policy.require_perm(actor, P.APPLY)
    table, errors = _read(content)
    lookup = _Lookup(actor, table.rows)
    seen: dict[tuple[int, int], int] = {}
    result = CampaignCheck(sheet=table.sheet_name, rows=len(table.rows))
    made: list[Application] = []
    converted = [_convert(programme, r, errors, table, lookup, seen) for r in table.rows]
    hidden = set(table.hidden_rows)
    for ready in converted:
        if ready is None or ready.row in hidden:
            continue
        try:
            with transaction.atomic():
                application = services.application_create(
                    actor=actor, household_id=ready.household_id, data=ready.data
                )
                ready.amount = application.amount
                if write:
                    made.append(application)
                else:
                    transaction.set_rollback(True)
        except DomainError as error:
            _service_error(error, ready, errors, table)
        else:
            result.ready.append(ready)
    result.errors = errors.errors
    return result, made


def campaign_check(*, actor: Any, programme: Programme, content: bytes) -> CampaignCheck:
    """Phase 1: every row checked, every bad one reported; nothing written."""
    with transaction.atomic():
        result, _made = _check(actor=actor, programme=programme, content=content, write=False)
        transaction.set_rollback(True)
    return result


@transaction.atomic
def campaign_import(
    *, actor: Any, batch: CampaignBatch, content: bytes
) -> tuple[CampaignCheck, list[Application]]:
    """Phase 2 (the user confirmed): the file checked again, a draft application made for each
    good row (each with its own audit event) and put in the batch; the bad rows reported and
    skipped."""
    batch = (
        CampaignBatch.objects.select_for_update()
        .select_related("programme", "unit")
        .get(pk=batch.pk)
    )
    policy.require_in_scope(actor, P.INVESTIGATE, batch.unit)
    result, made = _check(actor=actor, programme=batch.programme, content=content, write=True)
    outside = [a for a in made if not a.unit.path.startswith(batch.unit.path)]
    if outside:
        raise ValidationError(
            _("%(name)s的档案不属于%(unit)s,不能列入本批次。")
            % {"name": outside[0].household.name, "unit": batch.unit.name},
            field="file",
        )
    if made:
        campaign.batch_add(actor=actor, batch=batch, application_ids=[a.pk for a in made])
    return result, made
