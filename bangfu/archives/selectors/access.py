from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts import policy

from ..models import Household
from ..permissions import ArchivesPermission


def household_queryset(*, user: Any, perm: str = ArchivesPermission.VIEW) -> QuerySet[Household]:
    """Return the archives whose station lies in the user's scope for `perm`."""
    return Household.objects.filter(policy.scope_q(user, perm, field="unit"))


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
