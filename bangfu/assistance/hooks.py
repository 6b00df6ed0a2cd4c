"""Hook points other contexts fill, so that assistance never imports them.

At approval the funds context commits money for the item: it registers a callback with
`on_approval`. Callbacks run inside the approval's transaction, in the order registered; one
that raises a `bangfu.core.errors.DomainError` (e.g. Conflict("预算不足")) refuses the approval
and nothing of it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ApprovalHook = Callable[..., None]
_approval_hooks: list[ApprovalHook] = []


def on_approval(hook: ApprovalHook) -> ApprovalHook:
    """Register `hook(*, application, actor)` to run inside every approval (a decorator)."""
    if hook not in _approval_hooks:
        _approval_hooks.append(hook)
    return hook


def remove_approval_hook(hook: ApprovalHook) -> None:
    if hook in _approval_hooks:
        _approval_hooks.remove(hook)


def run_approval_hooks(*, application: Any, actor: Any) -> None:
    """Call every registered approval hook; an exception propagates and refuses the approval."""
    for hook in list(_approval_hooks):
        hook(application=application, actor=actor)
