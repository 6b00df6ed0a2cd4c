"""API authentication: hashed, expiring tokens (django-rest-knox) with Chinese answers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <令牌>`. A token unknown, revoked, idle past
    BANGFU_API_TOKEN_IDLE_MINUTES or older than BANGFU_API_TOKEN_LIFETIME_DAYS answers 401
    (an expired token is deleted when it is presented); each use moves the idle expiry on,
    never past the lifetime."""

    def authenticate(self, request: Any) -> Any:
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            raise exceptions.AuthenticationFailed(
                _("令牌无效、已过期或已撤销,请重新获取令牌。")
            ) from None


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describe the token header in the OpenAPI schema."""

    target_class = "bangfu.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("发送 “Token <令牌>”;令牌由 POST /api/token/ 获取。")),
        }
