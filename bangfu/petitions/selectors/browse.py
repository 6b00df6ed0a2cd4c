"""Reads for the petition list, its search and the petition page. Everything starts from
`petition_queryset`, so what the user may not see is never returned."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from bangfu.core.crypto import blind_index
from bangfu.core.masking import mask_id_number, mask_phone

from ..deadlines import Progress, progress
from ..models import Attachment, Deadline, Petition, Reply, Route
from ..permissions import PetitionsPermission
from .access import petition_queryset

_NUMBER = re.compile(r"^XF\d{4}-\d{6}$", re.IGNORECASE)
_PHONE = re.compile(r"^\d{7,12}$")


@dataclass(frozen=True)
class PetitionFilters:
    q: str = ""
    status: str = ""
    channel: str = ""
    category: str = ""
    nature: str = ""
    unit_id: int | None = None
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None


def search_q(text: str) -> Q:
    """The search box: a petition number (XF2026-000012), a whole phone number (blind index), or
    the petitioner's name (exact or as a prefix)."""
    text = text.strip()
    if _NUMBER.match(text):
        return Q(number=text.upper())
    digits = re.sub(r"\D", "", text)
    if digits and _PHONE.match(digits) and len(digits) == len(text.replace("-", "")):
        return Q(phone_index=blind_index(digits, purpose="petition_phone"))
    return Q(petitioner_name__startswith=text)


def petition_list(
    *, user: Any, filters: PetitionFilters | None = None, perm: str = PetitionsPermission.VIEW
) -> QuerySet[Petition]:
    """Return the petitions the user may see matching `filters`, newest first."""
    f = filters or PetitionFilters()
    qs = petition_queryset(user=user, perm=perm).select_related("unit")
    if f.q:
        qs = qs.filter(search_q(f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.nature:
        qs = qs.filter(nature=f.nature)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.received_from:
        qs = qs.filter(received_on__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_on__lte=f.received_to)
    if f.overdue:
        qs = qs.filter(
            deadlines__ours=True,
            deadlines__met_on__isnull=True,
            deadlines__due_on__lt=timezone.localdate(),
        ).distinct()
    open_deadlines = Deadline.objects.filter(ours=True, met_on__isnull=True).order_by("due_on")
    return qs.prefetch_related(Prefetch("deadlines", open_deadlines, to_attr="open_deadlines"))


@dataclass
class DeadlineRow:
    deadline: Deadline
    progress: str
    label: str
    colour: str
    days_left: int


def deadline_rows(deadlines: list[Deadline], today: date | None = None) -> list[DeadlineRow]:
    today = today or timezone.localdate()
    rows = []
    for d in deadlines:
        state = progress(d, today)
        rows.append(
            DeadlineRow(
                d,
                state,
                str(Progress.LABELS[state]),
                Progress.COLOURS[state],
                (d.due_on - today).days,
            )
        )
    return rows


def next_deadline(petition: Petition) -> DeadlineRow | None:
    """Return the earliest open limit of the office (prefetched by `petition_list`)."""
    open_ones = getattr(petition, "open_deadlines", None)
    if open_ones is None:
        open_ones = list(
            petition.deadlines.filter(ours=True, met_on__isnull=True).order_by("due_on")
        )
    rows = deadline_rows(open_ones[:1])
    return rows[0] if rows else None


@dataclass
class PetitionPage:
    petition: Petition
    deadlines: list[DeadlineRow]
    replies: list[Reply]
    routes: list[Route]
    representatives: list[Any]
    attachments: list[Attachment]
    repeat_of: Petition | None
    repeats: list[Petition]
    phone: str
    id_number: str
    concerned: list[Any] = field(default_factory=list)


def petition_page(*, user: Any, petition: Petition) -> PetitionPage:
    """Return what the petition page shows; the earlier petition it repeats and the later ones
    repeating it only when the user may see them; phone and ID masked."""
    visible = petition_queryset(user=user)
    repeat_of = None
    if petition.repeat_of_id:
        repeat_of = visible.filter(pk=petition.repeat_of_id).first()
    repeats = list(visible.filter(repeat_of=petition).order_by("received_on", "pk"))
    return PetitionPage(
        petition=petition,
        deadlines=deadline_rows(list(petition.deadlines.all())),
        replies=list(petition.replies.select_related("replied_by")),
        routes=list(petition.routes.select_related("created_by")),
        representatives=list(petition.representatives.all()),
        attachments=list(petition.attachments.select_related("uploaded_by")),
        repeat_of=repeat_of,
        repeats=repeats,
        phone=mask_phone(petition.petitioner_phone),
        id_number=mask_id_number(petition.petitioner_id_number),
        concerned=list(petition.concerned_users.all()),
    )


def household_petitions(*, user: Any, household_id: int) -> list[Petition]:
    """Return the petitions linked to the archive that the user may see, newest first."""
    return list(
        petition_queryset(user=user)
        .filter(household_id=household_id)
        .prefetch_related(
            Prefetch(
                "deadlines",
                Deadline.objects.filter(ours=True, met_on__isnull=True).order_by("due_on"),
                to_attr="open_deadlines",
            )
        )[:50]
    )


def routes_waiting(*, kind: str) -> QuerySet[Route]:
    """Return the referrals of `kind` not yet taken over, oldest first (for the module that
    takes them when it is installed)."""
    return (
        Route.objects.filter(kind=kind, state=Route.State.WAITING)
        .select_related("petition")
        .order_by("created_at", "pk")
    )
