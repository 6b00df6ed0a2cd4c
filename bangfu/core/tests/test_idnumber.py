"""ID numbers (GB 11643-1999) and bank card numbers: normalising, checking, deriving."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.core import idnumber
from bangfu.core.errors import ValidationError
from bangfu.core.idnumber import (
    PROVINCE_CODES,
    IdNumber,
    check_consistency,
    convert_15_to_18,
    normalize_id_input,
    parse_id_number,
    validate_bank_card,
)

TODAY = date(2025, 6, 15)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def reference_check(first17: str) -> str:
    """The check character computed straight from the standard, independent of the module."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def refusal(raw: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(raw, today=TODAY, **kwargs)
    return caught.value


# --- Accepted numbers --------------------------------------------------------------------------


def test_the_standards_examples_pass_and_say_who_they_belong_to():
    # when
    woman = parse_id_number("11010519491231002X", today=TODAY)
    man = parse_id_number("440524188001010014", today=TODAY)

    # then
    assert woman == IdNumber(
        value="11010519491231002X", area_code="110105", birth_date=date(1949, 12, 31), sex="F"
    )
    assert man == IdNumber(
        value="440524188001010014", area_code="440524", birth_date=date(1880, 1, 1), sex="M"
    )
    assert (woman.sex_label, man.sex_label) == ("女", "男")


def test_masked_and_last4_keep_the_first_six_and_last_four():
    # given
    number = parse_id_number("11010519491231002X", today=TODAY)

    # then
    assert number.masked == "110105********002X"
    assert number.last4 == "002X"
    assert repr(number) == "IdNumber('110105********002X')"
    assert "19491231" not in str(number)


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231 002X ",
        "110105\u300019491231\u00a0002X\t",
        "'11010519491231002X",
        "‘11010519491231002X",
        "\ufeff110105\u200b19491231002X",
    ],
)
def test_typing_habits_are_normalised(raw):
    # when
    number = parse_id_number(raw, today=TODAY)

    # then
    assert number.value == "11010519491231002X"


def test_normalize_id_input_changes_only_width_spacing_apostrophes_and_x():
    assert normalize_id_input(" '４３０３０２ｘ\u3000-ab ") == "430302X-ab"


def test_a_15_digit_number_is_converted_with_the_computed_check_character():
    # when
    converted = convert_15_to_18("130503670401001")

    # then
    assert converted == "130503196704010016"
    assert converted[-1] == reference_check("13050319670401001")


def test_parse_accepts_a_15_digit_number_and_returns_the_18_character_form():
    # when
    number = parse_id_number("130503670401001", today=TODAY)

    # then
    assert number.value == "130503196704010016"
    assert (number.birth_date, number.sex) == (date(1967, 4, 1), "M")


def test_convert_15_to_18_refuses_anything_but_15_digits():
    with pytest.raises(ValidationError) as caught:
        convert_15_to_18("13050367040100")
    assert caught.value.errors == {"id_number": "旧式身份证号应为 15 位数字。"}


def test_a_number_born_today_is_accepted():
    # given
    first17 = "430302" + TODAY.strftime("%Y%m%d") + "123"

    # when
    number = parse_id_number(first17 + reference_check(first17), today=TODAY)

    # then
    assert number.birth_date == TODAY


