"""Writes of accounts and roles. Each is one transaction with its audit event."""

from __future__ import annotations

import hashlib
import secrets
import string
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.audit import audit_record, diff, snapshot
from bangfu.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.core.masking import mask_phone

from . import policy
from .audit_actions import AccountsAction
from .models import ApiToken, RoleAssignment, User
from .permissions import AccountsPermission
from .roles import ADMIN_ROLES, Role, incompatible_roles
from .selectors import access_user

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
    policy.require_unit_choice(actor, perm, unit, field=field)


def _require_target_in_scope(actor: Any, perm: str, target: User) -> None:
    """Raise NotFound unless the target account lies in the actor's scope for `perm`: an
    account outside it is treated exactly like one that does not exist."""
    access_user(user=actor, user_id=target.pk, perm=perm)


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
        action=AccountsAction.USER_CREATE,
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
    _refuse_three_admins(target)
    _check_unit_in_scope(actor, AccountsPermission.MANAGE_USERS, unit)
    target, changes = _apply_update(
        target, full_name=full_name, phone=phone, email=email, unit=unit
    )
    if changes:
        audit_record(
            actor=actor,
            action=AccountsAction.USER_UPDATE,
            obj=target,
            summary=_("修改账号"),
            changes=changes,
        )
    return target


def _apply_update(
    target: User, *, full_name: str, phone: str, email: str, unit: Any
) -> tuple[User, dict[str, Any]]:
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError(_("请填写姓名。"), field="full_name")
    if unit is None:
        raise ValidationError(_("请选择单位。"), field="unit")
    target = User.objects.select_for_update().get(pk=target.pk)
    before = snapshot(target, USER_FIELDS)
    target.full_name = full_name
    target.phone = (phone or "").strip()
    target.email = (email or "").strip()
    target.unit = unit
    target.save(update_fields=["full_name", "phone", "email", "unit"])
    return target, diff(before, snapshot(target, USER_FIELDS), masked=MASKED)


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
        action=AccountsAction.TOKEN_CREATE,
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
        action=AccountsAction.TOKEN_REVOKE,
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
        action=AccountsAction.TOKEN_LOGOUT,
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
    _refuse_three_admins(target)
    target, changes = _apply_active(target, active)
    if changes:
        audit_record(
            actor=actor,
            action=AccountsAction.USER_ACTIVATE if active else AccountsAction.USER_DEACTIVATE,
            obj=target,
            summary=_("启用账号") if active else _("停用账号"),
            changes=changes,
        )
    return target


def _apply_active(target: User, active: bool) -> tuple[User, dict[str, Any]]:
    target = User.objects.select_for_update().get(pk=target.pk)
    if target.is_active == active:
        return target, {}
    target.is_active = active
    target.save(update_fields=["is_active"])
    if not active:
        _revoke_api_tokens(target)
    return target, {"is_active": [not active, active]}


@transaction.atomic
def role_assign(*, actor: Any, target: User, role: str, unit: Any) -> RoleAssignment:
    """Grant `role` over `unit` (and everything under it).

    Raise when the unit lies outside the actor's scope, when the actor grants to themselves,
    when the role is incompatible with one the user already holds (三员分立), or when the
    target holds or would get a 三员 role (that takes the other two, or the command line).
    """
    policy.require_perm(actor, AccountsPermission.ASSIGN_ROLES)
    _require_target_in_scope(actor, AccountsPermission.ASSIGN_ROLES, target)
    if role not in Role.values:
        raise ValidationError(_("角色无效。"), field="role")
    _check_unit_in_scope(actor, AccountsPermission.ASSIGN_ROLES, unit)
    if target.pk == actor.pk:
        raise PermissionDenied(_("不能给自己授予角色。"))
    _refuse_three_admins(target, role=role)
    assignment, changes = _apply_role_assign(target, role=role, unit=unit, granted_by=actor)
    audit_record(
        actor=actor,
        action=AccountsAction.ROLE_ASSIGN,
        obj=target,
        summary=_("授予角色 %(role)s @ %(unit)s") % {"role": Role(role).label, "unit": unit},
        changes=changes,
    )
    return assignment


