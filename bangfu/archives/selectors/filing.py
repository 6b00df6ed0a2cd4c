"""Reads for filing and the procedure, always scoped to the asking user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.network.models import OrgUnit

from ..models import Household, HouseholdMember, Investigation
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


def investigations_due(*, user: Any) -> QuerySet[Investigation]:
    """Home visits waiting to be recorded in the user's scope, earliest due first."""
    households = household_queryset(user=user, perm=ArchivesPermission.INVESTIGATE)
    return (
        Investigation.objects.filter(
            visited_on__isnull=True,
            household__status=Household.Status.APPLIED,
            household__in=households,
        )
        .select_related("household")
        .order_by("due_on", "pk")
    )


def approvals_waiting(*, user: Any) -> QuerySet[Household]:
    """Archives waiting for approval at a level the user decides for, that the user did not
    make (filed, visited or reviewed). The approval centre is the archive's own centre, or
    with BANGFU_ARCHIVE_APPROVAL_LEVEL="parent" its centre's parent (see
    `procedure.approval_unit`, which agrees with this query when centres sit under centres)."""
    paths = policy.scope_paths(user, ArchivesPermission.APPROVE)
    if not paths:
        return Household.objects.none()
    if getattr(settings, "BANGFU_ARCHIVE_APPROVAL_LEVEL", "centre") == "parent":
        scope = Q(pk__in=[])
        for path in paths:
            scope |= Q(
                centre__parent__kind=OrgUnit.Kind.CENTER, centre__parent__path__startswith=path
            )
            scope |= Q(centre__parent__isnull=True, centre__path__startswith=path)
    else:
        scope = Q(pk__in=[])
        for path in paths:
            scope |= Q(centre__path__startswith=path)
    return (
        Household.objects.filter(scope, status=Household.Status.PENDING_APPROVAL)
        .exclude(filed_by=user)
        .exclude(investigations__recorded_by=user)
        .exclude(reviews__recorded_by=user)
        .select_related("unit", "centre")
        .order_by("updated_at", "pk")
        .distinct()
    )


def returned_to_filer(*, user: Any) -> QuerySet[Household]:
    """Archives returned for correction that the user filed (and may still edit)."""
    return (
        household_queryset(user=user, perm=ArchivesPermission.FILE)
        .filter(status=Household.Status.RETURNED, filed_by=user)
        .annotate(returned_at=Max("decisions__created_at"))
        .select_related("unit")
        .order_by("returned_at", "pk")
    )