# --- Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写身份证号。"),
        ("  \u3000 ", "请填写身份证号。"),
        ("1101051949123100", "身份证号应为 18 位(或旧式 15 位),实为 16 位。"),
        ("11010519491231002X1", "身份证号应为 18 位(或旧式 15 位),实为 19 位。"),
        ("1101051949I231002X", "身份证号只能由数字组成,末位可以是 X;第 11 位是“I”。"),
        ("X1010519491231002X", "身份证号只能由数字组成,末位可以是 X;第 1 位是“X”。"),
        ("11010519491231002Y", "身份证号只能由数字组成,末位可以是 X;第 18 位是“Y”。"),
        ("13050367040100X", "身份证号只能由数字组成,末位可以是 X;第 15 位是“X”。"),
        ("1.10105194912E+170", "身份证号只能由数字组成,末位可以是 X;第 2 位是“.”。"),
        ("001105199001010011", "身份证号前两位 00 不是有效的省级行政区划代码。"),
        ("161105199001010011", "身份证号前两位 16 不是有效的省级行政区划代码。"),
        ("911105199001010011", "身份证号前两位 91 不是有效的省级行政区划代码。"),
        ("430302199002300011", "身份证号中的出生日期 19900230 不存在。"),
        ("430302199013010011", "身份证号中的出生日期 19901301 不存在。"),
        ("430302202506160011", "身份证号中的出生日期 2025-06-16 晚于今天。"),
        ("430302184912310011", "身份证号中的出生日期 1849-12-31 早于 1850 年,不可能。"),
        ("110105194912310023", "身份证号校验位错误,请对照身份证逐位核对。"),
        ("440524188001010015", "身份证号校验位错误,请对照身份证逐位核对。"),
    ],
)
def test_a_wrong_number_is_refused_with_a_message_naming_the_problem(raw, message):
    # when
    error = refusal(raw)

    # then
    assert error.message == message
    assert error.errors == {"id_number": message}


def test_the_refusal_is_attached_to_the_callers_field():
    # when
    error = refusal("123", field="members-0-id_number")

    # then
    assert error.errors == {"members-0-id_number": "身份证号应为 18 位(或旧式 15 位),实为 3 位。"}


def test_every_province_level_code_in_the_list_is_accepted():
    for code in sorted(PROVINCE_CODES):
        first17 = f"{code:02d}0102" + "19900101" + "001"
        assert parse_id_number(first17 + reference_check(first17), today=TODAY).area_code[:2] == (
            f"{code:02d}"
        )


# --- Property tests ----------------------------------------------------------------------------

