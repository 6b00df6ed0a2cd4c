"""Write log-ins, log-outs and lock-outs to the audit trail (logging only, no business rule)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from bangfu.core.audit import audit_record

from .audit_actions import AccountsAction


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=AccountsAction.USER_LOGIN, obj=user, summary="登录")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit_record(actor=user, action=AccountsAction.USER_LOGOUT, obj=user, summary="退出")


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AccountsAction.USER_LOGIN_FAIL,
            object_type="accounts.user",
            object_repr=username,
            summary="登录失败",
        )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AccountsAction.USER_LOCK_OUT,
            object_type="accounts.user",
            object_repr=(username or "")[:150],
            summary="连续登录失败,账号锁定",
        )
