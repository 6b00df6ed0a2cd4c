"""Importing a roster (花名册) from Excel, in two phases.

Phase 1, `roster_check`, reads the whole file and writes nothing: every cell is converted with
the `core.xlsx` converters, rows are grouped into households (`archives.xlsx`), and each
household is checked by the filing service (`validate_households`, all of them at once) — the
same checks as the page form and the API. Every problem becomes (row, column, message) in the
user's own file.

Phase 2, `roster_import`, runs only on a file whose check found nothing wrong and that the user
confirmed: it checks the file again (the database may have changed since) and hands the new
households to `household_create_many`, which writes all of them or nothing.

Decisions:

* Idempotency. A household whose head's ID is already in an open archive within the user's
  scope, and whose rows agree with that archive, is "已存在,跳过": not an error, not filed
  again. Importing the same file twice therefore changes nothing the second time, and a file in
  which every household exists writes nothing at all (no archive, no audit event).
* A household that exists but differs from its archive (another address, a member added or
  missing, …) is an error: the import never edits an archive. The message asks the user to
  change the archive on its page or take the household out of the file. Only cells filled in
  are compared — a blank cell says nothing — and 户号, 困难类别 (determined by the system) are
  not compared.
* An ID already in an open archive that is not this household's (a member of another
  household, or an archive outside the user's scope) is an error from the filing service's
  check, naming that archive with the ID masked.
* Masked values (an export made without archives.reveal: "430302********1234") identify an
  existing archive — by the last four digits, the visible first six and the name — but can
  never file a new one: the digits are not there.
* Outside rosters (decisions of the QA pass with real township files):
  - 出生年月 with the year and month only ("1975.6", "197506", the Excel number 1975.1 read as
    January or October) is taken when it agrees with the ID number, whose full date is kept;
    it is refused when it contradicts the ID, and for a person without an ID (a child), whose
    date must be complete. A year alone is refused.
  - A totals row (合计/总计/小计/共计) and a signature or note line ("填表人:…", "注:…") are
    no people: `read_table` leaves them out. A cell merged down a household (户号, 家庭住址)
    counts on each of its rows.
  - Rows hidden in Excel (by hand or a filter; .xlsx) are refused: the person did not see
    them, and the import would read them. A workbook with the roster on two sheets is refused
    as a whole rather than imported half.
  - 家庭人口, when the file has it, must equal the household's rows; the national form's
    家庭成员 box (members in one cell) is refused with a pointer to the template, so a head is
    never filed without the members the file names.
  - 备注 on a member's row is kept in the household's notes as "姓名:备注".
  - A mobile typed with dashes is the archive's digits; a landline in 联系电话 is refused with
    its own message (the archive keeps the head's mobile only).
  - A head whose archive is closed (撤档) is never filed again: the same rows (an export read
    back) are "已存在,跳过" with the archive marked 已撤档; different rows are refused and
    the message says to reopen the archive on its page.
* Phase 1 converts and checks in bulk: one query each for units, areas, the ID registry and
  the existing archives, whatever the number of rows, and one more for the filing service's
  check of all the new households (`validate_households`).
"""

from __future__ import annotations

import json
import logging
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache, partial
from io import BytesIO
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core import forked
from bangfu.core.audit import audit_record
from bangfu.core.bulk import bulk_insert, maker, overlapped
from bangfu.core.collector import collector_paused, collector_spared, spare_more
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.idnumber import parse_id_number
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.core.queries import any_of
from bangfu.core.text import clean_text, names_known, names_read
from bangfu.core.xlsx import (
    CellError,
    CellValueError,
    ErrorCollector,
    RowValues,
    SourceRow,
    Table,
    is_blank,
    read_table,
)
from bangfu.kits.imports import services as imports
from bangfu.kits.imports.models import ImportBatch, ImportChunk
from bangfu.kits.imports.registry import Outcome, importer_register
from bangfu.network.models import OrgUnit

from .. import xlsx as roster
from ..audit_actions import ArchivesAction
from ..identity import id_index
from ..inputs import ZERO, HouseholdInput, MemberInput
from ..models import Area, Household, IdRegistration, ImportedArchive
from ..permissions import ArchivesPermission
from ..selectors.exporting import ArchiveRows, archives_in_full
from . import filing

IMPORT = ArchivesPermission.IMPORT
logger = logging.getLogger(__name__)
_CHUNK = 2000  # ids per IN (…) query; SQLite allows 32,766 parameters


@dataclass
class PersonRow:
    """One converted row of the file."""

    number: int
    relation: str | None  # roster.HEAD, a Relation code, or None when wrong or blank
    values: dict[str, Any]  # column key → converted value, for cells filled in and valid
    id_text: str = ""  # the ID as typed, cleaned
    canonical_id: str = ""  # the checked 18-character ID ("" when blank, masked or wrong)
    masked: bool = False
    head_id: str = ""  # canonical 户主身份证号 of a member row
    # The row's cells as read (column key → raw value): compared first with an archive's cells
    # as an export writes them, before anything is converted (`_Expected`).
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Group:
    """The rows of one household."""

    label: str  # its key in the file: "no:<户号>", "id:<head's ID>" or "row:<head's row>"
    head: PersonRow | None = None
    members: list[PersonRow] = field(default_factory=list)
    extra_heads: list[PersonRow] = field(default_factory=list)
    # `missing_fields` of the group, when worked out before it was sent without its values
    # (`_Checker._whole_check`).
    missing: list[str] | None = None

    @property
    def rows(self) -> list[PersonRow]:
        return ([self.head] if self.head else []) + self.members


@dataclass
class CheckResult:
    """What phase 1 found: the households to file, those already present, and every error."""

    source_name: str
    rows: int = 0
    items: list[HouseholdInput] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # row, name, archive
    people_existing: int = 0
    errors: list[CellError] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)  # the rows of each item, in order
    table: Table | None = None

    households_new_count: int = 0  # the households to file, kept in `items` or only counted
    members_new_count: int = 0

    @property
    def households_new(self) -> int:
        return self.households_new_count

    @property
    def members_new(self) -> int:
        return self.members_new_count


Progress = Callable[[int, int], None]


class Collector(ErrorCollector):
    """An error collector that also answers "does this cell already have an error?" at once
    (one message per cell: the first problem found, usually the conversion, wins)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cells: set[tuple[int, str]] = set()
        self.count = 0

    def add(self, row: int, column: str, message: str, *, sheet: str | None = None) -> None:
        if (row, column) in self.cells:
            return
        self.cells.add((row, column))
        self.count += 1
        super().add(row, column, message, sheet=sheet)

    def has(self, row: int, column: str) -> bool:
        return (row, column) in self.cells

    def adopt(self, errors: Iterable[CellError]) -> None:
        """Take problems found by another collector of the same file (a helper process's
        part), as found: one per cell still."""
        for error in errors:
            if (error.row, error.column) not in self.cells:
                self.cells.add((error.row, error.column))
                self.count += 1
                self._errors.append(error)

    def since(self, start: int) -> list[CellError]:
        """The problems recorded after the first `start`."""
        return self._errors[start:]

    @property
    def size(self) -> int:
        return len(self._errors)


# --- Look-ups --------------------------------------------------------------------------------


class Lookups:
    """Units in the user's import scope and 低保 areas, loaded once, matched by name."""

    def __init__(self, user: Any) -> None:
        self.units = list(
            OrgUnit.objects.filter(policy.scope_q(user, IMPORT, field="")).order_by("path")
        )
        self.units_by_name: dict[str, list[OrgUnit]] = defaultdict(list)
        for unit in self.units:
            for name in {unit.name, unit.short_name}:
                if name:
                    self.units_by_name[roster.normalise_name(name)].append(unit)
        self.areas = list(Area.objects.all())
        self.areas_by_key: dict[str, list[Area]] = defaultdict(list)
        for area in self.areas:
            for key in {area.code, area.name, str(area)}:
                self.areas_by_key[roster.normalise_name(key)].append(area)

    def unit(self, text: str | None) -> tuple[OrgUnit | None, str]:
        """Return (unit, "") or (None, the Chinese reason)."""
        if not text:
            if len(self.units) == 1:
                return self.units[0], ""
            return None, _("请填写所属帮扶站(点)。")
        found = self.units_by_name.get(roster.normalise_name(text), [])
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, _("有多个单位名为“%(name)s”,请填写全称。") % {"name": text}
        names = "、".join(unit.name for unit in self.units[:10])
        return None, _("“%(name)s”不是您可以导入的帮扶站(点)。可填:%(names)s。") % {
            "name": text,
            "names": names or _("(无)"),
        }

    def area(self, text: str | None) -> tuple[Area | None, str]:
        if not text:
            if len(self.areas) == 1:
                return self.areas[0], ""
            return None, _("请填写低保标准地区(名称或行政区划代码)。")
        found = self.areas_by_key.get(roster.normalise_name(text), [])
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, _("有多个地区名为“%(name)s”,请填写行政区划代码。") % {"name": text}
        names = "、".join(f"{area.name}({area.code})" for area in self.areas[:10])
        return None, _("“%(name)s”不是已设置低保标准的地区。可填:%(names)s。") % {
            "name": text,
            "names": names or _("(无)"),
        }


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- Phase 1: reading and converting ---------------------------------------------------------


