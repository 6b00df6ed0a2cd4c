"""Which petitions a user may see: the scope of a permission, less restricted petitions without
`petitions.view_restricted` over their unit, less every petition that concerns the user (a report
never reaches the person it is about). Every read of petitions — page, search, API, report,
export, worklist, the archive panel — starts here."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts import policy

from ..models import Attachment, Petition
from ..permissions import PetitionsPermission

NOT_FOUND = gettext_lazy("未找到该信访件。")


def _concerns(user: Any) -> Exists:
    through = Petition.concerned_users.through
    return Exists(through.objects.filter(petition_id=OuterRef("pk"), user_id=user.pk))


def petition_queryset(*, user: Any, perm: str = PetitionsPermission.VIEW) -> QuerySet[Petition]:
    """Return the petitions the user may see for `perm` (see the module's docstring)."""
    if not getattr(user, "is_authenticated", False):
        return Petition.objects.none()
    in_scope = policy.scope_q(user, perm, field="unit")
    restricted_ok = policy.scope_q(user, PetitionsPermission.VIEW_RESTRICTED, field="unit")
    return (
        Petition.objects.filter(in_scope)
        .filter(Q(restricted=False) | restricted_ok)
        .exclude(_concerns(user))
    )


def visible_to(user: Any, petition: Petition, perm: str = PetitionsPermission.VIEW) -> bool:
    """Return whether the user may see `petition` for `perm` (one query)."""
    return petition_queryset(user=user, perm=perm).filter(pk=petition.pk).exists()


def access_petition(
    *,
    user: Any,
    petition_id: Any,
    perm: str = PetitionsPermission.VIEW,
    for_update: bool = False,
) -> Petition:
    """Return the petition if the user may see it for `perm`; raise NotFound otherwise, exactly
    as for one that does not exist. With `for_update`, lock the row (inside a transaction)."""
    qs = petition_queryset(user=user, perm=perm).select_related("unit", "centre", "household")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return policy.scoped_get(qs, petition_id, message=str(NOT_FOUND))


def access_attachment(
    *, user: Any, attachment_id: Any, perm: str = PetitionsPermission.VIEW
) -> Attachment:
    """Return the attachment if its petition is visible to the user; NotFound otherwise."""
    visible = petition_queryset(user=user, perm=perm).values("pk")
    qs = Attachment.objects.filter(petition__in=visible).select_related("petition")
    return policy.scoped_get(qs, attachment_id, message=_("未找到该材料。"))
