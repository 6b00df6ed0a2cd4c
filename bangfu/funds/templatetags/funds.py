from decimal import Decimal

from django import template

from bangfu.core.money import format_money

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    """An amount with thousands separators and two places ("1,234.50"); empty for None."""
    if value is None or value == "":
        return ""
    return format_money(Decimal(value))
