"""Writes of the core context: the holiday table. Each is one transaction with one audit event."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record, diff, snapshot
from bangfu.core.errors import NotFound, ValidationError
from bangfu.core.models import CalendarDay

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
