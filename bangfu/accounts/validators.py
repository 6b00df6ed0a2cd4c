from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> set[str]:
    classes = set()
    for char in password:
        if char.isdigit():
            classes.add("digit")
        elif char.isalpha() and char.isascii():
            classes.add("upper" if char.isupper() else "lower")
        elif not unicodedata.category(char).startswith("Z"):
            classes.add("symbol")
    return classes


class CharacterClassValidator:
    """Require characters from several classes: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _("密码须至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。") % {
            "n": self.min_classes
        }


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message: Django 5.2 changed the message's msgid
    ("%d" for "%(min_length)d") and its zh_Hans catalog has no translation of the new one."""

    def get_error_message(self) -> str:
        return _("密码太短,至少须有 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少须有 %(n)d 个字符。") % {"n": self.min_length}
