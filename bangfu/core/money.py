"""Money: `Decimal` with two places, never float.

`to_money` reads amounts as people and spreadsheets write them ("1,234.5", "¥1234.50",
"1234.50元", full-width digits) and refuses anything else with a Chinese message naming the
field; `format_money` writes them back with thousands separators; `MoneyField` stores them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .errors import ValidationError

CENT = Decimal("0.01")
MAX_DIGITS = 14
DECIMAL_PLACES = 2
# What MoneyField can hold: 12 digits before the point.
MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES) - CENT

_PREFIXES = ("人民币", "RMB", "CNY", "¥")
_SUFFIXES = ("元整", "元")
# Digits with optional thousands separators in groups of three, an optional fraction.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")


def _invalid(field: str, label: str, value: Any) -> ValidationError:
    return ValidationError(
        _("%(label)s格式不正确:“%(value)s”,请填写数字,如 1234.50。")
        % {"label": label, "value": str(value)[:40]},
        field=field,
    )


def _parse_text(text: str, field: str, label: str) -> Decimal:
    # NFKC turns full-width digits, signs, commas, points and ￥ into their ASCII forms.
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if not cleaned:
        raise ValidationError(_("请填写%(label)s。") % {"label": label}, field=field)
    sign = ""
    if cleaned[0] in "+-":
        sign, cleaned = cleaned[0], cleaned[1:]
    for prefix in _PREFIXES:
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if cleaned.endswith(suffix):
            cleaned = cleaned[: -len(suffix)]
            break
    cleaned = sign + cleaned
    if not _NUMBER.fullmatch(cleaned):
        raise _invalid(field, label, text)
    return Decimal(cleaned.replace(",", ""))


def to_money(value: Any, *, field: str = "amount", label: str | None = None) -> Decimal:
    """Return `value` as a Decimal rounded half-up to two places.

    Accept Decimal, int and text such as "1,234.5", "¥1234.50", "1234.50元", "-12.3" or
    full-width "１２３４．５". Raise TypeError for a float (money never comes as float: it
    has already lost cents) or a bool, and ValidationError in Chinese, on `field`, for
    anything else: empty, not a number, not finite, or more than MoneyField can hold.
    `label` is the field's name shown to the user (default 金额).
    """
    label = label or _("金额")
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal, an int or the text.")
    if isinstance(value, bool):
        raise TypeError("Money must not be a bool.")
    if value is None:
        raise ValidationError(_("请填写%(label)s。") % {"label": label}, field=field)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        amount = _parse_text(value, field, label)
    else:
        raise TypeError(f"Cannot read money from {type(value).__name__}.")
    if not amount.is_finite():
        raise _invalid(field, label, value)
    # Compare before rounding too: quantize refuses numbers longer than Decimal's precision.
    if abs(amount) > MAX_AMOUNT or abs(amount.quantize(CENT, ROUND_HALF_UP)) > MAX_AMOUNT:
        raise ValidationError(
            _("%(label)s超出范围:不能超过 %(max)s。")
            % {"label": label, "max": format_money(MAX_AMOUNT)},
            field=field,
        )
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount == 0:
        amount = abs(amount)  # no "-0.00"
    return amount


def format_money(d: Decimal | int) -> str:
    """Return the amount with thousands separators and two places: "1,234.50", "-0.50"."""
    if isinstance(d, float | bool):
        raise TypeError("Money must be a Decimal or an int.")
    amount = Decimal(d).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount == 0:
        amount = abs(amount)
    return f"{amount:,.2f}"


class MoneyField(models.DecimalField):
    """A DecimalField for yuan: 14 digits, 2 after the point, unless told otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        # Keep migrations short; the defaults come back from __init__.
        if kwargs.get("max_digits") == MAX_DIGITS:
            del kwargs["max_digits"]
        if kwargs.get("decimal_places") == DECIMAL_PLACES:
            del kwargs["decimal_places"]
        return name, path, args, kwargs
