"""The query code a petitioner follows progress with: 16 characters from an alphabet without
look-alikes (0/O, 1/I), 80 bits, grouped in fours for reading aloud (K7QF-M2XD-9HTP-R4WA). Kept
encrypted on the petition (to print it again) and found through a blind index."""

from __future__ import annotations

import secrets

from bangfu.core.crypto import blind_index

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_query_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """Return the code as stored in the index: capitals in groups of four; "" when it cannot be
    one (a code typed in small letters, with spaces or without its dashes still matches)."""
    raw = "".join(ch for ch in str(text or "").upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH:
        return ""
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_index(code: str) -> str:
    return blind_index(normalise_code(code), purpose="petition_query_code")
