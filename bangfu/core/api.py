"""API glue shared by every context: domain errors become responses, input is checked the same
way everywhere, and the error answers are declared once for the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError


def _first_message(value: Any) -> str:
    """Return the first message of a DRF error detail (a list, a dict or a string)."""
    if isinstance(value, dict):
        return _first_message(next(iter(value.values()), ""))
    if isinstance(value, list):
        return _first_message(value[0]) if value else ""
    return str(value)


def _undeclared(serializer: serializers.Serializer, data: Any, prefix: str = "") -> list[str]:
    """Return the keys of a JSON body (and of its nested objects, as "members.0.origin") that
    the serializer does not take as input: undeclared, read-only or set by the system."""
    if not isinstance(data, Mapping):
        return []
    fields = serializer.fields
    found = [
        f"{prefix}{key}"
        for key in data
        if key not in fields or fields[key].read_only  # type: ignore[index]
    ]
    for name, field in fields.items():
        value = data.get(name)
        if isinstance(field, serializers.ListSerializer) and isinstance(value, list):
            child = cast(serializers.Serializer, field.child)
            for n, item in enumerate(value):
                found += _undeclared(child, item, f"{prefix}{name}.{n}.")
        elif isinstance(field, serializers.Serializer):
            found += _undeclared(field, value, f"{prefix}{name}.")
    return found


def validate_input(serializer: serializers.Serializer) -> dict[str, Any]:
    """Return the serializer's validated data; raise ValidationError naming each bad field.

    The message of each field starts with the field's label (“名称”:…), so that an answer
    read on its own still says which field is wrong. A JSON body may carry only the fields the
    serializer declares as input: any other key (a read-only field such as `origin` on an
    update, a field the system sets, a misspelt name) is refused by name, so that nothing is
    written from it and the caller learns it was not taken (mass assignment). Query
    parameters (a QueryDict) may carry others, such as `limit` and `offset`.
    """
    data = getattr(serializer, "initial_data", None)
    undeclared = [] if isinstance(data, QueryDict) else _undeclared(serializer, data)
    if undeclared:
        refused = {
            name: _("“%(field)s”:接口不接受此字段(未声明、只读或由系统设定)。") % {"field": name}
            for name in undeclared
        }
        raise ValidationError(next(iter(refused.values())), errors=refused)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    errors: dict[str, str] = {}
    for name, detail in serializer.errors.items():
        field = serializer.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        message = _first_message(detail)
        errors[name] = _("“%(field)s”:%(message)s") % {"field": label, "message": message}
    raise ValidationError(next(iter(errors.values())), errors=errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain errors into JSON answers with a Chinese `detail`."""
    if isinstance(exc, NotFound):
        exc = Http404()
    if isinstance(exc, ValidationError):
        return Response(
            {"detail": exc.message, "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, drf_exceptions.ValidationError):
        # A serializer checked outside `validate_input`: give it the same shape.
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        errors = {str(k): _first_message(v) for k, v in detail.items()}
        return Response(
            {"detail": next(iter(errors.values()), ""), "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, PermissionDenied):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 404:
        response.data = {"detail": _("未找到。")}
    return response


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=gettext_lazy("说明原因的中文信息。"))


class ValidationErrorSerializer(ErrorSerializer):
    # DRF's metaclass moves declared fields off the class, so this does not shadow
    # Serializer.errors at run time; the stubs cannot know that.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.CharField(),
        help_text=gettext_lazy('出错的字段及其中文信息,例如 {"name": "……"}。'),
    )


# The error answers, declared once so that every view's schema lists them the same way.
RESPONSE_400 = OpenApiResponse(
    ValidationErrorSerializer, description=gettext_lazy("输入有误:`errors` 按字段给出原因。")
)
RESPONSE_403 = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("未登录、角色无此权限,或须先在网页上修改初始密码。"),
)
RESPONSE_404 = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("不存在,或不在您的范围内(两者答复相同)。")
)
RESPONSE_429 = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("登录失败次数过多:已锁定或须在网页上输入验证码,稍后再试。"),
)
RESPONSE_409 = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("当前状态不允许此操作,`detail` 说明原因。")
)


def postprocess_schema(result: dict[str, Any], generator: Any, request: Any, public: Any) -> Any:
    """Make the schema say what the API does (drf-spectacular post-processing hook).

    Request bodies take only their declared fields (`validate_input` refuses any other key), so
    every request component says `additionalProperties: false`.
    """
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
