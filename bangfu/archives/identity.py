"""How the archives context stores and finds ID numbers, phones and bank cards."""

from __future__ import annotations

import re

from bangfu.core.crypto import blind_index

# The purpose string separates these indexes from any other blind index under the same key.
ID_INDEX_PURPOSE = "archives.person-id"
MOBILE_INDEX_PURPOSE = "archives.mobile"


def id_index(canonical_id: str) -> str:
    """Return the blind index of a canonical 18-character ID (see `core.idnumber`)."""
    return blind_index(canonical_id, purpose=ID_INDEX_PURPOSE)


def mobile_index(mobile: str) -> str:
    """Return the blind index of a phone number's digits ("" without digits), so that a whole
    number a caller gives finds the archive by one indexed look-up."""
    digits = re.sub(r"\D", "", mobile or "")
    return blind_index(digits, purpose=MOBILE_INDEX_PURPOSE) if digits else ""


def digits_tail(value: str, n: int = 4) -> str:
    """Return the last `n` digits of a phone or card number ("" when it has fewer)."""
    digits = re.sub(r"\D", "", value or "")
    return digits[-n:] if len(digits) >= n else ""