@dataclass
class _RowSpecs:
    """The columns a head's row and a member's row are read from (without 与户主关系, read
    first), by key — and laid out by position for the rows of one table (`RowValues.filled`)."""

    head: dict[str, Any]
    member: dict[str, Any]
    index: Mapping[str, int | None] | None = None
    head_laid: list[Any] = field(default_factory=list)
    member_laid: list[Any] = field(default_factory=list)
    # A file's short words converted once: (column, text) → (value, or the error's message).
    # A column repeats a few words (下岗, 已婚, 800, 2026-03-01): converting each cell was
    # half of converting a roster. Not for the one table-less instance (`_ANY_TABLE`).
    memo: dict[tuple[str, str], tuple[Any, str | None]] | None = None

    def converted(
        self, key: str, convert: Callable[[Any], Any], raw: Any
    ) -> tuple[Any, str | None]:
        """(value, None) or (None, the message of the CellValueError) for a cell not blank."""
        short_word = raw.__class__ is str and len(raw) <= _MEMO_TEXT_MAX and key not in _NOT_MEMO
        memo = self.memo if short_word else None
        known = memo.get((key, raw)) if memo is not None else None
        if known is None:
            try:
                known = (convert(raw), None)
            except CellValueError as error:
                known = (None, error.message)
            if memo is not None and len(memo) < _MEMO_KEPT:
                memo[(key, raw)] = known
        value = known[0]
        if isinstance(value, list):  # never one list shared by two people
            return list(value), None
        return known

    @classmethod
    def of(cls, table: Table | None = None) -> _RowSpecs:
        head: dict[str, Any] = {}
        member: dict[str, Any] = {}
        for spec in roster.ALL_SPECS:
            if spec.key == "relation":
                continue
            if spec.scope != roster.HEAD_ONLY:  # the national form keeps these for the head only
                member[spec.key] = spec
            if spec.scope != roster.MEMBER or spec.key == "head_id":
                head[spec.key] = spec
        specs = cls(head, member, memo=None if table is None else {})
        first = table.rows[0].values if table is not None and table.rows else None
        if isinstance(first, RowValues):
            specs.index = first.index
            specs.head_laid = RowValues.by_position(first.index, head)
            specs.member_laid = RowValues.by_position(first.index, member)
        return specs

    def cells(self, values: Mapping[str, Any], is_head: bool) -> Iterable[tuple[Any, Any]]:
        """(spec, raw cell) for each filled-in cell of a row that the row is read from."""
        if isinstance(values, RowValues) and values.index is self.index and not values.has_extra:
            return values.filled(self.head_laid if is_head else self.member_laid)
        return (
            (spec, raw)
            for key, spec in (self.head if is_head else self.member).items()
            if not is_blank(raw := values.get(key))
        )


_ANY_TABLE = _RowSpecs.of()
_MEMO_TEXT_MAX = 12
_MEMO_KEPT = 100_000
# Columns whose cells differ from person to person (and hold personal numbers): not kept.
_NOT_MEMO = frozenset({"name", "id_number", "head_id", "mobile", "bank_card"})


def _convert_row(
    row: SourceRow,
    errors: Collector,
    table: Table,
    today: date | None = None,
    specs: _RowSpecs = _ANY_TABLE,
) -> PersonRow:
    """Convert one row. `today` (the date IDs are checked against) and `specs`
    (`_RowSpecs.of(table)`) are looked up once per file: reading each of the template's
    sixty-odd columns of each row by key was half of converting a roster."""
    raw_relation = row.values.get("relation")
    if is_blank(raw_relation):
        relation = errors.convert(row, "relation", roster.cell_relation, required=True)
    else:
        relation, message = specs.converted("relation", roster.cell_relation, raw_relation)
        if message is not None:
            errors.add(row.number, table.column_label("relation"), message)
    is_head = relation == roster.HEAD
    values: dict[str, Any] = {}
    for spec, raw in specs.cells(row.values, is_head):
        value, message = specs.converted(spec.key, spec.convert, raw)
        if message is not None:
            errors.add(row.number, table.column_label(spec.key), message)
            continue
        # None, "" and [] say nothing; any other value is kept (compared by class: a Decimal
        # compared with "" went through the numbers ABC's isinstance check).
        if value is not None and not (isinstance(value, str | list) and not value):
            values[spec.key] = value
    if "name" not in values and is_blank(row.values.get("name")):
        errors.convert(row, "name", roster.SPEC_BY_KEY["name"].convert, required=True)
    person = PersonRow(row.number, relation, values, raw=row.values)
    id_label = table.column_label("id_number")
    id_text = values.pop("id_number", "") or ""
    person.id_text = id_text
    if roster.is_masked(id_text):
        person.masked = True
    elif id_text:
        try:
            person.canonical_id = parse_id_number(id_text, today=today).value
        except ValidationError as error:
            errors.add(row.number, id_label, error.message)
    elif is_head and is_blank(row.values.get("id_number")):
        errors.add(row.number, id_label, _("户主必须填写身份证号。"))
    _resolve_year_month(person, row, errors, table)
    if relation and relation.startswith(roster.BY_SEX):
        sex = values.get("sex") or (
            person.canonical_id and parse_id_number(person.canonical_id, today=today).sex
        )
        person.relation, reason = roster.relation_by_sex(relation, sex or None)
        if reason:
            errors.add(row.number, table.column_label("relation"), reason)
    head_id = values.pop("head_id", "") or ""
    if head_id and not roster.is_masked(head_id):
        try:
            person.head_id = parse_id_number(head_id, field="head_id", today=today).value
        except ValidationError as error:
            errors.add(row.number, table.column_label("head_id"), error.message)
    if is_head and person.head_id and person.canonical_id and person.head_id != person.canonical_id:
        errors.add(
            row.number,
            table.column_label("head_id"),
            _("户主行的“户主身份证号”应留空或与本人身份证号相同。"),
        )
    return person


def _resolve_year_month(person: PersonRow, row: SourceRow, errors: Collector, table: Table) -> None:
    """Turn a birth year and month (出生年月 "1975.6") into the ID's birth date when they
    agree; refuse them when they do not, or when there is no ID to give the day (a child)."""
    given = person.values.get("birth_date")
    if not isinstance(given, roster.YearMonth):
        return
    del person.values["birth_date"]
    label = table.column_label("birth_date")
    if person.canonical_id:
        digits = person.canonical_id
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
        if given.agrees_with(born):
            person.values["birth_date"] = born
        else:
            errors.add(
                row.number,
                label,
                _("出生年月“%(given)s”与身份证号中的出生日期 %(born)s 不一致。")
                % {"given": given.shown(), "born": born.isoformat()},
            )
    elif not person.id_text and not errors.has(row.number, table.column_label("id_number")):
        errors.add(
            row.number,
            label,
            _(
                "只填了出生年月(%(given)s)。没有身份证号时请填写完整的出生日期(年月日),"
                "例如 2016-09-01。"
            )
            % {"given": given.shown()},
        )


def _duplicates(people: list[PersonRow], errors: Collector, table: Table) -> None:
    """Report every ID that appears on more than one row, at each later row."""
    first: dict[str, int] = {}
    label = table.column_label("id_number")
    for person in people:
        if not person.canonical_id:
            continue
        if person.canonical_id in first:
            errors.add(
                person.number,
                label,
                _("身份证号 %(id)s 与第 %(row)d 行重复,同一人只能出现一次。")
                % {"id": mask_id_number(person.canonical_id), "row": first[person.canonical_id]},
            )
            person.canonical_id = ""  # the row is wrong; do not group or look it up again
        else:
            first[person.canonical_id] = person.number


def _group(people: list[PersonRow], errors: Collector, table: Table) -> list[Group]:
    """Group rows into households by 户号, else by the head's ID; report rows that fit nowhere."""
    groups: dict[str, Group] = {}
    by_head_id: dict[str, str] = {}
    order: list[str] = []
    relation_label = table.column_label("relation")

    def group_for(key: str) -> Group:
        if key not in groups:
            groups[key] = Group(key)
            order.append(key)
        return groups[key]

    def label_of(head: PersonRow) -> str:  # only for a message (translating each was costly)
        number = head.values.get("household_no")
        if number:
            return _("户号“%(no)s”") % {"no": number}
        if head.canonical_id or head.id_text:
            return _("户主 %(id)s") % {"id": mask_id_number(head.canonical_id or head.id_text)}
        return _("第 %(row)d 行的户主") % {"row": head.number}

    # Heads first, so members below or above their head find it.
    for person in people:
        if person.relation != roster.HEAD:
            continue
        number = person.values.get("household_no")
        if number:
            key = f"no:{number}"
        elif person.canonical_id or person.id_text:
            key = f"id:{person.canonical_id or person.id_text}"
        else:
            key = f"row:{person.number}"
        group = group_for(key)
        if group.head is None:
            group.head = person
        else:
            group.extra_heads.append(person)
            errors.add(
                person.number,
                relation_label,
                _("%(group)s已有户主(第 %(row)d 行),一户只能有一位户主。")
                % {"group": label_of(group.head), "row": group.head.number},
            )
        if person.canonical_id:
            by_head_id.setdefault(person.canonical_id, key)

    for person in people:
        if person.relation in (None, roster.HEAD):
            continue
        number = person.values.get("household_no")
        if number:
            key = f"no:{number}"
            if key not in groups:
                errors.add(
                    person.number,
                    table.column_label("household_no"),
                    _("户号“%(no)s”没有户主行(与户主关系为“户主”的行)。") % {"no": number},
                )
                continue
            group = groups[key]
            if (
                person.head_id
                and group.head
                and group.head.canonical_id not in ("", person.head_id)
            ):
                errors.add(
                    person.number,
                    table.column_label("head_id"),
                    _("户主身份证号与户号“%(no)s”的户主(第 %(row)d 行)不一致。")
                    % {"no": number, "row": group.head.number},
                )
                continue
            group.members.append(person)
        elif person.head_id:
            key = by_head_id.get(person.head_id, "")
            if not key:
                errors.add(
                    person.number,
                    table.column_label("head_id"),
                    _("表中没有身份证号为 %(id)s 的户主行。")
                    % {"id": mask_id_number(person.head_id)},
                )
                continue
            groups[key].members.append(person)
        elif not is_blank(person.values.get("head_id")) or "head_id" in table.column_titles:
            if not errors.has(person.number, table.column_label("head_id")):
                errors.add(
                    person.number,
                    table.column_label("head_id"),
                    _("成员行须填写户号或户主身份证号,以确定属于哪一户。"),
                )
        else:
            errors.add(
                person.number,
                relation_label,
                _("成员行须填写户号或户主身份证号,以确定属于哪一户。"),
            )
    return [groups[key] for key in order]


