from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import policy


class _Perms:
    """Let templates ask `{% if perms_bf.network_view %}` without acting on the answer."""

    def __init__(self, user: Any) -> None:
        self._perms = policy.user_permissions(user)

    def __contains__(self, perm: str) -> bool:
        return perm in self._perms

    def __getitem__(self, perm: str) -> bool:
        return perm in self._perms

    @property
    def names(self) -> frozenset[str]:
        """The permissions held (the navigation menu is cached by them)."""
        return self._perms


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bf_perms": _Perms(user)}