valid_parts = st.tuples(
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(min_value=0, max_value=9999),
    st.dates(min_value=date(1850, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


def build(parts: tuple[int, int, date, int]) -> str:
    province, rest, born, sequence = parts
    first17 = f"{province:02d}{rest:04d}{born:%Y%m%d}{sequence:03d}"
    return first17 + reference_check(first17)


@given(valid_parts)
def test_any_valid_number_round_trips_with_its_birth_date_and_sex(parts):
    # given
    value = build(parts)

    # when
    number = parse_id_number(value.lower(), today=TODAY)

    # then
    assert number.value == value
    assert number.area_code == value[:6]
    assert number.birth_date == parts[2]
    assert number.sex == ("M" if parts[3] % 2 else "F")


@given(valid_parts)
def test_a_parsed_number_is_the_frozen_value_its_constructor_makes(parts):
    import dataclasses

    # given
    value = build(parts)

    # when
    number = parse_id_number(value, today=TODAY)

    # then: equal, hashed and shown like one built by `IdNumber(...)`, and frozen
    made = IdNumber(
        value=value,
        area_code=value[:6],
        birth_date=parts[2],
        sex="M" if parts[3] % 2 else "F",
    )
    assert number == made and hash(number) == hash(made) and repr(number) == repr(made)
    assert type(number) is IdNumber and vars(number) == vars(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        number.value = "x"  # type: ignore[misc]


@given(valid_parts, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_changing_any_one_character_is_refused(parts, position, shift):
    # given: a valid number with one character replaced by another allowed character
    value = build(parts)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = alphabet.index(value[position])
    changed = alphabet[(old + shift) % len(alphabet)]
    if changed == value[position]:
        changed = alphabet[(old + 1) % len(alphabet)]
    altered = value[:position] + changed + value[position + 1 :]

    # then: MOD 11-2 catches every single substitution, if an earlier check does not
    with pytest.raises(ValidationError):
        parse_id_number(altered, today=TODAY)


# --- Consistency with separately entered values -------------------------------------------------


def test_matching_sex_and_birth_date_give_no_errors():
    # given
    number = parse_id_number("11010519491231002X", today=TODAY)

    # then
    assert check_consistency(number, sex="F", birth_date=date(1949, 12, 31)) == {}
    assert check_consistency(number, sex="女", birth_date=datetime(1949, 12, 31, 8, 0)) == {}
    assert check_consistency(number, sex=None, birth_date=None) == {}
    assert check_consistency(number, sex="", birth_date=None) == {}


def test_contradicting_sex_and_birth_date_are_reported_per_field():
    # given
    number = parse_id_number("11010519491231002X", today=TODAY)

    # when
    errors = check_consistency(number, sex="M", birth_date=date(1949, 12, 30))

    # then
    assert errors == {
        "sex": "性别与身份证号不符,身份证号显示为女。",
        "birth_date": "出生日期与身份证号不符,身份证号显示为 1949-12-31。",
    }


def test_consistency_errors_can_be_attached_to_other_field_names():
    # given
    number = parse_id_number("440524188001010014", today=TODAY)

    # when
    errors = check_consistency(
        number,
        sex="F",
        birth_date=date(1880, 1, 1) + timedelta(days=1),
        sex_field="head_sex",
        birth_date_field="head_birth_date",
    )

    # then
    assert set(errors) == {"head_sex", "head_birth_date"}


# --- Bank cards --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "6222021234567890128",
        "6222 0212 3456 7890 128",
        "６２２２０２１２３４５６７８９０１２８",
        "6222-0212-3456-7890-128",
        "'6222021234567890128 ",
    ],
)
def test_a_bank_card_passing_luhn_is_returned_as_digits(raw):
    assert validate_bank_card(raw) == "6222021234567890128"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写银行卡号。"),
        ("6222021234567890129", "银行卡号校验失败,请核对。"),
        ("6222O21234567890128", "银行卡号只能由数字组成;第 5 位是“O”。"),
        ("42424242424", "银行卡号应为 12–19 位数字,实为 11 位。"),
        ("42424242424242424242", "银行卡号应为 12–19 位数字,实为 20 位。"),
    ],
)
def test_a_wrong_bank_card_is_refused_with_a_message(raw, message):
    with pytest.raises(ValidationError) as caught:
        validate_bank_card(raw, field="head_bank_card")
    assert caught.value.errors == {"head_bank_card": message}


def test_the_shortest_and_longest_luhn_valid_cards_pass():
    assert validate_bank_card("424242424242") == "424242424242"
    assert validate_bank_card("4242424242424242428") == "4242424242424242428"


# --- the area code against the national table (current and historical codes) ---


def _id(area: str, birth: str = "19750615", seq: str = "011") -> str:
    first17 = area + birth + seq
    return first17 + idnumber.check_character(first17)


def test_a_current_area_code_is_known_and_named():
    parsed = idnumber.parse_id_number(_id("430302"))

    assert parsed.area_known
    assert idnumber.area_code_warning(parsed) is None
    assert idnumber.area_name("430302") == "湖南省湘潭市雨湖区"


def test_a_code_that_no_longer_exists_is_still_known():
    # 崇文区 (110103) was merged into 东城区 in 2010; its residents keep their numbers.
    parsed = idnumber.parse_id_number(_id("110103"))

    assert parsed.area_known
    assert idnumber.area_code_warning(parsed) is None
    assert idnumber.area_name("110103") == "北京市崇文区"


def test_an_unknown_area_code_is_a_warning_not_a_refusal():
    # given: a number whose province is valid but whose county code never existed
    number = _id("110199")
    parsed = idnumber.parse_id_number(number)

    # then: it is accepted, and the warning quotes the masked number and the code
    assert parsed.value == number
    assert not parsed.area_known
    assert idnumber.area_code_warning(parsed) == (
        f"身份证号 110199********{number[-4:]} 的前 6 位地区码 110199 不在国家行政区划代码表中"
        "(已含撤销的旧代码),请对照身份证核对;如证件上就是这个号码,可以照常使用。"
    )


def test_a_legacy_number_is_checked_after_conversion():
    parsed = idnumber.parse_id_number("110103750615011")

    assert parsed.area_code == "110103"
    assert parsed.area_known