def errors_has_cell(errors: Collector, row: int, column: str) -> bool:
    return any(e.row == row and e.column == column for e in errors.errors)


def _merge_member_notes(group: Group, errors: Collector, table: Table) -> None:
    """Keep a 备注 written on a member's row ("在读大学") in the household's notes as
    "张伟:在读大学" — the archive has notes for the household only. A member row repeating the
    head's note (a cell merged down the household) adds nothing."""
    assert group.head is not None
    head_note = group.head.values.get("notes", "")
    parts = [head_note] if head_note else []
    for member in group.members:
        note = member.values.pop("notes", "")
        if note and note != head_note:
            parts.append(f"{member.values.get('name', '')}:{note}")
    if len(parts) > (1 if head_note else 0):
        notes = ";".join(parts)
        if len(notes) > 1000:
            errors.add(
                group.head.number,
                table.column_label("notes"),
                _("本户各行的备注合起来超过 1000 个字(现有 %(length)d 个),请精简。")
                % {"length": len(notes)},
            )
        group.head.values["notes"] = notes


def _household_size_agrees(group: Group, errors: Collector, table: Table) -> None:
    """Compare 家庭人口 on the head's row with the rows of the household: a roster that gives
    3 but has one row has left its members out (or written them in one cell)."""
    assert group.head is not None
    size = group.head.values.get("household_size")
    rows = 1 + len(group.members)
    if size is None or size == rows:
        return
    errors.add(
        group.head.number,
        table.column_label("household_size"),
        _(
            "家庭人口填 %(size)d 人,表中这一户有 %(rows)d 行。本系统每人一行:"
            "请补全或删去家庭成员的行(填同一户号),或改正家庭人口。"
        )
        % {"size": size, "rows": rows},
    )


# The household's columns, in the template's order (looked up for each member row).
_HOUSEHOLD_KEYS = tuple(spec.key for spec in roster.ALL_SPECS if spec.scope == roster.HOUSEHOLD)


def _household_values_agree(group: Group, errors: Collector, table: Table) -> None:
    """A member row may repeat the head's household cells; a different value is an error."""
    if group.head is None:
        return
    for member in group.members:
        for key in _HOUSEHOLD_KEYS:
            if key not in member.values:
                continue
            if member.values[key] != group.head.values.get(key):
                errors.add(
                    member.number,
                    table.column_label(key),
                    _("与户主行(第 %(row)d 行)不一致;家庭信息以户主行为准,成员行可留空。")
                    % {"row": group.head.number},
                )


# --- Phase 1: matching archives already filed -------------------------------------------------


class _Registration(NamedTuple):
    """Who holds an ID in an open archive (an `IdRegistration` read as a tuple)."""

    household_id: int
    member_id: int | None


def _registrations(people: list[PersonRow]) -> dict[str, _Registration]:
    """Return {canonical ID: registration} for the file's IDs held by any open archive."""
    by_index = {id_index(p.canonical_id): p.canonical_id for p in people if p.canonical_id}
    found: dict[str, _Registration] = {}
    indexes = list(by_index)
    for chunk in _chunks(indexes):
        for index, household_id, member_id in any_of(
            IdRegistration.objects.order_by(), "id_index", chunk
        ).values_list("id_index", "household_id", "member_id"):
            found[by_index[index]] = _Registration(household_id, member_id)
    return found


def _masked_matches(known: Any, masked_heads: set[tuple[str, str]]) -> list[int]:
    """The keys of the archives in `known` whose head is one of `masked_heads` (the ID as a
    masked export writes it, the name as `roster.normalise_name` gives it) — found by the ID's
    last four, then narrowed on the masked form and name read alone, so that only the matches
    are read whole: at a city's scope a hundred archives share each last four."""
    keys: list[int] = []
    unkept: list[tuple[int, str]] = []  # archives stored without their masked form
    tails = sorted({text[-4:] for text, _name in masked_heads})
    for chunk in _chunks(tails):
        # No order: the archives' default (newest first) sorted ~80,000 candidates on disk.
        for pk, name, masked in (
            any_of(known, "id_last4", chunk).order_by().values_list("pk", "name", "id_masked")
        ):
            if not masked:
                unkept.append((pk, name))
            elif (masked, roster.normalise_name(name)) in masked_heads:
                keys.append(pk)
    for chunk in _chunks(unkept):
        names = dict(chunk)
        unordered = any_of(known, "id", list(names)).order_by()
        for pk, id_number in unordered.values_list("pk", "id_number"):
            if (mask_id_number(id_number), roster.normalise_name(names[pk])) in masked_heads:
                keys.append(pk)
    return keys


def _archives(
    user: Any,
    household_ids: Iterable[int],
    masked_heads: Iterable[tuple[str, str]],
    closed_heads: Iterable[str] = (),
) -> list[ArchiveRows]:
    """Return the archives in the user's scope that the file's heads may be: open ones with
    these ids, open or closed ones whose head has one of these masked IDs and names (a masked
    export: `_masked_matches`), and closed ones whose head has one of these canonical IDs —
    each with its members and its rows as a full export writes them (`archives_in_full`: two
    queries per chunk, plain tuples)."""
    base = Household.objects.filter(policy.scope_q(user, IMPORT, field="unit"))
    open_ = base.filter(status__in=Household.OPEN_STATUSES)
    known = base.filter(status__in=[*Household.OPEN_STATUSES, Household.Status.CLOSED])
    closed = base.filter(status=Household.Status.CLOSED)
    masked = set(masked_heads)
    result: dict[int, ArchiveRows] = {}
    for query, field_name, values in (
        (open_, "id", sorted(set(household_ids))),
        (known, "id", sorted(_masked_matches(known, masked)) if masked else []),
        (closed, "id_index", sorted({id_index(canonical) for canonical in closed_heads})),
    ):
        for chunk in _chunks(values):
            wanted = any_of(query, field_name, chunk)
            result.update({archive.pk: archive for archive in archives_in_full(wanted)})
    return list(result.values())


def _archive_label(household: ArchiveRows) -> str:
    return _("%(no)s %(name)s %(id)s") % {
        "no": household.archive_no or _("未编号"),
        "name": household.name,
        "id": mask_id_number(household.id_number),
    }


_SPEC_POSITION = {spec.key: i for i, spec in enumerate(roster.SPECS)}
_CONVERTED_KEPT = 50_000  # converted export cells kept for one check, at most


class _Expected:
    """One row of an archive as a full export writes it (`ArchiveRows.rows`, in the order of
    `roster.SPECS`); a cell is read and converted as the import reads it only when asked
    (`agrees`).

    Most households of a second import are the same rows read back: a file's cell holding the
    very value the export writes (the same type, equal) agrees without converting either side
    (converting every cell of every archive was a fifth of a second import's check). Any other
    cell — "1975.6" for a date, a money cell read back as a float, spaces — is converted and
    compared as before (`_same`). `converted` is shared by the rows of one check: a value the
    export writes for many archives (a date, an amount) is converted once."""

    __slots__ = ("converted", "row")

    def __init__(
        self, row: Sequence[Any], converted: dict[tuple[str, type, Any], Any] | None = None
    ) -> None:
        self.row = row
        self.converted = {} if converted is None else converted

    def raw(self, key: str) -> Any:
        """The cell as the export writes it (None for a blank cell or no such column)."""
        position = _SPEC_POSITION.get(key)
        raw = None if position is None else self.row[position]
        return None if raw is None or is_blank(raw) else raw

    def value(self, key: str) -> Any:
        """The cell converted as the import reads it (the raw value if it does not convert;
        None for a blank cell)."""
        return self._value(key, self.raw(key))

    def _value(self, key: str, raw: Any) -> Any:
        if raw is None:
            return None
        known = (key, raw.__class__, raw)  # the class too: 1 == 1.0 == True
        try:
            return self.converted[known]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell (a list): converted each time
            return self._convert(key, raw)
        if len(self.converted) >= _CONVERTED_KEPT:
            self.converted.clear()
        value = self.converted[known] = self._convert(key, raw)
        return value

    @staticmethod
    def _convert(key: str, raw: Any) -> Any:
        try:
            return roster.SPEC_BY_KEY[key].convert(raw)
        except Exception:
            return raw

    def agrees(self, key: str, given: Any, given_raw: Any) -> bool:
        raw = self.raw(key)
        if raw is not None and given_raw.__class__ is raw.__class__ and given_raw == raw:
            return True
        return _same(key, given, self._value(key, raw))


