"""Writes of the holiday table: entries, prefilling a provisional year, confirming a year.

Each is one transaction with one audit event.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core import deadlines, holidays, workdays
from bangfu.core.audit import audit_record, diff, snapshot
from bangfu.core.errors import NotFound, ValidationError
from bangfu.core.models import CalendarConfirmation, CalendarDay, DeadlineMove

from .audit_actions import WorkbenchAction
from .permissions import WorkbenchPermission

if TYPE_CHECKING:
    from bangfu.accounts.models import User

CALENDAR_FIELDS = ("date", "is_workday", "name")
# Years an entry may fall in: wide enough for any schedule, narrow enough to catch a typo
# such as 0202 or 20255.
CALENDAR_FIRST_YEAR = 2000
CALENDAR_LAST_YEAR = 2099
# The longest stretch one range entry may cover: a holiday, not a season.
CALENDAR_MAX_RANGE_DAYS = 31


class DayAlreadySet(ValidationError):
    """The date (or some dates of a range) already has an entry; `dates` lists them.

    Pages offer to replace the entry: call again with replace=True.
    """

    def __init__(self, message: str, *, field: str, dates: list[date]) -> None:
        super().__init__(message, field=field)
        self.dates = dates


def _kind_label(is_workday: bool) -> str:
    return _("上班") if is_workday else _("休息")


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写名称,如“春节”或“国庆节调休上班”。"), field="name")
    if len(name) > 50:
        raise ValidationError(_("名称不能超过 50 个字。"), field="name")
    return name


def _check_year(day: date | None, field: str, label: str) -> date:
    if day is None:
        raise ValidationError(_("请填写%(label)s。") % {"label": label}, field=field)
    if not CALENDAR_FIRST_YEAR <= day.year <= CALENDAR_LAST_YEAR:
        raise ValidationError(
            _("%(label)s超出范围:只能录入 %(first)s 至 %(last)s 年的日期。")
            % {"label": label, "first": CALENDAR_FIRST_YEAR, "last": CALENDAR_LAST_YEAR},
            field=field,
        )
    return day


def _already_set(existing: list[CalendarDay], field: str) -> DayAlreadySet:
    first = existing[0]
    if len(existing) == 1:
        message = _(
            "%(date)s 已录入为“%(kind)s · %(name)s”。如需修改,请勾选“覆盖已录入的设置”后再保存。"
        ) % {
            "date": first.date.isoformat(),
            "kind": _kind_label(first.is_workday),
            "name": first.name,
        }
    else:
        shown = "、".join(row.date.isoformat() for row in existing[:5])
        if len(existing) > 5:
            shown += _(" 等 %(count)s 天") % {"count": len(existing)}
        message = _("%(dates)s 已有录入。如需修改,请勾选“覆盖已录入的设置”后再保存。") % {
            "dates": shown
        }
    return DayAlreadySet(message, field=field, dates=[row.date for row in existing])


@transaction.atomic
def calendar_day_set(
    *, actor: User, day: date | None, is_workday: bool, name: str, replace: bool = False
) -> CalendarDay:
    """Enter whether `day` is a working day, overriding the built-in calendar.

    Raise ValidationError naming the field for a missing or out-of-range date or a missing
    name, and DayAlreadySet when the date has an entry and `replace` is False. Replacing an
    entry with the same values changes nothing and records nothing.
    """
    policy.require_perm(actor, WorkbenchPermission.MANAGE_CALENDAR)
    day = _check_year(day, "day", _("日期"))
    name = _clean_name(name)
    is_workday = bool(is_workday)
    existing = CalendarDay.objects.select_for_update().filter(date=day).first()
    if existing is not None:
        if not replace:
            raise _already_set([existing], "day")
        before = snapshot(existing, CALENDAR_FIELDS)
        existing.is_workday = is_workday
        existing.name = name
        changes = diff(before, snapshot(existing, CALENDAR_FIELDS))
        if changes:
            existing.save(update_fields=["is_workday", "name"])
            audit_record(
                actor=actor,
                action=WorkbenchAction.CALENDAR_DAY_UPDATE,
                obj=existing,
                summary=_("修改节假日设置"),
                changes=changes,
            )
        return existing
    try:
        with transaction.atomic():
            row = CalendarDay.objects.create(
                date=day, is_workday=is_workday, name=name, created_by=actor
            )
    except IntegrityError:
        # Another admin entered the same date meanwhile.
        raise _already_set(list(CalendarDay.objects.filter(date=day)), "day") from None
    audit_record(
        actor=actor,
        action=WorkbenchAction.CALENDAR_DAY_CREATE,
        obj=row,
        summary=_("录入节假日设置"),
        changes=diff({}, snapshot(row, CALENDAR_FIELDS)),
    )
    return row


@transaction.atomic
def calendar_range_set(
    *,
    actor: User,
    first: date | None,
    last: date | None,
    name: str,
    is_workday: bool = False,
    replace: bool = False,
) -> list[CalendarDay]:
    """Enter every date from `first` to `last` (both included) at once, e.g. 春节 2027-02-06
    to 2027-02-13 as days off, weekends included. One audit event for the whole range.

    Raise ValidationError naming the field for missing, reversed or out-of-range dates, a
    range longer than CALENDAR_MAX_RANGE_DAYS, or a missing name; DayAlreadySet (listing the
    dates) when some dates have entries and `replace` is False. Nothing is written then.
    """
    policy.require_perm(actor, WorkbenchPermission.MANAGE_CALENDAR)
    first = _check_year(first, "first", _("开始日期"))
    last = _check_year(last, "last", _("结束日期"))
    if last < first:
        raise ValidationError(_("结束日期不能早于开始日期。"), field="last")
    span = (last - first).days + 1
    if span > CALENDAR_MAX_RANGE_DAYS:
        raise ValidationError(
            _("一次最多录入 %(max)s 天,所选范围有 %(days)s 天。")
            % {"max": CALENDAR_MAX_RANGE_DAYS, "days": span},
            field="last",
        )
    name = _clean_name(name)
    is_workday = bool(is_workday)
    existing = list(
        CalendarDay.objects.select_for_update().filter(date__range=(first, last)).order_by("date")
    )
    if existing and not replace:
        raise _already_set(existing, "first")
    by_date = {row.date: row for row in existing}
    replaced = []
    for row in existing:
        if row.is_workday != is_workday or row.name != name:
            replaced.append(
                {"date": row.date.isoformat(), "is_workday": row.is_workday, "name": row.name}
            )
            row.is_workday, row.name = is_workday, name
    if replaced:
        CalendarDay.objects.bulk_update(existing, ["is_workday", "name"])
    days = [first + timedelta(days=offset) for offset in range(span)]
    new_rows = [
        CalendarDay(date=day, is_workday=is_workday, name=name, created_by=actor)
        for day in days
        if day not in by_date
    ]
    try:
        with transaction.atomic():
            CalendarDay.objects.bulk_create(new_rows)
    except IntegrityError:
        raise _already_set(
            list(CalendarDay.objects.filter(date__range=(first, last)).order_by("date")), "first"
        ) from None
    if new_rows or replaced:
        label = f"{first.isoformat()}~{last.isoformat()}"
        changes: dict[str, Any] = {
            "date": [None, [first.isoformat(), last.isoformat()]],
            "is_workday": [None, is_workday],
            "name": [None, name],
        }
        if replaced:
            changes["replaced"] = [replaced, None]
        audit_record(
            actor=actor,
            action=WorkbenchAction.CALENDAR_DAY_SET_RANGE,
            object_type=CalendarDay._meta.label_lower,
            object_id=label,
            object_repr=f"{label} {_kind_label(is_workday)} {name}",
            summary=_("批量录入节假日设置(%(days)s 天)") % {"days": span},
            changes=changes,
        )
    return list(CalendarDay.objects.filter(date__range=(first, last)).order_by("date"))


@transaction.atomic
def calendar_day_delete(*, actor: User, day: date) -> None:
    """Remove the entry for `day`, so the built-in calendar (or Monday to Friday) applies
    again. Deadlines already computed keep their stored due dates. Raise NotFound when the
    date has no entry."""
    policy.require_perm(actor, WorkbenchPermission.MANAGE_CALENDAR)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        raise NotFound(_("%(date)s 没有录入的节假日设置。") % {"date": day.isoformat()})
    audit_record(
        actor=actor,
        action=WorkbenchAction.CALENDAR_DAY_DELETE,
        obj=row,
        summary=_("删除节假日设置"),
        changes=diff(snapshot(row, CALENDAR_FIELDS), {}),
    )
    row.delete()


def _check_calendar_year(year: int) -> int:
    if not CALENDAR_FIRST_YEAR <= year <= CALENDAR_LAST_YEAR:
        raise ValidationError(
            _("年份超出范围:只能是 %(first)s 至 %(last)s 年。")
            % {"first": CALENDAR_FIRST_YEAR, "last": CALENDAR_LAST_YEAR},
            field="year",
        )
    return year


@transaction.atomic
def calendar_year_prefill(*, actor: Any, year: int) -> list[CalendarDay]:
    """Enter the usual schedule of a provisional `year` as entries, to be corrected against the
    State Council's notice (usually: add the make-up working days) before confirming it.

    Every day of every usual break (weekends inside it too) that has no entry gets one, named
    after its holiday; existing entries are kept. One audit event listing the ranges. Raise
    ValidationError when the year is not provisional (the package knows it, or it is
    confirmed, or it is an early year without a usual schedule) or every day has an entry.
    """
    policy.require_perm(actor, WorkbenchPermission.MANAGE_CALENDAR)
    year = _check_calendar_year(year)
    if workdays.year_status(year) != "provisional":
        raise ValidationError(
            _("%(year)s 年不是按暂定安排计算的年份,无需以暂定安排为底稿。") % {"year": year},
            field="year",
        )
    usual = holidays.usual_days_off(year)
    taken = set(
        CalendarDay.objects.select_for_update()
        .filter(date__year=year)
        .values_list("date", flat=True)
    )
    rows = [
        CalendarDay(date=day, is_workday=False, name=name, created_by=actor)
        for day, name in sorted(usual.items())
        if day not in taken
    ]
    if not rows:
        raise ValidationError(
            _("%(year)s 年的暂定放假日都已有录入。") % {"year": year}, field="year"
        )
    try:
        with transaction.atomic():
            CalendarDay.objects.bulk_create(rows)
    except IntegrityError:
        raise ValidationError(
            _("其他管理员正在录入 %(year)s 年的设置,请刷新后再试。") % {"year": year},
            field="year",
        ) from None
    audit_record(
        actor=actor,
        action=WorkbenchAction.CALENDAR_DAY_PREFILL,
        object_type=CalendarDay._meta.label_lower,
        object_id=str(year),
        object_repr=_("%(year)s 年暂定放假安排") % {"year": year},
        summary=_("以暂定安排为底稿录入 %(year)s 年节假日(%(days)s 天)")
        % {"year": year, "days": len(rows)},
        changes={"dates": [None, [row.date.isoformat() for row in rows]]},
    )
    return rows


@transaction.atomic
def calendar_year_confirm(*, actor: Any, year: int) -> CalendarConfirmation:
    """Confirm that `year`'s holidays are the official ones, and recount the open deadlines
    that the year touches.

    For a year the package does not know, the admins' entries become the whole schedule (days
    without an entry are plain Monday to Friday); for a year it knows (a newer release), its
    data stands. Every stored deadline registered with `core.deadlines` that is still open and
    whose count runs into the year is counted again; those whose date changes are moved and
    listed (`DeadlineMove`), and the one audit event keeps every old and new date. Raise
    ValidationError for a year out of range, or a year the package does not know that has no
    entry at all (confirming it would count it as plain Monday to Friday).
    """
    policy.require_perm(actor, WorkbenchPermission.MANAGE_CALENDAR)
    year = _check_calendar_year(year)
    covered = workdays.package_covers(year)
    # Serialise confirmations and entries of the same year: a date entered meanwhile would be
    # counted by some deadlines and not others.
    entries = list(
        CalendarDay.objects.select_for_update().filter(date__year=year).values_list("date")
    )
    if not covered and not entries:
        raise ValidationError(
            _(
                "%(year)s 年还没有录入任何节假日设置。"
                "请先按国务院办公厅的通知录入放假日和调休上班日"
                "(可先“以暂定安排为底稿录入”再修改),然后确认。"
            )
            % {"year": year},
            field="year",
        )
    source = CalendarConfirmation.Source.PACKAGE if covered else CalendarConfirmation.Source.ENTRIES
    confirmation = CalendarConfirmation.objects.create(year=year, source=source, confirmed_by=actor)
    changes = deadlines.recompute(years={year})
    moved = [change for change in changes if change.moved]
    DeadlineMove.objects.bulk_create(
        [
            DeadlineMove(
                confirmation=confirmation,
                kind=change.kind.key,
                object_id=change.item.object_id,
                object_repr=change.item.object_repr[:255],
                old_due=change.item.due,
                new_due=change.new.due,
                still_provisional=change.new.provisional,
            )
            for change in moved
        ],
        batch_size=500,
    )
    confirmation.checked = len(changes)
    confirmation.moved = len(moved)
    confirmation.save(update_fields=["checked", "moved"])
    audit_record(
        actor=actor,
        action=WorkbenchAction.CALENDAR_YEAR_CONFIRM,
        obj=confirmation,
        summary=_("确认 %(year)s 年节假日安排:%(moved)s 个期限日期调整,%(settled)s 个期限不再暂定")
        % {"year": year, "moved": len(moved), "settled": len(changes) - len(moved)},
        changes={
            "year": [None, year],
            "source": [None, source],
            "entries": [None, len(entries)],
            "moved": [
                None,
                [
                    {
                        "kind": change.kind.key,
                        "object_id": change.item.object_id,
                        "object": change.item.object_repr,
                        "due": [change.item.due.isoformat(), change.new.due.isoformat()],
                        "provisional": [change.item.provisional, change.new.provisional],
                    }
                    for change in moved
                ],
            ],
            "no_longer_provisional": [
                None,
                [
                    {"kind": change.kind.key, "object_id": change.item.object_id}
                    for change in changes
                    if not change.moved
                ],
            ],
        },
    )
    return confirmation
