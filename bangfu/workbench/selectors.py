"""Reads of the audit trail, the access log and the holiday table's confirmations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core import audit_actions, deadlines, workdays
from bangfu.core.errors import NotFound
from bangfu.core.labels import object_type_label
from bangfu.core.models import (
    AccessLog,
    AuditEvent,
    CalendarConfirmation,
    CalendarDay,
    DeadlineMove,
)

from .permissions import WorkbenchPermission

# An action filter ending in this suffix matches every action of the context
# ("accounts.*" → accounts.user.create, accounts.role.assign, ..., and their old names).
ACTION_PREFIX_SUFFIX = ".*"


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AccessLogFilters:
    user: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _day_range_q(field: str, date_from: date | None, date_to: date | None) -> Q:
    """Match `field` within whole days from `date_from` to `date_to`, in the local time zone."""
    query = Q()
    zone = timezone.get_current_timezone()
    if date_from:
        query &= Q(**{f"{field}__gte": datetime.combine(date_from, time.min, tzinfo=zone)})
    if date_to:
        next_day = date_to + timedelta(days=1)
        query &= Q(**{f"{field}__lt": datetime.combine(next_day, time.min, tzinfo=zone)})
    return query


def audit_event_list(*, user: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Return audit events matching `filters`, newest first.

    The audit trail is installation-wide: it is not scoped to org units, because an auditor
    must see what administrators at every level did. The auditor role is meant to be held at
    the top unit of the installation.
    """
    # Pages are already guarded by URL_PERMISSIONS; the selector checks again so that any other
    # caller (an API view, a job) cannot read the trail without the permission.
    policy.require_perm(user, WorkbenchPermission.VIEW_AUDIT)
    qs = AuditEvent.objects.order_by("-seq")
    if filters.actor:
        qs = qs.filter(
            Q(actor_name__icontains=filters.actor) | Q(actor__username__icontains=filters.actor)
        )
    if filters.action:
        # Events keep the name they were written with: a filter also finds the old names.
        if filters.action.endswith(ACTION_PREFIX_SUFFIX):
            context = filters.action[: -len(ACTION_PREFIX_SUFFIX)]
            qs = qs.filter(
                Q(action__startswith=f"{context}.")
                | Q(action__in=audit_actions.old_codes_under(context))
            )
        else:
            qs = qs.filter(action__in=audit_actions.codes_for(filters.action))
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    return qs.filter(_day_range_q("created_at", filters.date_from, filters.date_to))


def audit_event_get(*, user: Any, seq: int) -> AuditEvent:
    """Return the event numbered `seq`; raise NotFound when there is none."""
    policy.require_perm(user, WorkbenchPermission.VIEW_AUDIT)
    try:
        return AuditEvent.objects.get(seq=seq)
    except AuditEvent.DoesNotExist:
        raise NotFound(_("未找到该审计事件。")) from None


def _context_label(context: str) -> str:
    try:
        return str(apps.get_app_config(context).verbose_name)
    except LookupError:
        return context


def audit_action_choices() -> list[tuple[str, Any]]:
    """Return the filter choices for actions, in Chinese: a group per context (its name),
    holding "all of it" and every action of it found in the trail (old names under the new).

    DISTINCT over the indexed column is cheap enough for now; on a very large trail this
    becomes the registry of declared actions (`core.audit_actions.registered`).
    """
    stored = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    by_context: dict[str, set[str]] = {}
    for code in stored:
        if "." in code:
            by_context.setdefault(audit_actions.context_of(code), set()).add(
                audit_actions.canonical(code)
            )
    groups: list[tuple[str, Any]] = []
    # By code: a context's entities, and an entity's verbs, stand together.
    for context in sorted(by_context):
        label = _context_label(context)
        actions = sorted(by_context[context])
        groups.append(
            (
                label,
                [
                    (context + ACTION_PREFIX_SUFFIX, _("全部%(context)s操作") % {"context": label}),
                    *((code, audit_actions.action_label(code)) for code in actions),
                ],
            )
        )
    return groups