_NOT_COMPARED = frozenset(
    {"household_no", "relation", "head_id", "category", "unit", "area", "household_size"}
)
_MASKERS = {"mobile": mask_phone, "bank_card": mask_bank_card}


def _same(key: str, given: Any, expected: Any) -> bool:
    if key in _MASKERS and roster.is_masked(given):
        return bool(expected) and _MASKERS[key](expected) == given
    if isinstance(given, str) and isinstance(expected, str):
        return clean_text(given) == clean_text(expected)
    if key == "secondary_causes":
        return sorted(given or []) == sorted(expected or [])
    return given == expected


def _person_matches(person: PersonRow, canonical: str, name: str) -> bool:
    if person.canonical_id:
        return person.canonical_id == canonical
    if person.masked:
        return (
            bool(canonical)
            and mask_id_number(canonical) == person.id_text
            and (
                roster.normalise_name(person.values.get("name", "")) == roster.normalise_name(name)
            )
        )
    return not canonical and roster.normalise_name(
        person.values.get("name", "")
    ) == roster.normalise_name(name)


def _compare(
    group: Group,
    household: ArchiveRows,
    unit: OrgUnit | None,
    area: Area | None,
    errors: Collector,
    table: Table,
    converted: dict[tuple[str, type, Any], Any] | None = None,
) -> bool:
    """Report every filled-in cell of `group` that differs from its archive; True if none.
    `converted`: the export's cells converted so far in this check (`_Expected`)."""
    assert group.head is not None
    found = errors.count
    # The archive's label and the message only once a difference is found (most households of
    # a second import are the same: translating them for each was a twentieth of its check).
    archive = cache(lambda: _archive_label(household))
    message = cache(
        lambda: (
            _(
                "与已有档案(%(archive)s)不一致。导入不会修改已有档案:请到档案页修改,或从表中删去这一户。"
            )
            % {"archive": archive()}
        )
    )
    converted = {} if converted is None else converted
    head_row, *member_rows = (_Expected(row, converted) for row in household.rows)
    head_raw = group.head.raw
    for key, value in group.head.values.items():
        if key in _NOT_COMPARED:
            continue
        if not head_row.agrees(key, value, head_raw.get(key)):
            errors.add(group.head.number, table.column_label(key), message())
    if unit is not None and unit.pk != household.unit_id:
        errors.add(group.head.number, table.column_label("unit"), message())
    if area is not None and area.pk != household.area_id:
        errors.add(group.head.number, table.column_label("area"), message())
    members = household.members
    matched: set[int] = set()
    for person in group.members:
        index = next(
            (
                i
                for i, (member_id, member_name, _relation) in enumerate(members)
                if i not in matched and _person_matches(person, member_id, member_name)
            ),
            None,
        )
        if index is None:
            errors.add(
                person.number,
                table.column_label("name"),
                _(
                    "已有档案(%(archive)s)中没有这位家庭成员。导入不会修改已有档案:请到档案页添加成员,或从表中删去这一户。"
                )
                % {"archive": archive()},
            )
            continue
        matched.add(index)
        expected = member_rows[index]
        if person.relation != members[index][2]:
            errors.add(person.number, table.column_label("relation"), message())
        raw = person.raw
        for key, value in person.values.items():
            if key in _NOT_COMPARED or roster.SPEC_BY_KEY[key].scope == roster.HOUSEHOLD:
                continue
            if not expected.agrees(key, value, raw.get(key)):
                errors.add(person.number, table.column_label(key), message())
    for i, (_member_id, member_name, _relation) in enumerate(members):
        if i not in matched:
            errors.add(
                group.head.number,
                table.column_label("relation"),
                _(
                    "已有档案(%(archive)s)中的家庭成员“%(name)s”不在表中。导入不会修改已有档案:请到档案页修改,或从表中删去这一户。"
                )
                % {"archive": archive(), "name": member_name},
            )
    return errors.count == found


# --- Phase 1: building the filing service's input -------------------------------------------


def _member_input(person: PersonRow) -> MemberInput:
    v = person.values
    return MemberInput(
        name=v.get("name", ""),
        relation=person.relation or "",
        id_number=person.canonical_id or person.id_text,
        sex=v.get("sex", ""),
        birth_date=v.get("birth_date"),
        health=v.get("health", "healthy"),
        disability=v.get("disability", "none"),
        medical_insurance=v.get("medical_insurance", ""),
        monthly_income=v.get("income", ZERO),
        identity=v.get("identity", "other"),
        able_to_work=v.get("able_to_work", True),
        employer_or_school=v.get("work_unit", ""),
        education=v.get("education", ""),
        enrolled_year=v.get("enrolled_year"),
        schooling_years=v.get("schooling_years"),
        source_row=person.number,
    )


_HOUSEHOLD_DEFAULTS: dict[str, Any] = {
    "ethnicity": "汉族",
    "political_status": "masses",
    "health": "healthy",
    "disability": "none",
    "model_worker": "none",
    "union_member": True,
}
_DIRECT_FIELDS = (
    "ethnicity",
    "political_status",
    "health",
    "disability",
    "model_worker",
    "work_started_on",
    "industry",
    "employer_nature",
    "enterprise_status",
    "floor_area",
    "mobile",
    "postcode",
    "hukou_area_code",
    "single_parent",
    "zero_employment",
    "union_member",
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
    "sudden_hardship",
    "receives_dibao",
    "controlling_shareholder",
    "multiple_homes",
    "owns_vehicle",
    "refuses_cooperation",
    "secondary_causes",
    "bank_name",
    "bank_branch",
    "bank_card",
    "bank_account_holder",
    "notes",
    "consent_sensitive_on",
    "consent_publication_on",
    "birth_date",
    "sex",
)


def _household_input(group: Group, unit: OrgUnit | None, area: Area | None) -> HouseholdInput:
    assert group.head is not None
    v = group.head.values
    extra: dict[str, Any] = {}
    for name in _DIRECT_FIELDS:
        if name in v:
            extra[name] = v[name]
        elif name in _HOUSEHOLD_DEFAULTS:
            extra[name] = _HOUSEHOLD_DEFAULTS[name]
    category = v.get("category", "")
    if category in roster.OLD_CATEGORIES:
        extra.update(category=category, rule_version=roster.RULE_2012)
    return HouseholdInput(
        unit=unit,
        area=area,
        applied_on=v.get("applied_on"),  # type: ignore[arg-type]  # the service reports a blank
        name=v.get("name", ""),
        id_number=group.head.canonical_id or group.head.id_text,
        work_status=v.get("work_status", ""),
        housing=v.get("housing", ""),
        marital_status=v.get("marital_status", ""),
        hukou=v.get("hukou", ""),
        address=v.get("address", ""),
        medical_insurance=v.get("medical_insurance", ""),
        main_cause=v.get("main_cause"),  # type: ignore[arg-type]
        origin=Household.Origin.IMPORT,
        head_monthly_income=v.get("income", ZERO),
        employer=v.get("work_unit", ""),
        members=[_member_input(person) for person in group.members],
        source_row=group.head.number,
        **extra,
    )


def _report_field_errors(
    field_errors: dict[str, str], group: Group, errors: Collector, table: Table
) -> None:
    """Put the filing service's {field: message} on the cells of the file."""
    assert group.head is not None
    id_column = table.column_label("id_number")
    for key, message in field_errors.items():
        row, column_key = group.head.number, roster.head_field_column(key)
        parts = key.split(".")
        if parts[0] == "members" and len(parts) >= 3 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(group.members):
                row = group.members[index].number
            column_key = roster.member_field_column(parts[2])
        if column_key in ("sex", "birth_date") and errors.has(row, id_column):
            # The ID cell is wrong (e.g. stored as a number): "no ID, so give sex and birth
            # date" would only mislead; the ID's own error says what to do.
            continue
        column = table.column_label(column_key) if column_key else table.column_label("name")
        errors.add(row, column, message)  # ignored when the cell already has its error


# --- Phase 1 ---------------------------------------------------------------------------------


_IDENTIFYING = ("name", "id_number", "relation", "head_id")


def _drop_trailing_rows(table: Table) -> Table:
    """Leave out the rows after the last person that name nobody (no 姓名, 身份证号, 与户主关系
    or 户主身份证号): a column such as 所属帮扶站 dragged down past the data fills hundreds
    of rows that are no people. A row like that between people is still reported."""
    rows = table.rows
    last = len(rows)
    while last and all(is_blank(rows[last - 1].values.get(key)) for key in _IDENTIFYING):
        last -= 1
    if last < len(rows):
        table.skipped_rows.extend(
            (row.number, _("末尾的行没有姓名和身份证号")) for row in rows[last:]
        )
        table.rows = rows[:last]
    return table


def _collector(table: Table) -> Collector:
    """Return the file's error collector, holding its header problems and its hidden rows."""
    errors = Collector(table=table)
    relation_title = table.column_label("relation")
    for error in table.header_errors():
        message = error.message
        if error.column == relation_title and relation_title in table.missing_required:
            message = _(
                "缺少必填列“%(title)s”。本系统按“每人一行”导入:户主一行(填“户主”),"
                "每位家庭成员各占一行(填妻、儿子等)。请下载导入模板,按模板填写后重新导入。"
            ) % {"title": relation_title}
        errors.add(error.row, error.column, message, sheet=error.sheet)
    if table.other_sheets:
        errors.add(
            table.header_row,
            "",
            _(
                "工作簿中不止一个工作表有花名册:除“%(sheet)s”外还有“%(others)s”。一次只导入一个"
                "工作表:请把各表的行合并到一个工作表,或分成几个文件分别导入。"
            )
            % {"sheet": table.sheet_name, "others": "”“".join(table.other_sheets)},
        )
    for number in table.hidden_rows:
        errors.add(
            number,
            table.column_label("name"),
            _(
                "这一行在 Excel 中被隐藏(或被筛选隐藏),导入时也会读到它。请取消隐藏、清除筛选,"
                "删去不要导入的行后重新上传。"
            ),
        )
    return errors


