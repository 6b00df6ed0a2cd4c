"""Template filters of assistance."""

from __future__ import annotations

from decimal import Decimal

from django import template

from bangfu.core.money import format_money

register = template.Library()


@register.filter
def yuan(value: Decimal | int | None) -> str:
    """1234.5 → "1,234.50" (blank for None)."""
    return "" if value is None else format_money(value)
