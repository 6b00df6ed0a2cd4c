"""How a context declares its procedure (see docs/dev/WORKFLOW.md).

    ARCHIVE_FILING = Procedure(
        key="archives.filing",
        subject_model=Household,
        steps=(Step.VISIT, Step.REVIEW, Step.NOTICE, Step.APPROVAL),
        perms=Perms(make="archives.file", visit="archives.investigate", ...),
        approval=lambda subject: one_leader("centre"),
        ...
    )
    register(ARCHIVE_FILING)

A procedure is a list of steps chosen from 入户调查 (VISIT), 民主评议 (REVIEW), 公示 (NOTICE)
and 审批 (APPROVAL), possibly per subject (`steps_for`); the permission each step needs; the
approval rule (levels and sign-offs, which may scale with the amount); how the subject's own
status follows the case (`status_of`); and `on_transition`, the context's own effects and
checks, run inside the transition's transaction before its audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from bangfu.network.models import OrgUnit

from .models import Case, Step

# Where a level's unit is found from the subject's centre.
CENTRE = "centre"  # the subject's own centre
PARENT = "parent"  # the centre directly above it (the centre itself at the top)
COUNTY = "county"  # the nearest county-level centre at or above it
LEVEL_UNITS = (CENTRE, PARENT, COUNTY)


@dataclass(frozen=True)
class Level:
    """`count` distinct leaders holding the approval permission at the `unit` level."""

    unit: str
    count: int = 1

    def __post_init__(self) -> None:
        if self.unit not in LEVEL_UNITS or self.count < 1:
            raise ValueError(f"Bad approval level {self!r}")


@dataclass(frozen=True)
class Tier:
    """Sign-offs for amounts up to `up_to` yuan (None: any amount), lowest level first."""

    up_to: Decimal | None
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class ApprovalRule:
    """Tiers by amount, in increasing order of `up_to`; the last one has `up_to=None`."""

    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        if not self.tiers or self.tiers[-1].up_to is not None:
            raise ValueError("The last tier of an approval rule must cover any amount.")

    def levels_for(self, amount: Decimal | None) -> tuple[Level, ...]:
        for tier in self.tiers:
            if tier.up_to is None or amount is None or amount <= tier.up_to:
                return tier.levels
        return self.tiers[-1].levels  # pragma: no cover - the last tier has up_to=None


def one_leader(unit: str = CENTRE) -> ApprovalRule:
    """One leader at `unit` signs: today's archives approval."""
    return ApprovalRule((Tier(None, (Level(unit, 1),)),))


def by_amount(*tiers: tuple[Decimal | int | str | None, Sequence[tuple[str, int]]]) -> ApprovalRule:
    """Build a rule from (up_to, [(unit, count), ...]) pairs, e.g.
    by_amount((1000, [("centre", 1)]), (5000, [("centre", 2)]),
              (None, [("centre", 2), ("county", 1)]))."""
    return ApprovalRule(
        tuple(
            Tier(
                None if up_to is None else Decimal(str(up_to)),
                tuple(Level(unit, count) for unit, count in levels),
            )
            for up_to, levels in tiers
        )
    )


@dataclass(frozen=True)
class Perms:
    """The permission each step needs (checked over the case's unit, the approval over the
    level's unit)."""

    make: str  # start, resubmit after a return, record consents
    visit: str
    review: str
    notice: str
    submit: str
    approve: str


@dataclass
class Transition:
    """What a kit service is doing, handed to the declaration's `on_transition` inside the
    transaction (subject and case locked). The hook may add to `changes`, replace `summary`,
    or raise Conflict / ValidationError to refuse (nothing is written)."""

    verb: str  # start, resubmit, visit, review, notice, submit, signoff
    actor: Any
    subject: Any  # the subject model's instance, locked
    case: Case
    before: str  # the case's step before ("" when starting)
    after: str  # the case's step after
    today: date
    outcome: str = ""  # for a sign-off: approved / returned / refused
    complete: bool = False  # for a sign-off: the decision is complete (approved or not)
    summary: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    record: Any = None  # the Visit / Review / SignOff written, if any


