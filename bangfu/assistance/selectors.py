"""Reads of assistance, always scoped to the user: programmes, applications, the household's
aid by year with its remaining caps, and what funds may pay."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy

from .models import Application, CampaignBatch, FollowUp, Kind, Programme, RuleVersion
from .permissions import AssistancePermission as P

# Applications that count against a household's caps: everything on its way or granted
# (a draft, a returned or a refused application does not).
COUNTING = (
    Application.Status.SUBMITTED,
    Application.Status.VERIFIED,
    Application.Status.REVIEWED,
    Application.Status.PUBLICIZING,
    Application.Status.PENDING_APPROVAL,
    Application.Status.APPROVED,
)
LIVING_KINDS = (Kind.LIVING, Kind.TEMPORARY)


def programme_list(*, year: int | None = None) -> QuerySet[Programme]:
    """Programmes are not personal: everyone who may view assistance sees them all."""
    qs = Programme.objects.select_related("unit")
    if year:
        qs = qs.filter(year=year)
    return qs


def programme_get(programme_id: Any) -> Programme:
    return policy.scoped_get(
        Programme.objects.select_related("unit"), programme_id, message=_("未找到该救助项目。")
    )


def current_rule(programme: Programme) -> RuleVersion:
    """The programme's rules in force: its latest version."""
    rule = programme.rules.order_by("-version").first()
    assert rule is not None, "a programme is created with its first rule version"
    return rule


def rule_history(programme: Programme) -> QuerySet[RuleVersion]:
    return programme.rules.select_related("created_by").order_by("-version")


def application_queryset(*, user: Any, perm: str = P.VIEW) -> QuerySet[Application]:
    return Application.objects.filter(policy.scope_q(user, perm, field="unit"))


@dataclass(frozen=True)
class ApplicationFilters:
    status: str = ""
    kind: str = ""
    year: int | None = None


def application_list(*, user: Any, filters: ApplicationFilters) -> QuerySet[Application]:
    qs = application_queryset(user=user).select_related("programme", "household", "unit")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.year:
        qs = qs.filter(year=filters.year)
    return qs.order_by("-created_at", "-id")


