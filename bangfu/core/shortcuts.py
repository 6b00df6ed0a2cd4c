"""Page-view helpers shared by every context."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.http import Http404

from .errors import NotFound

T = TypeVar("T")


def found(fetch: Callable[[], T]) -> T:
    """Return what `fetch` returns; turn the selectors' NotFound (missing or outside the
    user's scope, which look the same) into the page's 404."""
    try:
        return fetch()
    except NotFound:
        raise Http404 from None
