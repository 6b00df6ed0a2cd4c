"""Background tasks of the archives context, run by `manage.py db_worker`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.core.jobs import job_progress, job_succeeded, job_task

from .models import Household, HouseholdMember, Reevaluation, ReevaluationItem
from .selectors.standards import minimum_wage_on, reevaluation_date
from .services.categories import CannotDetermine, household_evaluate

# Archives read and evaluated per round trip; progress is reported once per batch.
REEVALUATION_BATCH = 200


@job_task
def reevaluate_area(job_id: str, *, reevaluation_id: int) -> dict[str, Any] | None:
    """Re-evaluate every open archive of the new standard's area, changing none of them.

    Archives whose category would change are recorded as ReevaluationItems (old, new, reason)
    for staff to confirm or dismiss. Archives are read in batches of REEVALUATION_BATCH with
    their members prefetched: the number of queries grows with batches, not with archives.
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
    members = Prefetch("members", queryset=HouseholdMember.objects.order_by("sort_order", "id"))
    while True:
        batch = list(
            archives.filter(pk__gt=last_pk)
            .select_related("area")
            .prefetch_related(members)
            .order_by("pk")[:REEVALUATION_BATCH]
        )
        if not batch:
            break
        last_pk = batch[-1].pk
        items = []
        for household in batch:
            try:
                evaluation = household_evaluate(
                    household=household,
                    on=day,
                    members=household.members.all(),
                    standard=standard,
                    minimum_wage=wage,
                )
            except CannotDetermine:
                skipped += 1
                continue
            evaluated += 1
            outcome = evaluation.result
            if outcome.category != household.category:
                changed += 1
                items.append(
                    ReevaluationItem(
                        reevaluation=reevaluation,
                        household=household,
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
