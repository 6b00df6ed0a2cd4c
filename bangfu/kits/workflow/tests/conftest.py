from __future__ import annotations

from collections.abc import Iterator

import pytest

from bangfu.kits.workflow import declaration

from .procedures import AMOUNTS, NO_VISIT, TEST_PROCEDURE


@pytest.fixture
def aid() -> Iterator[declaration.Procedure]:
    """The test procedure, registered for the test (so the worklist provider sees it)."""
    declaration.register(TEST_PROCEDURE)
    yield TEST_PROCEDURE
    declaration.unregister(TEST_PROCEDURE.key)
    AMOUNTS.clear()
    NO_VISIT.clear()
