"""The 金秋助学 batch import: applications as schools or stations send them, in two phases.

On the import kit (`bangfu.kits.imports`, kind "assistance.campaign"): upload on
/assistance/batches/import/, the result page, the error sheet, confirm.

Phase 1, `campaign_check`, reads the whole file and writes nothing: each row is converted
(`core.xlsx`), matched to an archive in the user's scope (by 职工编号, by the head's ID, or by the
head's name when only one archive in the scope has it) and to a recorded member of it (the
student, by ID or by name), and then put through the very service that makes an application
(`services.application_create`) inside a savepoint that is rolled back — so the application
window, the archive's state, the exclusions (military academies, free teacher-training places,
students aided elsewhere), the caps and the duplicate rules are checked exactly as for one
application typed on its page. Every bad row is reported with its row, column and reason.

As the kit wants, a file with any bad row imports nothing: the user gets every problem (row,
column, reason, also as a sheet to download), corrects or removes those rows, and uploads again.
A student who already has an application of the programme is "已存在,跳过", never an error, so
the corrected whole file can be uploaded again.

Phase 2, `campaign_write`, runs on the user's confirmation: it reads and checks the file again
(the database may have changed since) and, in one transaction, makes a draft application for
each row through the same service (each with its audit event) and opens a 金秋助学 batch of the
centre holding them all (named after the file), ready for the batch's review page.

The programme is this year's 金秋助学 programme of the students' centre (run by the centre or a
unit above it, the nearest first); all students of one file must belong to one centre.

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
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    SheetSpec,
    SourceRow,
    Table,
    cell_bool,
    cell_decimal,
    cell_id_text,
    cell_text,
    read_table,
    write_workbook,
)
from bangfu.kits.imports.models import ImportBatch
from bangfu.kits.imports.registry import Outcome, Progress, importer_register
from bangfu.network.models import OrgUnit
from bangfu.network.selectors import nearest_centre

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
    student_pk: int
    data: services.ApplicationInput
    amount: Decimal = Decimal("0.00")


@dataclass
class CampaignCheck:
    """What the file holds: the good rows and every problem of the bad ones."""

    sheet: str
    rows: int
    ready: list[ReadyRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    skipped: list[list[Any]] = field(default_factory=list)  # [row, student, its application]

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
        self.by_pk = {h.pk: h for h in found}
        for h in found:
            self.by_name.setdefault(h.name, []).append(h)

    def household(self, pk: int) -> Household:
        return self.by_pk[pk]


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


def _read(content: bytes, columns: dict[str, str] | None = None) -> tuple[Table, ErrorCollector]:
    table = read_table(content, COLUMNS, mapping=columns)
    errors = ErrorCollector.for_table(table)
    if len(table.rows) > MAX_ROWS:
        raise ValidationError(
            _("一次最多导入 %(n)d 行,请分成几个文件。") % {"n": MAX_ROWS}, field="file"
        )
    for number in table.hidden_rows:
        errors.add(number, "", _("这一行在 Excel 中被隐藏了,请取消隐藏并核对后再导入。"))
    return table, errors


def _convert(
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
    data = services.ApplicationInput(
        programme=Programme(),  # the file's programme, once its centre is known
        period_start=date.min,
        period_end=date.min,
        student_id=student.pk,
        school=school or "",
        school_level=level or "",
        school_year=school_year,
        tuition=tuition,
        admission_letter=bool(letter),
        school_kind=kind,
        aided_elsewhere=bool(aided),
    )
    return ReadyRow(row.number, household.pk, household.name, name, student.pk, data)


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


def campaign_programme(centre: OrgUnit, year: int) -> Programme | None:
    """This year's 金秋助学 programme for `centre`: run by it or the nearest unit above it."""
    candidates = [
        p
        for p in Programme.objects.filter(campaign=True, year=year).select_related("unit")
        if centre.path.startswith(p.unit.path)
    ]
    return max(candidates, key=lambda p: (len(p.unit.path), p.pk), default=None)


