"""Money: reading amounts as people write them, refusing floats and garbage, formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bangfu.core.errors import ValidationError
from bangfu.core.money import CENT, MoneyField, format_money, to_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.5"), Decimal("1234.50")),
        (1234, Decimal("1234.00")),
        ("1234.5", Decimal("1234.50")),
        ("1,234.5", Decimal("1234.50")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("¥1234.50", Decimal("1234.50")),
        ("￥1,234.50", Decimal("1234.50")),
        ("¥ 1 234.50", Decimal("1234.50")),
        ("1234.50元", Decimal("1234.50")),
        ("人民币100元整", Decimal("100.00")),
        ("RMB 88", Decimal("88.00")),
        ("１２３４．５", Decimal("1234.50")),  # full-width digits and point
        ("１，２３４．５元", Decimal("1234.50")),  # full-width comma
        ("  650  ", Decimal("650.00")),
        (".5", Decimal("0.50")),
        ("-12.3", Decimal("-12.30")),
        ("-¥12.30", Decimal("-12.30")),
        ("0", Decimal("0.00")),
    ],
)
def test_to_money_reads_amounts_as_people_write_them(value, expected):
    result = to_money(value)

    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", Decimal("0.01")),
        ("0.004", Decimal("0.00")),
        ("2.675", Decimal("2.68")),
        ("2.665", Decimal("2.67")),  # banker's rounding would give 2.66
        ("-2.665", Decimal("-2.67")),  # half away from zero
        (Decimal("612.495"), Decimal("612.50")),
        ("-0.004", Decimal("0.00")),  # no negative zero
    ],
)
def test_to_money_rounds_half_up_to_cents(value, expected):
    result = to_money(value)

    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize("value", [1234.5, 0.1, True, False])
def test_to_money_refuses_floats_and_bools_with_type_error(value):
    with pytest.raises(TypeError):
        to_money(value)


@pytest.mark.parametrize(
    "value", ["abc", "12,34", "1,2345.00", "1.2.3", "1e5", "12元5角", "¥", "--5", "5-", "NaN"]
)
def test_to_money_refuses_garbage_in_chinese_naming_the_field(value):
    with pytest.raises(ValidationError) as caught:
        to_money(value, field="income", label="月收入")

    assert caught.value.errors == {"income": f"月收入格式不正确:“{value}”,请填写数字,如 1234.50。"}


@pytest.mark.parametrize("value", ["", "   ", None])
def test_to_money_asks_for_a_missing_amount(value):
    with pytest.raises(ValidationError) as caught:
        to_money(value, field="amount")

    assert caught.value.errors == {"amount": "请填写金额。"}


def test_to_money_refuses_infinite_decimals():
    with pytest.raises(ValidationError) as caught:
        to_money(Decimal("Infinity"))

    assert caught.value.field == "amount"


@pytest.mark.parametrize("value", ["1000000000000", "999999999999.995", "1" + "0" * 40])
def test_to_money_refuses_amounts_a_money_field_cannot_hold(value):
    with pytest.raises(ValidationError) as caught:
        to_money(value, field="total", label="合计")

    assert caught.value.errors == {"total": "合计超出范围:不能超过 999,999,999,999.99。"}


def test_the_largest_amount_a_money_field_holds_is_accepted():
    assert to_money("999,999,999,999.99") == Decimal("999999999999.99")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-0.001"), "0.00"),
        (Decimal("-1234567.891"), "-1,234,567.89"),
        (Decimal("2.665"), "2.67"),
        (1234567, "1,234,567.00"),
        (Decimal("999"), "999.00"),
    ],
)
def test_format_money_writes_two_places_with_thousands_separators(value, expected):
    assert format_money(value) == expected


def test_format_money_refuses_floats():
    with pytest.raises(TypeError):
        format_money(1.5)  # type: ignore[arg-type]


def test_cent_is_one_hundredth():
    assert Decimal("0.01") == CENT


def test_money_field_defaults_to_14_digits_with_2_places_and_keeps_migrations_short():
    field = MoneyField("金额")

    assert (field.max_digits, field.decimal_places) == (14, 2)
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "bangfu.core.money.MoneyField"
    assert "max_digits" not in kwargs and "decimal_places" not in kwargs


def test_money_field_keeps_explicit_sizes():
    field = MoneyField(max_digits=10, decimal_places=2)

    _name, _path, _args, kwargs = field.deconstruct()
    assert kwargs["max_digits"] == 10
    assert "decimal_places" not in kwargs
