"""The one CAPTCHA setup of Bangfu: a local image (drawn on the server with
django-simple-captcha's drawing and font; no outside service), with Chinese words. The log-in
page asks for it after repeated failures; any public form (the petitions' online form) adds
`captcha_field()` the same way.

Showing a picture writes nothing (`bangfu.core.captcha`: the key carries a signed nonce and the
letters are worked out from it). Answering it, right or wrong, uses the key up: the answering
POST records the key's fingerprint in the CAPTCHA table (its unique key refuses a second use),
and the form draws a new picture. Expired marks are swept by the same POSTs.

Settings: the `CAPTCHA_*` block in config/settings/base.py; URLs under /captcha/ (picture and
"换一张", declared public in accounts.permissions); the widget's template is
accounts/_captcha_widget.html ("换一张" is handled by static/js/bangfu.js).
"""

from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from captcha.models import CaptchaStore
from captcha.views import _captcha_image
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bangfu.core import captcha as challenge


def image_url(key: str) -> str:
    return reverse("captcha-image", kwargs={"key": key})


class CaptchaWidget(forms.MultiWidget):
    """The picture, the key (hidden) and a box for the letters. Every rendering shows a new
    picture: a key that was answered wrong is used up."""

    template_name = "accounts/_captcha_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__((forms.HiddenInput(), forms.TextInput(attrs=attrs)), attrs=None)

    def decompress(self, value: Any) -> list[Any]:
        return [None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        key = challenge.issue()
        context = super().get_context(name, [key, ""], attrs)
        context["image"] = image_url(key)
        return context


def _use_up(key: str) -> bool:
    """Record that the key was answered; return False when it already was."""
    now = timezone.now()
    CaptchaStore.objects.filter(expiration__lte=now).delete()
    try:
        with transaction.atomic():
            CaptchaStore.objects.create(
                hashkey=challenge.fingerprint(key),
                challenge="-",
                response="-",
                expiration=now + timedelta(seconds=challenge.max_age()),
            )
    except IntegrityError:
        return False
    return True


class CaptchaField(forms.MultiValueField):
    widget = CaptchaWidget
    default_error_messages = {
        "invalid": _("验证码不正确或已过期,请看新图重新输入。"),
        "required": _("请输入图中的验证码。"),
        "incomplete": _("请输入图中的验证码。"),
    }

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(max_length=200), forms.CharField(max_length=20))
        super().__init__(fields=fields, require_all_fields=True, **kwargs)

    def compress(self, data_list: list[Any]) -> str:
        return ""

    def clean(self, value: Any) -> str:
        super().clean(value)
        key, answer = str(value[0]), str(value[1])
        right = challenge.is_answer(key, answer)
        # Right or wrong, a key that exists is used once: a guessing program gets one try per
        # picture, and a replayed answer is refused.
        if challenge.nonce_of(key) is None or not _use_up(key) or not right:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return ""


def captcha_field(**kwargs: Any) -> CaptchaField:
    """Return a CAPTCHA form field: the picture, a box for its letters, and a refresh button.
    A wrong answer uses the picture up (a new one is shown); it expires after
    CAPTCHA_TIMEOUT minutes."""
    kwargs.setdefault("label", _("验证码"))
    kwargs.setdefault("help_text", _("请输入图中的字母(不区分大小写)。"))
    return CaptchaField(
        widget=CaptchaWidget(attrs={"class": "form-control", "autocomplete": "off"}), **kwargs
    )


@require_GET
@never_cache
def captcha_image(request: HttpRequest, key: str) -> HttpResponse:
    """Draw the key's picture (PNG). The same key always gives the same picture; a forged or
    expired key answers 410. Nothing is written."""
    text = challenge.challenge(key)
    if text is None:
        return HttpResponse(status=410)
    random.seed(challenge.fingerprint(key))  # the same picture for the same key
    return _captcha_image(SimpleNamespace(challenge=text), 1)


@require_GET
@never_cache
def captcha_refresh(request: HttpRequest) -> JsonResponse:
    """Another picture for "换一张": a new key and its picture's address. Nothing is written."""
    key = challenge.issue()
    return JsonResponse({"key": key, "image_url": image_url(key)})
