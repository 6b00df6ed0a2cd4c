"""Category determinations: apply the archive's rule version with the standards in force.

`household_determine` is what filing, reviews and re-evaluations call. It returns None (and
changes nothing) when the area has no 低保 standard in force, or when an idle member must be
counted at the minimum wage and there is none; `category_blocker` gives the message to show.
`household_determine_many` does the same for many archives (the Excel import) with a number of
queries that does not grow with them, and lists those it could not determine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import AuditEntry, audit_record, audit_record_many
from bangfu.core.bulk import bulk_insert, maker, next_keys
from bangfu.core.errors import Conflict, DomainError, NotFound

from .. import rules
from ..audit_actions import ArchivesAction
from ..models import (
    Determination,
    DibaoStandard,
    Household,
    HouseholdMember,
    MinimumWage,
    Reevaluation,
    ReevaluationItem,
)
from ..permissions import ArchivesPermission
from ..selectors.standards import (
    access_reevaluation_item,
    figures_in_force,
    minimum_wage_on,
    no_minimum_wage_message,
    no_standard_message,
    reevaluation_date,
    standard_on,
)

if TYPE_CHECKING:
    from bangfu.accounts.models import User

logger = logging.getLogger(__name__)

# Whoever may write to an archive may have its category determined.
DETERMINE_PERMISSIONS = (
    ArchivesPermission.FILE,
    ArchivesPermission.INVESTIGATE,
    ArchivesPermission.APPROVE,
    ArchivesPermission.MANAGE,
    ArchivesPermission.IMPORT,
)


def household_facts(
    household: Household, members: Iterable[HouseholdMember] | None = None
) -> rules.HouseholdFacts:
    """Return the rule inputs of an archive. Pass `members` when already fetched (a job
    prefetches them); otherwise they are read from the database."""
    if members is None:
        members = household.members.all()
    return rules.HouseholdFacts(
        wage_income=household.wage_income,
        business_income=household.business_income,
        property_income=household.property_income,
        transfer_income=household.transfer_income,
        other_income=household.other_income,
        medical_spending=household.medical_spending,
        disability_spending=household.disability_spending,
        education_spending=household.education_spending,
        housing_spending=household.housing_spending,
        other_spending=household.other_spending,
        head_monthly_income=household.head_monthly_income,
        sudden_hardship=household.sudden_hardship,
        receives_dibao=household.receives_dibao,
        controlling_shareholder=household.controlling_shareholder,
        multiple_homes=household.multiple_homes,
        owns_vehicle=household.owns_vehicle,
        refuses_cooperation=household.refuses_cooperation,
        members=tuple(
            rules.MemberFacts(
                sex=m.sex,
                birth_date=m.birth_date,
                identity=m.identity,
                able_to_work=m.able_to_work,
                monthly_income=m.monthly_income,
                # The national form records no post for members: a woman's retirement age is
                # taken from the lower table (see `rules`), and the reason says so.
                female_cadre=None,
            )
            for m in members
        ),
    )


@dataclass(frozen=True)
class Evaluation:
    """The outcome of evaluating an archive without storing anything."""

    result: rules.RuleResult
    standard: DibaoStandard
    minimum_wage: MinimumWage | None
    on: date


class CannotDetermine(DomainError):
    """No standard (or no needed minimum wage) is in force; the message says which."""


def _rule_version(household: Household) -> str:
    version = household.rule_version or rules.RULE_2021
    if version not in rules.RULES:
        raise CannotDetermine(
            _("档案的认定规则版本“%(version)s”无法识别,请联系系统管理员。") % {"version": version}
        )
    return version


def household_evaluate(
    *,
    household: Household,
    on: date,
    members: Iterable[HouseholdMember] | None = None,
    standard: DibaoStandard | None = None,
    minimum_wage: MinimumWage | None = None,
) -> Evaluation:
    """Evaluate the archive under its rule version on `on`, storing nothing.

    Use `standard` and `minimum_wage` when given (a re-evaluation job passes what it fetched
    once for the whole area), else those in force on `on`. Raise CannotDetermine when the
    standard, or a minimum wage that an idle member needs, is missing.
    """
    version = _rule_version(household)
    facts = household_facts(household, members)
    if standard is None:
        standard = standard_on(household.area_id, on)
    if standard is not None and minimum_wage is None:
        minimum_wage = minimum_wage_on(household.area_id, on)
    return _evaluate(household, version, facts, on=on, standard=standard, minimum_wage=minimum_wage)


def _evaluate(
    household: Household,
    version: str,
    facts: rules.HouseholdFacts,
    *,
    on: date,
    standard: DibaoStandard | None,
    minimum_wage: MinimumWage | None,
) -> Evaluation:
    """Evaluate with the figures already fetched (None: none in force), without a query.
    Raise CannotDetermine as `household_evaluate` does."""
    if standard is None:
        raise CannotDetermine(no_standard_message(household.area, on))
    if minimum_wage is None and rules.needs_minimum_wage(version, facts, on):
        raise CannotDetermine(no_minimum_wage_message(household.area, on))
    result = rules.evaluate(
        version,
        facts,
        standard=standard.amount,
        minimum_wage=minimum_wage.amount if minimum_wage is not None else None,
        on=on,
    )
    return Evaluation(result=result, standard=standard, minimum_wage=minimum_wage, on=on)


def category_blocker(*, household: Household, on: date | None = None) -> str | None:
    """Return why the archive's category cannot be determined on `on`, or None when it can."""
    try:
        household_evaluate(household=household, on=on or timezone.localdate())
    except CannotDetermine as exc:
        return exc.message
    return None


