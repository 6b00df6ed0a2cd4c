from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import client_address


def request_client_address(request: HttpRequest) -> str:
    """Return the client's address; behind a proxy set BANGFU_TRUST_X_FORWARDED_FOR."""
    from django.conf import settings

    if getattr(settings, "BANGFU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class RequestContextMiddleware:
    """Make the client's address available to the audit trail for the length of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request_client_address(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)


class ChosenLanguageMiddleware:
    """Show Chinese unless the user chose another language with the switch at the page foot.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English browser
    would see English; Bangfu is a Chinese system whose English is opt-in, so only the language
    cookie set by `set_language` counts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


class PrivateNoStoreMiddleware:
    """Keep pages shown to a signed-in user out of browser and proxy caches.

    Nearly every page shows personal data (names, addresses, health, income, even when IDs are
    masked), and stations share computers: after logging out, the Back button or the disk
    cache must not bring an archive back. A view that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils.cache import add_never_cache_headers

        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
