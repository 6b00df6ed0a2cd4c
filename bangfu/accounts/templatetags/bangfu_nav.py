"""The navigation menu of every signed-in page, rendered once per language and set of
permissions instead of on every request (about 40 links reversed and labels translated: two
thirds of base.html's rendering). The menu holds nothing else: no name, no token, no data."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

MENU_TEMPLATE = "accounts/_nav_menu.html"
# Distinct keys are languages × the role combinations in use: a few dozen at most. Past this
# many the cache starts again (nothing wrong is ever served from it, only re-rendered).
MAX_MENUS = 256
_menus: dict[tuple[Any, ...], SafeString] = {}


@register.simple_tag(takes_context=True)
def nav_menu(context: template.Context) -> SafeString:
    perms = context.get("bf_perms")
    if perms is None:
        return SafeString("")
    if settings.DEBUG:
        # While templates are being edited (runserver reloads code, not templates).
        return render_to_string(MENU_TEMPLATE, {"bf_perms": perms})
    key = (
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        settings.ROOT_URLCONF,
        perms.names,
    )
    menu = _menus.get(key)
    if menu is None:
        menu = render_to_string(MENU_TEMPLATE, {"bf_perms": perms})
        if len(_menus) >= MAX_MENUS:
            _menus.clear()
        _menus[key] = menu
    return menu