def _determinable(actor: User | None) -> QuerySet[Household]:
    """Return the archives the actor may determine: those under any of DETERMINE_PERMISSIONS
    (every archive for the system itself, None: a job, a command)."""
    if actor is None:
        return Household.objects.all()
    scope = Q(pk__in=[])
    for perm in DETERMINE_PERMISSIONS:
        scope |= policy.scope_q(actor, perm)
    return Household.objects.filter(scope)


def _same_as(latest: Determination | None, evaluation: Evaluation) -> bool:
    if latest is None:
        return False

    def comparable(inputs: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in inputs.items() if k != "determined_on"}

    wage_id = evaluation.minimum_wage.pk if evaluation.minimum_wage else None
    return (
        latest.rule_version == evaluation.result.inputs["rule_version"]
        and latest.dibao_standard_id == evaluation.standard.pk
        and latest.minimum_wage_id == wage_id
        and comparable(latest.inputs) == comparable(evaluation.result.inputs)
    )


def _store(
    *,
    actor: User | None,
    household: Household,
    evaluation: Evaluation,
    summary: str,
    extra: dict[str, Any] | None = None,
) -> Determination:
    result = evaluation.result
    old = household.category
    determination = Determination.objects.create(
        household=household,
        rule_version=result.inputs["rule_version"],
        dibao_standard=evaluation.standard,
        minimum_wage=evaluation.minimum_wage,
        inputs=result.inputs,
        net_income_per_capita=result.net_income_per_capita,
        category=result.category,
        reason=result.reason,
        determined_on=evaluation.on,
        determined_by=actor if getattr(actor, "pk", None) else None,
    )
    household.category = result.category
    _keep_latest(household, determination)
    household.save(
        update_fields=["category", "latest_determination", "net_income_under_line", "updated_at"]
    )
    changes: dict[str, Any] = {"determination": [None, determination.pk]}
    if old != result.category:
        changes["category"] = [old, result.category]
    changes.update(extra or {})
    audit_record(
        actor=actor,
        action=ArchivesAction.HOUSEHOLD_DETERMINE,
        obj=household,
        summary=summary,
        changes=changes,
    )
    return determination


def household_determine(
    *, actor: User | None, household: Household, on: date | None = None
) -> Determination | None:
    """Determine the archive's category on `on` (default today) and store it.

    Use the rule version the archive is filed under and the standard and minimum wage in force
    that day; store a Determination (inputs, standard, rule version, result, reason) and set the
    archive's category, with one audit event, in one transaction. Return None and change
    nothing when no standard is in force (see `category_blocker` for the message). When the
    latest determination already says the same from the same inputs, return it unchanged.
    Raise NotFound when the archive lies outside the actor's scope.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = policy.scoped_get(
            _determinable(actor).select_for_update(of=("self",)).select_related("area", "unit"),
            household.pk,
            message=_("未找到该档案。"),
        )
        try:
            evaluation = household_evaluate(household=locked, on=on)
        except CannotDetermine:
            return None
        latest = locked.determinations.order_by("-created_at", "-id").first()
        if _same_as(latest, evaluation) and locked.category == evaluation.result.category:
            return latest
        label = rules.CATEGORY_LABELS[evaluation.result.category]
        determination = _store(
            actor=actor,
            household=locked,
            evaluation=evaluation,
            summary=_("认定困难类别:%(category)s") % {"category": label},
        )
    household.category = locked.category
    return determination


class Determinations(list[Determination]):
    """What `household_determine_many` returns: the determinations, in the order of the
    households given, and in `skipped` each household left undetermined with the reason."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[tuple[Household, str]] = []


