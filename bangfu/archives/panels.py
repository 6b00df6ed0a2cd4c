"""Sections of the archive detail page, contributed by each area of the archives context.

An area registers a function that takes the request and the archive (already fetched within the
user's scope) and returns a `Panel` (or None to show nothing). The detail view renders the
panels in `order`. This keeps the detail page one page while each area owns its own section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass
class Panel:
    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelProvider = Callable[[HttpRequest, Any], Panel | None]
_providers: list[PanelProvider] = []


def register(provider: PanelProvider) -> PanelProvider:
    """Register a panel provider (use as a decorator in the area's `panels_<area>.py`, imported
    from `ArchivesConfig.ready`)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(request: HttpRequest, household: Any) -> list[Panel]:
    result = [p for provider in _providers if (p := provider(request, household)) is not None]
    return sorted(result, key=lambda p: (p.order, p.key))
