"""The local CAPTCHA: drawing a picture writes nothing; an answer, right or wrong, uses its
key up; forged, expired and replayed keys are refused with the Chinese message."""

from __future__ import annotations

import pytest
from captcha.models import CaptchaStore
from django import forms
from django.test import Client
from django.urls import reverse

from bangfu.accounts.captcha import captcha_field
from bangfu.core import captcha

pytestmark = pytest.mark.django_db

WRONG = "验证码不正确或已过期,请看新图重新输入。"


class _Form(forms.Form):
    captcha = captcha_field()


def _send(key: str, answer: str | None) -> _Form:
    form = _Form(data={"captcha_0": key, "captcha_1": answer or ""})
    form.is_valid()
    return form


def _key_on(html: str) -> str:
    return html.split('name="captcha_0" value="', 1)[1].split('"', 1)[0]


def test_drawing_and_refreshing_write_nothing_and_the_same_key_draws_the_same_picture():
    client = Client()
    key = _key_on(str(_Form()))

    first = client.get(reverse("captcha-image", kwargs={"key": key}))
    again = client.get(reverse("captcha-image", kwargs={"key": key}))
    refreshed = client.get(reverse("captcha-refresh")).json()

    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert first.content == again.content
    assert refreshed["key"] != key and refreshed["image_url"].endswith(refreshed["key"] + "/")
    assert not CaptchaStore.objects.exists()


def test_the_right_letters_pass_once_in_any_case():
    key = captcha.issue()
    letters = str(captcha.challenge(key))

    assert _send(key, f" {letters.lower()} ").is_valid()
    replay = _send(key, letters)

    assert replay.errors["captcha"] == [WRONG]
    assert CaptchaStore.objects.count() == 1


def test_a_wrong_answer_uses_the_picture_up():
    key = captcha.issue()
    letters = str(captcha.challenge(key))
    wrong = "".join("3" if c != "3" else "4" for c in letters)

    assert _send(key, wrong).errors["captcha"] == [WRONG]
    assert _send(key, letters).errors["captcha"] == [WRONG]


def test_forged_and_expired_keys_are_refused_and_draw_nothing(settings):
    key = captcha.issue()
    nonce, stamp, signature = key.split(":")
    forged = f"{nonce}x:{stamp}:{signature}"

    assert _send(forged, "AAAA").errors["captcha"] == [WRONG]
    assert Client().get(reverse("captcha-image", kwargs={"key": forged})).status_code == 410
    assert not CaptchaStore.objects.exists()

    settings.CAPTCHA_TIMEOUT = -1  # every key is older than the limit
    letters = "AAAA"
    assert captcha.challenge(key) is None
    assert _send(key, letters).errors["captcha"] == [WRONG]


def test_a_missing_answer_asks_for_it():
    assert _send(captcha.issue(), None).errors["captcha"] == ["请输入图中的验证码。"]