def _default_title(subject: Any) -> str:
    return str(subject)


@dataclass(frozen=True)
class Procedure:
    key: str  # "<context>.<what>", e.g. "archives.filing"
    subject_model: type[models.Model]
    steps: tuple[str, ...]
    perms: Perms
    # The audit action of a verb, e.g. lambda verb: ArchivesAction(f"archives.procedure.{verb}")
    audit_action: Callable[[str], Any]
    unit_of: Callable[[Any], OrgUnit]  # the subject's unit (its scope)
    url_of: Callable[[int], str]  # the page of a subject, from its id
    label: str = ""  # shown on worklist items, e.g. "建档"
    title_of: Callable[[Any], str] = _default_title
    reference_of: Callable[[Any], str] = lambda subject: ""
    steps_for: Callable[[Any], tuple[str, ...]] | None = None
    approval: Callable[[Any], ApprovalRule] = lambda subject: one_leader()
    amount_of: Callable[[Any], Decimal | None] = lambda subject: None
    visit_working_days: Callable[[], int] = lambda: 5
    visit_rule: Callable[[int], str] = lambda days: (
        _("入户调查:申请后 %(days)d 个工作日") % {"days": days}
    )
    min_visitors: int = 2
    # The earliest day a visit may be dated (default: the day the round started).
    earliest_visit: Callable[[Any, Case], date] | None = None
    # The subject's status for a case (None: the kit leaves the subject's status alone).
    status_of: Callable[[Case], str] | None = None
    status_field: str = "status"
    # The context's own checks, after the kit's and before anything is written (raise
    # Conflict / ValidationError to refuse), and its own effects, after the kit's writes and
    # before the audit event (add to `changes`, replace `summary`).
    before: Callable[[Transition], None] | None = None
    on_transition: Callable[[Transition], None] | None = None
    # Wording of the kit's refusals in the context's own terms, by key: "not_in_level"
    # (%(unit)s), "maker", "signed_twice", "reason_required", "review_failed",
    # "notice_not_cleared" (%(state)s), "no_permission".
    messages: dict[str, Any] = field(default_factory=dict)  # str or lazy str
    # The Conflict message when the case is not at the step an action needs (None: the kit's).
    # (subject, case or None, the kit's verb) → message.
    conflict_message: Callable[[Any, Case | None, str], str] | None = None
    # Who made the record besides the case's maker and the visit/review recorders.
    extra_makers: Callable[[Any], set[int]] = lambda subject: set()
    # The public notice: its kind in bangfu.notices, title, body and display items.
    notice_kind: str = "other"
    notice_title: Callable[[Any], str] = _default_title
    notice_body: Callable[[Any], str] = lambda subject: ""
    notice_items: Callable[[Any], list[Any]] = lambda subject: []

    def steps_of(self, subject: Any) -> tuple[str, ...]:
        steps = self.steps_for(subject) if self.steps_for else self.steps
        unknown = set(steps) - {Step.VISIT, Step.REVIEW, Step.NOTICE, Step.APPROVAL}
        if unknown or Step.APPROVAL not in steps:
            raise ValueError(f"{self.key}: steps {steps!r} must end with the approval.")
        return tuple(steps)


_procedures: dict[str, Procedure] = {}


def register(procedure: Procedure) -> Procedure:
    if procedure.key in _procedures and _procedures[procedure.key] is not procedure:
        raise ValueError(f"Procedure {procedure.key!r} is declared twice.")
    _procedures[procedure.key] = procedure
    return procedure


def get(key: str) -> Procedure:
    return _procedures[key]


def registered() -> list[Procedure]:
    return [_procedures[key] for key in sorted(_procedures)]


def unregister(key: str) -> None:
    """Forget a procedure (for tests that declare their own)."""
    _procedures.pop(key, None)
