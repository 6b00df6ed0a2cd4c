"""Reads of accounts, always scoped to the asking user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.errors import NotFound

from . import policy
from .models import ApiToken, RoleAssignment, User
from .permissions import AccountsPermission
from .roles import ADMIN_ROLES


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


def lockout_message() -> str:
    """Say why a log-in is refused while locked: the same words on the page and in the API."""
    return _(
        "该账号在本机连续 %(limit)d 次登录失败,已被锁定 %(minutes)d 分钟。"
        "请稍后再试,或联系安全管理员解锁;其他电脑不受影响。"
    ) % {"limit": lockout_failure_limit(), "minutes": lockout_minutes()}


def _recent_attempts() -> Any:
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def locked_usernames(*, usernames: Iterable[str]) -> set[str]:
    """Return those of `usernames` that django-axes locks out now from some client address.

    Mirror axes' rule for lock-out by account and address together: the failures recorded for
    the name from one address within the cool-off period add up to the failure limit or more.
    """
    names = list(usernames)
    if not names:
        return set()
    return set(
        _recent_attempts()
        .filter(username__in=names)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=lockout_failure_limit())
        .values_list("username", flat=True)
    )


def login_failures(*, username: str | None = None, ip_address: str | None = None) -> int:
    """Return the failed log-ins within the cool-off period of an account (from any address)
    or from a client address (for any account)."""
    attempts = _recent_attempts()
    if username is not None:
        attempts = attempts.filter(username=username)
    if ip_address is not None:
        attempts = attempts.filter(ip_address=ip_address)
    total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


def captcha_required(*, username: str, ip_address: str) -> bool:
    """Return whether a log-in must pass the CAPTCHA: after BANGFU_LOGIN_CAPTCHA_AFTER failures
    of the account from anywhere (someone guessing from many addresses) or from this address
    (someone trying many accounts). The lock-out itself is per account and address."""
    after = settings.BANGFU_LOGIN_CAPTCHA_AFTER
    if username and login_failures(username=username) >= after:
        return True
    return bool(ip_address) and login_failures(ip_address=ip_address) >= after


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
    propose: bool


def user_actions(*, user: Any, target: User) -> UserActions:
    def may(perm: str) -> bool:
        return target.unit is not None and policy.unit_in_scope(user, perm, target.unit)

    is_self = user.pk == target.pk
    # A 三员 account is changed by proposal and approval, not by these buttons.
    three_admins = target.role_assignments.filter(role__in=ADMIN_ROLES).exists()
    return UserActions(
        manage=not three_admins and may(AccountsPermission.MANAGE_USERS),
        assign_roles=not is_self and may(AccountsPermission.ASSIGN_ROLES),
        unlock=may(AccountsPermission.UNLOCK),
        reset_password=not three_admins and not is_self and may(AccountsPermission.RESET_PASSWORD),
        propose=not is_self
        and any(g.role in ADMIN_ROLES for g in policy.user_grants(user))
        and may(AccountsPermission.VIEW_USERS),
    )


def revocable_role_ids(*, user: Any, target: User, roles: Iterable[RoleAssignment]) -> set[int]:
    """Return the ids of those of `roles` the user may revoke (for showing buttons)."""
    if user.pk == target.pk:
        return set()
    return {
        a.pk for a in roles if policy.unit_in_scope(user, AccountsPermission.ASSIGN_ROLES, a.unit)
    }


# --- API tokens ---------------------------------------------------------------------------


def user_tokens(*, user: Any, target: User) -> list[ApiToken] | None:
    """Return the target's API tokens (newest first) when the user may see them — their own, or
    as a security administrator over the target's unit — else None."""
    may = user.pk == target.pk or (
        target.unit is not None
        and policy.unit_in_scope(user, AccountsPermission.REVOKE_TOKENS, target.unit)
    )
    if not may:
        return None
    return list(ApiToken.objects.filter(user=target).order_by("-created"))


def access_token(*, user: Any, token_key: str) -> ApiToken:
    """Return the token with this key if it is the user's own or the user may revoke it;
    raise NotFound otherwise, as for one that does not exist."""
    token = ApiToken.objects.filter(token_key=str(token_key)[:25]).select_related("user").first()
    if token is None or user_tokens(user=user, target=token.user) is None:
        raise NotFound(_("未找到该令牌。"))
    return token


# --- 三员 account changes -------------------------------------------------------------------


def account_changes(*, user: Any, target: User) -> list[Any]:
    """Return the target's 三员 account changes, newest first (the latest ten), for an
    administrator who may view the account."""
    from .models import AccountChange

    if not any(g.role in ADMIN_ROLES for g in policy.user_grants(user)):
        return []
    return list(
        AccountChange.objects.filter(target=target)
        .select_related("proposed_by", "decided_by")
        .order_by("-created_at")[:10]
    )


def access_account_change(*, user: Any, change_id: Any) -> Any:
    """Return a change whose account lies in the user's scope; raise NotFound otherwise."""
    from .models import AccountChange

    return policy.scoped_get(
        AccountChange.objects.filter(
            policy.scope_q(user, AccountsPermission.VIEW_USERS, field="target__unit")
        ).select_related("target", "proposed_by"),
        change_id,
        message=_("未找到该变更。"),
    )


def csp_reports() -> QuerySet[Any]:
    """Return the Content-Security-Policy reports, newest first (installation-wide: a
    blocked script is a matter for the security administrator wherever it happened)."""
    from .models import CspReport

    return CspReport.objects.order_by("-received_at", "-pk")
