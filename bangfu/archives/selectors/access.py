from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy

from ..models import Household
from ..permissions import ArchivesPermission


def household_queryset(*, user: Any, perm: str = ArchivesPermission.VIEW) -> QuerySet[Household]:
    """Return the archives whose station lies in the user's scope for `perm`."""
    return Household.objects.filter(policy.scope_q(user, perm, field="unit"))


def review_overdue_q(today: date | None = None) -> Q:
    """Match archives in the roster whose yearly review due date has passed (the partial
    index `archives_hh_review_due` holds exactly the archives in the roster)."""
    today = today or timezone.localdate()
    return Q(status=Household.Status.ACTIVE, review_due_on__lt=today)


def access_household(
    *, user: Any, household_id: Any, perm: str = ArchivesPermission.VIEW, for_update: bool = False
) -> Household:
    """Return the archive if it lies in the user's scope for `perm`; raise NotFound otherwise,
    exactly as for an archive that does not exist. With `for_update`, lock the row (call
    inside a transaction)."""
    qs = household_queryset(user=user, perm=perm).select_related("unit", "centre", "area")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return policy.scoped_get(qs, household_id, message=_("未找到该档案。"))