def _check(
    *, actor: Any, content: bytes, table: Table | None, write: bool
) -> tuple[CampaignCheck, list[Application], Programme | None, OrgUnit | None]:
    policy.require_perm(actor, P.APPLY)
    if table is None:
        table, errors = _read(content)
    else:
        errors = ErrorCollector.for_table(table)
        for number in table.hidden_rows:
            errors.add(number, "", _("这一行在 Excel 中被隐藏了,请取消隐藏并核对后再导入。"))
    lookup = _Lookup(actor, table.rows)
    seen: dict[tuple[int, int], int] = {}
    result = CampaignCheck(sheet=table.sheet_name, rows=len(table.rows))
    made: list[Application] = []
    year = timezone.localdate().year
    rows = [(r, _convert(r, errors, table, lookup, seen)) for r in table.rows]
    ready = [(r, c) for r, c in rows if c is not None and r.number not in set(table.hidden_rows)]
    centre: OrgUnit | None = None
    programme: Programme | None = None
    if ready:
        centre = nearest_centre(lookup.household(ready[0][1].household_id).unit)
        programme = campaign_programme(centre, year)
        if programme is None:
            errors.add(
                table.header_row,
                "",
                _("%(year)s 年没有%(centre)s可用的金秋助学项目,请先建立项目。")
                % {"year": year, "centre": centre.name},
            )
            ready = []
    taken = _existing(programme, [c for _r, c in ready])
    for row, candidate in ready:
        assert centre is not None and programme is not None
        household = lookup.household(candidate.household_id)
        if nearest_centre(household.unit).pk != centre.pk:
            errors.add(
                row.number,
                table.column_label("archive_no"),
                _(
                    "%(name)s的档案属于%(other)s,本文件的学生属于%(centre)s:"
                    "一个文件只能是一个帮扶中心的学生。"
                )
                % {
                    "name": household.name,
                    "other": nearest_centre(household.unit).name,
                    "centre": centre.name,
                },
            )
            continue
        earlier = taken.get(candidate.student_pk)
        if earlier is not None:
            result.skipped.append(
                [row.number, candidate.student_name, earlier.get_status_display()]
            )
            continue
        candidate.data = replace(candidate.data, programme=programme)
        start, end = _period(programme)
        candidate.data = replace(candidate.data, period_start=start, period_end=end)
        try:
            with transaction.atomic():
                application = services.application_create(
                    actor=actor, household_id=candidate.household_id, data=candidate.data
                )
                candidate.amount = application.amount
                if write:
                    made.append(application)
                else:
                    transaction.set_rollback(True)
        except DomainError as error:
            _service_error(error, candidate, errors, table)
        else:
            result.ready.append(candidate)
    result.errors = errors.errors
    return result, made, programme, centre


def _existing(programme: Programme | None, rows: list[ReadyRow]) -> dict[int, Application]:
    """The applications the programme already has for the file's students (not refused)."""
    if programme is None or not rows:
        return {}
    return {
        a.student_id: a
        for a in Application.objects.filter(
            programme=programme, student_id__in=[r.student_pk for r in rows]
        ).exclude(status=Application.Status.REFUSED)
        if a.student_id is not None
    }


def campaign_check(*, actor: Any, content: bytes, table: Table | None = None) -> CampaignCheck:
    """Phase 1: every row checked, every bad one reported; nothing written."""
    with transaction.atomic():
        result, _made, _programme, _centre = _check(
            actor=actor, content=content, table=table, write=False
        )
        transaction.set_rollback(True)
    return result


def _batch_name(programme: Programme, centre: OrgUnit, source_name: str) -> str:
    base = (source_name.rsplit(".", 1)[0] or _("导入")).strip()[:80]
    base = _("%(file)s(%(day)s 导入)") % {"file": base, "day": timezone.localdate().isoformat()}
    name, n = base, 1
    while CampaignBatch.objects.filter(programme=programme, unit=centre, name=name).exists():
        n += 1
        name = f"{base} {n}"
    return name