# Roles whose holders must set their own password: an administrator who set one (at creation)
# must not know the password of a leader or of a 三员 account.
OWN_PASSWORD_ROLES = frozenset({*ADMIN_ROLES, Role.LEADER})


def _apply_role_assign(
    target: User, *, role: str, unit: Any, granted_by: Any
) -> tuple[RoleAssignment, dict[str, Any]]:
    if role not in Role.values:
        raise ValidationError(_("角色无效。"), field="role")
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
    assignment = RoleAssignment.objects.create(
        user=target, role=role, unit=unit, granted_by=granted_by
    )
    changes: dict[str, Any] = {"role": [None, role], "unit": [None, unit.pk]}
    if role in OWN_PASSWORD_ROLES and target.must_change_password:
        # The password was set by an administrator and never changed: it stops working, and
        # the holder sets their own with a one-time code (password_reset).
        target.set_unusable_password()
        target.save(update_fields=["password"])
        _revoke_api_tokens(target)
        changes["password"] = [_("管理员设置的初始密码"), _("已作废,须用一次性设置码设置")]
    policy.forget_grants(target)
    return assignment, changes


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    policy.require_perm(actor, AccountsPermission.ASSIGN_ROLES)
    _check_unit_in_scope(actor, AccountsPermission.ASSIGN_ROLES, assignment.unit)
    if assignment.user_id == actor.pk:
        raise PermissionDenied(_("不能撤销自己的角色。"))
    _refuse_three_admins(assignment.user)
    target, role, unit = assignment.user, assignment.role, assignment.unit
    changes = _apply_role_revoke(assignment)
    audit_record(
        actor=actor,
        action=AccountsAction.ROLE_REVOKE,
        obj=target,
        summary=_("撤销角色 %(role)s @ %(unit)s") % {"role": Role(role).label, "unit": unit},
        changes=changes,
    )


def _apply_role_revoke(assignment: RoleAssignment) -> dict[str, Any]:
    role, unit = assignment.role, assignment.unit
    assignment.delete()
    policy.forget_grants(assignment.user)
    return {"role": [role, None], "unit": [unit.pk, None]}


@transaction.atomic
def user_unlock(*, actor: Any, target: User) -> int:
    """Clear the failed log-ins that lock the account out; return how many were cleared."""
    from axes.utils import reset

    policy.require_perm(actor, AccountsPermission.UNLOCK)
    _require_target_in_scope(actor, AccountsPermission.UNLOCK, target)
    cleared = reset(username=target.username)
    audit_record(
        actor=actor,
        action=AccountsAction.USER_UNLOCK,
        obj=target,
        summary=_("解除登录锁定"),
        changes={"failed_attempts_cleared": [cleared, 0]},
    )
    return cleared


@transaction.atomic
def password_reset(*, actor: Any, target: User) -> str:
    """End the user's password and return a one-time code with which the user sets a new one
    (handed over out of band; valid BANGFU_PASSWORD_CODE_MINUTES; single use). The actor
    never sees a password. Raise PermissionDenied for one's own account and for a 三员
    account (that takes the other two, or the command line)."""
    policy.require_perm(actor, AccountsPermission.RESET_PASSWORD)
    _require_target_in_scope(actor, AccountsPermission.RESET_PASSWORD, target)
    if target.pk == actor.pk:
        raise PermissionDenied(_("请通过“修改密码”修改自己的密码。"))
    _refuse_three_admins(target)
    code, changes = _apply_password_reset(target, issued_by=actor)
    audit_record(
        actor=actor,
        action=AccountsAction.USER_PASSWORD_RESET,
        obj=target,
        summary=_("重置密码(签发一次性设置码)"),
        changes=changes,
    )
    return code


# 32 symbols without look-alikes (no 0/O, 1/I): 20 of them carry 100 bits, read out in groups.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20


def _normalise_code(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isalnum())


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normalise_code(code).encode("ascii", "ignore")).hexdigest()


