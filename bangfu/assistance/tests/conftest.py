"""Assistance's tests approve applications, and approving commits money in the funds context
(`bangfu.funds.links`): every test that builds the network gets each centre's book of this year
with money in it (an allocation of 1,000,000 元, no programme budget), so that an approval
is refused only where a test means it to be."""

from __future__ import annotations

import pytest

from bangfu.funds.tests.factories import funded_books


@pytest.fixture(autouse=True)
def _funded_books(request: pytest.FixtureRequest) -> None:
    if "network" in request.fixturenames:
        funded_books(request.getfixturevalue("network"))
