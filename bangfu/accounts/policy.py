"""Who may do what, and where.

Each context declares in its `permissions.py`:

* a permission enum (``class NetworkPermission(StrEnum)``),
* ``ROLE_GRANTS``: which roles hold which of its permissions,
* ``URL_PERMISSIONS``: for every URL name of its pages and API, the permission it needs
  (or ``PUBLIC`` / ``AUTHENTICATED``).

The middleware and the API permission class read ``URL_PERMISSIONS``; a URL with no
declaration is refused (fail closed). Objects are fetched through ``scope_q`` so that anything
outside the user's units looks exactly like something that does not exist.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.core.errors import NotFound, PermissionDenied, ValidationError

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from bangfu.network.models import OrgUnit

M = TypeVar("M", bound="Model")

PUBLIC = "public"
AUTHENTICATED = "authenticated"

_grants: dict[str, set[str]] = {}
_url_permissions: dict[str, str] = {}
_discovered = False


def register(
    *, role_grants: Mapping[str, Iterable[str]], url_permissions: Mapping[str, str]
) -> None:
    for role, perms in role_grants.items():
        _grants.setdefault(str(role), set()).update(str(p) for p in perms)
    for url_name, perm in url_permissions.items():
        if url_name in _url_permissions and _url_permissions[url_name] != str(perm):
            raise RuntimeError(f"URL {url_name} declares two permissions.")
        _url_permissions[url_name] = str(perm)


def autodiscover() -> None:
    """Import every installed Bangfu app's `permissions` module and register its declarations."""
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        if not config.name.startswith("bangfu."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        register(
            role_grants=getattr(module, "ROLE_GRANTS", {}),
            url_permissions=getattr(module, "URL_PERMISSIONS", {}),
        )
    _discovered = True


def url_permission(url_name: str) -> str | None:
    """Return what the named URL needs, or None when it declares nothing."""
    return _url_permissions.get(url_name)


def declared_url_names() -> set[str]:
    return set(_url_permissions)


def role_permissions(role: str) -> frozenset[str]:
    return frozenset(_grants.get(str(role), set()))


def roles_with(perm: str) -> frozenset[str]:
    return frozenset(role for role, perms in _grants.items() if str(perm) in perms)


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    path: str


def user_grants(user: Any) -> list[Grant]:
    """Return the user's role assignments, loaded once per user object (once per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_bangfu_grants", None)
    if cached is None:
        from .models import RoleAssignment

        cached = [
            Grant(role, unit_id, path)
            for role, unit_id, path in RoleAssignment.objects.filter(user=user).values_list(
                "role", "unit_id", "unit__path"
            )
        ]
        user._bangfu_grants = cached
    return cached


def forget_grants(user: Any) -> None:
    if hasattr(user, "_bangfu_grants"):
        del user._bangfu_grants


def user_permissions(user: Any) -> frozenset[str]:
    perms: set[str] = set()
    for grant in user_grants(user):
        perms |= role_permissions(grant.role)
    return frozenset(perms)


def has_perm(user: Any, perm: str) -> bool:
    """Return whether the user holds `perm` anywhere. For templates and menus; code that acts
    on the answer should call `require_perm` or fetch through `scope_q` instead."""
    if perm == PUBLIC:
        return True
    if perm == AUTHENTICATED:
        return bool(getattr(user, "is_authenticated", False) and user.is_active)
    return str(perm) in user_permissions(user)


def require_perm(user: Any, perm: str) -> None:
    """Raise PermissionDenied unless the user holds `perm` somewhere."""
    if not has_perm(user, perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def scope_paths(user: Any, perm: str) -> list[str]:
    """Return the unit paths under which the user holds `perm`, without nested duplicates."""
    paths = sorted({g.path for g in user_grants(user) if str(perm) in role_permissions(g.role)})
    result: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def scope_q(user: Any, perm: str, field: str = "unit") -> Q:
    """Return a filter for objects whose unit lies in the user's scope for `perm`.

    `field` names the relation to OrgUnit ("" when filtering OrgUnit itself). With no scope the
    filter matches nothing.
    """
    prefix = f"{field}__" if field else ""
    query = Q()
    paths = scope_paths(user, perm)
    if not paths:
        return Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{prefix}path__startswith": path})
    return query


def above_scope_q(user: Any, perm: str, field: str = "unit") -> Q:
    """Return a filter for objects whose unit lies *above* the user's scope for `perm` — the
    centre a station belongs to and the units over it. For what a unit posts for everyone
    under it (a published notice), never for records kept about people."""
    prefix = f"{field}__" if field else ""
    ancestors: set[str] = set()
    for path in scope_paths(user, perm):
        parts = [part for part in path.strip("/").split("/") if part]
        ancestors.update("/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts)))
    if not ancestors:
        return Q(pk__in=[])
    return Q(**{f"{prefix}path__in": sorted(ancestors)})


def unit_in_scope(user: Any, perm: str, unit: Any) -> bool:
    return any(unit.path.startswith(path) for path in scope_paths(user, perm))


# --- The scope vocabulary: every context checks and fetches through these. -------------------


def require_in_scope(user: Any, perm: str, unit: Any, *, message: str | None = None) -> None:
    """Raise PermissionDenied unless the user holds `perm` over `unit` (its own unit or one
    above it). `message` says what was refused ("您无权对该档案执行此操作。")."""
    require_perm(user, perm)
    if unit is None or not unit_in_scope(user, perm, unit):
        raise PermissionDenied(message or _("该记录不在您的权限范围内。"))


def require_unit_choice(
    user: Any, perm: str, unit: Any, *, field: str = "unit", message: str | None = None
) -> None:
    """Raise ValidationError naming `field` unless `unit` — one the user chose in a form or an
    API call (where an archive belongs, a notice's publishing unit, a new unit's parent) — lies
    in the user's scope for `perm`. A choice is input: it is refused like any bad input, on
    its field, where `require_in_scope` refuses an action on a record."""
    if unit is None or not unit_in_scope(user, perm, unit):
        raise ValidationError(message or _("所选单位不在您的管理范围内。"), field=field)


def units_in_scope(user: Any, perm: str, kind: str | None = None) -> QuerySet[OrgUnit]:
    """Return the org units in which the user holds `perm` (of `kind` when given), ordered by
    their place in the tree. One query; nothing when the user holds `perm` nowhere."""
    from bangfu.network.models import OrgUnit

    units = OrgUnit.objects.filter(scope_q(user, perm, field=""))
    if kind is not None:
        units = units.filter(kind=kind)
    return units.order_by("path")


# The largest primary key any of our integer keys can hold (a signed 64-bit integer): a longer
# number in a URL or a filter is "not found", never a database overflow.
MAX_PK = 2**63 - 1


def _key(model: type[Model], pk: Any) -> Any:
    """Return `pk` as the model's key type, or None when it cannot be one."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.db import models

    field = model._meta.pk
    if isinstance(pk, bool) or pk is None or (isinstance(pk, str) and not pk.isascii()):
        return None
    try:
        key = field.to_python(pk)
    except (DjangoValidationError, TypeError, ValueError, OverflowError):
        return None
    integer = isinstance(field, models.AutoField | models.BigAutoField | models.IntegerField)
    if integer and (not isinstance(key, int) or not 0 < key <= MAX_PK):
        return None
    return key


def scoped_get(queryset: QuerySet[M], pk: Any, *, message: str | None = None) -> M:
    """Return the object `pk` from `queryset` (already filtered to the user's scope); raise
    NotFound when it is missing, outside the scope, or `pk` is not a valid key — the three
    look the same. `message` names what was not found ("未找到该档案。")."""
    key = _key(queryset.model, pk)
    if key is None:
        raise NotFound(message or _("未找到。"))
    # No ORDER BY for one key: .first() would order by the model's ordering, and Django's
    # compiler then matches it against every selected column (a third of the CPU of fetching
    # an archive with its units).
    found = next(iter(queryset.filter(pk=key).order_by()[:1]), None)
    if found is None:
        raise NotFound(message or _("未找到。"))
    return found