def access_application(
    *, user: Any, application_id: Any, perm: str = P.VIEW, for_update: bool = False
) -> Application:
    """The application if it lies in the user's scope for `perm`; NotFound otherwise."""
    qs = application_queryset(user=user, perm=perm).select_related(
        "programme", "rule", "household", "unit", "student", "created_by", "duplicate_of"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return policy.scoped_get(qs, application_id, message=_("未找到该救助申请。"))


def received_this_year(
    *, household_id: int, year: int, kinds: tuple[str, ...], exclude_id: int | None = None
) -> Decimal:
    """What the household received or is on its way to receive this year in `kinds`."""
    qs = Application.objects.filter(
        household_id=household_id, year=year, kind__in=kinds, status__in=COUNTING
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def duplicate_of(
    *,
    household_id: int,
    kind: str,
    start: date,
    end: date,
    student_id: int | None = None,
    exclude_id: int | None = None,
) -> Application | None:
    """An earlier application of the household for the same kind over an overlapping period
    (for education aid: for the same student — each child is aided on its own)."""
    qs = Application.objects.filter(
        household_id=household_id, kind=kind, period_start__lte=end, period_end__gte=start
    ).exclude(status=Application.Status.REFUSED)
    if kind == Kind.EDUCATION:
        qs = qs.filter(student_id=student_id)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("created_at", "id").first()


@dataclass
class YearRow:
    year: int
    applications: list[Application] = field(default_factory=list)
    granted: Decimal = Decimal("0.00")
    pending: Decimal = Decimal("0.00")
    by_kind: dict[str, Decimal] = field(default_factory=dict)


def household_aid(*, user: Any, household_id: int) -> list[YearRow]:
    """Every application of the household the user may see, by year (latest first), with the
    totals granted (approved) and on their way, and the granted total by kind — one query."""
    qs = (
        application_queryset(user=user)
        .filter(household_id=household_id)
        .select_related("programme")
        .order_by("-year", "-created_at", "-id")
    )
    rows: dict[int, YearRow] = {}
    for app in qs:
        row = rows.setdefault(app.year, YearRow(year=app.year))
        row.applications.append(app)
        if app.status == Application.Status.APPROVED:
            row.granted += app.amount
            label = str(Kind(app.kind).label)
            row.by_kind[label] = row.by_kind.get(label, Decimal("0.00")) + app.amount
        elif app.status in COUNTING:
            row.pending += app.amount
    return list(rows.values())


def payable(*, user: Any, today: date | None = None) -> QuerySet[Application]:
    """Approved applications whose public notice has ended (or that needed none): what the funds
    context may pay, in the user's scope, with the programme's kind and budget line."""
    today = today or timezone.localdate()
    return (
        application_queryset(user=user)
        .filter(status=Application.Status.APPROVED)
        .filter(Q(notice_ends_on__isnull=True) | Q(notice_ends_on__lt=today))
        .select_related("programme", "household", "unit")
    )


def access_followup(*, user: Any, followup_id: Any) -> FollowUp:
    """A follow-up of the user's scope (viewing assistance); NotFound otherwise."""
    qs = FollowUp.objects.filter(policy.scope_q(user, P.VIEW, field="unit")).select_related(
        "application__household", "application__programme"
    )
    return policy.scoped_get(qs, followup_id, message=_("未找到该回访。"))


def followup_of(application: Application) -> FollowUp | None:
    return FollowUp.objects.filter(application=application).first()


# --- the needy-student register (困难学生档案) ------------------------------------------------


@dataclass
class StudentRow:
    member: Any
    expected_graduation: int | None
    grants: dict[int, Decimal]
    applied_this_year: bool
    must_reapply: bool


def student_members(*, user: Any) -> QuerySet[Any]:
    """Every household member in school, of archives in the user's scope (at most one row a
    member), by archive."""
    from bangfu.archives.models import HouseholdMember
    from bangfu.archives.models.choices import MemberIdentity

    return (
        HouseholdMember.objects.filter(
            policy.scope_q(user, P.VIEW, field="household__unit"),
            household__status="active",
        )
        .filter(Q(identity=MemberIdentity.STUDENT) | Q(enrolled_year__isnull=False))
        .select_related("household", "household__unit")
        .order_by("household__unit__path", "household_id", "sort_order", "id")
    )


def student_rows(members: list[Any], *, year: int | None = None) -> list[StudentRow]:
    """The register's rows for one page of members: grants by year (approved education aid),
    whether the student applied this year, and who must re-apply (aided last year, not yet
    graduated, no application this year) — two queries whatever the page's size."""
    year = year or timezone.localdate().year
    ids = [m.pk for m in members]
    grants: dict[int, dict[int, Decimal]] = {}
    for row in (
        Application.objects.filter(
            student_id__in=ids, kind=Kind.EDUCATION, status=Application.Status.APPROVED
        )
        .values("student_id", "year")
        .annotate(total=Sum("amount"))
        .order_by("student_id", "year")
    ):
        grants.setdefault(row["student_id"], {})[row["year"]] = row["total"]
    applied = set(
        Application.objects.filter(student_id__in=ids, kind=Kind.EDUCATION, year=year)
        .exclude(status=Application.Status.REFUSED)
        .values_list("student_id", flat=True)
    )
    rows = []
    for m in members:
        graduation = (
            m.enrolled_year + m.schooling_years if m.enrolled_year and m.schooling_years else None
        )
        mine = grants.get(m.pk, {})
        in_school = graduation is None or graduation > year
        rows.append(
            StudentRow(
                member=m,
                expected_graduation=graduation,
                grants=mine,
                applied_this_year=m.pk in applied,
                must_reapply=(year - 1) in mine and in_school and m.pk not in applied,
            )
        )
    return rows


def awaiting_signoff(*, user: Any) -> QuerySet[Application]:
    """Applications waiting for the user's sign-off at the level the user signs for (never the
    user's own; not those the user already signed)."""
    from bangfu.kits.workflow.declaration import get as procedure_named
    from bangfu.kits.workflow.selectors import approvals_waiting

    # By its key: the declaration module reaches notices' services (reads never import writes).
    procedure = procedure_named("assistance.application")
    ids = approvals_waiting(user=user, procedure=procedure).values("subject_id")
    return (
        application_queryset(user=user, perm=P.APPROVE)
        .filter(pk__in=ids, status=Application.Status.PENDING_APPROVAL)
        .select_related("programme", "household", "unit")
        .order_by("created_at", "id")
    )


# --- 金秋助学 batches -----------------------------------------------------------------------------


def batch_list(*, user: Any) -> QuerySet[CampaignBatch]:
    """The batches of the centres in the user's scope, newest first, with their item count."""

    return (
        CampaignBatch.objects.filter(policy.scope_q(user, P.VIEW, field="unit"))
        .select_related("programme", "unit")
        .annotate(item_count=Count("applications"))
        .order_by("-created_at", "-id")
    )


def access_batch(*, user: Any, batch_id: Any, perm: str = P.VIEW) -> CampaignBatch:
    """The batch if its centre lies in the user's scope for `perm`; NotFound otherwise."""
    qs = CampaignBatch.objects.filter(policy.scope_q(user, perm, field="unit")).select_related(
        "programme", "unit", "created_by"
    )
    return policy.scoped_get(qs, batch_id, message=_("未找到该金秋助学批次。"))


def batch_items(batch: CampaignBatch) -> QuerySet[Application]:
    """The applications of the batch, in the order they joined it."""
    return batch.applications.select_related("household", "unit", "programme", "student").order_by(
        "id"
    )


def batch_candidates(*, user: Any) -> QuerySet[Application]:
    """Applications of 金秋助学 programmes in the user's scope that may join a batch."""
    return (
        application_queryset(user=user, perm=P.INVESTIGATE)
        .filter(
            programme__campaign=True,
            batch__isnull=True,
            status__in=(
                Application.Status.DRAFT,
                Application.Status.SUBMITTED,
                Application.Status.VERIFIED,
                Application.Status.REVIEWED,
                Application.Status.RETURNED,
            ),
        )
        .select_related("household", "unit", "programme")
        .order_by("programme_id", "unit__path", "id")
    )


def followup_list(
    *, user: Any, state: str = "open", today: date | None = None
) -> QuerySet[FollowUp]:
    """The follow-ups of the user's scope, earliest due first: "open" (not yet recorded), "due"
    (open, due within 14 days or overdue), "overdue" (open, past their due day), "done" or
    "all"."""
    from datetime import timedelta

    today = today or timezone.localdate()
    qs = FollowUp.objects.filter(policy.scope_q(user, P.VIEW, field="unit")).select_related(
        "application__household", "application__programme"
    )
    if state == "open":
        qs = qs.filter(done_on__isnull=True)
    elif state == "due":
        qs = qs.filter(done_on__isnull=True, due_on__lte=today + timedelta(days=14))
    elif state == "overdue":
        qs = qs.filter(done_on__isnull=True, due_on__lt=today)
    elif state == "done":
        qs = qs.filter(done_on__isnull=False)
    return qs.order_by("due_on", "id")
