"""API glue shared by every context: domain errors become responses, input is checked the same
way everywhere, and the error answers are declared once for the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.pagination import LimitOffsetPagination
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


def _json_type_error(field: serializers.Field, value: Any) -> str | None:
    """Say what is wrong when a JSON value has another type than the schema declares (DRF
    would quietly turn 0 into "0", "12" into 12 or "yes" into true)."""
    if value is None:
        return None  # allow_null is DRF's own check
    if isinstance(field, serializers.ChoiceField):
        keys = [key for key in field.choices if key != ""]
        if keys and all(isinstance(key, int) for key in keys):
            ok = isinstance(value, int) and not isinstance(value, bool)
            return None if ok else _("须为整数代码。")
        return None if isinstance(value, str) else _("须为文字代码。")
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("须为 true 或 false。")
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _("须为整数。")
    if isinstance(field, serializers.DecimalField):
        # Declared as a string of digits: "12000.00".
        return None if isinstance(value, str) else _('须为写成文字的数额,如 "12000.00"。')
    if isinstance(field, serializers.CharField | serializers.DateField | serializers.DateTimeField):
        return None if isinstance(value, str) else _("须为文字。")
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return None if isinstance(value, list) else _("须为列表。")
    return None


def _body_errors(serializer: serializers.Serializer, data: Any, prefix: str = "") -> dict[str, str]:
    """Return {key: message} for the keys of a JSON body (and of its nested objects, as
    "members.0.origin") that the serializer does not take as input — undeclared, read-only or
    set by the system — and for values of another JSON type than declared."""
    if not isinstance(data, Mapping):
        return {}
    fields = serializer.fields
    found: dict[str, str] = {}
    for key in data:
        if key not in fields or fields[key].read_only:
            found[f"{prefix}{key}"] = _(
                "“%(field)s”:接口不接受此字段(未声明、只读或由系统设定)。"
            ) % {"field": f"{prefix}{key}"}
    for name, field in fields.items():
        if name not in data or field.read_only:
            continue
        value = data[name]
        wrong = _json_type_error(field, value)
        if wrong:
            label = str(field.label) if field.label else name
            found[f"{prefix}{name}"] = _("“%(field)s”:%(message)s") % {
                "field": label,
                "message": wrong,
            }
        elif isinstance(field, serializers.ListSerializer) and isinstance(value, list):
            child = cast(serializers.Serializer, field.child)
            for n, item in enumerate(value):
                found.update(_body_errors(child, item, f"{prefix}{name}.{n}."))
        elif isinstance(field, serializers.ListField) and isinstance(value, list):
            for n, item in enumerate(value):
                wrong = _json_type_error(field.child, item)
                if wrong:
                    found[f"{prefix}{name}.{n}"] = _("“%(field)s”:%(message)s") % {
                        "field": str(field.label or name),
                        "message": wrong,
                    }
        elif isinstance(field, serializers.Serializer):
            found.update(_body_errors(field, value, f"{prefix}{name}."))
    return found


def _query_errors(serializer: serializers.Serializer, data: QueryDict) -> dict[str, str]:
    """Return {name: message} for query parameters given empty or more than once where the
    schema declares one value (a choice, a number, yes/no)."""
    found: dict[str, str] = {}
    for name, field in serializer.fields.items():
        if name not in data or isinstance(field, serializers.CharField):
            continue
        values = data.getlist(name)
        if len(values) > 1 or values == [""]:
            label = str(field.label) if field.label else name
            found[name] = _("“%(field)s”:须给出一个值。") % {"field": label}
    return found


def validate_input(serializer: serializers.Serializer) -> dict[str, Any]:
    """Return the serializer's validated data; raise ValidationError naming each bad field.

    The message of each field starts with the field's label (“名称”:…), so that an answer
    read on its own still says which field is wrong. A JSON body may carry only the fields the
    serializer declares as input: any other key (a read-only field such as `origin` on an
    update, a field the system sets, a misspelt name) is refused by name, so that nothing is
    written from it and the caller learns it was not taken (mass assignment); a value of
    another JSON type than declared is refused too. Query parameters (a QueryDict) may carry
    others, such as `limit` and `offset`, but each declared one once and not empty.
    """
    data = getattr(serializer, "initial_data", None)
    if isinstance(data, QueryDict):
        refused = _query_errors(serializer, data)
    else:
        refused = _body_errors(serializer, data)
    if refused:
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
    if isinstance(exc, drf_exceptions.ParseError):
        exc = drf_exceptions.ParseError(_("请求体不是合法的 JSON。"))
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 404:
        response.data = {"detail": _("未找到。")}
    if response is not None and response.status_code == 400 and isinstance(response.data, dict):
        # Every 400 has the same shape: `detail`, and `errors` by field (empty when none).
        response.data.setdefault("errors", {})
    return response


# The largest key any integer key column holds (a signed 64-bit integer): a filter or body
# with a longer number is refused by name, never a database overflow (a 500).
MAX_KEY = 2**63 - 1
MAX_OFFSET = 10**9


class OptionalBooleanField(serializers.BooleanField):
    """A yes/no filter that may be left out: absent means "either" (DRF's BooleanField reads
    an absent query parameter as false), and only true/false are taken ("null" is refused)."""

    default_empty_html = empty


def key_field(**kwargs: Any) -> serializers.IntegerField:
    """An id in a filter or a body: 1 to MAX_KEY."""
    return serializers.IntegerField(min_value=1, max_value=MAX_KEY, **kwargs)


def _query_int(raw: str, name: str, minimum: int, maximum: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if value is None or not minimum <= value <= maximum:
        message = _("“%(name)s”:须为 %(min)d 到 %(max)d 之间的整数。") % {
            "name": name,
            "min": minimum,
            "max": maximum,
        }
        raise ValidationError(message, errors={name: message})
    return value


class Pagination(LimitOffsetPagination):
    """`limit` (1–500, default PAGE_SIZE) and `offset` (0 or more), refused by name when they
    are not such numbers — never silently replaced, never a database overflow."""

    max_limit = 500

    def get_limit(self, request: Any) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return int(self.default_limit or 50)
        return _query_int(raw, self.limit_query_param, 1, int(self.max_limit or 500))

    def get_offset(self, request: Any) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        return _query_int(raw, self.offset_query_param, 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


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


def _blank_choice_sets() -> set[frozenset[str]]:
    """Return the choice sets of model text fields that may be blank: the API sends "" for
    them (a centre has no station type, an open archive no close reason)."""
    from django.apps import apps
    from django.db import models

    sets: set[frozenset[str]] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField) and field.choices and field.blank:
                sets.add(frozenset(str(value) for value, _label in field.flatchoices if value))
    return sets


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    if ref is None and len(schema.get("allOf", [])) == 1:
        ref = schema["allOf"][0].get("$ref")
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) else None


def postprocess_schema(result: dict[str, Any], generator: Any, request: Any, public: Any) -> Any:
    """Make the schema say what the API does (drf-spectacular post-processing hook).

    * Request bodies take only their declared fields (`validate_input` refuses any other key):
      every request component says `additionalProperties: false`.
    * A choice that may be blank in the model is sent as "" when empty: its answers allow ""
      besides the enum (drf-spectacular drops `allow_blank` from read-only fields).
    * Every operation that needs a log-in may answer 401 (no or a bad token); every operation
      with a body may answer 415 (not JSON).
    """
    components = result.get("components", {}).get("schemas", {})
    blank_sets = _blank_choice_sets()
    blank_enums = {
        name
        for name, component in components.items()
        if "enum" in component and frozenset(map(str, component["enum"])) in blank_sets
    }
    if blank_enums:
        components.setdefault("BlankEnum", {"enum": [""]})
    for name, component in components.items():
        if name.endswith("Request"):
            if component.get("type") == "object":
                component["additionalProperties"] = False
            continue
        for prop_name, prop in list(component.get("properties", {}).items()):
            target = prop.get("items", prop) if prop.get("type") == "array" else prop
            if _ref_name(target) in blank_enums:
                wrapped = {
                    "oneOf": [
                        {"$ref": f"#/components/schemas/{_ref_name(target)}"},
                        {"$ref": "#/components/schemas/BlankEnum"},
                    ]
                }
                for key in ("readOnly", "description", "title"):
                    if key in target:
                        wrapped[key] = target[key]
                if target is prop:
                    component["properties"][prop_name] = wrapped
                else:
                    prop["items"] = wrapped
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if operation.get("security") != [{}] and operation.get("security"):
                responses.setdefault(
                    "401", _error_response(_("未登录,或令牌无效、已过期、已撤销。"))
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "415", _error_response(_("请求体须为 JSON(Content-Type: application/json)。"))
                )
    return result


def _error_response(description: str) -> dict[str, Any]:
    return {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        "description": description,
    }


# --- Every /api/ answer is JSON ---------------------------------------------------------------

API_MESSAGES = {
    400: gettext_lazy("请求有误。"),
    401: gettext_lazy("未登录,或令牌无效、已过期、已撤销。"),
    403: gettext_lazy("您的角色无权执行此操作。"),
    404: gettext_lazy("未找到。"),
    405: gettext_lazy("不支持此请求方法。"),
    413: gettext_lazy("请求内容过大。"),
    415: gettext_lazy("请求体须为 JSON(Content-Type: application/json)。"),
    429: gettext_lazy("请求过多,请稍后再试。"),
    500: gettext_lazy("服务器内部错误,请稍后再试或联系系统管理员。"),
}
# Pages under /api/ that are not JSON by design: the documentation and its start-up script,
# and the schema itself (application/vnd.oai.openapi).
API_NOT_JSON = ("/api/docs/", "/api/schema/")


class ApiJsonMiddleware:
    """Answer every /api/ request in JSON, whatever went wrong: an unknown path (Django's 404
    page, also its debug page), a wrong method, a server error (the 500 page, also the debug
    traceback), a redirect for a missing slash. The status stays; the body becomes
    {"detail": "…"} in Chinese. Put it outermost, so that it sees every answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or request.path.startswith(API_NOT_JSON):
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json") or response.status_code == 204:
            return response
        status_code = response.status_code
        detail = API_MESSAGES.get(status_code) or (
            API_MESSAGES[500] if status_code >= 500 else API_MESSAGES[400]
        )
        answer = JsonResponse({"detail": str(detail)}, status=status_code)
        for header in ("Location", "Allow", "Retry-After", "WWW-Authenticate", "Cache-Control"):
            if header in response:
                answer[header] = response[header]
        return answer