def _apply_password_reset(target: User, *, issued_by: Any) -> tuple[str, dict[str, Any]]:
    """End the password, the tokens and (through the password hash) every session; issue a
    new code and void earlier unused ones. Return the code, shown once."""
    from .models import PasswordTicket

    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    code = "-".join(raw[i : i + 5] for i in range(0, CODE_LENGTH, 5))
    now = timezone.now()
    minutes = settings.BANGFU_PASSWORD_CODE_MINUTES
    target = User.objects.select_for_update().get(pk=target.pk)
    PasswordTicket.objects.filter(user=target, used_at__isnull=True).update(expires_at=now)
    PasswordTicket.objects.create(
        user=target,
        code_hash=_code_hash(code),
        issued_by=issued_by,
        expires_at=now + timedelta(minutes=minutes),
    )
    target.set_unusable_password()
    target.must_change_password = False
    target.save(update_fields=["password", "must_change_password"])
    _revoke_api_tokens(target)
    return code, {"password": [None, _("一次性设置码,%(n)d 分钟内有效") % {"n": minutes}]}


@transaction.atomic
def password_set_with_code(*, username: str, code: str, new_password: str) -> User:
    """Set the password of `username` with a one-time code; the code is used up. Raise
    ValidationError with the same words whether the name, the code or its time is wrong."""
    from .models import PasswordTicket

    refused = ValidationError(_("登录名或设置码不正确,或设置码已使用、已过期。"), field="code")
    ticket = (
        PasswordTicket.objects.select_for_update()
        .select_related("user")
        .filter(code_hash=_code_hash(code), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if ticket is None or ticket.user.username != (username or "").strip():
        raise refused
    user = ticket.user
    if not user.is_active:
        raise refused
    _validate_password(new_password, user, field="new_password1")
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    ticket.used_at = timezone.now()
    ticket.save(update_fields=["used_at"])
    _revoke_api_tokens(user)
    audit_record(
        actor=user,
        action=AccountsAction.USER_PASSWORD_SET,
        obj=user,
        summary=_("用一次性设置码设置密码"),
    )
    return user


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
        actor=user, action=AccountsAction.USER_PASSWORD_CHANGE, obj=user, summary=_("修改密码")
    )


# --- 三员分立: changes to the three administrators' accounts --------------------------------
#
# No administrator changes a 三员 account alone (edit, deactivate, activate, reset, roles):
# one of the other two administrators proposes, the third approves, and the change is made on
# approval. A grant of a 三员 role to anyone is such a change too. The server's command line
# (`manage.py change_account`) is the other way, for when the other two are not there.

THREE_ADMINS_REFUSAL = _(
    "三员(系统管理员、安全管理员、审计员)账号的变更须由另外两员中的一人提出、另一人批准,"
    "或在服务器命令行办理。"
)


def _admin_roles(user: User) -> set[str]:
    return set(
        RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).values_list(
            "role", flat=True
        )
    )


def is_three_admins_change(target: User, *, role: str | None = None) -> bool:
    """Return whether a change to `target` (or a grant of `role`) needs two of the 三员."""
    return bool(_admin_roles(target)) or role in ADMIN_ROLES


def _refuse_three_admins(target: User, *, role: str | None = None) -> None:
    if is_three_admins_change(target, role=role):
        raise PermissionDenied(str(THREE_ADMINS_REFUSAL))


def _guarded_roles(change: Any) -> set[str]:
    """The 三员 roles the change is about: the target's, and a 三员 role being granted."""
    roles = _admin_roles(change.target)
    if change.kind == "role_assign" and change.payload.get("role") in ADMIN_ROLES:
        roles.add(change.payload["role"])
    return roles


def _require_other_admin(actor: Any, target: User, guarded: set[str], *, besides: set[str]) -> str:
    """Return the 三员 role in which the actor acts on the target; raise PermissionDenied
    unless it is one of the other administrators (not the target, holding a 三员 role other
    than the target's and than `besides`) with the target's unit in scope."""
    if actor.pk == target.pk:
        raise PermissionDenied(_("不能对自己的账号提出或批准变更。"))
    held = {g.role for g in policy.user_grants(actor) if g.role in ADMIN_ROLES}
    usable = held - guarded - besides
    if not usable:
        raise PermissionDenied(
            _("三员账号的变更只能由另外两员办理:一人提出,另一人批准,两人不能是同一员。")
        )
    if target.unit is None or not policy.unit_in_scope(
        actor, AccountsPermission.VIEW_USERS, target.unit
    ):
        raise NotFound(_("未找到该用户。"))
    return sorted(usable)[0]


