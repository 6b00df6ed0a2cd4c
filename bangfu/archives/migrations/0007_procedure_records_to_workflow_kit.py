"""Move the filing procedure's records into the workflow kit's tables.

Every archive with a home visit, review or decision on record, or in a procedure status, gets
one `workflow.Case` (procedure "archives.filing") at the step matching its status; its
`Investigation` rows become `workflow.Visit`, `DemocraticReview` rows `workflow.Review` and
`Decision` rows `workflow.SignOff` (level 0, the decision's unit, its reason as the opinion),
each in the round it belongs to (a return for correction ends a round), keeping their dates.
Then archives' own three tables are dropped: existing databases keep their history in the kit.
"""

from datetime import date

from django.conf import settings
from django.db import migrations

PROCEDURE = "archives.filing"
STEP_OF_STATUS = {
    "applied": "visit",
    "investigated": "review",
    "publicizing": "notice",
    "pending_approval": "approval",
    "returned": "returned",
    "refused": "refused",
    "active": "approved",
    "closed": "approved",
}


def _day(moment):
    from django.utils import timezone

    return timezone.localtime(moment).date() if moment else None


def _approval_unit(OrgUnit, household):
    centre = OrgUnit.objects.get(pk=household.centre_id)
    if getattr(settings, "BANGFU_ARCHIVE_APPROVAL_LEVEL", "centre") == "parent":
        parent = OrgUnit.objects.filter(pk=centre.parent_id, kind="center").first()
        if parent is not None:
            return parent
    return centre


def _submitted_on(household):
    for opinion in reversed(household.opinions or []):
        if isinstance(opinion, dict) and opinion.get("step") == "submit":
            try:
                return date.fromisoformat(str(opinion.get("date")))
            except ValueError:
                break
    return _day(household.updated_at)


def forward(apps, schema_editor):
    Household = apps.get_model("archives", "Household")
    Investigation = apps.get_model("archives", "Investigation")
    DemocraticReview = apps.get_model("archives", "DemocraticReview")
    Decision = apps.get_model("archives", "Decision")
    Case = apps.get_model("workflow", "Case")
    Visit = apps.get_model("workflow", "Visit")
    Review = apps.get_model("workflow", "Review")
    SignOff = apps.get_model("workflow", "SignOff")
    ContentType = apps.get_model("contenttypes", "ContentType")
    OrgUnit = apps.get_model("network", "OrgUnit")
    NoticeItem = apps.get_model("notices", "NoticeItem")

    ids = set(Investigation.objects.values_list("household_id", flat=True))
    ids |= set(DemocraticReview.objects.values_list("household_id", flat=True))
    ids |= set(Decision.objects.values_list("household_id", flat=True))
    ids |= set(
        Household.objects.filter(
            status__in=[s for s in STEP_OF_STATUS if s not in ("active", "closed")]
            + ["reviewed"]
        ).values_list("pk", flat=True)
    )
    if not ids:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="archives", model="household")
    for household in Household.objects.filter(pk__in=ids).order_by("pk").iterator():
        visits = list(Investigation.objects.filter(household=household).order_by("created_at"))
        reviews = list(
            DemocraticReview.objects.filter(household=household).order_by("created_at")
        )
        decisions = list(Decision.objects.filter(household=household).order_by("created_at"))
        returns = [d.created_at for d in decisions if d.outcome == "returned"]

        def round_of(moment, returns=returns):
            return 1 + sum(1 for r in returns if r < moment)

        current = len(returns) + 1
        status = household.status
        latest_review = next((r for r in reversed(reviews) if round_of(r.created_at) == current), None)
        if status == "reviewed":
            step = "notice" if latest_review is not None and latest_review.passed else "submit"
        else:
            step = STEP_OF_STATUS.get(status)
        if step is None:  # a draft (or an unknown status) with records: leave it to the filer
            continue
        if step == "approved" and not decisions:
            continue  # filed directly (an import of an older roster): no procedure on record
        open_visit = next(
            (v for v in reversed(visits) if v.visited_on is None and round_of(v.created_at) == current),
            None,
        )
        step_since = _day(household.updated_at)
        if step == "visit":
            step_since = open_visit.due_from if open_visit and open_visit.due_from else household.applied_on
        elif step == "approval":
            step_since = _submitted_on(household)
        elif step in ("returned", "refused", "approved") and decisions:
            step_since = _day(decisions[-1].created_at)
        notice_ends_on = None
        if step == "notice" and status == "publicizing":
            item = (
                NoticeItem.objects.filter(
                    subject_type=content_type, subject_id=household.pk, notice__kind="archive"
                )
                .select_related("notice")
                .order_by("-notice_id")
                .first()
            )
            notice_ends_on = (item.notice.ends_on if item else None) or step_since
        case = Case.objects.create(
            procedure=PROCEDURE,
            subject_type=content_type,
            subject_id=household.pk,
            unit_id=household.unit_id,
            title=household.name[:200],
            reference=household.archive_no or "",
            round=current,
            step=step,
            step_since=step_since,
            maker_id=household.filed_by_id,
            visit_due_on=open_visit.due_on if open_visit and step == "visit" else None,
            notice_ends_on=notice_ends_on,
            submitted_on=step_since if step == "approval" else None,
            approval_unit=_approval_unit(OrgUnit, household) if step == "approval" else None,
            approval_level=0,
            decided_on=step_since if step in ("returned", "refused", "approved") else None,
        )
        new_visits = [
            Visit(
                case=case,
                round=min(round_of(v.created_at), current),
                due_on=v.due_on,
                due_rule=v.due_rule,
                due_from=v.due_from or household.applied_on,
                due_provisional=v.due_provisional,
                visited_on=v.visited_on,
                visitors=v.visitors,
                findings=v.findings,
                recommendation=v.recommendation,
                recorded_by_id=v.recorded_by_id,
            )
            for v in visits
        ]
        new_reviews = [
            Review(
                case=case,
                round=min(round_of(r.created_at), current),
                held_on=r.held_on,
                participants=r.participants,
                votes_for=r.votes_for,
                votes_against=r.votes_against,
                passed=r.passed,
                record=r.record,
                recorded_by_id=r.recorded_by_id,
            )
            for r in reviews
        ]
        new_signoffs = [
            SignOff(
                case=case,
                round=min(round_of(d.created_at), current),
                level=0,
                level_unit_id=d.level_unit_id,
                outcome=d.outcome,
                opinion=d.reason,
                signed_by_id=d.decided_by_id,
            )
            for d in decisions
        ]
        for model, rows, olds in (
            (Visit, new_visits, visits),
            (Review, new_reviews, reviews),
            (SignOff, new_signoffs, decisions),
        ):
            model.objects.bulk_create(rows)
            for row, old in zip(rows, olds):
                row.created_at, row.updated_at = old.created_at, old.updated_at
            model.objects.bulk_update(rows, ["created_at", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0006_merge_scale_and_visit_provisional"),
        ("workflow", "0002_case_reference"),
        ("notices", "0002_notice_period_provisional"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("network", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.DeleteModel(name="Decision"),
        migrations.DeleteModel(name="DemocraticReview"),
        migrations.DeleteModel(name="Investigation"),
    ]
