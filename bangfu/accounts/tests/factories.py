from __future__ import annotations

import itertools
from typing import Any

from bangfu.accounts.models import RoleAssignment, User

DEFAULT_PASSWORD = "Bangfu-Test-2026"
_counter = itertools.count(1)


def make_user(
    *roles: tuple[str, Any],
    username: str | None = None,
    full_name: str = "测试用户",
    unit: Any = None,
    password: str = DEFAULT_PASSWORD,
    **fields: Any,
) -> User:
    """Create an active user holding `roles`, given as (role, unit) pairs, with no audit event.

    The home unit defaults to the first role's unit.
    """
    username = username or f"user{next(_counter)}"
    if unit is None and roles:
        unit = roles[0][1]
    user = User.objects.create_user(
        username=username, password=password, full_name=full_name, unit=unit, **fields
    )
    for role, role_unit in roles:
        RoleAssignment.objects.create(user=user, role=role, unit=role_unit)
    return user