_UPDATE_CHUNK = 10_000  # archives per UPDATE (SQLite takes at most 32,766 parameters)


def household_determine_many(
    *,
    actor: User | None,
    households: Iterable[Household],
    on: date | None = None,
    fresh: bool = False,
) -> Determinations:
    """Determine the category of many archives on `on` (default today) and store them.

    The same outcome as `household_determine` for each archive in turn — the same
    determination, category, audit event, and the latest determination returned unchanged
    when it already says the same — with a number of queries that does not grow with the
    archives: lock and read them with their members and latest determination, read the
    standards and minimum wages of their areas once, insert the determinations in bulk,
    update the categories with one UPDATE per category, and append the audit events with
    `audit_record_many`. Run it inside the caller's transaction (the import's) or its own.

    Archives that cannot be determined (no standard, or no minimum wage an idle member needs,
    in force on `on`) are left as they are and listed in the result's `skipped` with the
    reason; the result holds the determinations of the others, in the order given. Raise
    NotFound, before writing anything, when one of the archives lies outside the actor's
    scope.

    `fresh`: the archives were created by the caller in this transaction
    (`filing.household_create_many`), each with its area and unit loaded, its members in
    `_new_members` and no determination yet: they are not locked (no one else can see them)
    nor read again — only counted in the actor's scope.
    """
    on = on or timezone.localdate()
    given = list(households)
    if not given:
        return Determinations()
    result = Determinations()
    with transaction.atomic():
        members = Prefetch("members", queryset=HouseholdMember.objects.order_by("sort_order", "id"))
        latest = Prefetch(
            "determinations",
            queryset=Determination.objects.order_by("-created_at", "-id")[:1],
            to_attr="latest_determinations",
        )
        wanted = {h.pk for h in given}
        locked: Mapping[Any, Household]
        if fresh:
            locked = {h.pk: h for h in given}
            in_scope = _determinable(actor).filter(pk__in=wanted).count()
        else:
            locked = (
                _determinable(actor)
                .select_for_update(of=("self",))
                .select_related("area", "unit")
                .filter(pk__in=wanted)
                .prefetch_related(members, latest)
                .in_bulk()
            )
            in_scope = len(locked)
        if in_scope < len(wanted):  # one lies outside the actor's scope (or is gone)
            raise NotFound(_("未找到该档案。"))
        areas = list({h.area_id: h.area for h in locked.values()}.values())
        figures = figures_in_force(areas, on)

        stored: list[tuple[Household, Determination, str]] = []  # household, new, old category
        outcome: dict[int, Determination | None] = {}  # None: stored now; absent: skipped
        for household in (locked[pk] for pk in dict.fromkeys(h.pk for h in given)):
            try:
                people = household._new_members if fresh else household.members.all()  # type: ignore[attr-defined]
                evaluation = _evaluation_of(household, people, figures, on)
            except CannotDetermine as exc:
                result.skipped.append((household, exc.message))
                continue
            previous = (
                None if fresh else next(iter(household.latest_determinations), None)  # type: ignore[attr-defined]
            )
            if _same_as(previous, evaluation) and household.category == evaluation.result.category:
                outcome[household.pk] = previous
                continue
            determination = _new_determination(actor, household, evaluation)
            stored.append((household, determination, household.category))
            outcome[household.pk] = None
            household.category = evaluation.result.category
        bulk_insert(Determination, [d for _h, d, _old in stored])
        for household, determination, _old in stored:
            outcome[household.pk] = determination
            _keep_latest(household, determination)
        result.extend(d for h in given if (d := outcome.get(h.pk)) is not None)
        _update_categories([(h, old) for h, _d, old in stored])
        _update_latest([(h, d) for h, d, _old in stored])
        audit_record_many(actor=actor, entries=_determined_entries(stored))
    for household in given:
        household.category = locked[household.pk].category
    _log_skipped(result.skipped)
    return result


def _evaluation_of(
    household: Household, people: Iterable[Any], figures: Mapping[Any, Any], on: date
) -> Evaluation:
    """Evaluate one archive of a batch with its area's figures in force (`figures_in_force`);
    CannotDetermine when it cannot be."""
    standard, wage = figures[household.area_id]
    version = _rule_version(household)
    facts = household_facts(household, people)
    return _evaluate(household, version, facts, on=on, standard=standard, minimum_wage=wage)


