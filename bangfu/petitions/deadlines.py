"""The statute's limits for petitions, how each is counted, and how far along each one is.

[law: 信访工作条例 2022, the 2005 条例 has the same limits]

| stage           | from                     | limit                          |
|-----------------|--------------------------|--------------------------------|
| route           | receipt                  | 15 days: accept, decline or transfer |
| acknowledge     | receipt                  | 15 days, in writing (or on the spot) |
| handle          | acceptance               | 60 days, one extension ≤ 30 days |
| review_request  | the reply                | 30 days (the petitioner's window) |
| review_reply    | the 复查 request          | 30 days                        |
| recheck_request | the 复查 opinion          | 30 days (the petitioner's window) |
| recheck_reply   | the 复核 request          | 30 days                        |

The 条例 counts days, so by default every limit counts calendar days the way 民法典 arts.
200–204 read a period (`core.workdays.calendar_deadline`: the start day not counted, a last day
off moves to the next working day). An office may count its own limits in working days instead
(`BANGFU_PETITION_WORKING_DAY_LIMITS`); the rule stored with each due date says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.workdays import WorkCalendar, calendar_deadline, deadline

from .models import Deadline

Stage = Deadline.Stage
Counting = Deadline.Counting

MAX_EXTENSION_DAYS = 30


@dataclass(frozen=True)
class Limit:
    stage: str
    days: int
    ours: bool
    starts: Any  # a lazy translation: what the period starts from, in words


LIMITS: dict[str, Limit] = {
    Stage.ROUTE: Limit(Stage.ROUTE, 15, True, gettext_lazy("收到之日")),
    Stage.ACKNOWLEDGE: Limit(Stage.ACKNOWLEDGE, 15, True, gettext_lazy("收到之日")),
    Stage.HANDLE: Limit(Stage.HANDLE, 60, True, gettext_lazy("受理之日")),
    Stage.REVIEW_REQUEST: Limit(Stage.REVIEW_REQUEST, 30, False, gettext_lazy("收到答复之日")),
    Stage.REVIEW_REPLY: Limit(Stage.REVIEW_REPLY, 30, True, gettext_lazy("收到复查请求之日")),
    Stage.RECHECK_REQUEST: Limit(
        Stage.RECHECK_REQUEST, 30, False, gettext_lazy("收到复查意见之日")
    ),
    Stage.RECHECK_REPLY: Limit(Stage.RECHECK_REPLY, 30, True, gettext_lazy("收到复核请求之日")),
}


def counting(stage: str) -> str:
    """Return how `stage` is counted: working days when the office chose so for one of its own
    limits, else calendar days as the statute reads."""
    limit = LIMITS[stage]
    chosen = {str(s).strip() for s in getattr(settings, "BANGFU_PETITION_WORKING_DAY_LIMITS", [])}
    if limit.ours and stage in chosen:
        return Counting.WORKING
    return Counting.CALENDAR


def counting_note(kind: str) -> str:
    """Say on the page how a limit of this kind is counted."""
    if kind == Counting.WORKING:
        return _("按工作日计算(起算日不计,法定节假日和周末不计,调休上班日计入)")
    return _(
        "按日历日计算(民法典第二百零一条、第二百零三条:起算日不计入,"
        "期限最后一日是法定节假日的,顺延至节假日后的第一个工作日)"
    )


def rule_text(stage: str, days: int, kind: str, *, extra: str = "") -> str:
    limit = LIMITS[stage]
    unit = _("个工作日") if kind == Counting.WORKING else _("日")
    text = _("%(stage)s:自%(start)s起 %(days)d %(unit)s(信访工作条例)") % {
        "stage": Stage(stage).label,
        "start": limit.starts,
        "days": days,
        "unit": unit,
    }
    return text + extra


def compute(
    stage: str, start: date, *, days: int | None = None, calendar: WorkCalendar | None = None
) -> tuple[int, str, date, str]:
    """Return (days, counting, due date, rule in words) for `stage` starting on `start`."""
    limit = LIMITS[stage]
    n = limit.days if days is None else days
    kind = counting(stage)
    rule = rule_text(stage, n, kind)
    if kind == Counting.WORKING:
        due = deadline(start, n, rule, calendar=calendar)
    else:
        due = calendar_deadline(start, n, rule, calendar=calendar)
    return n, kind, due.due, due.rule


def new_deadline(petition_id: int, stage: str, start: date) -> Deadline:
    """Return an unsaved Deadline of `stage` for the petition, starting on `start`."""
    days, kind, due, rule = compute(stage, start)
    return Deadline(
        petition_id=petition_id,
        stage=stage,
        ours=LIMITS[stage].ours,
        starts_on=start,
        days=days,
        counting=kind,
        due_on=due,
        rule=rule,
    )


def at_risk_days() -> int:
    return max(int(getattr(settings, "BANGFU_PETITION_AT_RISK_DAYS", 3)), 0)


class Progress:
    """How a limit stands: the words and the colour shown beside it."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    MET_LATE = "met_late"
    LAPSED = "lapsed"  # a petitioner's window that passed unused
    OPEN_WINDOW = "open_window"

    LABELS = {
        ON_TRACK: gettext_lazy("正常"),
        AT_RISK: gettext_lazy("临近到期"),
        BREACHED: gettext_lazy("已超期"),
        MET: gettext_lazy("按期完成"),
        MET_LATE: gettext_lazy("超期完成"),
        LAPSED: gettext_lazy("已过期限"),
        OPEN_WINDOW: gettext_lazy("可提出"),
    }
    COLOURS = {
        ON_TRACK: "success",
        AT_RISK: "warning",
        BREACHED: "danger",
        MET: "secondary",
        MET_LATE: "danger",
        LAPSED: "secondary",
        OPEN_WINDOW: "info",
    }


def progress(d: Deadline, today: date | None = None) -> str:
    """Return how the limit stands today: met (on time or late), or open and on track, at risk
    (its last BANGFU_PETITION_AT_RISK_DAYS days) or breached; a petitioner's window is open or
    has lapsed."""
    today = today or timezone.localdate()
    if d.met_on is not None:
        return Progress.MET if d.met_on <= d.due_on else Progress.MET_LATE
    if not d.ours:
        return Progress.OPEN_WINDOW if today <= d.due_on else Progress.LAPSED
    left = (d.due_on - today).days
    if left < 0:
        return Progress.BREACHED
    if left < at_risk_days():
        return Progress.AT_RISK
    return Progress.ON_TRACK
