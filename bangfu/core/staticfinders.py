"""Static file finders that leave out third-party files Bangfu does not serve."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.staticfiles.finders import AppDirectoriesFinder

# The API docs use Swagger UI; the sidecar's Redoc bundle is not used and carries references
# to outside hosts, so it is neither collected nor served.
EXCLUDED_PREFIXES = ("drf_spectacular_sidecar/redoc/",)


class BangfuAppDirectoriesFinder(AppDirectoriesFinder):
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path.startswith(EXCLUDED_PREFIXES):
            return [] if find_all else None
        if find_all:
            return super().find(path, find_all=True)
        return super().find(path)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, Any]]:
        for path, storage in super().list(ignore_patterns):
            if not path.startswith(EXCLUDED_PREFIXES):
                yield path, storage