def _determined_entries(stored: list[tuple[Household, Determination, str]]) -> list[AuditEntry]:
    """The audit entry of each determination stored (household, determination, old category)."""
    return [
        AuditEntry(
            action=ArchivesAction.HOUSEHOLD_DETERMINE,
            obj=household,
            summary=_("认定困难类别:%(category)s")
            % {"category": rules.CATEGORY_LABELS[determination.category]},
            changes={
                "determination": [None, determination.pk],
                **(
                    {"category": [old, determination.category]}
                    if old != determination.category
                    else {}
                ),
            },
        )
        for household, determination, old in stored
    ]


def _log_skipped(skipped: list[tuple[Household, str]]) -> None:
    if skipped:
        logger.info(
            "Category not determined for %d archive(s): %s",
            len(skipped),
            ", ".join(h.archive_no or str(h.pk) for h, _reason in skipped[:20]),
        )


@dataclass
class NewDeterminations:
    """What `determinations_prepare_new` found for archives not yet written."""

    actor: Any
    households: list[Household]
    stored: list[tuple[Household, Determination, str]]  # household, determination, old category
    skipped: list[tuple[Household, str]]


Figures = dict[int, tuple[DibaoStandard | None, MinimumWage | None]]  # `figures_in_force`


@dataclass
class DeterminationBasis:
    """What `determinations_prepare_new` reads from the database, read before it
    (`determination_basis`)."""

    on: date
    figures: Figures
    keys: list[int]  # one per archive, increasing (an archive that cannot be determined
    # leaves its key unused, as a rolled-back insert leaves a gap)


def determination_basis(households: list[Household], on: date | None = None) -> DeterminationBasis:
    """The figures in force and the determinations' keys for `determinations_prepare_new`,
    read before it: a caller can then send writes ahead (`core.bulk.overlapped`) that the
    evaluation, needing no database, overlaps."""
    on = on or timezone.localdate()
    areas = list({h.area_id: h.area for h in households}.values())
    return DeterminationBasis(
        on, figures_in_force(areas, on), next_keys(Determination, len(households))
    )


def determinations_prepare_new(
    *,
    actor: User | None,
    households: list[Household],
    on: date | None = None,
    basis: DeterminationBasis | None = None,
) -> NewDeterminations:
    """Determine the categories of new archives before they are written (PostgreSQL, the bulk
    filing): each archive given its key, its members in `_new_members`, its area and unit.

    The same determinations as `household_determine_many(fresh=True)` run after the archives
    are written, but each archive is then written once with its category, latest
    determination and the income the 应享未享低保 list reads, instead of being rewritten by two
    UPDATEs (4.3 s of a 33,000-household import). The determinations get their keys from the
    table's sequence (`determination_basis`; the archives' foreign key to them is checked at
    the commit); write the archives, then call `determinations_store_new`. `basis`: what
    `determination_basis` read for these archives, else read here."""
    if basis is None:
        basis = determination_basis(households, on)
    on, figures = basis.on, basis.figures
    stored: list[tuple[Household, Determination, str]] = []
    skipped: list[tuple[Household, str]] = []
    for household in households:
        try:
            evaluation = _evaluation_of(household, household._new_members, figures, on)  # type: ignore[attr-defined]
        except CannotDetermine as exc:
            skipped.append((household, exc.message))
            continue
        determination = _new_determination(actor, household, evaluation)
        stored.append((household, determination, household.category))
        household.category = evaluation.result.category
    for (_household, determination, _old), key in zip(stored, basis.keys, strict=False):
        determination.pk = key
    for household, determination, _old in stored:
        _keep_latest(household, determination)
    return NewDeterminations(actor, list(households), stored, skipped)


def determinations_store_new(found: NewDeterminations) -> None:
    """Write what `determinations_prepare_new` found, once its archives are written: the
    determinations and their audit events. Raise NotFound, before writing them, when one of
    the archives lies outside the actor's scope for determining (the caller's transaction is
    then rolled back, archives and all — as `household_determine_many` does)."""
    wanted = {h.pk for h in found.households}
    if _determinable(found.actor).filter(pk__in=wanted).count() < len(wanted):
        raise NotFound(_("未找到该档案。"))
    # Sent ahead in a caller's `core.bulk.overlapped`: their keys are taken already.
    bulk_insert(
        Determination, [determination for _h, determination, _old in found.stored], overlap=True
    )
    audit_record_many(actor=found.actor, entries=_determined_entries(found.stored))
    _log_skipped(found.skipped)


