"""Fixtures shared by the archives' tests."""

from __future__ import annotations

from typing import Any

import pytest

from bangfu.archives.services import importing


@pytest.fixture
def conversions(monkeypatch) -> list[int]:
    """The rows converted in this process."""
    converted: list[int] = []
    convert_row = importing._convert_row

    def counted(row: Any, *args: Any, **kwargs: Any) -> Any:
        converted.append(row.number)
        return convert_row(row, *args, **kwargs)

    monkeypatch.setattr(importing, "_convert_row", counted)
    return converted
