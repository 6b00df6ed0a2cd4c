"""The names of audited actions: one enum per context, each value `<context>.<entity>.<verb>`
with its Chinese label, and the names written before this scheme (kept in old databases).

A context declares its actions in `<context>/audit_actions.py` (imported by
`core.discovery`) and passes a member to `audit_record`::

    @register(legacy={"archives.close": "archives.household.close"})
    class ArchivesAction(AuditAction):
        HOUSEHOLD_CLOSE = "archives.household.close", _("撤档")

    audit_record(actor=actor, action=ArchivesAction.HOUSEHOLD_CLOSE, obj=household, ...)

The audit pages show `action_label(code)` for any stored code, old or new, and filter on
`codes_for(code)` / `codes_under(context)`, which include the old names. An event keeps the
name it was written with: the chain's hashes cover it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

# <context>.<entity>.<verb>: lower-case words joined by underscores.
ACTION_PATTERN = re.compile(r"^[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*$")


class AuditAction(models.TextChoices):
    """The base of every context's enum of audited actions (TextChoices: value and label)."""


A = TypeVar("A", bound=type[AuditAction])

_actions: dict[str, AuditAction] = {}
_legacy: dict[str, str] = {}


def context_of_module(module: str) -> str:
    """Return the context a module belongs to: "bangfu.archives.audit_actions" → "archives",
    "bangfu.kits.workflow.audit_actions" → "workflow"."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "kits" else parts[1]


def register(*, legacy: Mapping[str, str] | None = None) -> Callable[[A], A]:
    """Register a context's enum of actions, and the old names that now mean its members.

    Raise ValueError for a value not named `<context>.<entity>.<verb>` after the enum's own
    context, for a value or an old name registered twice, or for an old name that maps to no
    member.
    """

    def decorate(enum: A) -> A:
        context = context_of_module(enum.__module__)
        members: list[AuditAction] = list(enum)
        for member in members:
            code = member.value
            if not ACTION_PATTERN.match(code) or not code.startswith(f"{context}."):
                raise ValueError(f"{enum.__name__}.{member.name}: {code!r} is not {context}.*.*")
            if code in _actions and _actions[code] is not member:
                raise ValueError(f"Audit action {code!r} is declared twice.")
        values = {member.value for member in members}
        for old, new in (legacy or {}).items():
            if new not in values:
                raise ValueError(f"Old audit action {old!r} maps to {new!r}, not in {enum}.")
            if _legacy.get(old, new) != new or old in _actions or old in values:
                raise ValueError(f"Old audit action {old!r} is declared twice.")
        # Checked in full first: a refused declaration leaves the registry as it was.
        _actions.update((member.value, member) for member in members)
        _legacy.update(legacy or {})
        return enum

    return decorate


def canonical(code: str) -> str:
    """Return the action's present name (an old name becomes the one that replaced it)."""
    return _legacy.get(code, code)


def action_label(code: str) -> str:
    """Return the Chinese label of a stored action, old name or new; an unknown code (written
    by something that declares no actions) is shown as it is."""
    member = _actions.get(canonical(code))
    return str(member.label) if member is not None else code


def context_of(code: str) -> str:
    """Return the context an action belongs to ("archives" for "archives.close" too)."""
    return canonical(code).split(".", 1)[0]


def codes_for(code: str) -> list[str]:
    """Return every name an action has been stored under: its name and its old names."""
    new = canonical(code)
    return [new, *sorted(old for old, target in _legacy.items() if target == new)]


def old_codes_under(context: str) -> list[str]:
    """Return the old names of the context's actions that do not start with `<context>.`
    (e.g. "system.bootstrap" for accounts), for a filter by context."""
    prefix = f"{context}."
    return sorted(
        old for old, new in _legacy.items() if new.startswith(prefix) and not old.startswith(prefix)
    )


def registered() -> list[AuditAction]:
    """Return every declared action, ordered by name."""
    return [_actions[code] for code in sorted(_actions)]


def legacy_names() -> dict[str, str]:
    """Return {old name: present name} for every old name declared."""
    return dict(_legacy)


def labels_by_code(codes: Iterable[str]) -> dict[str, str]:
    """Return {code: label} for the given stored codes."""
    return {code: action_label(code) for code in codes}


@register()
class CoreAction(AuditAction):
    """The kernel's own audited actions: the keys it runs under."""

    KEY_RECORD = "core.key.record", _("登记密钥指纹")
    KEY_REGISTER = "core.key.register", _("登记新的字段加密密钥")
    KEY_ROTATE = "core.key.rotate", _("用新密钥重新加密")
    KEY_RETIRE = "core.key.retire", _("停用旧密钥")
