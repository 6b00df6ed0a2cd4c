"""Keep a session alive while its user is typing a long form (`static/js/session.js`)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """Answer how long the session now lasts (the request itself moved its expiry forward:
    SESSION_SAVE_EVERY_REQUEST), or 401 when it has already ended. A POST with the CSRF token,
    sent by the page's script while the user types or clicks "继续"; it changes nothing else."""
    if not request.user.is_authenticated:
        return JsonResponse({"expired": True}, status=401)
    return JsonResponse({"expires_in": int(settings.SESSION_COOKIE_AGE)})
