"""The accounts API: users, the caller, and API tokens. One view per action.

Password hashes are never part of any answer; phone numbers are masked in lists.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.core.api import (
    MAX_KEY,
    RESPONSE_400,
    RESPONSE_403,
    RESPONSE_404,
    RESPONSE_429,
    OptionalBooleanField,
    Pagination,
    validate_input,
)
from bangfu.core.errors import NotFound, PermissionDenied, ValidationError
from bangfu.core.masking import mask_phone
from bangfu.core.middleware import request_client_address
from bangfu.network.selectors import access_unit

from .. import policy, services
from ..models import ApiToken, RoleAssignment, User
from ..permissions import AccountsPermission
from ..requests import AuthenticatedApiRequest
from ..selectors import (
    access_user,
    captcha_required,
    lockout_message,
    user_list,
    user_roles,
)

# Lazy, so that the schema can be rendered in another language; typed as the str it becomes.
TAG_USERS = cast(str, gettext_lazy("账号"))
TAG_AUTH = cast(str, gettext_lazy("认证"))
USER_ID = OpenApiParameter(
    "user_id", int, OpenApiParameter.PATH, description=gettext_lazy("账号编号。")
)


class MaskedPhoneField(serializers.CharField):
    """A phone number shown as 138****5678."""

    def to_representation(self, value: Any) -> str:
        return mask_phone(value)


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RoleOutputSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")
    unit = UnitRefSerializer(help_text=gettext_lazy("角色的范围:此单位及其全部下级。"))

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "role_label", "unit"]
        read_only_fields = fields


class UserListOutputSerializer(serializers.ModelSerializer):
    phone = MaskedPhoneField(help_text=gettext_lazy("已脱敏,如 138****5678。"))
    unit = UnitRefSerializer(allow_null=True)
    roles = RoleOutputSerializer(source="role_assignments", many=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "phone", "unit", "is_active", "roles"]
        read_only_fields = fields


class UserDetailOutputSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(allow_null=True)
    # Not EmailField: an account without an address answers "", which is no e-mail address.
    email = serializers.CharField(help_text=gettext_lazy("电子邮箱,没有时为空。"))
    roles = RoleOutputSerializer(source="role_list", many=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "phone",
            "email",
            "unit",
            "is_active",
            "must_change_password",
            "date_joined",
            "last_login",
            "password_changed_at",
            "roles",
        ]
        read_only_fields = fields


def _user_detail(target: User) -> dict[str, Any]:
    target.role_list = user_roles(user=target)  # type: ignore[attr-defined]
    return dict(UserDetailOutputSerializer(target).data)


class UserListApi(APIView):
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False, allow_blank=True, max_length=150, label=gettext_lazy("查找")
        )
        active = OptionalBooleanField(required=False, label=gettext_lazy("只看在用账号"))

    @extend_schema(
        tags=[TAG_USERS],
        operation_id="user_list",
        summary=gettext_lazy("账号列表"),
        description=gettext_lazy(
            "返回所属单位在您范围内的账号及其角色。q 按登录名、姓名或电话尾号查找;"
            "active=true 只列在用账号。电话已脱敏。"
        ),
        parameters=[
            OpenApiParameter("q", str, description=gettext_lazy("登录名、姓名或电话尾号。")),
            OpenApiParameter("active", bool, description=gettext_lazy("true:只列在用账号。")),
        ],
        responses={200: UserListOutputSerializer(many=True), 400: RESPONSE_400, 403: RESPONSE_403},
    )
    def get(self, request: Request) -> Response:
        filters = validate_input(self.FilterSerializer(data=request.query_params))
        users = user_list(
            user=request.user,
            query=filters.get("q") or "",
            include_inactive=not filters.get("active"),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(UserListOutputSerializer(page, many=True).data)


class UserDetailApi(APIView):
    @extend_schema(
        tags=[TAG_USERS],
        operation_id="user_detail",
        summary=gettext_lazy("账号详情"),
        description=gettext_lazy(
            "返回账号及其角色和角色范围。所属单位不在您范围内的账号答复 404,与不存在相同。"
        ),
        parameters=[USER_ID],
        responses={200: UserDetailOutputSerializer, 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, user_id: int) -> Response:
        target = access_user(user=request.user, user_id=user_id)
        return Response(_user_detail(target))


class UserCreateApi(APIView):
    @extend_schema_serializer(component_name="UserCreateInput")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(
            max_length=150,
            validators=[UnicodeUsernameValidator()],
            label=gettext_lazy("登录名"),
        )
        full_name = serializers.CharField(max_length=50, label=gettext_lazy("姓名"))
        unit = serializers.IntegerField(
            min_value=1,
            max_value=MAX_KEY,
            label=gettext_lazy("所属单位"),
            help_text=gettext_lazy("所属单位编号,须在您的管理范围内。"),
        )
        phone = serializers.CharField(
            max_length=20, required=False, allow_blank=True, default="", label=gettext_lazy("电话")
        )
        email = serializers.EmailField(
            required=False, allow_blank=True, default="", label=gettext_lazy("电子邮箱")
        )

    @extend_schema_serializer(component_name="UserCreateOutput")
    class OutputSerializer(UserDetailOutputSerializer):
        initial_password = serializers.CharField(
            help_text=gettext_lazy("初始密码,只在此答复中出现一次;用户首次登录须修改。")
        )

        class Meta(UserDetailOutputSerializer.Meta):
            fields = [*UserDetailOutputSerializer.Meta.fields, "initial_password"]
            read_only_fields = fields

    @extend_schema(
        tags=[TAG_USERS],
        operation_id="user_create",
        summary=gettext_lazy("新建账号"),
        description=gettext_lazy(
            "系统管理员在其管理范围内的单位下新建账号。系统生成初始密码,只在本次答复中给出一次,"
            "请当面交给本人;用户首次登录须先修改密码。角色由安全管理员另行授予。"
        ),
        request=InputSerializer,
        responses={201: OutputSerializer, 400: RESPONSE_400, 403: RESPONSE_403},
    )
    def post(self, request: AuthenticatedApiRequest) -> Response:
        data = validate_input(self.InputSerializer(data=request.data))
        try:
            data["unit"] = access_unit(user=request.user, unit_id=data["unit"])
        except NotFound:
            raise ValidationError(_("未找到所选单位。"), field="unit") from None
        new_user, password = services.user_create(actor=request.user, **data)
        new_user.role_list = []  # type: ignore[attr-defined]
        new_user.initial_password = password  # type: ignore[attr-defined]
        return Response(
            self.OutputSerializer(new_user).data,
            status=status.HTTP_201_CREATED,
            # The answer carries a password: no cache may keep it.
            headers={"Cache-Control": "no-store"},
        )


class MeApi(APIView):
    @extend_schema_serializer(component_name="MeOutput")
    class OutputSerializer(UserDetailOutputSerializer):
        permissions = serializers.ListField(
            child=serializers.CharField(), help_text=gettext_lazy("您持有的全部权限。")
        )
        scope = UnitRefSerializer(
            many=True,
            help_text=gettext_lazy("您的角色所在的最上层单位:您的范围是这些单位及其全部下级。"),
        )

        class Meta(UserDetailOutputSerializer.Meta):
            fields = [*UserDetailOutputSerializer.Meta.fields, "permissions", "scope"]
            read_only_fields = fields

    @extend_schema(
        tags=[TAG_USERS],
        operation_id="me",
        summary=gettext_lazy("当前用户"),
        description=gettext_lazy("返回调用者本人的账号、角色、权限和范围。"),
        responses={200: OutputSerializer, 403: RESPONSE_403},
    )
    def get(self, request: Request) -> Response:
        me = cast(User, request.user)
        roles = user_roles(user=me)
        me.role_list = roles  # type: ignore[attr-defined]
        me.permissions = sorted(policy.user_permissions(me))  # type: ignore[attr-defined]
        # The tops of the scope: role units not lying under another role unit.
        units = sorted({r.unit.path: r.unit for r in roles}.items())
        tops: list[Any] = []
        for path, unit in units:
            if not any(path.startswith(top.path) for top in tops):
                tops.append(unit)
        me.scope = tops  # type: ignore[attr-defined]
        return Response(self.OutputSerializer(me).data)


def _lifetime_end(token: ApiToken) -> Any:
    return token.created + timedelta(days=settings.BANGFU_API_TOKEN_LIFETIME_DAYS)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=gettext_lazy(
            "在请求头中发送:Authorization: Token <token>。只在此答复中出现一次,系统只保存其摘要。"
        )
    )
    name = serializers.CharField(help_text=gettext_lazy("令牌名称。"))
    expiry = serializers.DateTimeField(
        help_text=gettext_lazy("空闲到期时间:每次使用后顺延,但不超过 lifetime_ends。")
    )
    lifetime_ends = serializers.DateTimeField(
        help_text=gettext_lazy("令牌寿命的终点,届时无论是否使用都失效。")
    )


class TokenObtainApi(APIView):
    # Credentials come in the body: no session, so no CSRF token is needed either.
    authentication_classes = ()

    @extend_schema_serializer(component_name="TokenObtainInput")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150, label=gettext_lazy("登录名"))
        password = serializers.CharField(
            max_length=128,
            trim_whitespace=False,
            style={"input_type": "password"},
            write_only=True,
            label=gettext_lazy("密码"),
        )
        name = serializers.CharField(
            max_length=50,
            required=False,
            default="",
            allow_blank=True,
            label=gettext_lazy("令牌名称"),
            help_text=gettext_lazy("用在哪里,如“帮扶站报表程序”;不填则为“接口登录”加日期。"),
        )

    @extend_schema(
        tags=[TAG_AUTH],
        operation_id="token",
        summary=gettext_lazy("获取接口令牌"),
        description=gettext_lazy(
            "用登录名和密码换取一个新令牌,此后在每个请求的头中发送 `Authorization: Token <令牌>`。"
            "令牌与网页登录同权同范围;系统只保存其摘要;空闲超过设定时间或到达寿命即失效,"
            "`/api/token/logout/` 结束它。一个账号可有多个令牌,各有名称,可在网页“我的接口令牌”"
            "中撤销。只有使用接口的角色能获取令牌。连续登录失败会锁定该账号在本机的登录"
            "(与网页登录共用计数),答复 429;近期失败较多须在网页上输入验证码的账号也答复 429。"
            "须先修改初始密码的账号答复 403。"
        ),
        auth=[],
        request=InputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: RESPONSE_400,
            403: OpenApiResponse(
                RESPONSE_403.response,
                description=gettext_lazy("角色不使用接口,或须先在网页上修改初始密码。"),
            ),
            429: RESPONSE_429,
        },
    )
    def post(self, request: Request) -> Response:
        data = validate_input(self.InputSerializer(data=request.data))
        http_request = cast(HttpRequest, request)
        if captcha_required(
            username=data["username"], ip_address=request_client_address(http_request)
        ):
            # The API cannot show a picture: after repeated failures only the web log-in,
            # with its CAPTCHA, is open; a guessing program gets no answer about the password.
            raise Throttled(
                detail=_(
                    "该账号或本机近期登录失败较多,须在网页上输入验证码登录;请稍后再获取令牌。"
                ),
            )
        # Through django.contrib.auth so that axes counts failures and refuses locked accounts.
        user = authenticate(
            request=http_request, username=data["username"], password=data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            # The same words and status as the log-in page (accounts.views.lockout_response).
            raise Throttled(detail=lockout_message())
        if user is None:
            raise ValidationError(_("登录名或密码不正确。"))
        user = cast(User, user)
        if user.must_change_password:
            raise PermissionDenied(_("请先在网页上修改初始密码。"))
        if not policy.has_perm(user, AccountsPermission.USE_API):
            raise PermissionDenied(_("您的角色不使用接口,不能获取接口令牌。"))
        name = data["name"].strip() or _("接口登录 %(when)s") % {
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")
        }
        token, secret = services.token_create(user=user, name=name)
        # The log-in signal writes its own audit event, updates last_login and clears axes'
        # failure count, as a log-in through the page does.
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        return Response(
            TokenOutputSerializer(
                {
                    "token": secret,
                    "name": token.name,
                    "expiry": token.expiry,
                    "lifetime_ends": _lifetime_end(token),
                }
            ).data,
            headers={"Cache-Control": "no-store"},
        )


class TokenLogoutOutputSerializer(serializers.Serializer):
    ended = serializers.IntegerField(help_text=gettext_lazy("结束的令牌数。"))


class TokenLogoutApi(APIView):
    @extend_schema(
        tags=[TAG_AUTH],
        operation_id="token_logout",
        summary=gettext_lazy("接口退出登录"),
        description=gettext_lazy("结束本次请求所用的令牌;此后用它的请求答复 401。"),
        request=None,
        responses={200: TokenLogoutOutputSerializer, 400: RESPONSE_400, 403: RESPONSE_403},
    )
    def post(self, request: Request) -> Response:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        ended = services.token_logout(user=cast(User, request.user), token=token)
        return Response({"ended": ended})


class TokenLogoutAllApi(APIView):
    @extend_schema(
        tags=[TAG_AUTH],
        operation_id="token_logout_all",
        summary=gettext_lazy("结束本人的全部接口令牌"),
        description=gettext_lazy("结束调用者的全部接口令牌(各程序都须重新获取);网页登录不受影响。"),
        request=None,
        responses={200: TokenLogoutOutputSerializer, 403: RESPONSE_403},
    )
    def post(self, request: Request) -> Response:
        ended = services.token_logout(user=cast(User, request.user), token=None, everywhere=True)
        return Response({"ended": ended})
