"""What funds asks of the context that owns an item it pays, kept by subject type.

Funds stands above the contexts whose items it pays, so it may ask them directly; the answers
are kept in registries filled where funds wires itself to them (`links.py`):

* `register(subject_type, checker)`: `checker(subject_id, actor)` returns None when the item may
  be paid now, else the reason in Chinese (still in notice, not approved, …);
* `register_paid(subject_type, callback)`: `callback(subject_id, paid_on, actor)` runs inside the
  payment's transaction once the item is paid (assistance schedules its follow-up, 回访).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

# The subject type of an assistance application's commitment (wired in `links.py`).
ASSISTANCE_APPLICATION = "assistance.application"

_checkers: dict[str, Callable[[int, Any], str | None]] = {}
_paid: dict[str, Callable[[int, datetime.date, Any], None]] = {}
_tracers: dict[str, Callable[[int], tuple[str, list[str]]]] = {}


def register(subject_type: str, checker: Callable[[int, Any], str | None]) -> None:
    _checkers[subject_type] = checker


def register_paid(subject_type: str, callback: Callable[[int, datetime.date, Any], None]) -> None:
    _paid[subject_type] = callback


def reason_not_payable(subject_type: str, subject_id: int, actor: Any = None) -> str | None:
    checker = _checkers.get(subject_type)
    if checker is None:
        return None
    return checker(subject_id, actor)


def paid(subject_type: str, subject_id: int, paid_on: datetime.date, actor: Any) -> None:
    callback = _paid.get(subject_type)
    if callback is not None:
        callback(subject_id, paid_on, actor)


def register_tracer(subject_type: str, tracer: Callable[[int], tuple[str, list[str]]]) -> None:
    """`tracer(subject_id)` returns the item's page address and its steps in words
    (application, notice, approvals), for the payment's trace page. It must write nothing."""
    _tracers[subject_type] = tracer


def subject_url(subject_type: str, subject_id: int) -> str:
    tracer = _tracers.get(subject_type)
    return tracer(subject_id)[0] if tracer is not None else ""


def subject_steps(subject_type: str, subject_id: int) -> list[str]:
    tracer = _tracers.get(subject_type)
    return tracer(subject_id)[1] if tracer is not None else []