def _describe(kind: str, payload: dict[str, Any]) -> str:
    from .models import AccountChange

    label = str(AccountChange.Kind(kind).label)
    if kind == "role_assign":
        return f"{label}:{Role(payload['role']).label}"
    if kind == "role_revoke":
        return f"{label}:{Role(payload['role']).label}"
    if kind == "update":
        return f"{label}:{payload.get('full_name', '')}"
    return label


def _as_key(value: Any) -> int:
    """Return an id from a payload, 0 (matches nothing) when it is not one."""
    try:
        key = int(value)
    except (TypeError, ValueError):
        return 0
    return key if 0 < key <= policy.MAX_PK else 0


def _check_payload(kind: str, target: User, payload: dict[str, Any]) -> dict[str, Any]:
    """Return the payload a change keeps (ids and plain values), checked; raise
    ValidationError naming the field."""
    from bangfu.network.models import OrgUnit

    from .models import AccountChange

    if kind not in AccountChange.Kind.values:
        raise ValidationError(_("请选择要办理的变更。"), field="kind")
    if kind == "update":
        full_name = (payload.get("full_name") or "").strip()
        if not full_name:
            raise ValidationError(_("请填写姓名。"), field="full_name")
        unit_id = _as_key(payload.get("unit_id")) or target.unit_id
        if not unit_id or not OrgUnit.objects.filter(pk=unit_id).exists():
            raise ValidationError(_("请选择单位。"), field="unit")
        return {
            "full_name": full_name,
            "phone": (payload.get("phone") or "").strip(),
            "email": (payload.get("email") or "").strip(),
            "unit_id": unit_id,
        }
    if kind == "role_assign":
        role = payload.get("role")
        if role not in Role.values:
            raise ValidationError(_("角色无效。"), field="role")
        unit_id = _as_key(payload.get("unit_id"))
        if not OrgUnit.objects.filter(pk=unit_id).exists():
            raise ValidationError(_("请选择单位。"), field="unit")
        return {"role": role, "unit_id": unit_id}
    if kind == "role_revoke":
        assignment = RoleAssignment.objects.filter(
            pk=_as_key(payload.get("assignment_id")), user=target
        ).first()
        if assignment is None:
            raise ValidationError(_("请选择要撤销的角色。"), field="assignment")
        return {"assignment_id": assignment.pk, "role": assignment.role}
    return {}


@transaction.atomic
def account_change_propose(*, actor: Any, target: User, kind: str, payload: dict[str, Any]) -> Any:
    """Propose a change to a 三员 account (or a grant of a 三员 role); it waits for the third
    administrator. Raise PermissionDenied for anyone but one of the other administrators."""
    from .models import AccountChange

    payload = _check_payload(kind, target, payload)
    probe = AccountChange(target=target, kind=kind, payload=payload)
    guarded = _guarded_roles(probe)
    if not guarded:
        raise ValidationError(_("该账号不是三员账号,请直接办理。"), field="kind")
    role = _require_other_admin(actor, target, guarded, besides=set())
    if AccountChange.objects.filter(target=target, status=AccountChange.Status.PENDING).exists():
        raise Conflict(_("该账号已有一项待批准的变更,请先批准或驳回。"))
    change = AccountChange.objects.create(
        target=target,
        kind=kind,
        payload={**payload, "proposer_role": role},
        summary=_describe(kind, payload),
        proposed_by=actor,
    )
    audit_record(
        actor=actor,
        action=AccountsAction.CHANGE_PROPOSE,
        obj=target,
        summary=_("提出三员账号变更:%(what)s") % {"what": change.summary},
        changes={"change": [None, change.pk], "kind": [None, kind]},
    )
    return change


