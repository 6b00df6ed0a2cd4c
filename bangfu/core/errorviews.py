"""The error pages, and the one place where a domain error that a page view let through becomes
its response: NotFound → 404, PermissionDenied → 403 (with the reason), Conflict → 409, any
other DomainError → 400. The API turns the same errors into JSON in `core.api`."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import Conflict, DomainError, NotFound, PermissionDenied


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = exception.message if isinstance(exception, PermissionDenied) else None
    if _is_api(request):
        return JsonResponse({"detail": reason or _("您的角色无权执行此操作。")}, status=403)
    return render(
        request, "403.html", {"reason": reason or _("您的角色无权访问此页面。")}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return render(request, "404.html", status=404)


def refused(request: HttpRequest, exception: DomainError, status: int) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": exception.message}, status=status)
    return render(request, "409.html", {"reason": exception.message}, status=status)


def response_for(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    """Return the response for a domain error, or None for any other exception."""
    if isinstance(exception, NotFound):
        return page_not_found(request, exception)
    if isinstance(exception, PermissionDenied):
        return permission_denied(request, exception)
    if isinstance(exception, Conflict):
        return refused(request, exception, 409)
    if isinstance(exception, DomainError):
        return refused(request, exception, 400)
    return None


class DomainErrorMiddleware:
    """Answer a domain error raised by a page view: views fetch through the selectors and call
    the services without catching NotFound or PermissionDenied themselves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return response_for(request, exception)
