"""Reads for filing and the procedure, always scoped to the asking user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.network.models import OrgUnit

from ..models import HouseholdMember
from ..permissions import ArchivesPermission
from .access import household_queryset


def filing_units(*, user: Any) -> QuerySet[OrgUnit]:
    """Return the centres, stations and points the user may file archives at."""
    return OrgUnit.objects.filter(policy.scope_q(user, ArchivesPermission.FILE, field="")).order_by(
        "path"
    )


def access_member(
    *, user: Any, member_id: Any, perm: str = ArchivesPermission.FILE
) -> HouseholdMember:
    """Return the member if its archive lies in the user's scope for `perm`; raise NotFound
    otherwise, exactly as for a member that does not exist."""
    return policy.scoped_get(
        HouseholdMember.objects.filter(
            household__in=household_queryset(user=user, perm=perm)
        ).select_related("household__unit", "household__area", "household__centre"),
        member_id,
        message=_("未找到该家庭成员。"),
    )