BATCH_HOUSEHOLDS = 2000  # households looked up, checked by the filing service and written at once
HELPER_ROWS = 5000  # a file of more rows is checked and written with a helper process when possible


@dataclass
class _Batch:
    """The new households of one batch that the check found fileable, with their rows."""

    groups: list[Group]
    items: list[HouseholdInput]


@dataclass
class _Part:
    """What a helper process (`core.forked`) sends of its part of a check: a batch to file
    (the write) with the count of problems it has found so far and its progress, then, last,
    the problems it found and its result."""

    batch: _Batch | None
    failed: int
    done: int = 0
    errors: list[CellError] | None = None
    result: CheckResult | None = None
    # The check's later rows converted apart (`_Checker._later_rows`): first what ties them to
    # the earlier rows, if anything; last, their converted rows as kept (`_people_frames`).
    ties: _Ties | None = None
    frames: list[bytes] | None = None
    # The write: the pinyin of a batch's new heads, worked out by the helper (`names_read`).
    names: dict[str, tuple[str, ...]] | None = None


def roster_check(
    *,
    user: Any,
    source: bytes,
    source_name: str,
    progress: Progress | None = None,
    table: Table | None = None,
    validate: bool = True,
    keep_items: bool = True,
) -> CheckResult:
    """Check a roster file completely and return what an import would do; write nothing.

    Raise ValidationError (field "file") when the file is no Excel workbook or has no header
    row; every other problem is in `CheckResult.errors`. With `validate=False` the households
    to file are not put through `validate_households` (phase 2 leaves that to
    `household_create_many`, which runs the same check). With `keep_items=False` the
    households to file are counted, not kept (the import kit's check: a large file's
    `HouseholdInput`s are not held at once).
    """
    checker = _Checker(user, source, source_name, progress, table)
    if keep_items:
        for batch in checker.batches(validate=validate):
            checker.result.items.extend(batch.items)
            checker.result.groups.extend(batch.groups)
    else:
        checker.count_all(validate=validate)
    return checker.finish()


@dataclass
class _Ties:
    """What could tie some converted rows to others of the same file in `_duplicates` and
    `_group`: their ID numbers, their heads' household keys, the household numbers and heads'
    IDs their members name (a superset: only an empty overlap counts)."""

    ids: set[str]
    head_keys: set[str]
    member_keys: set[str]

    @classmethod
    def of(cls, people: list[PersonRow]) -> _Ties:
        ids: set[str] = set()
        head_keys: set[str] = set()
        member_keys: set[str] = set()
        for person in people:
            if person.canonical_id:
                ids.add(person.canonical_id)
            number = person.values.get("household_no")
            if person.relation == roster.HEAD:
                if number:
                    head_keys.add(f"no:{number}")
                elif person.canonical_id or person.id_text:
                    head_keys.add(f"id:{person.canonical_id or person.id_text}")
            else:
                if number:
                    member_keys.add(f"no:{number}")
                if person.head_id:
                    member_keys.add(f"id:{person.head_id}")
        return cls(ids, head_keys, member_keys)

    def tie(self, other: _Ties) -> bool:
        """Whether these rows and `other` share an ID or a household."""
        return bool(
            self.ids & other.ids
            or self.head_keys & other.head_keys
            or self.member_keys & other.head_keys
            or other.member_keys & self.head_keys
            or {key[3:] for key in self.member_keys if key.startswith("id:")} & other.ids
            or {key[3:] for key in other.member_keys if key.startswith("id:")} & self.ids
        )


def _split_at_head(rows: Sequence[SourceRow]) -> int | None:
    """Where to cut a file's rows in two: at the first head's row (与户主关系 "户主" as typed)
    from the middle on, so that a household's rows are not cut; None when there is none near
    (the file is then checked as one). Only a matter of speed: rows tied across the cut are
    found (`_Ties`) and the file then checked as one."""
    middle = len(rows) // 2
    for index in range(middle, min(len(rows), middle + _SPLIT_LOOK)):
        relation = rows[index].values.get("relation")
        if isinstance(relation, str) and relation.strip() == _HEAD_WORD:
            return index
    return None


_HEAD_WORD = "户主"
_SPLIT_LOOK = 1000  # rows looked at past the middle for a head's


