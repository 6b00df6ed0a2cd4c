"""The navigation menu: rendered once per language and set of permissions, then reused."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bangfu.accounts.templatetags import bangfu_nav

pytestmark = pytest.mark.django_db

WORKLIST = reverse("workbench:worklist")
MENU = bangfu_nav.MENU_TEMPLATE


@pytest.fixture(autouse=True)
def _fresh_menus():
    bangfu_nav._menus.clear()
    yield
    bangfu_nav._menus.clear()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rendered(response) -> list[str]:
    return [t.name for t in response.templates]


def test_the_menu_is_rendered_once_then_reused_for_the_same_permissions(staff):
    client = _signed_in(staff)

    first = client.get(WORKLIST)
    second = client.get(WORKLIST)

    assert MENU in _rendered(first)
    assert MENU not in _rendered(second)
    assert 'data-testid="nav-archives"' in second.content.decode()


def test_other_permissions_get_their_own_menu(staff, auditor):
    _signed_in(staff).get(WORKLIST)

    page = _signed_in(auditor).get(WORKLIST)

    assert MENU in _rendered(page)
    body = page.content.decode()
    assert 'data-testid="nav-archives"' not in body
    assert reverse("workbench:audit_list") in body


def test_the_same_permissions_through_another_user_share_the_menu(liaison_a, liaison_b):
    _signed_in(liaison_a).get(WORKLIST)

    page = _signed_in(liaison_b).get(WORKLIST)

    assert MENU not in _rendered(page)
    assert "王联络" in page.content.decode()  # the user menu is the user's own


def test_each_language_has_its_own_menu(staff):
    client = _signed_in(staff)
    chinese = client.get(WORKLIST).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    english = client.get(WORKLIST)

    assert MENU in _rendered(english)
    assert ">档案查询<" in chinese
    assert ">档案查询<" not in english.content.decode()


def test_with_debug_the_menu_is_rendered_each_time(staff, settings):
    settings.DEBUG = True
    client = _signed_in(staff)
    client.get(WORKLIST)

    assert MENU in _rendered(client.get(WORKLIST))
    assert not bangfu_nav._menus
