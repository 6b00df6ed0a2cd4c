"""Reads of accounts, always scoped to the asking user."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from bangfu.core.errors import NotFound

from . import policy
from .models import RoleAssignment, User
from .permissions import AccountsPermission


def user_scope_q(user: Any, perm: str = AccountsPermission.VIEW_USERS) -> Q:
    """Accounts whose home unit lies in the user's scope for `perm`."""
    return policy.scope_q(user, perm, field="unit")


def user_list(*, user: Any, query: str = "", include_inactive: bool = True) -> QuerySet[User]:
    qs = (
        User.objects.filter(user_scope_q(user))
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.select_related("unit").order_by("role"),
            )
        )
        .order_by("unit__path", "username")
    )
    if query:
        qs = qs.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(phone__endswith=query)
        )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs


def access_user(*, user: Any, user_id: int, perm: str = AccountsPermission.VIEW_USERS) -> User:
    """Return the account if it lies in the user's scope for `perm`; raise NotFound otherwise."""
    try:
        return (
            User.objects.filter(policy.scope_q(user, perm, field="unit"))
            .select_related("unit")
            .get(pk=user_id)
        )
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该用户。")) from None


def user_roles(*, user: User) -> list[RoleAssignment]:
    return list(user.role_assignments.select_related("unit").order_by("role", "unit__path"))
