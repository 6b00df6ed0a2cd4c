"""Keeping archives current (动态管理): yearly reviews, spot checks, monthly incomes, closing and
reopening.

Closing (撤档) applies to archives in the roster (ACTIVE) only. An application that has not been
approved yet is not closed: it is refused or returned through the procedure (`services.procedure`),
which also releases its ID numbers. A closed archive is never deleted: it keeps every field, its
reviews and its incomes, and is flagged for a retention review `BANGFU_RETENTION_YEARS` after
closing.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record, diff
from bangfu.core.dates import add_months, first_of_month
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.money import format_money, to_money
from bangfu.network.models import OrgUnit

from ..audit_actions import ArchivesAction
from ..conf import retention_years, review_interval_months, spot_check_percent
from ..models import (
    AnnualReview,
    Household,
    MonthlyIncome,
    SpotCheck,
    SpotCheckItem,
)
from ..permissions import ArchivesPermission
from ..selectors.access import access_household
from ..selectors.dynamic import StandardTable, access_spot_check_item

if TYPE_CHECKING:
    from bangfu.accounts.models import User

MANAGE = ArchivesPermission.MANAGE


# --- date arithmetic -------------------------------------------------------------------------


def review_due_after(reviewed_on: date) -> date:
    """Return the date by which the next yearly review is due."""
    return add_months(reviewed_on, review_interval_months())


# --- helpers ------------------------------------------------------------------------------


def _lock(actor: User, household: Household) -> Household:
    """Return the archive re-read under a row lock within the actor's scope for
    archives.manage, so that two people acting at once see each other's change (the caller
    checks the state on the fresh row). Raise NotFound outside the scope.

    Views fetch archives through the scope already; the scoped read keeps the rule in the
    service for any other caller (an import, a command, the API)."""
    return access_household(user=actor, household_id=household.pk, perm=MANAGE, for_update=True)


def _require_active(household: Household, action: str) -> None:
    if household.status != Household.Status.ACTIVE:
        raise Conflict(
            _("档案“%(archive)s”当前状态为“%(status)s”,只有在档的档案才能%(action)s。")
            % {
                "archive": str(household),
                "status": household.get_status_display(),
                "action": action,
            }
        )


def _require_text(value: str, *, field: str, label: str, min_length: int = 2) -> str:
    value = (value or "").strip()
    if len(value) < min_length:
        raise ValidationError(
            _("请填写%(label)s(至少 %(n)d 个字)。") % {"label": label, "n": min_length},
            field=field,
        )
    return value


def _require_date(value: Any, *, field: str, label: str, today: date) -> date:
    if not isinstance(value, date):
        raise ValidationError(_("请填写%(label)s。") % {"label": label}, field=field)
    if value > today:
        raise ValidationError(
            _("%(label)s不能晚于今天(%(today)s)。")
            % {"label": label, "today": f"{today:%Y-%m-%d}"},
            field=field,
        )
    return value


# --- yearly review (年审/复核) --------------------------------------------------------------


def annual_review_record(
    *, actor: User, household: Household, reviewed_on: date, findings: str, outcome: str
) -> AnnualReview:
    """Record a yearly review of an archive in the roster and set its next due date.

    Raise ValidationError for a missing or future date, a date before the archive was filed,
    short findings or an unknown outcome; Conflict unless the archive is ACTIVE.
    """
    today = timezone.localdate()
    reviewed_on = _require_date(reviewed_on, field="reviewed_on", label=_("复核日期"), today=today)
    findings = _require_text(findings, field="findings", label=_("复核情况"))
    if outcome not in AnnualReview.Outcome.values:
        raise ValidationError(_("请选择复核结论。"), field="outcome")
    with transaction.atomic():
        locked = _lock(actor, household)
        _require_active(locked, _("复核"))
        if locked.filed_on and reviewed_on < locked.filed_on:
            raise ValidationError(
                _("复核日期不能早于建档日期(%(filed)s)。")
                % {"filed": f"{locked.filed_on:%Y-%m-%d}"},
                field="reviewed_on",
            )
        if locked.last_reviewed_on and reviewed_on < locked.last_reviewed_on:
            raise ValidationError(
                _("复核日期不能早于上次复核日期(%(last)s)。")
                % {"last": f"{locked.last_reviewed_on:%Y-%m-%d}"},
                field="reviewed_on",
            )
        if AnnualReview.objects.filter(household=locked, reviewed_on=reviewed_on).exists():
            # A second click, or a reload of the form: one review a day is one review.
            raise Conflict(
                _("%(date)s 的复核已经记录,请勿重复提交。") % {"date": f"{reviewed_on:%Y-%m-%d}"}
            )
        before = {
            "last_reviewed_on": locked.last_reviewed_on,
            "review_due_on": locked.review_due_on,
        }
        next_due = review_due_after(reviewed_on)
        review = AnnualReview.objects.create(
            household=locked,
            reviewed_on=reviewed_on,
            findings=findings,
            outcome=outcome,
            reviewed_by=actor,
            next_due_on=next_due,
        )
        locked.last_reviewed_on = reviewed_on
        locked.review_due_on = next_due
        locked.save(update_fields=["last_reviewed_on", "review_due_on", "updated_at"])
        after = {"last_reviewed_on": reviewed_on, "review_due_on": next_due}
        audit_record(
            actor=actor,
            action=ArchivesAction.ANNUAL_REVIEW_RECORD,
            obj=locked,
            summary=_("年度复核:%(outcome)s,下次复核期限 %(due)s")
            % {"outcome": review.get_outcome_display(), "due": f"{next_due:%Y-%m-%d}"},
            changes={**diff(before, after), "outcome": [None, outcome]},
        )
    household.last_reviewed_on = reviewed_on
    household.review_due_on = next_due
    return review


# --- spot checks (抽查) ---------------------------------------------------------------------


def spot_check_sample_size(population: int, rate_percent: int) -> int:
    """Return ceil(population × rate / 100), in integers (no float rounding)."""
    return (population * rate_percent + 99) // 100


def spot_check_sample(*, seed: str, household_ids: Sequence[int], rate_percent: int) -> list[int]:
    """Return the sample drawn with `seed`: the ids sorted, shuffled by `random.Random(seed)`,
    the first ceil(n × rate) of them. The same seed and ids always give the same sample, so
    anyone can re-draw a recorded spot check and compare."""
    ids = sorted(household_ids)
    random.Random(seed).shuffle(ids)
    return ids[: spot_check_sample_size(len(ids), rate_percent)]


def spot_check_population(centre: OrgUnit) -> list[int]:
    """Return the ids of the ACTIVE archives of every unit under the centre."""
    return list(
        Household.objects.filter(
            status=Household.Status.ACTIVE, unit__path__startswith=centre.path
        ).values_list("pk", flat=True)
    )


def spot_check_draw(
    *, actor: User, centre: OrgUnit, year: int, rate_percent: int | None = None
) -> SpotCheck:
    """Draw the yearly spot-check sample of the centre's archives in the roster and record it
    with its seed.

    Raise NotFound when the centre is outside the actor's scope, ValidationError for a unit that
    is not a centre, a bad year or rate, and Conflict when the centre already has this year's
    spot check (one per centre and year; the database enforces it too).
    """
    rate = spot_check_percent() if rate_percent is None else rate_percent
    today = timezone.localdate()
    centre = policy.scoped_get(
        policy.units_in_scope(actor, MANAGE), centre.pk, message=_("未找到该帮扶中心。")
    )
    if centre.kind != OrgUnit.Kind.CENTER:
        raise ValidationError(_("请选择一个帮扶中心。"), field="centre")
    if not isinstance(year, int) or not (2000 <= year <= today.year):
        raise ValidationError(
            _("抽查年度须在 2000 年至 %(year)d 年之间。") % {"year": today.year}, field="year"
        )
    if not isinstance(rate, int) or not (1 <= rate <= 100):
        raise ValidationError(_("抽查比例须在 1% 至 100% 之间。"), field="rate_percent")
    exists_message = _("%(centre)s %(year)d 年度的抽查已经抽取,每个中心每年只抽一次。") % {
        "centre": centre.name,
        "year": year,
    }
    try:
        with transaction.atomic():
            if SpotCheck.objects.filter(centre=centre, year=year).exists():
                raise Conflict(exists_message)
            population = spot_check_population(centre)
            seed = f"{centre.pk}-{year}-{secrets.token_hex(8)}"
            sample = spot_check_sample(seed=seed, household_ids=population, rate_percent=rate)
            spot_check = SpotCheck.objects.create(
                centre=centre,
                year=year,
                rate_percent=rate,
                seed=seed,
                population=len(population),
                created_by=actor,
            )
            SpotCheckItem.objects.bulk_create(
                SpotCheckItem(spot_check=spot_check, household_id=pk) for pk in sample
            )
            audit_record(
                actor=actor,
                action=ArchivesAction.SPOT_CHECK_DRAW,
                obj=spot_check,
                summary=_("抽取 %(year)d 年度抽查:在档 %(n)d 户,按 %(rate)d%% 抽中 %(k)d 户")
                % {"year": year, "n": len(population), "rate": rate, "k": len(sample)},
                changes={
                    "seed": [None, seed],
                    "population": [None, len(population)],
                    "rate_percent": [None, rate],
                    "sample": [None, sample],
                },
            )
    except IntegrityError:
        # Two people drew at the same moment: the unique constraint kept one.
        raise Conflict(exists_message) from None
    return spot_check


def spot_check_result_record(
    *, actor: User, item: SpotCheckItem, checked_on: date, finding: str
) -> SpotCheckItem:
    """Record (or correct) the result of checking one sampled archive.

    Raise NotFound when the archive is outside the actor's scope, ValidationError for a missing
    or future date, a date before the year of the spot check, or short findings.
    """
    today = timezone.localdate()
    checked_on = _require_date(checked_on, field="checked_on", label=_("抽查日期"), today=today)
    finding = _require_text(finding, field="finding", label=_("抽查结果"))
    with transaction.atomic():
        locked = access_spot_check_item(user=actor, item_id=item.pk, perm=MANAGE, for_update=True)
        if checked_on.year < locked.spot_check.year:
            raise ValidationError(
                _("抽查日期不能早于抽查年度(%(year)d 年)。") % {"year": locked.spot_check.year},
                field="checked_on",
            )
        before = {"checked_on": locked.checked_on, "finding": locked.finding}
        locked.checked_on = checked_on
        locked.finding = finding
        locked.checked_by = actor
        locked.save(update_fields=["checked_on", "finding", "checked_by"])
        audit_record(
            actor=actor,
            action=ArchivesAction.SPOT_CHECK_ITEM_RECORD,
            obj=locked.household,
            summary=_("记录 %(year)d 年度抽查结果") % {"year": locked.spot_check.year},
            changes=diff(before, {"checked_on": checked_on, "finding": finding}),
        )
    return locked


# --- monthly income ------------------------------------------------------------------------


def monthly_income_record(
    *, actor: User, household: Household, month: date, amount: Decimal | str | int
) -> MonthlyIncome:
    """Record the household's net income per person for a month (or correct it).

    `month` may be any day of the month; it is kept as the 1st. Raise ValidationError for a
    future month, a month before the archive was filed or a negative amount; Conflict unless
    the archive is ACTIVE.
    """
    today = timezone.localdate()
    if not isinstance(month, date):
        raise ValidationError(_("请填写月份。"), field="month")
    month = first_of_month(month)
    if month > first_of_month(today):
        raise ValidationError(_("月份不能晚于本月。"), field="month")
    value = to_money(amount, field="amount", label=_("月人均净收入"))
    if value < 0:
        raise ValidationError(_("月人均净收入不能为负数。"), field="amount")
    with transaction.atomic():
        locked = _lock(actor, household)
        _require_active(locked, _("记录月收入"))
        record = MonthlyIncome.objects.filter(household=locked, month=month).first()
        if record is not None and record.net_income_per_capita == value:
            return record  # the same figure again (a second click): nothing to change
        before = {"net_income_per_capita": record.net_income_per_capita if record else None}
        if record is None:
            record = MonthlyIncome.objects.create(
                household=locked, month=month, net_income_per_capita=value, recorded_by=actor
            )
        else:
            record.net_income_per_capita = value
            record.recorded_by = actor
            record.save(update_fields=["net_income_per_capita", "recorded_by"])
        recovery_runs_refresh(Household.objects.filter(pk=locked.pk))
        audit_record(
            actor=actor,
            action=ArchivesAction.MONTHLY_INCOME_RECORD,
            obj=locked,
            summary=_("记录 %(month)s 月人均净收入 %(amount)s 元")
            % {"month": f"{month:%Y-%m}", "amount": format_money(value)},
            changes=diff(before, {"net_income_per_capita": value}),
        )
    return record


# --- the 脱困 run kept on the archive -----------------------------------------------------------

# Archives whose run is worked out per round trip (their incomes in one query).
RECOVERY_BATCH = 2000


def recovery_run(
    incomes: Iterable[tuple[date, Decimal]], standard_on: Callable[[date], Decimal | None]
) -> tuple[int, date | None]:
    """Return the 脱困 run of an archive from its recorded incomes, newest month first: how many
    months, counting back from the latest without a gap, were each above the 低保 standard in
    force that month (`standard_on(month)`; equal is not above, no standard is not above),
    and the latest month (None when the run is 0)."""
    run = 0
    latest: date | None = None
    expected: date | None = None
    for month, amount in incomes:
        if expected is None:
            latest = expected = month
        if month != expected:
            break
        line = standard_on(month)
        if line is None or amount <= line:
            break
        run += 1
        expected = add_months(month, -1)
    return run, (latest if run else None)


def recovery_runs_refresh(households: QuerySet[Household]) -> int:
    """Work out again the 脱困 run of the given archives from their incomes and the 低保
    standards of their areas, and store the runs that changed; return how many changed.

    Called inside the write that changes an income, a standard or an archive's area (its
    transaction, its audit event). Three queries per RECOVERY_BATCH archives and one
    UPDATE per batch with changes: a standard change re-reads an area's archives with incomes.
    """
    changed = 0
    after = 0
    columns = ("pk", "area_id", "recovery_run", "recovery_run_end")
    base = households.order_by("pk").values_list(*columns)
    while True:
        rows = list(base.filter(pk__gt=after)[:RECOVERY_BATCH])
        if not rows:
            return changed
        after = rows[-1][0]
        incomes: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
        for pk, month, amount in (
            MonthlyIncome.objects.filter(household_id__in=[row[0] for row in rows])
            .order_by("household_id", "-month")
            .values_list("household_id", "month", "net_income_per_capita")
        ):
            incomes[pk].append((month, amount))
        table = StandardTable({row[1] for row in rows if row[1] is not None})
        updates = []
        for pk, area_id, old_run, old_end in rows:
            run, end = recovery_run(incomes.get(pk, []), partial(table.on, area_id))
            if (run, end) != (old_run, old_end):
                updates.append(Household(pk=pk, recovery_run=run, recovery_run_end=end))
        if updates:
            Household.objects.bulk_update(updates, ["recovery_run", "recovery_run_end"])
            changed += len(updates)


def recovery_runs_refresh_area(area_id: int, since: date) -> int:
    """Work out again the runs of an area's archives with an income on or after `since` (the
    day a 低保 standard takes or took effect: the months it applies to)."""
    return recovery_runs_refresh(
        Household.objects.filter(
            pk__in=MonthlyIncome.objects.filter(
                household__area_id=area_id, month__gte=since
            ).values("household_id")
        )
    )


# --- closing and reopening (撤档、恢复) -------------------------------------------------------


def household_close(
    *, actor: User, household: Household, reason: str, closed_on: date, note: str = ""
) -> Household:
    """Close an archive in the roster (撤档): release its ID numbers and set the date of its
    retention review. Nothing is deleted.

    Raise ValidationError for an unknown reason, a missing or future date, a date before the
    archive was filed, or no note when the reason is 其他; Conflict unless the archive is ACTIVE.
    """
    from . import filing

    today = timezone.localdate()
    if reason not in Household.CloseReason.values:
        raise ValidationError(_("请选择撤档原因。"), field="reason")
    closed_on = _require_date(closed_on, field="closed_on", label=_("撤档日期"), today=today)
    note = (note or "").strip()
    if reason == Household.CloseReason.OTHER and len(note) < 2:
        raise ValidationError(_("撤档原因为“其他”时,请填写撤档说明。"), field="note")
    with transaction.atomic():
        locked = _lock(actor, household)
        _require_active(locked, _("撤档"))
        if locked.filed_on and closed_on < locked.filed_on:
            raise ValidationError(
                _("撤档日期不能早于建档日期(%(filed)s)。")
                % {"filed": f"{locked.filed_on:%Y-%m-%d}"},
                field="closed_on",
            )
        before = _close_fields(locked)
        filing.release_ids(locked)
        locked.status = Household.Status.CLOSED
        locked.closed_on = closed_on
        locked.close_reason = reason
        locked.close_note = note
        locked.retention_review_on = add_months(closed_on, 12 * retention_years())
        locked.save(update_fields=[*_CLOSE_FIELDS, "updated_at"])
        audit_record(
            actor=actor,
            action=ArchivesAction.HOUSEHOLD_CLOSE,
            obj=locked,
            summary=_("撤档:%(reason)s") % {"reason": locked.get_close_reason_display()},
            changes=diff(before, _close_fields(locked)),
        )
    return locked


def household_reopen(*, actor: User, household: Household, reason: str) -> Household:
    """Put a closed archive back in the roster: register its ID numbers again and set a new
    review due date from today.

    Raise ValidationError without a reason; Conflict unless the archive is CLOSED, or when one of
    its ID numbers is now in another open archive (the message names that archive, the ID
    masked) — then nothing changes.
    """
    from . import filing

    reason = _require_text(reason, field="reason", label=_("恢复原因"))
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(actor, household)
        if locked.status != Household.Status.CLOSED:
            raise Conflict(
                _("档案“%(archive)s”当前状态为“%(status)s”,只有已撤档的档案才能恢复。")
                % {"archive": str(locked), "status": locked.get_status_display()}
            )
        before = _close_fields(locked)
        locked.status = Household.Status.ACTIVE
        # register_ids raises when an ID is taken; the transaction then rolls back whole.
        filing.register_ids(locked, viewer=actor)
        # The closing stays in the audit trail; on the archive it no longer applies.
        locked.closed_on = None
        locked.close_reason = ""
        locked.close_note = ""
        locked.retention_review_on = None
        locked.review_due_on = review_due_after(today)
        locked.save(update_fields=[*_CLOSE_FIELDS, "review_due_on", "updated_at"])
        audit_record(
            actor=actor,
            action=ArchivesAction.HOUSEHOLD_REOPEN,
            obj=locked,
            summary=_("恢复在档:%(reason)s") % {"reason": reason[:100]},
            changes={
                **diff(before, _close_fields(locked)),
                "review_due_on": [None, locked.review_due_on],
                "reason": [None, reason],
            },
        )
    return locked


_CLOSE_FIELDS = ["status", "closed_on", "close_reason", "close_note", "retention_review_on"]


def _close_fields(household: Household) -> dict[str, Any]:
    return {name: getattr(household, name) for name in _CLOSE_FIELDS}