def _object_type_choices(values: list[str]) -> list[tuple[str, str]]:
    return [(value, f"{object_type_label(value)}({value})") for value in values if value]


def audit_object_type_choices() -> list[tuple[str, str]]:
    values = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True)
    return _object_type_choices(list(values.distinct()))


def audit_event_neighbours(event: AuditEvent) -> tuple[int | None, int | None]:
    """Return the sequence numbers of the events before and after `event`, if they exist."""
    previous = (
        AuditEvent.objects.filter(seq__lt=event.seq)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    following = (
        AuditEvent.objects.filter(seq__gt=event.seq)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    return previous, following


def access_log_scope_q(user: Any) -> Q:
    """Return the access-log entries the user may read.

    An entry belongs to the home unit of the user who looked. Whoever holds the permission at
    a top unit sees everything, including entries of accounts without a home unit.
    """
    paths = policy.scope_paths(user, WorkbenchPermission.VIEW_ACCESS_LOG)
    if any(path.count("/") == 2 for path in paths):  # "/1/" is a root unit
        return Q()
    return policy.scope_q(user, WorkbenchPermission.VIEW_ACCESS_LOG, field="user__unit")


def access_log_list(*, user: Any, filters: AccessLogFilters) -> QuerySet[AccessLog]:
    """Return access-log entries in the user's scope matching `filters`, newest first."""
    policy.require_perm(user, WorkbenchPermission.VIEW_ACCESS_LOG)
    qs = AccessLog.objects.filter(access_log_scope_q(user)).order_by("-created_at", "-id")
    if filters.user:
        qs = qs.filter(
            Q(user_name__icontains=filters.user) | Q(user__username__icontains=filters.user)
        )
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    return qs.filter(_day_range_q("created_at", filters.date_from, filters.date_to))


def access_log_object_type_choices(*, user: Any) -> list[tuple[str, str]]:
    values = (
        AccessLog.objects.filter(access_log_scope_q(user))
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    return _object_type_choices(list(values))


# --- the holiday table: confirming a year ------------------------------------------------------


@dataclass(frozen=True)
class YearPreview:
    """What confirming a year would do: the schedule then in force and the deadlines that
    would change (`moved` those whose date changes, the rest only stop being provisional)."""

    year: int
    status: str
    entries: int
    schedule: list[workdays.ScheduleEntry]
    changes: list[deadlines.Change]

    @property
    def moved(self) -> list[deadlines.Change]:
        return [change for change in self.changes if change.moved]

    @property
    def settled(self) -> int:
        return sum(1 for change in self.changes if not change.moved)


def calendar_year_preview(year: int) -> YearPreview:
    """Return what confirming `year` would do, changing nothing."""
    return YearPreview(
        year=year,
        status=workdays.year_status(year),
        entries=CalendarDay.objects.filter(date__year=year).count(),
        schedule=workdays.year_schedule(year, assume_confirmed=True),
        changes=deadlines.preview(years={year}),
    )


def latest_confirmation(year: int) -> CalendarConfirmation | None:
    """Return the latest confirmation of `year`, with who made it, or None."""
    return (
        CalendarConfirmation.objects.filter(year=year)
        .select_related("confirmed_by")
        .order_by("-confirmed_at", "-id")
        .first()
    )


def access_confirmation(*, confirmation_id: Any) -> CalendarConfirmation:
    """Return one confirmation of a year's holidays; NotFound for a missing one."""
    message = _("未找到该确认记录。")
    try:
        pk = int(confirmation_id)
    except (TypeError, ValueError):
        raise NotFound(message) from None
    if not 0 < pk < 2**31:  # a key that cannot be one is missing, not a database error
        raise NotFound(message)
    row = CalendarConfirmation.objects.select_related("confirmed_by").filter(pk=pk).first()
    if row is None:
        raise NotFound(message)
    return row


def confirmation_moves(confirmation: CalendarConfirmation) -> QuerySet[DeadlineMove]:
    """Return the deadlines the confirmation moved, by new date."""
    return confirmation.moves.order_by("new_due", "kind", "id")
