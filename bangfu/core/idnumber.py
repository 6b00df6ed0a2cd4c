"""Chinese resident ID numbers (GB 11643-1999) and bank card numbers: normalise, check, derive.

An 18-character ID is a 6-digit area code, an 8-digit birth date, a 3-digit sequence (odd for men,
even for women) and an ISO 7064 MOD 11-2 check character (a digit or X). Legacy 15-digit numbers
have a 2-digit year (always 19xx) and no check character; they are converted to 18 characters.

Every refusal is a `bangfu.core.errors.ValidationError` with a Chinese message that says what is
wrong, attached to the caller's field name.

The six-digit area code is checked against the national table of administrative division codes
(GB/T 2260) *including the codes that no longer exist*, as shipped with python-stdnum
(`stdnum/cn/loc.dat`, each county with the years it existed). An ID keeps the code of the place
that issued it for life, so a county merged away in 1983 still appears on valid cards: an
unknown code is a **warning** (`area_code_warning`) shown to whoever enters the number, never a
refusal; only the two province digits are refused when impossible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn, numdb
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
# Digits only, X last of 18: the characters of most numbers checked at once, not one by one.
_WELL_FORMED = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")


def _to_half_width(raw: str) -> str:
    if raw.__class__ is str and raw.isascii() and raw.isalnum():
        return raw  # nothing full-width, no space, no apostrophe: most numbers (200,000 an import)
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

    @property
    def area_known(self) -> bool:
        """Whether the area code is in the national table (current or historical codes)."""
        return area_code_known(self.area_code)

    def __repr__(self) -> str:
        return f"IdNumber({self.masked!r})"


def parse_id_number(raw: str, *, field: str = "id_number", today: date | None = None) -> IdNumber:
    """Return the checked ID number in `raw`, converting a legacy 15-digit number to 18.

    Raise ValidationError (on `field`) naming the first problem found: empty, wrong length,
    a character that is not a digit, an implausible area code, an impossible or future birth
    date, or a wrong check character.
    """
    if raw.__class__ is str and len(raw) == 18 and raw.isascii() and raw.isalnum():
        value = raw.replace("x", "X")  # most numbers: nothing to clean (200,000 an import)
    else:
        value = normalize_id_input(raw)
    if not value:
        raise ValidationError(_("请填写身份证号。"), field=field)
    if len(value) not in (15, 18):
        raise ValidationError(
            _("身份证号应为 18 位(或旧式 15 位),实为 %(count)d 位。") % {"count": len(value)},
            field=field,
        )
    if not _WELL_FORMED.fullmatch(value):  # name the first character that is not allowed
        for position, char in enumerate(value, start=1):
            if char not in "0123456789" and not (position == 18 and char == "X"):
                raise ValidationError(
                    _("身份证号只能由数字组成,末位可以是 X;第 %(position)d 位是“%(char)s”。")
                    % {"position": position, "char": char},
                    field=field,
                )
    if value[:2] not in _PROVINCE_PREFIXES:
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
    if value[17] != _CHECK_CHARACTERS[(1 - 2 * int(value[:17], 13)) % 11]:  # `check_character`
        raise ValidationError(_("身份证号校验位错误,请对照身份证逐位核对。"), field=field)
    # Made without the frozen dataclass's `__init__` (a field at a time through
    # `object.__setattr__`: a third of a parse); the same fields, still frozen.
    number = _new_id_number(IdNumber)
    number.__dict__.update(
        value=value,
        area_code=value[:6],
        birth_date=birth_date,
        sex=MALE if value[16] in "13579" else FEMALE,
    )
    return number


_new_id_number = object.__new__
_PROVINCE_PREFIXES = frozenset(str(code) for code in PROVINCE_CODES)
# ISO 7064 MOD 11-2 (stdnum's `ric.calc_check_digit`): the check character of a checksum.
_CHECK_CHARACTERS = "0123456789X"


@cache
def _area_db() -> numdb.NumDB:
    return numdb.get("cn/loc")


def _area_part(code: str) -> tuple[str, str]:
    """Return (province, county) names of a six-digit code in the table ("" when absent); a
    historical county's name keeps its years, e.g. "[-2010]崇文区"."""
    found = {k: v for _part, props in _area_db().info(code) for k, v in props.items()}
    return found.get("province", ""), found.get("county", "")


@cache
def area_code_known(code: str) -> bool:
    """Return whether the six-digit `code` is in the national table, current or historical."""
    if len(code) != 6 or _NOT_DIGIT.search(code):
        return False
    return bool(_area_part(code)[1])


def _plain_name(name: str) -> str:
    # "[1983-1997]某县,[1997-]某市" → the latest name, without its years.
    latest = name.split(",")[-1]
    return latest.split("]", 1)[1] if latest.startswith("[") else latest


@cache
def area_name(code: str) -> str:
    """Return the place of a six-digit area code in words ("湖南省湘潭市雨湖区"), by its latest
    name for a code used by several counties over time, or "" for an unknown code."""
    if not area_code_known(code):
        return ""
    province, county = _area_part(code)
    prefecture = ""
    if code[4:] != "00" and code[2:4] != "00":
        prefecture = _area_part(code[:4] + "00")[1]
    parts = [province, _plain_name(prefecture) if prefecture else "", _plain_name(county)]
    shown = (part for part in parts if part and part != "市辖区" and "直辖" not in part)
    return "".join(dict.fromkeys(shown))


def area_code_warning(id_number: IdNumber) -> str | None:
    """Return a warning naming the masked ID when its area code is in no edition of the national
    table (a typo in the first six digits is likely), or None. Never a refusal: see above."""
    if id_number.area_known:
        return None
    return _(
        "身份证号 %(masked)s 的前 6 位地区码 %(code)s 不在国家行政区划代码表中(已含撤销的旧代码),"
        "请对照身份证核对;如证件上就是这个号码,可以照常使用。"
    ) % {"masked": id_number.masked, "code": id_number.area_code}


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
