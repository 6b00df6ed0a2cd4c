"""Statistics of petitions: by channel, category, station and month; the on-time rate of each
stage; the overdue list; the most frequent problems (突出问题) with their trend. Every figure
counts only the petitions the user may see (restricted ones only with the permission)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import Deadline, Petition
from ..permissions import PetitionsPermission
from .access import petition_queryset


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def this_year(cls, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(date(today.year, 1, 1), today)


def _months(period: Period) -> list[date]:
    months = []
    current = date(period.start.year, period.start.month, 1)
    while current <= period.end:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def _petitions(user: Any, period: Period) -> QuerySet[Petition]:
    return petition_queryset(user=user, perm=PetitionsPermission.REPORT).filter(
        received_on__gte=period.start, received_on__lte=period.end
    )


@dataclass
class CountRow:
    key: str
    label: str
    count: int


def by_field(user: Any, period: Period, name: str) -> list[CountRow]:
    """Return the counts by channel, category or nature, every choice listed (zeros included)."""
    choices = {
        "channel": Petition.Channel,
        "category": Petition.Category,
        "nature": Petition.Nature,
    }[name]
    counts = dict(_petitions(user, period).values_list(name).annotate(n=Count("pk")).order_by())
    return [CountRow(value, str(label), counts.get(value, 0)) for value, label in choices.choices]


def by_unit(user: Any, period: Period) -> list[CountRow]:
    rows = (
        _petitions(user, period)
        .values("unit_id", "unit__name", "unit__path")
        .annotate(n=Count("pk"))
        .order_by("unit__path")
    )
    return [CountRow(str(r["unit_id"]), r["unit__name"], r["n"]) for r in rows]


@dataclass
class MonthRow:
    month: date
    counts: dict[str, int]
    total: int


def by_month(user: Any, period: Period) -> tuple[list[str], list[MonthRow]]:
    """Return the channels and, per month of the period, the count of each channel."""
    rows = (
        _petitions(user, period)
        .annotate(month=TruncMonth("received_on"))
        .values_list("month", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[date, dict[str, int]] = {m: {} for m in _months(period)}
    for month, channel, n in rows:
        key = month if isinstance(month, date) else month.date()
        key = date(key.year, key.month, 1)
        table.setdefault(key, {})[channel] = n
    channels = list(Petition.Channel.values)
    return channels, [
        MonthRow(m, {c: table[m].get(c, 0) for c in channels}, sum(table[m].values()))
        for m in sorted(table)
    ]


@dataclass
class OnTimeRow:
    stage: str
    label: str
    on_time: int
    late: int
    open_breached: int

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.open_breached

    @property
    def rate(self) -> int | None:
        return round(100 * self.on_time / self.total) if self.total else None


def on_time(user: Any, period: Period, today: date | None = None) -> list[OnTimeRow]:
    """Return, per stage of the office, the limits met on time, met late and still open past
    their due date, of the petitions received in the period."""
    today = today or timezone.localdate()
    visible = _petitions(user, period).values("pk")
    rows = (
        Deadline.objects.filter(petition__in=visible, ours=True)
        .values("stage")
        .annotate(
            on_time=Count("pk", filter=Q(met_on__isnull=False, met_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(met_on__isnull=False, met_on__gt=F("due_on"))),
            breached=Count("pk", filter=Q(met_on__isnull=True, due_on__lt=today)),
        )
        .order_by()
    )
    found = {r["stage"]: r for r in rows}
    result = []
    for stage, label in Deadline.Stage.choices:
        if stage in (Deadline.Stage.REVIEW_REQUEST, Deadline.Stage.RECHECK_REQUEST):
            continue  # the petitioner's windows are not the office's duty
        r = found.get(stage, {"on_time": 0, "late": 0, "breached": 0})
        result.append(OnTimeRow(stage, str(label), r["on_time"], r["late"], r["breached"]))
    return result


def overdue(user: Any, today: date | None = None, limit: int = 500) -> list[Deadline]:
    """Return the office's limits now past their due date, oldest first (any receipt date)."""
    today = today or timezone.localdate()
    visible = petition_queryset(user=user, perm=PetitionsPermission.REPORT).values("pk")
    return list(
        Deadline.objects.filter(
            petition__in=visible, ours=True, met_on__isnull=True, due_on__lt=today
        )
        .select_related("petition", "petition__unit")
        .order_by("due_on", "pk")[:limit]
    )


@dataclass
class ProblemRow:
    category: str
    label: str
    total: int
    monthly: list[int]
    trend: str  # "up", "down", "flat"

    @property
    def last(self) -> int:
        return self.monthly[-1] if self.monthly else 0


def frequent_problems(user: Any, period: Period) -> tuple[list[date], list[ProblemRow]]:
    """Return the categories ranked by count (突出问题), each with its count per month and its
    trend: the last month of the period against the month before."""
    months = _months(period)
    rows = (
        _petitions(user, period)
        .annotate(month=TruncMonth("received_on"))
        .values_list("category", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[date, int]] = {}
    for category, month, n in rows:
        key = month if isinstance(month, date) else month.date()
        counts.setdefault(category, {})[date(key.year, key.month, 1)] = n
    result = []
    for category, by_month_counts in counts.items():
        monthly = [by_month_counts.get(m, 0) for m in months]
        trend = "flat"
        if len(monthly) >= 2:
            trend = (
                "up"
                if monthly[-1] > monthly[-2]
                else "down"
                if monthly[-1] < monthly[-2]
                else "flat"
            )
        result.append(
            ProblemRow(
                category,
                str(Petition.Category(category).label),
                sum(monthly),
                monthly,
                trend,
            )
        )
    result.sort(key=lambda r: (-r.total, r.category))
    return months, result


@dataclass
class Satisfaction:
    satisfied: int
    basically: int
    dissatisfied: int

    @property
    def total(self) -> int:
        return self.satisfied + self.basically + self.dissatisfied


def satisfaction(user: Any, period: Period) -> Satisfaction:
    counts = dict(
        _petitions(user, period)
        .exclude(rating="")
        .values_list("rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    R = Petition.Rating
    return Satisfaction(
        counts.get(R.SATISFIED, 0),
        counts.get(R.BASICALLY_SATISFIED, 0),
        counts.get(R.DISSATISFIED, 0),
    )
