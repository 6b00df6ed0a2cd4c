"""Chinese resident ID numbers (GB 11643-1999) and bank card numbers: normalise, check, derive.

An 18-character ID is a 6-digit area code, an 8-digit birth date, a 3-digit sequence (odd for men,
even for women) and an ISO 7064 MOD 11-2 check character (a digit or X). Legacy 15-digit numbers
have a 2-digit year (always 19xx) and no check character; they are converted to 18 characters.

Every refusal is a `bangfu.core.errors.ValidationError` with a Chinese message that says what is
wrong, attached to the caller's field name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.cn import ric

from bangfu.core.errors import ValidationError
from bangfu.core.masking import mask_id_number

# Province-level codes of GB/T 2260 (the first two digits of the area code), plus Taiwan, Hong
# Kong and Macao, whose residents' mainland ID numbers use 71, 81 and 82.
PROVINCE_CODES = frozenset(
    [
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    ]
)
# The oldest birth year accepted. Real numbers of people born in the 1880s exist (the national
# standard's own example is 440524188001010014), so the bound is well before that.
EARLIEST_BIRTH_YEAR = 1850

MALE = "M"
FEMALE = "F"

# Full-width ASCII (U+FF01..U+FF5E) maps to ASCII; Excel and Chinese input methods produce it.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Whitespace of every kind (\s covers U+3000 and NBSP), zero-width characters and a byte-order
# mark pasted from other programs, and apostrophes typed in Excel to keep a number as text.
_NOISE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff'‘’`]+")
_NOT_DIGIT = re.compile(r"[^0-9]")  # \d would also match other scripts' digits


def _to_half_width(raw: str) -> str:
    return _NOISE.sub("", str(raw).translate(_FULL_WIDTH))


def normalize_id_input(raw: str) -> str:
    """Return `raw` with full-width characters made half-width, all whitespace and stray
    apostrophes removed, and a lower-case x made upper-case. Nothing else is checked."""
    return _to_half_width(raw).replace("x", "X")


def check_character(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    # stdnum expects the whole number and ignores its last character.
    return ric.calc_check_digit(first17 + "0")


def convert_15_to_18(value15: str) -> str:
    """Return the 18-character form of a legacy 15-digit ID number: "19" is inserted before the
    2-digit year and the check character appended.

    Raise ValidationError when the input is not 15 digits.
    """
    value = normalize_id_input(value15)
    if len(value) != 15 or _NOT_DIGIT.search(value):
        raise ValidationError(_("旧式身份证号应为 15 位数字。"), field="id_number")
    first17 = value[:6] + "19" + value[6:]
    return first17 + check_character(first17)


@dataclass(frozen=True, repr=False)
class IdNumber:
    """A checked 18-character ID number and what it says about its holder.

    `repr()` and `str()` show the masked form, so that the full number does not end up in logs
    or error reports by accident; use `.value` where the full number is meant.
    """

    value: str
    area_code: str
    birth_date: date
    sex: str

    @property
    def masked(self) -> str:
        """Return the number with the birth date and sequence hidden: 430302********1234."""
        return mask_id_number(self.value)

    @property
    def last4(self) -> str:
        return self.value[-4:]

    @property
    def sex_label(self) -> str:
        return _("男") if self.sex == MALE else _("女")

    def __repr__(self) -> str:
        return f"IdNumber({self.masked!r})"


def parse_id_number(raw: str, *, field: str = "id_number", today: date | None = None) -> IdNumber:
    """Return the checked ID number in `raw`, converting a legacy 15-digit number to 18.

    Raise ValidationError (on `field`) naming the first problem found: empty, wrong length,
    a character that is not a digit, an implausible area code, an impossible or future birth
    date, or a wrong check character.
    """
    value = normalize_id_input(raw)
    if not value:
        raise ValidationError(_("请填写身份证号。"), field=field)
    if len(value) not in (15, 18):
        raise ValidationError(
            _("身份证号应为 18 位(或旧式 15 位),实为 %(count)d 位。") % {"count": len(value)},
            field=field,
        )
    for position, char in enumerate(value, start=1):
        if char not in "0123456789" and not (position == 18 and char == "X"):
            raise ValidationError(
                _("身份证号只能由数字组成,末位可以是 X;第 %(position)d 位是“%(char)s”。")
                % {"position": position, "char": char},
                field=field,
            )
    if int(value[:2]) not in PROVINCE_CODES:
        raise ValidationError(
            _("身份证号前两位 %(code)s 不是有效的省级行政区划代码。") % {"code": value[:2]},
            field=field,
        )
    if len(value) == 15:
        value = convert_15_to_18(value)

    birth_digits = value[6:14]
    try:
        birth_date = date(int(birth_digits[:4]), int(birth_digits[4:6]), int(birth_digits[6:]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期 %(digits)s 不存在。") % {"digits": birth_digits}, field=field
        ) from None
    today = today or timezone.localdate()
    if birth_date > today:
        raise ValidationError(
            _("身份证号中的出生日期 %(date)s 晚于今天。") % {"date": birth_date.isoformat()},
            field=field,
        )
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            _("身份证号中的出生日期 %(date)s 早于 %(year)d 年,不可能。")
            % {"date": birth_date.isoformat(), "year": EARLIEST_BIRTH_YEAR},
            field=field,
        )

    # The message does not name the expected character: a clerk told "should be 3" would
    # change the last digit, hiding a typo elsewhere in the number.
    if value[17] != check_character(value[:17]):
        raise ValidationError(_("身份证号校验位错误,请对照身份证逐位核对。"), field=field)
    return IdNumber(
        value=value,
        area_code=value[:6],
        birth_date=birth_date,
        sex=MALE if int(value[16]) % 2 == 1 else FEMALE,
    )


_SEX_ALIASES = {MALE: MALE, FEMALE: FEMALE, "男": MALE, "女": FEMALE}


def check_consistency(
    id_number: IdNumber,
    *,
    sex: str | None,
    birth_date: date | None,
    sex_field: str = "sex",
    birth_date_field: str = "birth_date",
) -> dict[str, str]:
    """Return {field: message} for a separately entered sex or birth date that contradicts the
    ID number; an empty dict when both agree or were not given. Sex is "M"/"F" (or 男/女)."""
    errors: dict[str, str] = {}
    if sex and _SEX_ALIASES.get(str(sex).strip().upper(), sex) != id_number.sex:
        errors[sex_field] = _("性别与身份证号不符,身份证号显示为%(sex)s。") % {
            "sex": id_number.sex_label
        }
    if birth_date is not None:
        entered = birth_date.date() if isinstance(birth_date, datetime) else birth_date
        if entered != id_number.birth_date:
            errors[birth_date_field] = _("出生日期与身份证号不符,身份证号显示为 %(date)s。") % {
                "date": id_number.birth_date.isoformat()
            }
    return errors


BANK_CARD_MIN_DIGITS = 12
BANK_CARD_MAX_DIGITS = 19


def validate_bank_card(raw: str, *, field: str = "bank_card") -> str:
    """Return the digits of a bank card number typed with spaces, hyphens or full-width digits.

    Raise ValidationError (on `field`) when it is empty, contains other characters, has not
    12 to 19 digits, or fails the Luhn check.
    """
    value = _to_half_width(raw).replace("-", "")
    if not value:
        raise ValidationError(_("请填写银行卡号。"), field=field)
    bad = _NOT_DIGIT.search(value)
    if bad is not None:
        raise ValidationError(
            _("银行卡号只能由数字组成;第 %(position)d 位是“%(char)s”。")
            % {"position": bad.start() + 1, "char": bad.group()},
            field=field,
        )
    if not BANK_CARD_MIN_DIGITS <= len(value) <= BANK_CARD_MAX_DIGITS:
        raise ValidationError(
            _("银行卡号应为 %(min)d–%(max)d 位数字,实为 %(count)d 位。")
            % {"min": BANK_CARD_MIN_DIGITS, "max": BANK_CARD_MAX_DIGITS, "count": len(value)},
            field=field,
        )
    if not luhn.is_valid(value):
        raise ValidationError(_("银行卡号校验失败,请核对。"), field=field)
    return value
