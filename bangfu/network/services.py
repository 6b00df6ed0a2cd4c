"""Writes of the network. Each is one transaction with its audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record, diff, snapshot
from bangfu.core.errors import Conflict, ValidationError

from .audit_actions import NetworkAction
from .models import OrgUnit, UnitPerson
from .permissions import NetworkPermission

if TYPE_CHECKING:
    from bangfu.accounts.models import User

UNIT_FIELDS = (
    "name",
    "short_name",
    "kind",
    "level",
    "station_type",
    "address",
    "phone",
    "parent_id",
    "sort_order",
)
PERSON_FIELDS = ("name", "role", "post", "phone", "unit_id", "user_id", "sort_order")

# Which kinds of unit may stand under which: centres under centres (a city centre above county
# and township centres), stations under centres, points under stations or centres.
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    OrgUnit.Kind.CENTER: {None, OrgUnit.Kind.CENTER},
    OrgUnit.Kind.STATION: {OrgUnit.Kind.CENTER},
    OrgUnit.Kind.POINT: {OrgUnit.Kind.STATION, OrgUnit.Kind.CENTER},
}


def _clean_unit(
    *, parent: OrgUnit | None, name: str, kind: str, level: str, station_type: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写名称。")
    if kind not in OrgUnit.Kind.values:
        errors["kind"] = _("请选择单位类型。")
        return errors
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        if parent is None:
            errors["parent"] = _("帮扶站、帮扶点必须有上级单位。")
        else:
            errors["parent"] = _("“%(kind)s”不能设在“%(parent)s”(%(parent_kind)s)之下。") % {
                "kind": OrgUnit.Kind(kind).label,
                "parent": parent.name,
                "parent_kind": OrgUnit.Kind(parent.kind).label,
            }
    if kind == OrgUnit.Kind.CENTER and station_type:
        errors["station_type"] = _("帮扶中心不分社区、企业。")
    if kind != OrgUnit.Kind.CENTER and station_type not in OrgUnit.StationType.values:
        errors["station_type"] = _("请选择站点类别(社区或企业)。")
    if kind != OrgUnit.Kind.CENTER and level:
        errors["level"] = _("只有帮扶中心有行政级别。")
    if level and level not in OrgUnit.Level.values:
        errors["level"] = _("级别无效。")
    return errors


def _name_taken(parent: OrgUnit | None, name: str, exclude_pk: int | None = None) -> bool:
    qs = OrgUnit.objects.filter(parent=parent, name=name)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _duplicate_name_error(parent: OrgUnit | None, name: str) -> ValidationError:
    where = parent.name if parent else _("顶层")
    return ValidationError(
        _("“%(where)s”下已有名为“%(name)s”的单位。") % {"where": where, "name": name},
        field="name",
    )


def _check_parent(actor: User, parent: OrgUnit | None) -> None:
    """Raise ValidationError on "parent" unless the actor may put a unit under `parent`."""
    if parent is None:
        # A new top-level centre is an installation-wide change: only someone whose scope
        # already covers a top-level unit (a root grant) may add another.
        if not any(p.count("/") == 2 for p in policy.scope_paths(actor, NetworkPermission.MANAGE)):
            raise ValidationError(_("请选择上级单位。"), field="parent")
        return
    policy.require_unit_choice(
        actor,
        NetworkPermission.MANAGE,
        parent,
        field="parent",
        message=_("上级单位不在您的管理范围内。"),
    )


def _lock_unit(actor: User, unit: OrgUnit) -> OrgUnit:
    """Return the unit read again under a row lock, within the actor's MANAGE scope; raise
    NotFound outside it (the same as for a unit that does not exist)."""
    return policy.scoped_get(
        policy.units_in_scope(actor, NetworkPermission.MANAGE).select_for_update(),
        unit.pk,
        message=_("未找到该组织单位。"),
    )


def _lock_person(actor: User, person: UnitPerson) -> UnitPerson:
    """Return the person read again under a row lock, within the actor's MANAGE scope; raise
    NotFound outside it."""
    people = UnitPerson.objects.filter(policy.scope_q(actor, NetworkPermission.MANAGE))
    return policy.scoped_get(
        people.select_for_update().select_related("unit"),
        person.pk,
        message=_("未找到该人员。"),
    )


@transaction.atomic
def unit_create(
    *,
    actor: User,
    parent: OrgUnit | None,
    name: str,
    kind: str,
    level: str = "",
    station_type: str = "",
    short_name: str = "",
    address: str = "",
    phone: str = "",
    sort_order: int = 0,
) -> OrgUnit:
    """Create a unit under `parent`. Raise ValidationError naming the field on bad input,
    a name already used under the same parent, or a parent outside the actor's scope."""
    policy.require_perm(actor, NetworkPermission.MANAGE)
    name = (name or "").strip()
    errors = _clean_unit(
        parent=parent, name=name, kind=kind, level=level, station_type=station_type
    )
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    _check_parent(actor, parent)
    if _name_taken(parent, name):
        raise _duplicate_name_error(parent, name)
    try:
        with transaction.atomic():
            unit = OrgUnit.objects.create(
                parent=parent,
                name=name,
                kind=kind,
                level=level,
                station_type=station_type,
                short_name=(short_name or "").strip(),
                address=(address or "").strip(),
                phone=(phone or "").strip(),
                sort_order=sort_order or 0,
                depth=(parent.depth + 1) if parent else 0,
            )
    except IntegrityError:
        raise _duplicate_name_error(parent, name) from None
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    audit_record(
        actor=actor,
        action=NetworkAction.UNIT_CREATE,
        obj=unit,
        summary=_("新建组织单位"),
        changes=diff({}, snapshot(unit, UNIT_FIELDS)),
    )
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: User,
    unit: OrgUnit,
    parent: OrgUnit | None,
    name: str,
    kind: str,
    level: str = "",
    station_type: str = "",
    short_name: str = "",
    address: str = "",
    phone: str = "",
    sort_order: int = 0,
) -> OrgUnit:
    """Change a unit, possibly moving it (with everything under it) to another parent.

    Raise ValidationError when the move would put a unit under itself, when the unit's kind no
    longer fits its children, or on the same errors as `unit_create`.
    """
    policy.require_perm(actor, NetworkPermission.MANAGE)
    unit = _lock_unit(actor, unit)
    name = (name or "").strip()
    errors = _clean_unit(
        parent=parent, name=name, kind=kind, level=level, station_type=station_type
    )
    if parent is not None and parent.path.startswith(unit.path):
        errors["parent"] = _("不能把单位移到它自己或它的下级之下。")
    child_kinds = set(unit.children.values_list("kind", flat=True))
    if any(kind not in ALLOWED_PARENT_KINDS[c] for c in child_kinds):
        errors["kind"] = _("该单位的下级单位不能设在“%(kind)s”之下,请先调整下级单位。") % {
            "kind": OrgUnit.Kind(kind).label if kind in OrgUnit.Kind.values else kind
        }
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    if parent != unit.parent:
        _check_parent(actor, parent)
    if _name_taken(parent, name, exclude_pk=unit.pk):
        raise _duplicate_name_error(parent, name)
    before = snapshot(unit, UNIT_FIELDS)
    old_path, old_depth = unit.path, unit.depth
    unit.parent = parent
    unit.name = name
    unit.kind = kind
    unit.level = level
    unit.station_type = station_type
    unit.short_name = (short_name or "").strip()
    unit.address = (address or "").strip()
    unit.phone = (phone or "").strip()
    unit.sort_order = sort_order or 0
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = (parent.depth + 1) if parent else 0
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise _duplicate_name_error(parent, name) from None
    if unit.path != old_path:
        # Re-root every descendant's path in one statement.
        OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (unit.depth - old_depth),
        )
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=NetworkAction.UNIT_UPDATE,
            obj=unit,
            summary=_("修改组织单位"),
            changes=changes,
        )
    return unit


