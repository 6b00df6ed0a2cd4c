"""Whether a commitment's item may be paid now, asked of the context that owns the item.

Funds stands above the contexts whose items it pays, so it may ask them directly; the checks
are kept in one registry by subject type (`register`), filled where funds wires itself to
assistance. A checker returns None when the item is payable, else the reason in Chinese."""

from __future__ import annotations

from collections.abc import Callable

_checkers: dict[str, Callable[[int], str | None]] = {}


def register(subject_type: str, checker: Callable[[int], str | None]) -> None:
    _checkers[subject_type] = checker


def reason_not_payable(subject_type: str, subject_id: int) -> str | None:
    checker = _checkers.get(subject_type)
    if checker is None:
        return None
    return checker(subject_id)
