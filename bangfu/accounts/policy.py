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
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.core.errors import PermissionDenied

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


def unit_in_scope(user: Any, perm: str, unit: Any) -> bool:
    return any(unit.path.startswith(path) for path in scope_paths(user, perm))
