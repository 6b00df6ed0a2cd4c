"""The office's open limits for the worklist, within the user's scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Deadline
from .access import petition_queryset


def open_deadlines(
    *, user: Any, perm: str, stages: Iterable[str] | None = None, breached_only: bool = False
) -> QuerySet[Deadline]:
    """Return the office's open limits of the petitions the user may see for `perm`, earliest
    due first (one query with the petition; `stages` narrows them, `breached_only` keeps those
    past their due date)."""
    visible = petition_queryset(user=user, perm=perm).values("pk")
    qs = Deadline.objects.filter(ours=True, met_on__isnull=True, petition__in=visible)
    if stages is not None:
        qs = qs.filter(stage__in=list(stages))
    if breached_only:
        qs = qs.filter(due_on__lt=timezone.localdate())
    return qs.select_related("petition").order_by("due_on", "pk")
