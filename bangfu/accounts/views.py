"""Pages for logging in and out, changing one's password, and managing accounts and roles.

Views stay thin: they read through `selectors` (anything outside the user's scope is
NotFound, a 404 from `core.errorviews`) and write through `services` by way of
`formkit.action_response`: a refusal is shown on the form (400), as the 403 page, or on the
account's page with the reason on top (409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from bangfu.core.formkit import ConfirmForm, action_response, refusal_of
from bangfu.network import selectors as network_selectors

from . import selectors, services
from .forms import LoginForm, PasswordChangeForm, RoleAssignForm, UserCreateForm, UserForm
from .models import User
from .permissions import AccountsPermission
from .requests import AuthenticatedHttpRequest

# The session key under which a freshly generated password waits to be shown once.
ONE_TIME_PASSWORD_KEY = "accounts_one_time_password"  # noqa: S105 - a key name
LOCKOUT_STATUS = 429
USERS_PER_PAGE = 50


# --- Logging in and out ---------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's log-in view; its form calls `authenticate(request, ...)`, which axes needs."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out on POST only (a link or an image cannot log anyone out)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("您已退出登录。"))
        return response


def lockout_response(
    request: HttpRequest,
    response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Answer a log-in to a locked account: the log-in page with why and for how long.

    django-axes calls this (settings.AXES_LOCKOUT_CALLABLE) both for the failure that sets
    off the lock and for every attempt during it, even with the right password.
    """
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))[:150]
    message = _(
        "该账号因连续 %(limit)d 次登录失败已被锁定 %(minutes)d 分钟,"
        "请稍后再试,或联系安全管理员解锁。"
    ) % {"limit": selectors.lockout_failure_limit(), "minutes": selectors.lockout_minutes()}
    form = LoginForm(request, initial={"username": username})
    redirect_to = request.POST.get("next") or request.GET.get("next") or ""
    return render(
        request,
        "accounts/login.html",
        {"form": form, "lockout_message": message, "next": redirect_to},
        status=LOCKOUT_STATUS,
    )


# --- One's own password ---------------------------------------------------------------------


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    forced = user.must_change_password
    form = PasswordChangeForm(user, request.POST or None)

    def run() -> None:
        services.password_change(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)

    return action_response(
        request,
        form=form,
        run=run,
        template="accounts/password_change.html",
        context={"forced": forced},
        success_url=reverse("workbench:worklist" if forced else "accounts:password_change_done"),
        done=_("密码已修改,欢迎使用。") if forced else "",
    )


@login_required
def password_change_done(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/password_change_done.html")


# --- Accounts and roles ---------------------------------------------------------------------


def _units(request: AuthenticatedHttpRequest, perm: str) -> Any:
    return network_selectors.unit_list(user=request.user, perm=perm)


def _remember_password(request: AuthenticatedHttpRequest, target: User, password: str) -> None:
    """Keep a generated password in the session until the next page shows it, once."""
    request.session[ONE_TIME_PASSWORD_KEY] = {"user_id": target.pk, "password": password}


def _take_password(request: AuthenticatedHttpRequest, target: User) -> str | None:
    pending = request.session.pop(ONE_TIME_PASSWORD_KEY, None)
    if pending and pending.get("user_id") == target.pk:
        return str(pending["password"])
    return None


def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    users = selectors.user_list(user=request.user, query=query)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    locked = selectors.locked_usernames(usernames=[u.username for u in page])
    rows = [{"user": u, "locked": u.username in locked} for u in page]
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "rows": rows, "query": query},
    )


def _render_detail(
    request: AuthenticatedHttpRequest,
    target: User,
    *,
    assign_form: forms.BaseForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    actions = selectors.user_actions(user=request.user, target=target)
    if assign_form is None and actions.assign_roles:
        assign_form = RoleAssignForm(units=_units(request, AccountsPermission.ASSIGN_ROLES))
    one_time_password = _take_password(request, target)
    roles = selectors.user_roles(user=target)
    revocable = (
        selectors.revocable_role_ids(user=request.user, target=target, roles=roles)
        if actions.assign_roles
        else set()
    )
    response = render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "roles": roles,
            "revocable": revocable,
            "actions": actions,
            "assign_form": assign_form,
            "locked": selectors.is_locked_out(target=target),
            "one_time_password": one_time_password,
            "refusal": refusal,
        },
        status=status,
    )
    if one_time_password:
        add_never_cache_headers(response)
    return response


