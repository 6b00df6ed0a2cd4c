import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_chinese_even_for_an_english_browser(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_language_switch_selects_english(client):
    response = client.post(
        reverse("workbench:set_language"), {"language": "en", "next": reverse("accounts:login")}
    )

    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("accounts:login"))
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    response = client.get(reverse("accounts:login"))

    assert response["Content-Language"] == "zh-hans"


def test_the_language_switch_names_each_language_in_its_own_language(client):
    # A reader of English on the Chinese page must find "English", not "英语"
    chinese = client.get(reverse("accounts:login")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("accounts:login")).content.decode()

    for page in (chinese, english):
        assert re.search(r'<option value="en" lang="en"( selected)?>English</option>', page)
        assert re.search(
            r'<option value="zh-hans" lang="zh-hans"( selected)?>简体中文</option>', page
        )
    assert "英语" not in chinese


def test_every_page_loads_the_one_submission_script(client):
    page = client.get(reverse("accounts:login")).content.decode()

    assert '<script src="/static/js/bangfu.js"></script>' in page
