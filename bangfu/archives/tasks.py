"""Background tasks of the archives context (re-evaluation; the roster import and export are
the kits' jobs), run by
`manage.py db_worker`."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.core.jobs import job_progress, job_succeeded, job_task

from . import rules
from .models import (
    Household,
    HouseholdMember,
    Reevaluation,
    ReevaluationItem,
)
from .selectors.standards import minimum_wage_on, reevaluation_date
from .services.categories import CannotDetermine, household_evaluate, household_facts

# Archives read and evaluated per round trip; progress is reported once per batch.
REEVALUATION_BATCH = 2000
# The columns the rules read, named by the rules' own facts (`rules.HouseholdFacts`,
# `rules.MemberFacts`): a fact the rules come to need is read with them. Rows are read as
# values, not model instances — building a model per archive and decrypting its three
# numbers was most of a re-evaluation's time.
# A fact no column holds (a woman's post, `female_cadre`) is left to the rules' default, as
# `household_evaluate` leaves it.
_HEAD_COLUMNS = {f.name for f in Household._meta.get_fields()}
_MEMBER_COLUMNS = {f.name for f in HouseholdMember._meta.get_fields()}
_HEAD_FACTS = [
    f.name
    for f in dataclasses.fields(rules.HouseholdFacts)
    if f.name != "members" and f.name in _HEAD_COLUMNS
]
_MEMBER_FACTS = [f.name for f in dataclasses.fields(rules.MemberFacts) if f.name in _MEMBER_COLUMNS]


def _facts_rows(area: Any, archives: QuerySet[Household], after: int) -> list[SimpleNamespace]:
    """Return the next batch of archives after pk `after`, each with the rules' facts and
    `members` (two queries)."""
    heads = list(
        archives.filter(pk__gt=after)
        .order_by("pk")
        .values("pk", "rule_version", "category", "area_id", *_HEAD_FACTS)[:REEVALUATION_BATCH]
    )
    members: dict[int, list[SimpleNamespace]] = {h["pk"]: [] for h in heads}
    rows = (
        HouseholdMember.objects.filter(household_id__in=list(members))
        .order_by("household_id", "sort_order", "id")
        .values("household_id", *_MEMBER_FACTS)
    )
    for row in rows:
        members[row.pop("household_id")].append(SimpleNamespace(**row))
    return [SimpleNamespace(**head, area=area, members_list=members[head["pk"]]) for head in heads]


@job_task
def reevaluate_area(job_id: str, *, reevaluation_id: int) -> dict[str, Any] | None:
    """Re-evaluate every open archive of the new standard's area, changing none of them.

    Archives whose category would change are recorded as ReevaluationItems (old, new, reason)
    for staff to confirm or dismiss. Archives are read in batches of REEVALUATION_BATCH with
    their members (two queries): the number of queries grows with batches, not with archives.
    """
    reevaluation = (
        Reevaluation.objects.select_related("standard__area").filter(pk=reevaluation_id).first()
    )
    if reevaluation is None:  # the standard was deleted as a mistake before the job ran
        job_succeeded(
            job_id, {"ok": True, "evaluated": 0}, message=_("该低保标准已删除,无需评估。")
        )
        return None
    standard = reevaluation.standard
    area = standard.area
    day = reevaluation_date(reevaluation)
    wage = minimum_wage_on(area, day)
    archives = Household.objects.filter(area=area, status__in=Household.OPEN_STATUSES)
    total = archives.count()
    job_progress(job_id, done=0, total=total, message=_("正在重新评估……"))

    evaluated = changed = skipped = 0
    last_pk = 0
    while True:
        batch = _facts_rows(area, archives, last_pk)
        if not batch:
            break
        last_pk = batch[-1].pk
        items = []
        for household in batch:
            # The category alone first (`rules.category_of`, the same answer as the full
            # evaluation without its reason and inputs); only an archive whose category
            # changes is evaluated in full, for the reason staff read.
            version = household.rule_version or rules.RULE_2021
            facts = household_facts(
                cast(Household, household), cast(list[HouseholdMember], household.members_list)
            )
            if version not in rules.RULES or (
                wage is None and rules.needs_minimum_wage(version, facts, day)
            ):
                skipped += 1  # what household_evaluate refuses with CannotDetermine
                continue
            category = rules.category_of(
                version,
                facts,
                standard=standard.amount,
                minimum_wage=wage.amount if wage is not None else None,
                on=day,
            )
            evaluated += 1
            if category != household.category:
                try:
                    evaluation = household_evaluate(
                        household=cast(Household, household),
                        on=day,
                        members=cast(list[HouseholdMember], household.members_list),
                        standard=standard,
                        minimum_wage=wage,
                    )
                except CannotDetermine:  # pragma: no cover - checked above
                    evaluated -= 1
                    skipped += 1
                    continue
                outcome = evaluation.result
                changed += 1
                items.append(
                    ReevaluationItem(
                        reevaluation=reevaluation,
                        household_id=household.pk,
                        old_category=household.category,
                        new_category=outcome.category,
                        reason=outcome.reason,
                    )
                )
        with transaction.atomic():
            ReevaluationItem.objects.bulk_create(items, ignore_conflicts=True)
            Reevaluation.objects.filter(pk=reevaluation.pk).update(evaluated=evaluated)
        job_progress(job_id, done=evaluated + skipped)

    message = _(
        "共评估 %(evaluated)s 户,其中 %(changed)s 户的困难类别将会变化,待工作人员确认。"
    ) % {
        "evaluated": evaluated,
        "changed": changed,
    }
    if skipped:
        message += _(" 另有 %(skipped)s 户因缺少最低工资标准未能评估。") % {"skipped": skipped}
    result: dict[str, Any] = {
        "ok": not skipped,
        "evaluated": evaluated,
        "changed": changed,
        "skipped": skipped,
        "url": reverse("archives:reevaluation_detail", args=[reevaluation.pk]),
        "url_label": _("查看待确认的类别变更"),
    }
    job_succeeded(job_id, result, message=message)
    return None