def _detail_url(target: User) -> str:
    return reverse("accounts:user_detail", args=[target.pk])


def _on_detail(
    request: AuthenticatedHttpRequest, target: User
) -> Callable[[forms.BaseForm, int], HttpResponse]:
    """Show a refused button's reason on top of the account's page (400/409)."""

    def page(form: forms.BaseForm, status: int) -> HttpResponse:
        target.refresh_from_db()
        return _render_detail(request, target, refusal=refusal_of(form), status=status)

    return page


def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(user=request.user, user_id=pk)
    return _render_detail(request, target)


def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserCreateForm(
        request.POST or None, units=_units(request, AccountsPermission.MANAGE_USERS)
    )

    def run() -> User:
        new_user, password = services.user_create(actor=request.user, **form.cleaned_data)
        _remember_password(request, new_user, password)
        return new_user

    return action_response(
        request,
        form=form,
        run=run,
        template="accounts/user_form.html",
        context={"target": None},
        success_url=_detail_url,
        done=lambda new_user: _("已创建账号“%(name)s”。") % {"name": new_user.display_name},
    )


def user_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(
        user=request.user, user_id=pk, perm=AccountsPermission.MANAGE_USERS
    )
    initial = {
        "full_name": target.full_name,
        "phone": target.phone,
        "email": target.email,
        "unit": target.unit,
    }
    form = UserForm(
        request.POST or None,
        initial=initial,
        units=_units(request, AccountsPermission.MANAGE_USERS),
    )
    return action_response(
        request,
        form=form,
        run=lambda: services.user_update(actor=request.user, target=target, **form.cleaned_data),
        template="accounts/user_form.html",
        context={"target": target},
        success_url=_detail_url(target),
        done=_("已保存账号信息。"),
    )


def _set_active(request: AuthenticatedHttpRequest, pk: int, *, active: bool) -> HttpResponse:
    target = selectors.access_user(
        user=request.user, user_id=pk, perm=AccountsPermission.MANAGE_USERS
    )
    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=lambda: services.user_set_active(actor=request.user, target=target, active=active),
        page=_on_detail(request, target),
        success_url=_detail_url(target),
        done=_("账号已启用。") if active else _("账号已停用。"),
    )


@require_POST
def user_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@require_POST
def user_activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


@require_POST
def role_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(
        user=request.user, user_id=pk, perm=AccountsPermission.ASSIGN_ROLES
    )
    form = RoleAssignForm(request.POST, units=_units(request, AccountsPermission.ASSIGN_ROLES))
    return action_response(
        request,
        form=form,
        run=lambda: services.role_assign(actor=request.user, target=target, **form.cleaned_data),
        page=lambda form, status: _render_detail(request, target, assign_form=form, status=status),
        success_url=_detail_url(target),
        done=_("已授予角色。"),
    )


@require_POST
def role_revoke(request: AuthenticatedHttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    target = selectors.access_user(
        user=request.user, user_id=pk, perm=AccountsPermission.ASSIGN_ROLES
    )
    assignment = selectors.access_role_assignment(
        user=request.user, target=target, assignment_id=assignment_pk
    )
    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=lambda: services.role_revoke(actor=request.user, assignment=assignment),
        page=_on_detail(request, target),
        success_url=_detail_url(target),
        done=_("已撤销角色。"),
    )


@require_POST
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(user=request.user, user_id=pk, perm=AccountsPermission.UNLOCK)
    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=lambda: services.user_unlock(actor=request.user, target=target),
        page=_on_detail(request, target),
        success_url=_detail_url(target),
        done=_("已解除登录锁定。"),
    )


@require_POST
def password_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(
        user=request.user, user_id=pk, perm=AccountsPermission.RESET_PASSWORD
    )

    def run() -> None:
        password = services.password_reset(actor=request.user, target=target)
        _remember_password(request, target, password)

    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=run,
        page=_on_detail(request, target),
        success_url=_detail_url(target),
        done=_("已重置密码,用户下次登录时须修改密码。"),
    )
