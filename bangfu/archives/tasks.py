"""Background tasks of the archives context (re-evaluation, roster import), run by
`manage.py db_worker`. The roster export's job is the export kit's (`kits.exports.tasks`)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any, cast

from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.core.errors import ValidationError
from bangfu.core.jobs import job_progress, job_succeeded, job_task, on_job_died
from bangfu.core.models import Job

from . import rules
from .models import (
    Household,
    HouseholdMember,
    ImportBatch,
    Reevaluation,
    ReevaluationItem,
)
from .selectors.standards import minimum_wage_on, reevaluation_date
from .services import importing
from .services.categories import CannotDetermine, household_evaluate

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
            try:
                evaluation = household_evaluate(
                    household=cast(Household, household),
                    on=day,
                    members=cast(list[HouseholdMember], household.members_list),
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


CHECK_KIND = "archives.import_check"
WRITE_KIND = "archives.import_write"


def _batch_link(batch: ImportBatch) -> dict[str, Any]:
    return {
        "url": reverse("archives:import_batch", kwargs={"batch_id": batch.pk}),
        "url_label": _("查看导入结果"),
    }


def check_message(batch: ImportBatch) -> str:
    if batch.status == ImportBatch.Status.INVALID:
        return _("校验发现 %(count)d 处错误,没有导入任何数据。") % {"count": batch.error_count}
    if batch.status == ImportBatch.Status.NOTHING:
        return _("表中 %(count)d 户都已有档案(已存在,跳过),无需导入。") % {
            "count": batch.households_existing
        }
    return _(
        "校验通过:将新建 %(households)d 户 %(members)d 名成员,"
        "已存在跳过 %(existing)d 户。请确认导入。"
    ) % {
        "households": batch.households_new,
        "members": batch.members_new,
        "existing": batch.households_existing,
    }


@job_task
def import_check_job(job_id: str, *, batch_id: str) -> None:
    """Phase 1 of an import in the background: check the whole file, store what was found."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    job_progress(job_id, done=0, total=batch.rows, message=_("正在校验……"))
    try:
        importing.import_check(
            user=batch.created_by,
            batch=batch,
            progress=lambda done, total: job_progress(job_id, done=done, total=total),
        )
    except ValidationError as exc:
        batch.status = ImportBatch.Status.INVALID
        batch.content = b""
        batch.message = exc.message
        batch.save(update_fields=["status", "content", "message"])
        raise
    job_succeeded(
        job_id,
        {"ok": batch.status != ImportBatch.Status.INVALID, **_batch_link(batch)},
        message=check_message(batch),
    )


def write_message(batch: ImportBatch) -> str:
    return _("已导入 %(households)d 户 %(members)d 名成员;已存在跳过 %(existing)d 户。") % {
        "households": batch.households_new if batch.status == ImportBatch.Status.IMPORTED else 0,
        "members": batch.members_new if batch.status == ImportBatch.Status.IMPORTED else 0,
        "existing": batch.households_existing,
    }


@job_task
def import_write_job(job_id: str, *, batch_id: str) -> None:
    """Phase 2 in the background: check again and file every new household in one go."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    job_progress(job_id, done=0, total=batch.rows, message=_("正在导入……"))
    try:
        importing.import_write(
            user=batch.created_by,
            batch=batch,
            progress=lambda done, total: job_progress(job_id, done=done, total=total),
        )
    except ValidationError as exc:
        job_succeeded(job_id, {"ok": False, **_batch_link(batch)}, message=exc.message)
        return
    job_succeeded(job_id, {"ok": True, **_batch_link(batch)}, message=write_message(batch))


@on_job_died(CHECK_KIND)
@on_job_died(WRITE_KIND)
def import_job_died(job: Job) -> None:
    """The worker died while checking or writing: nothing was written (the write is one
    transaction); the batch fails with the job's message and its upload is emptied. It can be
    cancelled, and the file uploaded again."""
    ImportBatch.objects.filter(models.Q(check_job=job) | models.Q(import_job=job)).exclude(
        status__in=ImportBatch.FINISHED
    ).update(status=ImportBatch.Status.FAILED, content=b"", message=job.message)
