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
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from bangfu.core.errors import DomainError, NotFound
from bangfu.core.formkit import ConfirmForm, action_response, apply_domain_error, refusal_of
from bangfu.core.middleware import request_client_address
from bangfu.network import selectors as network_selectors

from . import policy, selectors, services
from .forms import (
    AccountChangeForm,
    LoginForm,
    PasswordChangeForm,
    PasswordSetForm,
    RoleAssignForm,
    TokenCreateForm,
    UserCreateForm,
    UserForm,
)
from .models import User
from .permissions import AccountsPermission
from .requests import AuthenticatedHttpRequest

# The session key under which a freshly generated password waits to be shown once.
ONE_TIME_PASSWORD_KEY = "accounts_one_time_password"  # noqa: S105 - a key name
# The session key under which a one-time password code waits to be shown once.
ONE_TIME_CODE_KEY = "accounts_one_time_code"
LOCKOUT_STATUS = 429
USERS_PER_PAGE = 50


# --- Logging in and out ---------------------------------------------------------------------


def _captcha_required(request: HttpRequest, username: str) -> bool:
    return selectors.captcha_required(
        username=username[:150], ip_address=request_client_address(request)
    )


class LoginView(auth_views.LoginView):
    """Django's log-in view; its form calls `authenticate(request, ...)`, which axes needs.

    After BANGFU_LOGIN_CAPTCHA_AFTER failures (of the account, or from the address) the form
    asks for a local image CAPTCHA as well; without the right letters the password is not
    tried.
    """

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        username = self.request.POST.get("username", "") if self.request.method == "POST" else ""
        kwargs["captcha"] = _captcha_required(self.request, str(username))
        return kwargs

    def form_invalid(self, form: Any) -> HttpResponse:
        # This failure may be the one after which the picture is needed: show it now.
        if "captcha" not in form.fields and _captcha_required(
            self.request, str(self.request.POST.get("username", ""))
        ):
            form.add_captcha()
        return super().form_invalid(form)


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
    form = LoginForm(request, initial={"username": username}, captcha=True)
    redirect_to = request.POST.get("next") or request.GET.get("next") or ""
    return render(
        request,
        "accounts/login.html",
        {"form": form, "lockout_message": selectors.lockout_message(), "next": redirect_to},
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
    one_time_code = _take_code(request, target)
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
            "one_time_code": one_time_code,
            "changes": selectors.account_changes(user=request.user, target=target),
            "tokens": selectors.user_tokens(user=request.user, target=target),
        },
        status=status,
    )
    if one_time_password or one_time_code:
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
    try:
        code = services.password_reset(actor=request.user, target=target)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        request.session[ONE_TIME_CODE_KEY] = {"user_id": target.pk, "code": code}
        messages.success(request, _("已重置密码:原密码已失效,请把一次性设置码交给本人。"))
    return redirect("accounts:user_detail", pk=target.pk)


def _take_code(request: HttpRequest, target: User) -> str | None:
    pending = request.session.pop(ONE_TIME_CODE_KEY, None)
    if pending and pending.get("user_id") == target.pk:
        return str(pending["code"])
    return None


@sensitive_post_parameters("code", "new_password1", "new_password2")
def password_set(request: HttpRequest) -> HttpResponse:
    """Set one's password with a one-time code (after a reset); no log-in needed."""
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_set_with_code(
                username=form.cleaned_data["username"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("密码已设置,请用新密码登录。"))
            return redirect("accounts:login")
    response = render(request, "accounts/password_set.html", {"form": form})
    add_never_cache_headers(response)
    return response


# --- 三员 account changes (two-person rule) ---------------------------------------------------


def change_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.access_user(
        user=request.user, user_id=pk, perm=AccountsPermission.VIEW_USERS
    )
    form = AccountChangeForm(
        request.POST or None,
        units=_units(request, AccountsPermission.VIEW_USERS),
        assignments=selectors.user_roles(user=target),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_change_propose(
                actor=request.user,
                target=target,
                kind=form.cleaned_data["kind"],
                payload=form.payload(),
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已提出变更,等待另一员批准。"))
            return redirect("accounts:user_detail", pk=target.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/change_form.html", {"form": form, "target": target}, status=status
    )


@require_POST
def change_decide(request: AuthenticatedHttpRequest, change_pk: int, decision: str) -> HttpResponse:
    change = selectors.access_account_change(user=request.user, change_id=change_pk)
    try:
        if decision == "approve":
            code = services.account_change_approve(actor=request.user, change=change)
            if code:
                request.session[ONE_TIME_CODE_KEY] = {"user_id": change.target_id, "code": code}
            messages.success(request, _("已批准并执行变更。"))
        else:
            services.account_change_reject(actor=request.user, change=change)
            messages.success(request, _("已驳回变更。"))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    return redirect("accounts:user_detail", pk=change.target_id)


@require_POST
def change_approve(request: AuthenticatedHttpRequest, change_pk: int) -> HttpResponse:
    return change_decide(request, change_pk, "approve")


@require_POST
def change_reject(request: AuthenticatedHttpRequest, change_pk: int) -> HttpResponse:
    return change_decide(request, change_pk, "reject")


# --- API tokens ---------------------------------------------------------------------------

# The session key under which a new token's secret waits to be shown once.
NEW_TOKEN_KEY = "accounts_new_api_token"  # noqa: S105 - a key name


def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own API tokens: name, when made, when they expire; make one, revoke any."""
    user = request.user
    assert isinstance(user, User)
    response = render(
        request,
        "accounts/token_list.html",
        {
            "tokens": selectors.user_tokens(user=user, target=user),
            "form": TokenCreateForm(),
            "new_token": request.session.pop(NEW_TOKEN_KEY, None),
            "may_create": policy.has_perm(user, AccountsPermission.USE_API),
        },
    )
    add_never_cache_headers(response)
    return response


@require_POST
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.token_create(user=user, name=form.cleaned_data["name"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            request.session[NEW_TOKEN_KEY] = {"name": token.name, "secret": secret}
    else:
        messages.error(request, str(next(iter(form.errors.values()))[0]))
    return redirect("accounts:token_list")


@require_POST
def token_revoke(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    token = selectors.access_token(user=request.user, token_key=key)
    owner = token.user
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("已撤销接口令牌“%(name)s”。") % {"name": token.name})
    if owner.pk == request.user.pk:
        return redirect("accounts:token_list")
    return redirect("accounts:user_detail", pk=owner.pk)


# --- Content-Security-Policy reports --------------------------------------------------------


def csp_report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The latest reports of content the browsers' Content-Security-Policy blocked."""
    page = Paginator(selectors.csp_reports(), USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/csp_report_list.html", {"page": page})
