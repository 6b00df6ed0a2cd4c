"""The one CAPTCHA setup of Bangfu: a local image (django-simple-captcha draws it with its own
font; no outside service), with Chinese words. The log-in page asks for it after repeated
failures; any public form (the petitions' online form) adds `captcha_field()` the same way.

Settings: the `CAPTCHA_*` block in config/settings/base.py; URLs under /captcha/ (image and
refresh, declared public in accounts.permissions); the widget's template is
accounts/_captcha_widget.html ("换一张" is handled by static/js/bangfu.js).
"""

from __future__ import annotations

from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django.utils.translation import gettext_lazy as _


class CaptchaWidget(CaptchaTextInput):
    template_name = "accounts/_captcha_widget.html"


def captcha_field(**kwargs: Any) -> CaptchaField:
    """Return a CAPTCHA form field: the picture, a box for its letters, and a refresh button.
    A wrong answer uses the picture up (a new one is shown); it expires after
    CAPTCHA_TIMEOUT minutes."""
    kwargs.setdefault("label", _("验证码"))
    kwargs.setdefault("help_text", _("请输入图中的字母(不区分大小写)。"))
    return CaptchaField(
        error_messages={
            "invalid": _("验证码不正确或已过期,请看新图重新输入。"),
            "required": _("请输入图中的验证码。"),
            "incomplete": _("请输入图中的验证码。"),
        },
        widget=CaptchaWidget(attrs={"class": "form-control", "autocomplete": "off"}),
        **kwargs,
    )