def campaign_write(
    *, actor: Any, content: bytes, source_name: str, table: Table | None = None
) -> tuple[CampaignCheck, CampaignBatch | None]:
    """Phase 2 (the user confirmed): the file checked again; with no error, a draft application
    for each new student and one batch of the centre holding them, in one transaction. With
    errors (the database changed since the check), nothing is written."""
    with transaction.atomic():
        result, made, programme, centre = _check(
            actor=actor, content=content, table=table, write=True
        )
        if result.errors or not made:
            transaction.set_rollback(True)
            return result, None
        assert programme is not None and centre is not None
        batch = campaign.batch_create(
            actor=actor,
            programme=programme,
            unit=centre,
            name=_batch_name(programme, centre, source_name),
            application_ids=[a.pk for a in made],
        )
    return result, batch


# --- on the import kit ---------------------------------------------------------------------------

KIND = "assistance.campaign"


def _outcome(result: CampaignCheck) -> Outcome:
    return Outcome(
        rows=result.rows,
        errors=result.errors,
        writable=0 if result.errors else len(result.ready),
        counts={"applications": len(result.ready), "existing": len(result.skipped)},
        skipped=result.skipped,
    )


class CampaignImporter:
    """金秋助学 applications as schools or stations send them."""

    kind = KIND
    label = gettext_lazy("金秋助学申请表")
    permission = P.INVESTIGATE
    url_namespace = "assistance"
    upload_help = gettext_lazy(
        "学校或帮扶站报来的金秋助学申请表,每名学生一行:学生姓名、身份证号、学校、学段、年级、"
        "学费,以及职工编号、户主身份证号或户主姓名(至少一项,用来找到学生家庭的档案)。"
        "上传后系统先校验整个文件:有任何错误都不会导入,并列出每一处错误(行、列、原因);"
        "校验通过后由您确认,才为每名学生建立申请草稿,并列入一个新的金秋助学批次。"
        "已有本年度申请的学生显示“已存在,跳过”。"
    )
    count_labels = (
        ("applications", gettext_lazy("将新建申请"), gettext_lazy("已新建申请")),
        ("existing", gettext_lazy("已有申请,跳过"), gettext_lazy("已有申请,跳过")),
    )
    skipped_labels = (gettext_lazy("学生"), gettext_lazy("已有申请的状态"))

    def template(self) -> bytes | None:
        headers = [c.title for c in COLUMNS]
        return write_workbook(
            [
                SheetSpec(
                    title=str(_("金秋助学申请")),
                    headers=headers,
                    rows=[],
                    text_columns={"学生身份证号", "户主身份证号", "职工编号"},
                    title_line=str(_("金秋助学申请表(每名学生一行)")),
                )
            ]
        )

    def read(self, content: bytes, columns: dict[str, str] | None = None) -> Table:
        return _read(content, columns)[0]

    def fields(self) -> list[tuple[str, str]]:
        return [(column.key, str(column.title)) for column in COLUMNS]

    def choice_columns(self) -> dict[str, list[str]]:
        # Levels, school kinds and yes/no answers are read from the words schools use
        # (`_level`, `_school_kind`, `_aided`); none asks the user to map values.
        return {}

    def value_matches(self, key: str, value: Any) -> bool:
        return True

    def check(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        return _outcome(campaign_check(actor=user, content=b"", table=table))

    def write(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        result, _batch = campaign_write(
            actor=user, content=b"", source_name=batch.source_name, table=table
        )
        return _outcome(result)

    def summary(self, batch: Any) -> str:
        counts = batch.counts
        new, existing = counts.get("applications", 0), counts.get("existing", 0)
        if batch.status == ImportBatch.Status.INVALID:
            return _(
                "校验发现 %(count)d 处错误,没有导入任何数据。请改正或删去这些行后重新上传。"
            ) % {"count": batch.error_count}
        if batch.status == ImportBatch.Status.NOTHING:
            return _("表中 %(count)d 名学生都已有申请(已存在,跳过),无需导入。") % {
                "count": existing
            }
        if batch.status == ImportBatch.Status.IMPORTED:
            return _(
                "已为 %(new)d 名学生建立申请草稿并列入新的金秋助学批次;"
                "已有申请跳过 %(existing)d 名。"
            ) % {"new": new, "existing": existing}
        return _(
            "校验通过:将为 %(new)d 名学生建立申请草稿,已有申请跳过 %(existing)d 名。请确认导入。"
        ) % {"new": new, "existing": existing}


importer_register(CampaignImporter())
