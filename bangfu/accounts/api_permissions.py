from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from . import policy


class DeclaredPermission(BasePermission):
    """Allow an API call only when the user holds the permission its URL declares."""

    message = _("您没有执行此操作的权限。")

    def has_permission(self, request: Request, view: Any) -> bool:
        match = request.resolver_match
        name = match.view_name if match else None
        perm = policy.url_permission(name) if name else None
        if perm == policy.PUBLIC:
            return True
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if getattr(user, "must_change_password", False):
            self.message = _("请先在网页上修改初始密码。")
            return False
        return perm is not None and policy.has_perm(user, perm)