def _apply_change(change: Any, *, by: Any) -> tuple[dict[str, Any], str | None]:
    """Make the change; return the audit changes and, for a reset, the one-time code."""
    from bangfu.network.models import OrgUnit

    target, payload, kind = change.target, change.payload, change.kind
    if kind == "update":
        unit = OrgUnit.objects.get(pk=payload["unit_id"])
        _target, changes = _apply_update(
            target,
            full_name=payload["full_name"],
            phone=payload["phone"],
            email=payload["email"],
            unit=unit,
        )
        return changes, None
    if kind in ("activate", "deactivate"):
        _target, changes = _apply_active(target, kind == "activate")
        return changes, None
    if kind == "password_reset":
        code, changes = _apply_password_reset(target, issued_by=by)
        return changes, code
    if kind == "role_assign":
        unit = OrgUnit.objects.get(pk=payload["unit_id"])
        _assignment, changes = _apply_role_assign(
            target, role=payload["role"], unit=unit, granted_by=by
        )
        return changes, None
    assignment = RoleAssignment.objects.filter(pk=payload["assignment_id"], user=target).first()
    if assignment is None:
        raise Conflict(_("要撤销的角色已不存在。"))
    return _apply_role_revoke(assignment), None


@transaction.atomic
def account_change_approve(*, actor: Any, change: Any) -> str | None:
    """Approve and make a proposed change. The approver is the third administrator: neither
    the target, nor the proposer, nor of the proposer's or the target's 三员 role. Return the
    one-time code of a password reset (shown once to the approver), else None."""
    from .models import AccountChange

    change = AccountChange.objects.select_for_update().select_related("target").get(pk=change.pk)
    if change.status != AccountChange.Status.PENDING:
        raise Conflict(_("该变更已%(status)s。") % {"status": change.get_status_display()})
    if actor.pk == change.proposed_by_id:
        raise PermissionDenied(_("提出变更的人不能自己批准,须由另一员批准。"))
    besides = {change.payload.get("proposer_role", "")}
    _require_other_admin(actor, change.target, _guarded_roles(change), besides=besides)
    changes, code = _apply_change(change, by=actor)
    change.status = AccountChange.Status.APPROVED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AccountsAction.CHANGE_APPROVE,
        obj=change.target,
        summary=_("批准并执行三员账号变更:%(what)s(%(who)s 提出)")
        % {"what": change.summary, "who": change.proposed_by.display_name},
        changes={"change": [change.pk, change.pk], **changes},
    )
    return code


@transaction.atomic
def account_change_reject(*, actor: Any, change: Any) -> None:
    """Turn down (or, by its proposer, withdraw) a proposed change; nothing is changed."""
    from .models import AccountChange

    change = AccountChange.objects.select_for_update().select_related("target").get(pk=change.pk)
    if change.status != AccountChange.Status.PENDING:
        raise Conflict(_("该变更已%(status)s。") % {"status": change.get_status_display()})
    if actor.pk != change.proposed_by_id:
        besides = {change.payload.get("proposer_role", "")}
        _require_other_admin(actor, change.target, _guarded_roles(change), besides=besides)
    change.status = AccountChange.Status.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AccountsAction.CHANGE_REJECT,
        obj=change.target,
        summary=_("驳回三员账号变更:%(what)s") % {"what": change.summary},
        changes={"change": [change.pk, change.pk], "status": ["pending", "rejected"]},
    )


@transaction.atomic
def account_change_by_command(
    *, target: User, kind: str, payload: dict[str, Any], os_user: str
) -> tuple[dict[str, Any], str | None]:
    """Make a change to any account from the server's command line (the operator has the
    machine, not one administrator's log-in); audited with the operating-system user."""
    from .models import AccountChange

    payload = _check_payload(kind, target, payload)
    change = AccountChange(target=target, kind=kind, payload=payload)
    changes, code = _apply_change(change, by=None)
    audit_record(
        actor=None,
        action=AccountsAction.CHANGE_COMMAND,
        obj=target,
        summary=_("命令行办理账号变更:%(what)s(操作系统用户 %(os_user)s)")
        % {"what": _describe(kind, payload), "os_user": os_user},
        changes={**changes, "via": [None, "manage.py change_account"]},
    )
    return changes, code
