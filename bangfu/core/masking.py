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
