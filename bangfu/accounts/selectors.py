"""Reads of accounts, always scoped to the asking user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

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
    """Return the account if it lies in the user's scope for `perm`; raise NotFound otherwise,
    exactly as for an account that does not exist."""
    return policy.scoped_get(
        User.objects.filter(policy.scope_q(user, perm, field="unit")).select_related("unit"),
        user_id,
        message=_("未找到该用户。"),
    )


def user_roles(*, user: User) -> list[RoleAssignment]:
    return list(user.role_assignments.select_related("unit").order_by("role", "unit__path"))


def access_role_assignment(*, user: Any, target: User, assignment_id: Any) -> RoleAssignment:
    """Return the target's role assignment if its unit lies in the user's scope for granting
    roles; raise NotFound otherwise, as for one that does not exist."""
    return policy.scoped_get(
        RoleAssignment.objects.filter(
            policy.scope_q(user, AccountsPermission.ASSIGN_ROLES, field="unit"), user=target
        ).select_related("unit", "user"),
        assignment_id,
        message=_("未找到该角色授权。"),
    )


def lockout_failure_limit() -> int:
    """Return after how many failed log-ins a user name is locked (settings.AXES_FAILURE_LIMIT)."""
    limit = settings.AXES_FAILURE_LIMIT
    return limit if isinstance(limit, int) else 0


def lockout_minutes() -> int:
    """Return how long a lock-out lasts, in minutes (settings.AXES_COOLOFF_TIME)."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def locked_usernames(*, usernames: Iterable[str]) -> set[str]:
    """Return those of `usernames` that django-axes locks out now.

    Mirror axes' own rule for lock-out by user name: the failures recorded for the name within
    the cool-off period add up to the failure limit or more.
    """
    names = list(usernames)
    if not names:
        return set()
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(username__in=names)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(
        attempts.values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=lockout_failure_limit())
        .values_list("username", flat=True)
    )


def is_locked_out(*, target: User) -> bool:
    return target.username in locked_usernames(usernames=[target.username])


@dataclass(frozen=True)
class UserActions:
    """What the asking user may do to one account: for showing buttons, not for enforcing
    (each service checks again)."""

    manage: bool
    assign_roles: bool
    unlock: bool
    reset_password: bool


def user_actions(*, user: Any, target: User) -> UserActions:
    def may(perm: str) -> bool:
        return target.unit is not None and policy.unit_in_scope(user, perm, target.unit)

    is_self = user.pk == target.pk
    return UserActions(
        manage=may(AccountsPermission.MANAGE_USERS),
        assign_roles=not is_self and may(AccountsPermission.ASSIGN_ROLES),
        unlock=may(AccountsPermission.UNLOCK),
        reset_password=not is_self and may(AccountsPermission.RESET_PASSWORD),
    )


def revocable_role_ids(*, user: Any, target: User, roles: Iterable[RoleAssignment]) -> set[int]:
    """Return the ids of those of `roles` the user may revoke (for showing buttons)."""
    if user.pk == target.pk:
        return set()
    return {
        a.pk for a in roles if policy.unit_in_scope(user, AccountsPermission.ASSIGN_ROLES, a.unit)
    }