def _update_latest(stored: list[tuple[Household, Determination]]) -> None:
    """Store each archive's new latest determination and `net_income_under_line` (set on the
    objects by `_keep_latest`) with set-based UPDATEs: the determination's id and net income
    are read from the determination row just inserted, not sent as a CASE per archive (a
    `bulk_update` of 5,000 archives built 10,000 WHEN clauses, a tenth of an import's write).
    Two statements per chunk: archives whose income is under the line take the
    determination's net income, the others NULL."""
    # The determination just inserted is the archive's latest (the newest `created_at`, the
    # highest id). Not `pk IN (the new ones)` inside the subquery: PostgreSQL then probed the
    # whole list for every archive (a 33,000-household import's write 87 -> 111 s).
    mine = Determination.objects.filter(household=OuterRef("pk")).order_by("-created_at", "-id")
    latest = Subquery(mine.values("pk")[:1])
    step = _UPDATE_CHUNK // 2
    for start in range(0, len(stored), step):
        chunk = stored[start : start + step]
        under = [h.pk for h, _d in chunk if h.net_income_under_line is not None]
        over = [h.pk for h, _d in chunk if h.net_income_under_line is None]
        if under:
            Household.objects.filter(pk__in=under).update(
                latest_determination=latest,
                net_income_under_line=Subquery(mine.values("net_income_per_capita")[:1]),
            )
        if over:
            Household.objects.filter(pk__in=over).update(
                latest_determination=latest, net_income_under_line=None
            )


def _keep_latest(household: Household, determination: Determination) -> None:
    """Set the archive's latest determination and the income the 应享未享低保 list reads."""
    household.latest_determination = determination
    household.net_income_under_line = determination.income_under_line(
        determination.dibao_standard.amount
    )


def _new_determination(
    actor: User | None, household: Household, evaluation: Evaluation
) -> Determination:
    result = evaluation.result
    return maker(Determination)(
        household=household,
        rule_version=result.inputs["rule_version"],
        dibao_standard=evaluation.standard,
        minimum_wage=evaluation.minimum_wage,
        inputs=result.inputs,
        net_income_per_capita=result.net_income_per_capita,
        category=result.category,
        reason=result.reason,
        determined_on=evaluation.on,
        determined_by=actor if getattr(actor, "pk", None) else None,
    )


def _update_categories(changed: list[tuple[Household, str]]) -> None:
    """Store the new categories: one UPDATE per category (at most seven), not one per row."""
    now = timezone.now()
    by_category: dict[str, list[int]] = {}
    for household, old in changed:
        if household.category != old:
            household.updated_at = now
            by_category.setdefault(household.category, []).append(household.pk)
    for category, ids in by_category.items():
        for start in range(0, len(ids), _UPDATE_CHUNK):
            Household.objects.filter(pk__in=ids[start : start + _UPDATE_CHUNK]).update(
                category=category, updated_at=now
            )


# --- re-evaluation after a standard changed ---------------------------------------------------


def _reevaluate_item(item: ReevaluationItem) -> Evaluation:
    """Evaluate the item's archive again, now, as the re-evaluation did (same standard, same
    day); raise Conflict when the archive changed since and the result is no longer the one
    staff were shown."""
    reevaluation = item.reevaluation
    day = reevaluation_date(reevaluation)
    household = item.household
    if not household.is_open:
        raise Conflict(_("该档案已不在档,不能变更类别。"))
    try:
        evaluation = household_evaluate(household=household, on=day, standard=reevaluation.standard)
    except CannotDetermine as exc:
        raise Conflict(exc.message) from None
    if evaluation.result.category != item.new_category:
        raise Conflict(
            _(
                "档案情况在重新评估后已有变化,按现在的资料应为“%(category)s”,"
                "与待确认的“%(expected)s”不同。请不予变更,并在档案页重新认定类别。"
            )
            % {
                "category": rules.CATEGORY_LABELS[evaluation.result.category],
                "expected": rules.CATEGORY_LABELS[item.new_category],
            }
        )
    return evaluation


