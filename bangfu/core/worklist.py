"""What is due, gathered from every context.

A context registers a provider: a function that takes the user and returns `DueItem`s within
the user's scope. The worklist shows them ordered by due date. Later contexts (archives,
assistance, petitions) register theirs; until then the list is honestly empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class DueItem:
    title: str
    url: str
    due: date
    rule: str  # the rule that produced the due date, e.g. "入户调查:申请后 5 个工作日"
    context: str
    # Counted across a year whose official holidays are not known yet (`workdays.Deadline`).
    provisional: bool = False
    # Not the user's to do: a matter of the user's units waiting on someone else (a station's
    # archive waiting for the centre's home visit). Shown apart, "等待他人办理"; `rule` then
    # says who must act, and `due` is that person's deadline or the day the step began.
    waiting: bool = False

    @property
    def days_left(self) -> int:
        return (self.due - timezone.localdate()).days

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return 0 <= self.days_left <= 3


Provider = Callable[[Any], Iterable[DueItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    _providers.append(provider)
    return provider


def due_items(user: Any) -> list[DueItem]:
    items: list[DueItem] = []
    for provider in _providers:
        items.extend(provider(user))
    return sorted(items, key=lambda item: (item.due, item.title))
