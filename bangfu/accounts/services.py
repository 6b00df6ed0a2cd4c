"""Writes of accounts and roles. Each is one transaction with its audit event."""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.audit import audit_record, diff, snapshot
from bangfu.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.core.masking import mask_phone

from . import policy
from .models import ApiToken, RoleAssignment, User
from .permissions import AccountsPermission
from .roles import Role, incompatible_roles

USER_FIELDS = ("username", "full_name", "phone", "unit_id", "is_active", "email")
MASKED = {"phone": mask_phone}


def generate_password(length: int = 14) -> str:
    """Return a random password that meets the policy (all four character classes)."""
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*-_=+"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


def _check_unit_in_scope(actor: Any, perm: str, unit: Any, field: str = "unit") -> None:
    if unit is None or not policy.unit_in_scope(actor, perm, unit):
        raise ValidationError(_("所选单位不在您的管理范围内。"), field=field)


def _require_target_in_scope(actor: Any, perm: str, target: User) -> None:
    """Raise NotFound unless the target account's unit lies in the actor's scope for `perm`:
    an account outside it is treated exactly like one that does not exist."""
    if target.unit_id is None or not policy.unit_in_scope(actor, perm, target.unit):
        raise NotFound(_("未找到该用户。"))


def _validate_password(password: str, user: User | None, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), field=field) from None


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    unit: Any,
    phone: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account that must change its password at first log-in.

    Return the user and the initial password (generated when none is given) so that the admin
    can hand it over once; it is not stored anywhere in clear.
    """
    policy.require_perm(actor, AccountsPermission.MANAGE_USERS)
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = _("请填写登录名。")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("登录名“%(name)s”已被使用。") % {"name": username}
    if not full_name:
        errors["full_name"] = _("请填写姓名。")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    _check_unit_in_scope(actor, AccountsPermission.MANAGE_USERS, unit)
    password = password or generate_password()
    candidate = User(username=username, full_name=full_name, phone=phone, email=email)
    _validate_password(password, candidate)
    try:
        with transaction.atomic():
            new_user = User.objects.create_user(
                username=username,
                password=password,
                full_name=full_name,
                phone=phone.strip(),
                email=email.strip(),
                unit=unit,
                must_change_password=True,
            )
    except IntegrityError:
        raise ValidationError(
            _("登录名“%(name)s”已被使用。") % {"name": username}, field="username"
        ) from None
    audit_record(
        actor=actor,
        action="accounts.user.create",
        obj=new_user,
        summary=_("创建账号"),
        changes=diff({}, snapshot(new_user, USER_FIELDS), masked=MASKED),
    )
    return new_user, password


@transaction.atomic
def user_update(
    *, actor: Any, target: User, full_name: str, phone: str, email: str, unit: Any
) -> User:
    policy.require_perm(actor, AccountsPermission.MANAGE_USERS)
    _require_target_in_scope(actor, AccountsPermission.MANAGE_USERS, target)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError(_("请填写姓名。"), field="full_name")
    _check_unit_in_scope(actor, AccountsPermission.MANAGE_USERS, unit)
    target = User.objects.select_for_update().get(pk=target.pk)
    before = snapshot(target, USER_FIELDS)
    target.full_name = full_name
    target.phone = (phone or "").strip()
    target.email = (email or "").strip()
    target.unit = unit
    target.save(update_fields=["full_name", "phone", "email", "unit"])
    changes = diff(before, snapshot(target, USER_FIELDS), masked=MASKED)
    if changes:
        audit_record(
            actor=actor,
            action="accounts.user.update",
            obj=target,
            summary=_("修改账号"),
            changes=changes,
        )
    return target


def _revoke_api_tokens(user: User) -> None:
    """Delete the user's API tokens: a new password (or a closed account) ends every way in
    that the old one opened, as it ends the web sessions. A new token is asked for with the
    new password."""
    ApiToken.objects.filter(user=user).delete()


# --- API tokens ---------------------------------------------------------------------------


def _token_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写令牌名称,说明用在哪里。"), field="name")
    if len(name) > 50:
        raise ValidationError(_("令牌名称最多 50 个字。"), field="name")
    return name


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token named `name` for the user; return it and its secret, which is shown
    once and stored only as a digest. Raise PermissionDenied for a role that does not use
    the API."""
    policy.require_perm(user, AccountsPermission.USE_API)
    name = _token_name(name)
    token, secret = ApiToken.objects.create(user=user, name=name)
    audit_record(
        actor=user,
        action="accounts.token.create",
        obj=user,
        summary=_("创建接口令牌“%(name)s”") % {"name": name},
        changes={"token": [None, f"{name}({token.token_key}…)"]},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> None:
    """End one token: its owner may, and a security administrator over the owner's unit.
    Raise NotFound for anyone else (a token of an account outside the scope does not exist
    for them)."""
    owner = token.user
    if owner.pk != actor.pk:
        _require_target_in_scope(actor, AccountsPermission.REVOKE_TOKENS, owner)
    label = f"{token.name}({token.token_key}…)"
    ApiToken.objects.filter(pk=token.pk).delete()
    audit_record(
        actor=actor,
        action="accounts.token.revoke",
        obj=owner,
        summary=_("撤销接口令牌“%(name)s”") % {"name": token.name},
        changes={"token": [label, None]},
    )


@transaction.atomic
def token_logout(*, user: User, token: ApiToken | None, everywhere: bool = False) -> int:
    """End the token this request came with (or, `everywhere`, all the user's tokens); return
    how many ended."""
    tokens = ApiToken.objects.filter(user=user)
    if not everywhere:
        if token is None:
            raise ValidationError(_("此请求不是用接口令牌认证的,没有可退出的令牌。"))
        tokens = tokens.filter(pk=token.pk)
    ended = tokens.count()
    if not ended:
        return 0  # nothing to end, nothing written
    tokens.delete()
    audit_record(
        actor=user,
        action="accounts.token.logout",
        obj=user,
        summary=_("接口退出登录(结束全部令牌)") if everywhere else _("接口退出登录"),
        changes={"tokens_ended": [ended, 0]},
    )
    return ended


@transaction.atomic
def user_set_active(*, actor: Any, target: User, active: bool) -> User:
    """Deactivate or reactivate an account. Raise when an admin would lock themselves out."""
    policy.require_perm(actor, AccountsPermission.MANAGE_USERS)
    _require_target_in_scope(actor, AccountsPermission.MANAGE_USERS, target)
    if target.pk == actor.pk and not active:
        raise Conflict(_("不能停用自己的账号。"))
    target = User.objects.select_for_update().get(pk=target.pk)
    if target.is_active == active:
        return target
    target.is_active = active
    target.save(update_fields=["is_active"])
    if not active:
        _revoke_api_tokens(target)
    audit_record(
        actor=actor,
        action="accounts.user.activate" if active else "accounts.user.deactivate",
        obj=target,
        summary=_("启用账号") if active else _("停用账号"),
        changes={"is_active": [not active, active]},
    )
    return target


@transaction.atomic
def role_assign(*, actor: Any, target: User, role: str, unit: Any) -> RoleAssignment:
    """Grant `role` over `unit` (and everything under it).

    Raise when the unit lies outside the actor's scope, when the actor grants to themselves,
    or when the role is incompatible with one the user already holds (三员分立).
    """
    policy.require_perm(actor, AccountsPermission.ASSIGN_ROLES)
    _require_target_in_scope(actor, AccountsPermission.ASSIGN_ROLES, target)
    if role not in Role.values:
        raise ValidationError(_("角色无效。"), field="role")
    _check_unit_in_scope(actor, AccountsPermission.ASSIGN_ROLES, unit)
    if target.pk == actor.pk:
        raise PermissionDenied(_("不能给自己授予角色。"))
    # Lock the user row so two grants at once cannot both pass the compatibility check.
    target = User.objects.select_for_update().get(pk=target.pk)
    if not target.is_active:
        raise Conflict(_("账号已停用,不能授权。"))
    held = set(target.role_assignments.values_list("role", flat=True))
    clash = held & incompatible_roles(role)
    if clash:
        names = _("、").join(str(Role(r).label) for r in sorted(clash))
        raise ValidationError(
            _(
                "“%(role)s”与该用户已有的角色(%(held)s)互斥:系统管理员、安全管理员、审计员三员分立,且不得兼任业务角色。"
            )
            % {"role": Role(role).label, "held": names},
            field="role",
        )
    if RoleAssignment.objects.filter(user=target, role=role, unit=unit).exists():
        raise ValidationError(_("该用户已在此单位拥有该角色。"), field="role")
    assignment = RoleAssignment.objects.create(user=target, role=role, unit=unit, granted_by=actor)
    audit_record(
        actor=actor,
        action="accounts.role.assign",
        obj=target,
        summary=_("授予角色 %(role)s @ %(unit)s") % {"role": Role(role).label, "unit": unit},
        changes={"role": [None, role], "unit": [None, unit.pk]},
    )
    policy.forget_grants(target)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    policy.require_perm(actor, AccountsPermission.ASSIGN_ROLES)
    _check_unit_in_scope(actor, AccountsPermission.ASSIGN_ROLES, assignment.unit)
    if assignment.user_id == actor.pk:
        raise PermissionDenied(_("不能撤销自己的角色。"))
    target = assignment.user
    role, unit = assignment.role, assignment.unit
    assignment.delete()
    audit_record(
        actor=actor,
        action="accounts.role.revoke",
        obj=target,
        summary=_("撤销角色 %(role)s @ %(unit)s") % {"role": Role(role).label, "unit": unit},
        changes={"role": [role, None], "unit": [unit.pk, None]},
    )


@transaction.atomic
def user_unlock(*, actor: Any, target: User) -> int:
    """Clear the failed log-ins that lock the account out; return how many were cleared."""
    from axes.utils import reset

    policy.require_perm(actor, AccountsPermission.UNLOCK)
    _require_target_in_scope(actor, AccountsPermission.UNLOCK, target)
    cleared = reset(username=target.username)
    audit_record(
        actor=actor,
        action="accounts.user.unlock",
        obj=target,
        summary=_("解除登录锁定"),
        changes={"failed_attempts_cleared": [cleared, 0]},
    )
    return cleared


@transaction.atomic
def password_reset(*, actor: Any, target: User) -> str:
    """Set a new random password that the user must change at next log-in; return it once."""
    policy.require_perm(actor, AccountsPermission.RESET_PASSWORD)
    _require_target_in_scope(actor, AccountsPermission.RESET_PASSWORD, target)
    if target.pk == actor.pk:
        raise PermissionDenied(_("请通过“修改密码”修改自己的密码。"))
    password = generate_password()
    target = User.objects.select_for_update().get(pk=target.pk)
    target.set_password(password)
    target.must_change_password = True
    target.save(update_fields=["password", "must_change_password"])
    _revoke_api_tokens(target)
    audit_record(
        actor=actor, action="accounts.user.password_reset", obj=target, summary=_("重置密码")
    )
    return password


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    """Set the user's own new password (the form has checked the old one) and lift the
    first-log-in requirement."""
    _validate_password(new_password, user, field="new_password1")
    if user.check_password(new_password):
        raise ValidationError(_("新密码不能与原密码相同。"), field="new_password1")
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _revoke_api_tokens(user)
    audit_record(
        actor=user, action="accounts.user.password_change", obj=user, summary=_("修改密码")
    )