@transaction.atomic
def unit_delete(*, actor: User, unit: OrgUnit) -> None:
    """Delete an empty unit. Raise Conflict while it has sub-units, people, accounts or roles."""
    policy.require_perm(actor, NetworkPermission.MANAGE)
    unit = _lock_unit(actor, unit)
    reasons = []
    if unit.children.exists():
        reasons.append(_("有下级单位"))
    if unit.people.exists():
        reasons.append(_("有人员"))
    if unit.users.exists():
        reasons.append(_("有归属账号"))
    if unit.role_assignments.exists():
        reasons.append(_("有角色授权"))
    if reasons:
        raise Conflict(
            _("“%(name)s”%(reasons)s,不能删除。请先移走或删除它们。")
            % {"name": unit.name, "reasons": _("、").join(reasons)}
        )
    before = snapshot(unit, UNIT_FIELDS)
    audit_record(
        actor=actor,
        action=NetworkAction.UNIT_DELETE,
        obj=unit,
        summary=_("删除组织单位"),
        changes=diff(before, {}),
    )
    unit.delete()


def _clean_person(*, unit: OrgUnit, name: str, role: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写姓名。")
    if role not in UnitPerson.Role.values:
        errors["role"] = _("请选择职责。")
    elif role in UnitPerson.GROUP_ROLES and unit.kind != OrgUnit.Kind.CENTER:
        errors["role"] = _("领导小组只设在帮扶中心。")
    return errors


@transaction.atomic
def person_add(
    *,
    actor: User,
    unit: OrgUnit,
    name: str,
    role: str,
    post: str = "",
    phone: str = "",
    user: Any = None,
    sort_order: int = 0,
) -> UnitPerson:
    policy.require_perm(actor, NetworkPermission.MANAGE)
    unit = policy.scoped_get(
        policy.units_in_scope(actor, NetworkPermission.MANAGE),
        unit.pk,
        message=_("未找到该组织单位。"),
    )
    name = (name or "").strip()
    errors = _clean_person(unit=unit, name=name, role=role)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    person = UnitPerson.objects.create(
        unit=unit,
        name=name,
        role=role,
        post=(post or "").strip(),
        phone=(phone or "").strip(),
        user=user,
        sort_order=sort_order or 0,
    )
    audit_record(
        actor=actor,
        action=NetworkAction.PERSON_ADD,
        obj=person,
        summary=_("登记单位人员"),
        changes=diff({}, snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def person_update(
    *,
    actor: User,
    person: UnitPerson,
    name: str,
    role: str,
    post: str = "",
    phone: str = "",
    user: Any = None,
    sort_order: int = 0,
) -> UnitPerson:
    policy.require_perm(actor, NetworkPermission.MANAGE)
    person = _lock_person(actor, person)
    name = (name or "").strip()
    errors = _clean_person(unit=person.unit, name=name, role=role)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    before = snapshot(person, PERSON_FIELDS)
    person.name = name
    person.role = role
    person.post = (post or "").strip()
    person.phone = (phone or "").strip()
    person.user = user
    person.sort_order = sort_order or 0
    person.save()
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=NetworkAction.PERSON_UPDATE,
            obj=person,
            summary=_("修改单位人员"),
            changes=changes,
        )
    return person


@transaction.atomic
def person_remove(*, actor: User, person: UnitPerson) -> None:
    policy.require_perm(actor, NetworkPermission.MANAGE)
    person = _lock_person(actor, person)
    audit_record(
        actor=actor,
        action=NetworkAction.PERSON_REMOVE,
        obj=person,
        summary=_("移除单位人员"),
        changes=diff(snapshot(person, PERSON_FIELDS), {}),
    )
    person.delete()
