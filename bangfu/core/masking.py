"""Mask personal data for display and for the audit trail."""

from __future__ import annotations

import re

MASK = "*"


def mask_id_number(value: str | None) -> str:
    """Keep the first 6 and last 4 characters: 430302********1234."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and last 4 digits of a mobile number: 138****5678."""
    if not value:
        return ""
    value = str(value)
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11:
        return digits[:3] + MASK * 4 + digits[-4:]
    if len(value) <= 4:
        return MASK * len(value)
    return MASK * (len(value) - 4) + value[-4:]


def mask_bank_card(value: str | None) -> str:
    """Keep the last 4 digits of a bank card number."""
    if not value:
        return ""
    value = re.sub(r"\s", "", str(value))
    if len(value) <= 4:
        return MASK * len(value)
    return MASK * (len(value) - 4) + value[-4:]


def mask_text(value: str | None) -> str:
    """Hide a free-text sensitive value entirely, keeping only that it was set."""
    return "" if not value else "***"


# A mobile (11 digits), an ID (15 or 18, the last may be X), a bank card (12–19 digits, also
# written in groups of four); digits may be full-width (a pasted cell).
_LONG_NUMBER = re.compile(
    r"(?<!\d)(?:\d{17}[Xx]|\d{11,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?)(?!\d)"
)


def _mask_number(match: re.Match[str]) -> str:
    number = match.group(0)
    digits = re.sub(r"[ -]", "", number)
    if len(digits) == 11:
        return mask_phone(digits)
    if len(digits) >= 15:
        return mask_id_number(digits)
    return mask_bank_card(digits)


def mask_numbers_in_text(text: str | None) -> str:
    """Mask every number in free text that could be an ID, a mobile or a bank card.

    For text that quotes what a person typed (a file name, a message about a spreadsheet cell):
    `身份证430302197506150011.png` → `身份证430302********0011.png`. Shorter numbers (amounts,
    dates, row numbers) stay as they are.
    """
    if not text:
        return ""
    return _LONG_NUMBER.sub(_mask_number, str(text))
