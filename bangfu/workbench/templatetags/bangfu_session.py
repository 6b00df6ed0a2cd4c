"""What the page's script needs to warn before the session times out (`static/js/session.js`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()

DEFAULT_WARNING_SECONDS = 120


@register.simple_tag
def session_timing() -> dict[str, Any]:
    """Return the idle timeout and how long before it the warning shows, in seconds.

    Every request moves the session's expiry forward (SESSION_SAVE_EVERY_REQUEST), so a page
    knows when its session ends: the timeout after it was served, unless another request of the
    same session (another tab, a keep-alive) moved it, which the script learns and shares.
    """
    seconds = int(settings.SESSION_COOKIE_AGE)
    warning = int(getattr(settings, "BANGFU_SESSION_WARNING_SECONDS", DEFAULT_WARNING_SECONDS))
    return {"seconds": seconds, "warning": max(1, min(warning, seconds // 2))}