class _Checker:
    """Phase 1 over a whole file, in batches of `BATCH_HOUSEHOLDS` households.

    The rows are converted and grouped for the whole file first (duplicates and households
    span the file); then each batch of households is looked up (the ID registry and the
    archives, `IN` on the blind indexes of its heads), compared, built into the filing
    service's input and validated, and handed to the caller (`batches`), who keeps, counts or
    writes it. Errors are collected for the whole file in one collector: nothing may be written
    once any exists (the writer checks `failed`)."""

    def __init__(
        self,
        user: Any,
        source: bytes,
        source_name: str,
        progress: Progress | None,
        table: Table | None,
    ) -> None:
        policy.require_perm(user, IMPORT)
        self.user = user
        self.table = _drop_trailing_rows(table or read_table(source, roster.columns()))
        self.errors = _collector(self.table)
        self.result = CheckResult(source_name=source_name, rows=len(self.table.rows))
        self.progress = progress
        self.total = len(self.table.rows)
        self.converted: dict[tuple[str, type, Any], Any] = {}  # see `_Expected`
        self.failed_elsewhere = 0  # problems a helper process has found so far (the write)
        # The import batch whose converted rows are kept by a clean check and used by the
        # write (`_kept_people`); None: neither.
        self.batch: ImportBatch | None = None
        self.keep = False  # the check: keep the converted rows if it finds no problem
        self.people: list[PersonRow] | None = None  # the rows converted, while needed

    @property
    def failed(self) -> bool:
        return self.errors.count + self.failed_elsewhere > 0

    def report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, self.total)

    def batches(self, *, validate: bool | None) -> Iterator[_Batch]:
        """Yield the fileable new households batch by batch (see the class). `validate`: put
        them through `validate_households`; None: only once an error has been found (the
        writer, whose `household_create_many` validates what it writes)."""
        with collector_spared():  # the table's rows, then its people, are long-lived
            yield from self._batches(validate=validate)

    def _batches(self, *, validate: bool | None) -> Iterator[_Batch]:
        groups = self._groups()
        spare_more()
        yield from self._batches_of(groups, Lookups(self.user), validate=validate)

    # A file's households are checked in batches that need nothing of one another once the
    # rows are converted and grouped: with a helper process (`core.forked`), the check gives it
    # the later half of the households, and the write gives it the whole check (it sends each
    # batch to file) while this process files. Each is what the same calls do in one process.

    def count_all(self, *, validate: bool) -> None:
        """Check the whole file, counting (not keeping) the households to file."""
        with collector_spared():
            first: list[PersonRow] | None = None
            if self._helped() and self._may_split():
                done, first = self._count_apart(validate)
                if done:
                    return
            groups = self._groups(first)
            spare_more()
            lookups = Lookups(self.user)
            half = len(groups) // 2
            helper = None
            if self._helped() and len(groups) > BATCH_HOUSEHOLDS:
                helper = forked.start(partial(self._later_part, groups[half:], lookups, validate))
            if helper is None:
                self.people = None
                self._count(groups, lookups, validate)
                return
            with helper:
                del groups[half:]  # the helper's now
                self._count(groups, lookups, validate)
                for part in helper:
                    self._take(part)
            if self.keep:
                people, self.people = self.people, None
                self._keep_if_clean(partial(_people_frames, people) if people else None)

    def _count(self, groups: list[Group], lookups: Lookups, validate: bool) -> None:
        """Check `groups` batch by batch, counting the households to file."""
        for _found in self._batches_of(groups, lookups, validate=validate):
            pass

    def _keep_if_clean(self, frames: Callable[[], list[bytes]] | None) -> None:
        """Keep the converted rows (`frames()`) when a write will need them — a clean check
        with households to file — else forget any kept before."""
        if self.failed or not self.result.households_new or frames is None:
            self._keep_people(None)
        else:
            self._keep_people(frames())

    def _keep_people(self, frames: list[bytes] | None) -> None:
        """Keep a clean check's converted rows for the write (`_kept_people`), or forget any
        kept before."""
        assert self.batch is not None
        with transaction.atomic():
            if frames is None:
                ImportChunk.objects.filter(batch=self.batch, part=ImportChunk.Part.CHECKED).delete()
            else:
                stamp = self._stamp(timezone.localdate())
                imports.keep_frames(self.batch, ImportChunk.Part.CHECKED, stamp, frames)

    def _helped(self) -> bool:
        """Whether this file is large enough for a helper process, and one may be used."""
        return self.total > HELPER_ROWS and forked.possible()

    def _later_part(self, groups: list[Group], lookups: Lookups, validate: bool) -> Iterator[_Part]:
        """In the helper: check `groups` and send the problems and counts found."""
        start = self._in_helper()
        self._count(groups, lookups, validate)
        yield _Part(None, self.errors.count, errors=self.errors.since(start), result=self.result)

    def _in_helper(self) -> int:
        """In a helper checking part of the file: no progress of its own, a result of its own
        (sent to be added, `_take`); the number of problems found before it started."""
        self.progress = None
        self.result = CheckResult(source_name=self.result.source_name, rows=self.result.rows)
        return self.errors.size

    def _take(self, part: _Part) -> None:
        """Add a helper's problems and counts to this check's."""
        assert part.errors is not None and part.result is not None
        self.errors.adopt(part.errors)
        result, theirs = self.result, part.result
        result.skipped.extend(theirs.skipped)
        result.people_existing += theirs.people_existing
        result.households_new_count += theirs.households_new_count
        result.members_new_count += theirs.members_new_count

    @contextmanager
    def write_batches(self) -> Iterator[Iterator[_Batch]]:
        """The batches to file, as `batches(validate=None)`: checked by a helper process while
        this one files the batches before, when one may be used. The helper's problems are
        counted in `failed` as it goes and taken at the end."""
        if not self._helped():
            yield self.batches(validate=None)
            return
        helper = forked.start(self._whole_check)
        if helper is None:
            yield self.batches(validate=None)
            return
        start = self.errors.size
        # What this process holds (the file's rows) is hidden from the cyclic collector, as in
        # `batches`: each batch received is made here, and each full collection walked it all.
        with collector_spared(), helper:
            yield self._received(helper, start)

    def _whole_check(self) -> Iterator[_Part]:
        """In the helper: the whole check, each batch to file sent as it is ready — its
        households' rows only as far as the filing needs them (`_sent`)."""
        done = [0]
        self.progress = lambda n, _total: done.__setitem__(0, n)
        historical = self.batch is not None and self.batch.mode != ImportedArchive.Mode.NEW
        for found in self.batches(validate=None):
            found.groups = [_sent(group, historical) for group in found.groups]
            names = names_read([item.name for item in found.items])
            yield _Part(found, self.errors.count, done[0], names=names)
        yield _Part(None, self.errors.count, self.total, self.errors.since(0), self.result)

    def _received(self, helper: forked.Helper[_Part], start: int) -> Iterator[_Batch]:
        for part in helper:
            self.failed_elsewhere = part.failed
            self.report(part.done)
            if part.batch is not None:
                if part.names:
                    names_known(part.names)
                if self.errors.count and not part.failed:
                    # This process found problems (the filing service's) that the helper did
                    # not know of: it did not validate the batch (`_batch`); done here.
                    self._report_validation(part.batch)
                yield part.batch
                continue
            assert part.errors is not None and part.result is not None
            mine = self.errors.since(start)
            self.errors = Collector(table=self.table)
            self.errors.adopt(part.errors)  # the header's problems too: the helper's are all
            self.errors.adopt(mine)
            self.failed_elsewhere = 0
            self.result = part.result

    def _report_validation(self, batch: _Batch) -> None:
        for index, field_errors in sorted(_validated(batch.items).items()):
            _report_field_errors(field_errors, batch.groups[index], self.errors, self.table)

    def _groups(self, first: list[PersonRow] | None = None) -> list[Group]:
        """Every row converted (after `first`, the first rows converted already), the
        duplicates reported and the rows grouped by household."""
        today = timezone.localdate()
        with collector_paused():  # plain values, no cycles: see `core.collector.collector_paused`
            people = None if first is not None else self._kept_people(today)
            if people is None:
                people = list(first or [])
                people.extend(self._converted(self.table.rows[len(people) :], today))
            if self.keep:
                self.people = people
            return self._grouped(people)

    def _grouped(self, people: list[PersonRow]) -> list[Group]:
        """The duplicates among `people` reported and the rows grouped by household."""
        _duplicates(people, self.errors, self.table)
        return _group(people, self.errors, self.table)

    def _converted(self, rows: Sequence[SourceRow], today: date) -> list[PersonRow]:
        """`rows` converted (`_convert_row`), their problems collected."""
        table, errors = self.table, self.errors
        step = max(200, self.total // 50)
        specs = _RowSpecs.of(table)
        people = []
        for n, row in enumerate(rows, start=1):
            people.append(_convert_row(row, errors, table, today, specs))
            if n % step == 0:
                self.report(n // 2)
        return people

    # A large file's rows are converted in two halves at once, the later by a helper process
    # that then checks its households too, when nothing ties the halves together — no ID on
    # both sides, no household with rows on both sides (`_Ties`): each half is then what the
    # whole file's check makes of those rows. Anything tying them (a member above its head
    # across the middle, a person twice) and the later half is converted here as well and the
    # file checked as one (the helper's work is dropped).

    def _may_split(self) -> bool:
        """Whether the rows may be converted in halves: not when a clean check of this batch
        has kept them converted (`_kept_people`, read instead)."""
        return not (
            self.batch is not None
            and ImportChunk.objects.filter(batch=self.batch, part=ImportChunk.Part.CHECKED).exists()
        )

    def _count_apart(self, validate: bool) -> tuple[bool, list[PersonRow] | None]:
        """`count_all` with the later half of the rows converted and checked by a helper:
        (True, None) when done; else (False, the earlier rows converted) for the whole
        file's check (the helper could not start, or the halves are tied)."""
        rows = self.table.rows
        split = _split_at_head(rows)
        if split is None:
            return False, None
        lookups = Lookups(self.user)
        helper = forked.start(partial(self._later_rows, split, lookups, validate))
        if helper is None:
            return False, None
        today = timezone.localdate()
        with helper:
            with collector_paused():
                first = self._converted(rows[:split], today)
            parts = iter(helper)
            theirs = next(parts).ties
            assert theirs is not None
            if _Ties.of(first).tie(theirs):
                return False, first  # the helper is stopped on leaving the block
            with collector_paused():
                groups = self._grouped(first)
            spare_more()
            self._count(groups, lookups, validate)
            theirs_kept: list[bytes] | None = None
            for part in parts:
                self._take(part)
                theirs_kept = part.frames
        if self.keep:
            self._keep_if_clean(
                None if theirs_kept is None else lambda: _people_frames(first) + theirs_kept
            )
        return True, None

    def _later_rows(self, split: int, lookups: Lookups, validate: bool) -> Iterator[_Part]:
        """In the helper: convert the rows from `split` on, send what ties them to the
        earlier ones, then check their households and send the problems and counts found
        (and, for a check that keeps them, the rows converted)."""
        start = self._in_helper()
        with collector_paused():
            people = self._converted(self.table.rows[split:], timezone.localdate())
        yield _Part(None, self.errors.count, ties=_Ties.of(people))
        with collector_paused():
            groups = self._grouped(people)
        spare_more()
        self._count(groups, lookups, validate)
        yield _Part(
            None,
            self.errors.count,
            errors=self.errors.since(start),
            result=self.result,
            frames=_people_frames(people) if self.keep else None,
        )

    def _stamp(self, today: date) -> bytes:
        """What the converted rows kept for the batch are bound to: the file, the mapping it
        was read with, the day IDs were checked against, the format."""
        assert self.batch is not None
        return json.dumps(
            {
                "format": _PEOPLE_FORMAT,
                "file": self.batch.sha256,
                "mapping": self.batch.mapping,
                "day": today.isoformat(),
                "rows": len(self.table.rows),
            },
            sort_keys=True,
            ensure_ascii=False,
        ).encode()

    def _kept_people(self, today: date) -> list[PersonRow] | None:
        """The rows as a clean check of this batch converted them today, when kept whole and
        intact for this file and mapping (`count_all`); else None (they are converted)."""
        if self.batch is None:
            return None
        rows = self.table.rows
        people: list[PersonRow] = []
        stamp = self._stamp(today)
        try:
            for frame in imports.kept_frames(self.batch, ImportChunk.Part.CHECKED, stamp):
                people.extend(_person_of(kept) for kept in _PeopleUnpickler(BytesIO(frame)).load())
        except Exception:  # DecryptionError, a broken stream, frames of another kind
            logger.warning("Import batch %s: its checked rows are not usable", self.batch.pk)
            return None
        if not people or len(people) != len(rows):
            return None
        for person, row in zip(people, rows, strict=True):
            if person.number != row.number:
                return None
            person.raw = row.values
        return people

    def _batches_of(
        self, groups: list[Group], lookups: Lookups, *, validate: bool | None
    ) -> Iterator[_Batch]:
        """Check `groups` batch by batch (emptying the list: each batch is let go once
        handed on) and yield each batch that has households to file."""
        result, total = self.result, self.total
        count = len(groups)
        groups.reverse()  # taken from the end, in the file's order; each batch then let go
        done = 0
        while groups:
            chunk = [groups.pop() for _n in range(min(BATCH_HOUSEHOLDS, len(groups)))]
            batch = self._batch(chunk, lookups, validate=validate)
            done += len(chunk)
            del chunk
            self.report(total // 2 + total * done // (2 * max(count, 1)))
            if batch.items:
                result.households_new_count += len(batch.items)
                result.members_new_count += sum(len(item.members) for item in batch.items)
                yield batch

    def _batch(self, groups: list[Group], lookups: Lookups, *, validate: bool | None) -> _Batch:
        table, errors, result = self.table, self.errors, self.result
        if validate is None:
            validate = self.failed
        heads = [group.head for group in groups if group.head is not None]
        registrations = _registrations(heads)
        head_registered = {
            reg.household_id
            for head in heads
            if (reg := registrations.get(head.canonical_id)) is not None
        }
        masked_heads = {
            (head.id_text, roster.normalise_name(head.values.get("name", "")))
            for head in heads
            if head.masked
        }
        # Heads held by no open archive may have a closed one (撤档): found, never filed again.
        unheld = [
            head.canonical_id
            for head in heads
            if head.canonical_id and head.canonical_id not in registrations
        ]
        archives = _archives(self.user, head_registered, masked_heads, unheld)
        archive_by_id = {household.pk: household for household in archives}

        pending: list[tuple[Group, HouseholdInput]] = []
        unfileable: set[int] = set()
        for group in groups:
            head = group.head
            if head is None:
                continue  # its member rows are already reported
            _merge_member_notes(group, errors, table)
            _household_values_agree(group, errors, table)
            _household_size_agrees(group, errors, table)
            unit, unit_error = lookups.unit(head.values.get("unit"))
            if unit_error and not errors.has(head.number, table.column_label("unit")):
                errors.add(head.number, table.column_label("unit"), unit_error)
            area, area_error = lookups.area(head.values.get("area"))
            if area_error and not errors.has(head.number, table.column_label("area")):
                errors.add(head.number, table.column_label("area"), area_error)

            existing = _existing_archive(head, registrations, archive_by_id, archives)
            if existing is not None and existing.status == Household.Status.CLOSED:
                # A closed archive is kept and may be reopened on its page; the import neither
                # files the person again nor edits the archive. The same rows (an export read
                # back) are skipped like an open archive's.
                quiet = Collector(table=table)
                if _compare(group, existing, unit, area, quiet, table, self.converted):
                    result.skipped.append(
                        (
                            head.number,
                            head.values.get("name", ""),
                            _("%(archive)s(已撤档)") % {"archive": _archive_label(existing)},
                        )
                    )
                    result.people_existing += len(group.rows)
                else:
                    errors.add(
                        head.number,
                        table.column_label("id_number"),
                        _(
                            "此人的档案 %(archive)s 已撤档。导入不会新建或修改档案:如需重新纳入"
                            "帮扶,请在档案页恢复该档案后修改;否则请从表中删去这一户。"
                        )
                        % {"archive": _archive_label(existing)},
                    )
                continue
            if existing is not None:
                if _compare(group, existing, unit, area, errors, table, self.converted):
                    result.skipped.append(
                        (head.number, head.values.get("name", ""), _archive_label(existing))
                    )
                    result.people_existing += len(group.rows)
                continue
            masked_rows = [person for person in group.rows if person.masked]
            for person in masked_rows:
                errors.add(
                    person.number,
                    table.column_label("id_number"),
                    _("身份证号中间已打码,无法据此建档;请填写完整的身份证号。"),
                )
            # A household whose station, area or ID cannot be used is still put through the
            # filing check, so that every other error of its rows is reported in the same pass
            # (issue 11 #4); it is never filed.
            pending.append((group, _household_input(group, unit, area)))
            if unit is None or area is None or masked_rows:
                unfileable.add(len(pending) - 1)

        # One bulk check for the batch's new households (one registry query). Duplicates
        # between households are left out: `_duplicates` has reported them at their rows.
        by_item = _validated([pair[1] for pair in pending]) if validate else {}
        batch = _Batch([], [])
        for index, (group, item) in enumerate(pending):
            if index in by_item:
                _report_field_errors(by_item[index], group, errors, table)
            elif index not in unfileable:
                batch.items.append(item)
                batch.groups.append(group)
        return batch

    def add_service_errors(self, exc: ValidationError, batch: _Batch) -> None:
        """Put `household_create_many`'s errors for `batch` ("<item>.<field>") on its cells;
        one naming no household of the batch on the header row."""
        by_item, other = _by_item(exc.errors or {}, len(batch.groups))
        for message in other:
            self.errors.add(self.table.header_row, "", message)
        for index, field_errors in sorted(by_item.items()):
            _report_field_errors(field_errors, batch.groups[index], self.errors, self.table)

    def finish(self) -> CheckResult:
        result = self.result
        result.table = self.table
        result.errors = self.errors.errors
        if result.errors:
            result.items = []
            result.groups = []
            result.households_new_count = result.members_new_count = 0
        self.report(self.total)
        return result


def _validated(items: list[HouseholdInput]) -> dict[int, dict[str, str]]:
    """The filing check's problems with new households ("<index>.<field>"), by item. Duplicates
    between households are left out: `_duplicates` has reported them at their rows."""
    by_item, _other = _by_item(filing.validate_households(items, across_items=False), len(items))
    return by_item


def _by_item(errors: Mapping[str, str], count: int) -> tuple[dict[int, dict[str, str]], list[str]]:
    """The filing service's errors keyed "<index>.<field>" (`validate_households`,
    `household_create_many`) as {index: {field: message}} for the indexes below `count`, and
    the messages of any other key."""
    by_item: dict[int, dict[str, str]] = defaultdict(dict)
    other: list[str] = []
    for key, message in errors.items():
        position, _dot, field_name = key.partition(".")
        if position.isdigit() and int(position) < count:
            by_item[int(position)][field_name] = message
        else:
            other.append(message)
    return by_item, other


def _existing_archive(
    head: PersonRow,
    registrations: dict[str, _Registration],
    archive_by_id: dict[int, ArchiveRows],
    archives: list[ArchiveRows],
) -> ArchiveRows | None:
    """Return the open archive in scope whose head is this row's person, else the most recent
    closed one, if any."""
    if head.canonical_id:
        registration = registrations.get(head.canonical_id)
        if registration is not None:
            if registration.member_id is not None:
                return None
            return archive_by_id.get(registration.household_id)
        closed = [
            h
            for h in archives
            if h.status == Household.Status.CLOSED and h.id_number == head.canonical_id
        ]
        return max(closed, key=lambda h: h.pk) if closed else None
    if head.masked:
        name = roster.normalise_name(head.values.get("name", ""))
        found = [
            h
            for h in archives
            if mask_id_number(h.id_number) == head.id_text and roster.normalise_name(h.name) == name
        ]
        open_ = [h for h in found if h.status != Household.Status.CLOSED]
        if open_:
            return open_[0] if len(open_) == 1 else None
        return max(found, key=lambda h: h.pk) if found else None
    return None


# --- The roster importer on the import kit ---------------------------------------------------

# National-form (全国困难职工档案) fields an archive approved on paper needs and a roster may
# leave blank: the household's head, then each member. The import never fills them in silence
# (some get the form's default, e.g. 民族 汉族): they are listed as "资料待补全".
_HEAD_FORM = (
    "ethnicity",
    "political_status",
    "health",
    "disability",
    "model_worker",
    "union_member",
    "mobile",
    "work_unit",
    "work_started_on",
    "industry",
    "employer_nature",
    "enterprise_status",
    "floor_area",
    "bank_name",
    "bank_card",
)
_MEMBER_FORM = ("health", "identity", "income")


@lru_cache(maxsize=256)
def _title(key: str, language: str | None) -> str:
    return str(roster.SPEC_BY_KEY[key].title)


def _sent(group: Group, historical: bool) -> Group:
    """A household's rows as a helper sends them to the process filing it: what that process
    reads of them — each row's number and relation, to put the filing service's refusal on
    its cells (`_report_field_errors`), and the fields left blank (`missing_fields`, for an
    archive approved on paper) — not their values, which the items to file carry (unpickling
    a batch of 2,000 households there: 36 → 29 ms)."""
    assert group.head is not None

    def row(person: PersonRow) -> PersonRow:
        return PersonRow(person.number, person.relation, {})

    return Group(
        group.label,
        row(group.head),
        [row(member) for member in group.members],
        missing=missing_fields(group) if historical else [],
    )


def missing_fields(group: Group) -> list[str]:
    """The national-form fields the file left blank for this household, by title ("民族",
    "李梅:健康状况"); as worked out before the group was sent (`_sent`), if it was."""
    if group.missing is not None:
        return group.missing
    assert group.head is not None
    language = get_language()
    missing = [
        _title(key, language)
        for key in _HEAD_FORM
        if key in roster.SPEC_BY_KEY and key not in group.head.values
    ]
    for member in group.members:
        name = member.values.get("name", "")
        missing.extend(
            f"{name}:{_title(key, language)}"
            for key in _MEMBER_FORM
            if key in roster.SPEC_BY_KEY and key not in member.values
        )
    return missing


def imported_archive_complete(*, actor: Any, household: Household) -> ImportedArchive:
    """Mark an imported archive's missing national-form data as completed (its station has
    filled it in on the archive's page). Raise Conflict when there is nothing to complete."""
    policy.require_in_scope(
        actor, ArchivesPermission.FILE, household.unit, message=_("该档案不在您的管理范围内。")
    )
    with transaction.atomic():
        record = ImportedArchive.objects.select_for_update().filter(household=household).first()
        if record is None or not record.incomplete:
            raise Conflict(_("该档案没有待补全的导入资料。"))
        record.completed_at = timezone.now()
        record.completed_by = actor
        record.save(update_fields=["completed_at", "completed_by"])
        audit_record(
            actor=actor,
            action=ArchivesAction.HOUSEHOLD_IMPORT_COMPLETE,
            obj=household,
            summary=_("导入档案 %(no)s 的资料已补全:%(missing)s")
            % {"no": household.archive_no, "missing": "、".join(record.missing)},
        )
    return record


KIND = "archives.roster"


def _file_batch(
    user: Any, batch: ImportBatch, found: _Batch, historical: bool
) -> ValidationError | None:
    """File one batch of new households (`household_create_many`, which validates them) and
    note where each came from; return the service's refusal, if any (nothing written then)."""
    try:
        created = filing.household_create_many(
            actor=user,
            items=found.items,
            origin=Household.Origin.IMPORT,
            # 新申请: each enters the filing procedure at 入户调查 (workflow kit)
            status=Household.Status.ACTIVE if historical else Household.Status.APPLIED,
        )
    except ValidationError as exc:
        return exc
    mode = ImportedArchive.Mode.HISTORICAL if historical else ImportedArchive.Mode.NEW
    new = maker(ImportedArchive)
    bulk_insert(  # sent ahead in `RosterImporter.write`: one row per archive just filed
        ImportedArchive,
        [
            new(
                household=household,
                batch_id=batch.pk,
                source_name=batch.source_name,
                mode=mode,
                missing=missing_fields(group) if historical else [],
            )
            for household, group in zip(created, found.groups, strict=True)
        ],
        overlap=True,
    )
    filing.release_filed(created)  # freed when the batch is let go, not by the collector
    return None


_PEOPLE_FORMAT = 1
_PEOPLE_FRAME = 2000  # people a frame


def _people_frames(people: list[PersonRow]) -> list[bytes]:
    """The converted rows as frames of plain tuples (without the cells as read, which the kept
    table holds), for `_PeopleUnpickler`."""
    return [
        pickle.dumps(
            [
                (p.number, p.relation, p.values, p.id_text, p.canonical_id, p.masked, p.head_id)
                for p in people[start : start + _PEOPLE_FRAME]
            ],
            pickle.HIGHEST_PROTOCOL,
        )
        for start in range(0, len(people), _PEOPLE_FRAME)
    ]


class _PeopleUnpickler(pickle.Unpickler):
    """Loads frames of `_people_frames`: plain values, dates and Decimals, never any other
    object (the "restricting globals" of the pickle documentation)."""

    allowed: dict[tuple[str, str], Any] = {
        ("datetime", "date"): date,
        ("decimal", "Decimal"): Decimal,
    }

    def find_class(self, module: str, name: str) -> Any:
        found = self.allowed.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a converted value")
        return found


def _person_of(kept: Any) -> PersonRow:
    number, relation, values, id_text, canonical_id, masked, head_id = kept
    if not (
        isinstance(number, int)
        and (relation is None or isinstance(relation, str))
        and isinstance(values, dict)
        and all(isinstance(key, str) for key in values)
        and isinstance(id_text, str)
        and isinstance(canonical_id, str)
        and isinstance(masked, bool)
        and isinstance(head_id, str)
    ):
        raise ValueError("not a converted row")
    return PersonRow(number, relation, values, id_text, canonical_id, masked, head_id)


def _outcome(result: CheckResult) -> Outcome:
    return Outcome(
        rows=result.rows,
        errors=result.errors,
        writable=result.households_new,
        counts={
            "households_new": result.households_new,
            "members_new": result.members_new,
            "households_existing": len(result.skipped),
            "people_existing": result.people_existing,
        },
        skipped=[list(item) for item in result.skipped],
    )


class RosterImporter:
    """The archives roster (花名册) on the import kit: `roster_check` checks, and the write
    files the new households with `filing.household_create_many` (all or nothing)."""

    kind = KIND
    label = gettext_lazy("困难职工花名册")
    permission = IMPORT
    url_namespace = "archives"
    upload_help = gettext_lazy(
        "先下载导入模板,每人一行填写;同一户的各行填相同的户号(或在成员行填户主身份证号)。"
        "上传后系统先校验整个文件:有任何错误都不会导入,并给出错误清单(行、列、原因)供下载;"
        "校验通过后由您确认再导入。已有档案的户显示“已存在,跳过”,同一文件重复导入不会重复建档。"
    )
    count_labels = (
        ("households_new", gettext_lazy("将新建户数"), gettext_lazy("已新建户数")),
        ("members_new", gettext_lazy("将新建成员"), gettext_lazy("已新建成员")),
        ("households_existing", gettext_lazy("已存在,跳过(户)"), gettext_lazy("已存在,跳过(户)")),
    )
    skipped_labels = (gettext_lazy("户主"), gettext_lazy("已有档案"))
    modes = (
        (
            ImportedArchive.Mode.HISTORICAL,
            ImportedArchive.Mode.HISTORICAL.label,
            gettext_lazy(
                "纸质档案已审批的困难职工:导入后即为“在档”,表中没有的国家表资料逐户列出,"
                "标为“资料待补全”,并在所属帮扶站的待办中提醒补全。"
            ),
        ),
        (
            ImportedArchive.Mode.NEW,
            ImportedArchive.Mode.NEW.label,
            gettext_lazy("尚未审批的申请:每户进入建档程序,从“入户调查”开始。"),
        ),
    )

    def template(self) -> bytes | None:
        return roster.template_workbook()

    def read(self, content: bytes, columns: dict[str, str] | None = None) -> Table:
        return _drop_trailing_rows(read_table(content, roster.columns(), mapping=columns))

    def fields(self) -> list[tuple[str, str]]:
        return [(column.key, column.title) for column in roster.columns()]

    def choice_columns(self) -> dict[str, list[str]]:
        return roster.choice_labels()

    def value_matches(self, key: str, value: Any) -> bool:
        try:
            roster.SPEC_BY_KEY[key].convert(value)
        except CellValueError:
            return False
        return True

    def check(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        checker = _Checker(user, b"", batch.source_name, progress, table)
        # A large clean check keeps its converted rows for the write (`_kept_people`).
        checker.batch, checker.keep = batch, True
        checker.count_all(validate=True)
        return _outcome(checker.finish())

    def write(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        """Check again and file the new households batch by batch in one transaction: each
        batch goes to `household_create_many` (which validates it) while no error has been
        found; after the first error the remaining batches are only checked, so that every
        error is reported, and the transaction is rolled back: nothing is written."""
        checker = _Checker(user, b"", batch.source_name, progress, table)
        checker.batch = batch  # the rows its check converted, when kept (`_kept_people`)
        historical = batch.mode != ImportedArchive.Mode.NEW
        # `overlapped`: the COPYs that cannot be refused are sent ahead, so that the server
        # writes a batch while Python prepares the rest (see `household_create_many`); the
        # check runs ahead in a helper process when it may (`_Checker.write_batches`).
        with checker.write_batches() as batches, transaction.atomic(), overlapped():
            for found in batches:
                if checker.failed:
                    continue
                # The batch's models are garbage once written, freed by reference counting
                # (`filing.release_filed` breaks their cycles): no full collection after each
                # batch — it found nothing to free and took 20–60 ms (measured: 17 batches of
                # 100,000 rows, 0 objects collected each time).
                with collector_paused():
                    refused = _file_batch(user, batch, found, historical)
                if refused is not None:
                    # The service found what the check did not (a race with another filing):
                    # its messages go on the source rows.
                    checker.add_service_errors(refused, found)
            result = checker.finish()
            if result.errors:
                transaction.set_rollback(True)
        return _outcome(result)

    def summary(self, batch: Any) -> str:
        counts = batch.counts
        if batch.status == ImportBatch.Status.INVALID:
            return _("校验发现 %(count)d 处错误,没有导入任何数据。") % {"count": batch.error_count}
        if batch.status == ImportBatch.Status.NOTHING:
            return _("表中 %(count)d 户都已有档案(已存在,跳过),无需导入。") % {
                "count": counts.get("households_existing", 0)
            }
        if batch.status == ImportBatch.Status.IMPORTED:
            return _("已导入 %(households)d 户 %(members)d 名成员;已存在跳过 %(existing)d 户。") % {
                "households": counts.get("households_new", 0),
                "members": counts.get("members_new", 0),
                "existing": counts.get("households_existing", 0),
            }
        return _(
            "校验通过:将新建 %(households)d 户 %(members)d 名成员,"
            "已存在跳过 %(existing)d 户。请确认导入。"
        ) % {
            "households": counts.get("households_new", 0),
            "members": counts.get("members_new", 0),
            "existing": counts.get("households_existing", 0),
        }


importer_register(RosterImporter())


# The archives' names for the kit's services (kept for callers and tests).
max_upload_bytes = imports.max_upload_bytes
inline_rows = imports.inline_rows
ERRORS_SHOWN = imports.ERRORS_SHOWN


def import_upload(*, user: Any, content: bytes, source_name: str) -> tuple[ImportBatch, Table]:
    """Keep an uploaded roster (sealed) for checking; return the batch and the read table."""
    return imports.batch_upload(user=user, kind=KIND, content=content, source_name=source_name)


def batch_for_user(*, user: Any, batch_id: Any) -> ImportBatch:
    return imports.batch_for_user(user=user, batch_id=batch_id, kind=KIND)


def import_check(
    *, user: Any, batch: ImportBatch, progress: Progress | None = None, table: Table | None = None
) -> ImportBatch:
    return imports.batch_check(user=user, batch=batch, table=table, progress=progress)


def import_confirm(
    *, user: Any, batch: ImportBatch, mode: str = ImportedArchive.Mode.HISTORICAL
) -> ImportBatch:
    return imports.batch_confirm(user=user, batch=batch, mode=mode)


def import_write(*, user: Any, batch: ImportBatch, progress: Progress | None = None) -> ImportBatch:
    return imports.batch_write(user=user, batch=batch, progress=progress)


def import_cancel(*, user: Any, batch: ImportBatch) -> ImportBatch:
    return imports.batch_cancel(user=user, batch=batch)


batch_errors = imports.batch_errors


__all__ = [
    "KIND",
    "CheckResult",
    "RosterImporter",
    "batch_errors",
    "batch_for_user",
    "import_cancel",
    "import_check",
    "import_upload",
    "import_write",
    "roster_check",
]
