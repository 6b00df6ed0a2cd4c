"""How the archives context stores and finds ID numbers, phones and bank cards."""

from __future__ import annotations

import re

from bangfu.core.crypto import blind_index

# The purpose string separates these indexes from any other blind index under the same key.
ID_INDEX_PURPOSE = "archives.person-id"


def id_index(canonical_id: str) -> str:
    """Return the blind index of a canonical 18-character ID (see `core.idnumber`)."""
    return blind_index(canonical_id, purpose=ID_INDEX_PURPOSE)


def digits_tail(value: str, n: int = 4) -> str:
    """Return the last `n` digits of a phone or card number ("" when it has fewer)."""
    digits = re.sub(r"\D", "", value or "")
    return digits[-n:] if len(digits) >= n else ""
