"""Sections of a record's page, contributed by whichever context has something to show there.

A page is named by a key (``"archives.household"`` for the archive page). A context registers a
provider for it: a function that takes the request and the record (already fetched within the
user's scope) and returns a `Panel`, or None to show nothing. The page renders the panels in
`order`. The archive page is thus one page while each area, and later other contexts (the aid a
household received, its petitions), owns its own section.

Providers live in each context's ``panels`` module or package; `bangfu.core.discovery` imports
them when the apps are ready.
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
_providers: dict[str, list[PanelProvider]] = {}


def register(page: str) -> Callable[[PanelProvider], PanelProvider]:
    """Register a panel provider for `page` (use as a decorator)."""

    def decorator(provider: PanelProvider) -> PanelProvider:
        providers = _providers.setdefault(page, [])
        if provider not in providers:
            providers.append(provider)
        return provider

    return decorator


def panels_for(page: str, request: HttpRequest, obj: Any) -> list[Panel]:
    """Return the panels of `page` for `obj` that have something to show, in order."""
    result = [p for provider in _providers.get(page, []) if (p := provider(request, obj))]
    return sorted(result, key=lambda p: (p.order, p.key))