def _confirm(actor: User | None, item: ReevaluationItem) -> Determination:
    if item.status != ReevaluationItem.Status.PENDING:
        raise Conflict(_("这条类别变更已经处理过了。"))
    evaluation = _reevaluate_item(item)
    old = item.household.category or "—"
    old_label = rules.CATEGORY_LABELS.get(old, old)
    new_label = rules.CATEGORY_LABELS[evaluation.result.category]
    determination = _store(
        actor=actor,
        household=item.household,
        evaluation=evaluation,
        summary=_("低保标准调整后确认变更困难类别:%(old)s → %(new)s")
        % {"old": old_label, "new": new_label},
        extra={"reevaluation_item": [None, item.pk]},
    )
    item.status = ReevaluationItem.Status.CONFIRMED
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "decided_by", "decided_at"])
    return determination


def reevaluation_item_confirm(*, actor: User | None, item_id: Any) -> Determination:
    """Confirm one change found by a re-evaluation: store a new determination and change the
    archive's category, audited. Raise NotFound outside the actor's scope for managing, and
    Conflict when the item was already decided or the archive changed since."""
    policy.require_perm(actor, ArchivesPermission.MANAGE)
    with transaction.atomic():
        item = access_reevaluation_item(user=actor, item_id=item_id, for_update=True)
        item.household = (
            Household.objects.select_for_update(of=("self",))
            .select_related("area", "unit")
            .get(pk=item.household_id)
        )
        return _confirm(actor, item)


@transaction.atomic
def reevaluation_item_dismiss(*, actor: User | None, item_id: Any) -> ReevaluationItem:
    """Keep the archive's category: mark the item dismissed, audited."""
    policy.require_perm(actor, ArchivesPermission.MANAGE)
    item = access_reevaluation_item(user=actor, item_id=item_id, for_update=True)
    if item.status != ReevaluationItem.Status.PENDING:
        raise Conflict(_("这条类别变更已经处理过了。"))
    item.status = ReevaluationItem.Status.DISMISSED
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=ArchivesAction.REEVALUATION_DISMISS,
        obj=item.household,
        summary=_("低保标准调整后不予变更困难类别"),
        changes={"reevaluation_item": [item.pk, item.pk], "status": ["pending", "dismissed"]},
    )
    return item


@dataclass(frozen=True)
class BulkOutcome:
    done: int
    refused: list[tuple[ReevaluationItem, str]]


def _pending_in_scope(actor: User | None, reevaluation: Reevaluation) -> list[ReevaluationItem]:
    members = Prefetch(
        "household__members", queryset=HouseholdMember.objects.order_by("sort_order", "id")
    )
    return list(
        ReevaluationItem.objects.filter(
            policy.scope_q(actor, ArchivesPermission.MANAGE, field="household__unit"),
            reevaluation=reevaluation,
            status=ReevaluationItem.Status.PENDING,
        )
        .select_related("reevaluation__standard__area", "household__unit", "household__area")
        .prefetch_related(members)
        .select_for_update(of=("self", "household"))
        .order_by("id")
    )


@transaction.atomic
def reevaluation_confirm_all(*, actor: User | None, reevaluation: Reevaluation) -> BulkOutcome:
    """Confirm every pending item within the actor's scope; one audit event per archive.

    Items whose archive changed since are left pending and returned with the reason.
    """
    policy.require_perm(actor, ArchivesPermission.MANAGE)
    done = 0
    refused: list[tuple[ReevaluationItem, str]] = []
    for item in _pending_in_scope(actor, reevaluation):
        try:
            with transaction.atomic():
                _confirm(actor, item)
        except Conflict as exc:
            refused.append((item, exc.message))
        else:
            done += 1
    return BulkOutcome(done=done, refused=refused)


@transaction.atomic
def reevaluation_dismiss_all(*, actor: User | None, reevaluation: Reevaluation) -> BulkOutcome:
    """Dismiss every pending item within the actor's scope, with one audit event."""
    policy.require_perm(actor, ArchivesPermission.MANAGE)
    items = ReevaluationItem.objects.filter(
        policy.scope_q(actor, ArchivesPermission.MANAGE, field="household__unit"),
        reevaluation=reevaluation,
        status=ReevaluationItem.Status.PENDING,
    )
    ids = list(items.select_for_update(of=("self",)).values_list("pk", flat=True))
    if not ids:
        return BulkOutcome(done=0, refused=[])
    ReevaluationItem.objects.filter(pk__in=ids).update(
        status=ReevaluationItem.Status.DISMISSED, decided_by=actor, decided_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action=ArchivesAction.REEVALUATION_DISMISS_ALL,
        obj=reevaluation,
        summary=_("低保标准调整后不予变更困难类别(%(count)s 户)") % {"count": len(ids)},
        changes={"dismissed_items": [None, ids]},
    )
    return BulkOutcome(done=len(ids), refused=[])
