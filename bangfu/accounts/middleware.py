from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import policy

# Pages a user who must change the password can still reach.
PASSWORD_CHANGE_ALLOWED = frozenset(
    {"accounts:password_change", "accounts:logout", "accounts:login", "workbench:set_language"}
)


def _view_name(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else None


def _is_api(view_name: str) -> bool:
    return view_name == "api" or view_name.startswith("api:")


class PasswordChangeRequiredMiddleware:
    """Send a user whose password an administrator set to the password change page first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        name = _view_name(request)
        if (
            name
            and not _is_api(name)
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and name not in PASSWORD_CHANGE_ALLOWED
        ):
            messages.warning(request, _("首次登录或密码被重置后,请先修改密码。"))
            return redirect("accounts:password_change")
        return None


class DeclaredPermissionMiddleware:
    """Enforce the permission each page declares in its context's URL_PERMISSIONS.

    A page that declares nothing is refused: a forgotten declaration must not open a page.
    API views are checked by `api_permissions.DeclaredPermission`, after DRF authentication.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        name = _view_name(request)
        if name is None or _is_api(name):
            return None
        perm = policy.url_permission(name)
        if perm == policy.PUBLIC:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if perm is None or not policy.has_perm(request.user, perm):
            return render(
                request,
                "403.html",
                {"reason": _("您的角色无权访问此页面。")},
                status=403,
            )
        return None
