"""The org-unit API: one view per action, each calling the network's services and selectors.

A unit outside the caller's scope answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.accounts.requests import AuthenticatedApiRequest
from bangfu.core.api import (
    MAX_KEY,
    RESPONSE_400,
    RESPONSE_403,
    RESPONSE_404,
    RESPONSE_409,
    Pagination,
    validate_input,
)
from bangfu.core.errors import NotFound, ValidationError

from .. import services
from ..models import OrgUnit, UnitPerson
from ..permissions import NetworkPermission
from ..selectors import access_unit, unit_list

# Lazy, so that the schema can be rendered in another language; typed as the str it becomes.
TAG = cast(str, gettext_lazy("组织单位"))
UNIT_ID = OpenApiParameter(
    "unit_id", int, OpenApiParameter.PATH, description=gettext_lazy("组织单位编号。")
)


class UnitOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    level_label = serializers.CharField(source="get_level_display")
    station_type_label = serializers.CharField(source="get_station_type_display")

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "level",
            "level_label",
            "station_type",
            "station_type_label",
            "parent_id",
            "depth",
            "address",
            "phone",
            "sort_order",
        ]
        read_only_fields = fields


class PersonOutputSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")

    class Meta:
        model = UnitPerson
        fields = ["id", "name", "role", "role_label", "post", "phone", "sort_order"]
        read_only_fields = fields


class ChildOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "kind", "kind_label"]
        read_only_fields = fields


class UnitDetailOutputSerializer(UnitOutputSerializer):
    parent_name = serializers.CharField(source="parent.name", allow_null=True)
    children = ChildOutputSerializer(
        source="visible_children", many=True, help_text=gettext_lazy("您可见的直属下级单位。")
    )
    people = PersonOutputSerializer(
        source="staff_people", many=True, help_text=gettext_lazy("单位工作人员。")
    )
    leading_group = PersonOutputSerializer(
        source="group_people", many=True, help_text=gettext_lazy("领导小组(只设在帮扶中心)。")
    )

    class Meta(UnitOutputSerializer.Meta):
        fields = [
            *UnitOutputSerializer.Meta.fields,
            "parent_name",
            "children",
            "people",
            "leading_group",
        ]
        read_only_fields = fields


def _detail(*, user: Any, unit_id: int, unit: OrgUnit | None = None) -> dict[str, Any]:
    """Return the unit with its visible children, its people and its leading group; raise
    NotFound outside the user's scope (unless `unit` is given: one the caller just made)."""
    unit = unit or access_unit(user=user, unit_id=unit_id)
    people = list(unit.people.order_by("sort_order", "id"))
    # Plain attributes for the serializer; nothing here is saved.
    unit.visible_children = list(unit_list(user=user).filter(parent_id=unit.pk))  # type: ignore[attr-defined]
    unit.staff_people = [p for p in people if not p.is_group_member]  # type: ignore[attr-defined]
    unit.group_people = [p for p in people if p.is_group_member]  # type: ignore[attr-defined]
    return dict(UnitDetailOutputSerializer(unit).data)


def _parent(*, user: Any, parent_id: int | None) -> OrgUnit | None:
    """Return the chosen parent; a parent the caller cannot see is reported like a missing one."""
    if parent_id is None:
        return None
    try:
        return access_unit(user=user, unit_id=parent_id)
    except NotFound:
        raise ValidationError(_("未找到所选的上级单位。"), field="parent") from None


def _filtered(units: QuerySet[OrgUnit], filters: dict[str, Any]) -> QuerySet[OrgUnit]:
    # Narrows the already scoped list; it cannot widen it.
    if filters.get("kind"):
        units = units.filter(kind=filters["kind"])
    if filters.get("parent"):
        units = units.filter(parent_id=filters["parent"])
    if filters.get("q"):
        units = units.filter(name__icontains=filters["q"])
    return units


class UnitInputSerializer(serializers.Serializer):
    # DRF's metaclass moves declared fields off the class, so this does not shadow
    # Field.parent at run time; the stubs cannot know that.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        allow_null=True,
        min_value=1,
        max_value=MAX_KEY,
        label=gettext_lazy("上级单位"),
        help_text=gettext_lazy("上级单位编号;新建顶层帮扶中心时为 null。"),
    )
    name = serializers.CharField(max_length=100, label=gettext_lazy("名称"))
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices, label=gettext_lazy("类型"))
    level = serializers.ChoiceField(
        choices=OrgUnit.Level.choices,
        required=False,
        allow_blank=True,
        default="",
        label=gettext_lazy("级别"),
        help_text=gettext_lazy("只有帮扶中心有行政级别。"),
    )
    station_type = serializers.ChoiceField(
        choices=OrgUnit.StationType.choices,
        required=False,
        allow_blank=True,
        default="",
        label=gettext_lazy("站点类别"),
        help_text=gettext_lazy("帮扶站、帮扶点必填(社区或企业);帮扶中心留空。"),
    )
    short_name = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", label=gettext_lazy("简称")
    )
    address = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", label=gettext_lazy("地址")
    )
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", label=gettext_lazy("电话")
    )
    sort_order = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, default=0, label=gettext_lazy("排序")
    )


class OrgUnitListApi(APIView):
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(
            choices=OrgUnit.Kind.choices, required=False, label=gettext_lazy("类型")
        )
        parent = serializers.IntegerField(  # type: ignore[assignment]  # see UnitInputSerializer
            required=False, min_value=1, max_value=MAX_KEY, label=gettext_lazy("上级单位")
        )
        q = serializers.CharField(
            required=False, allow_blank=True, max_length=100, label=gettext_lazy("名称")
        )

    @extend_schema(
        tags=[TAG],
        operation_id="orgunit_list",
        summary=gettext_lazy("组织单位列表"),
        description=gettext_lazy(
            "返回您范围内的组织单位,按树的顺序排列。可按类型(kind)、上级单位(parent)筛选,"
            "q 按名称包含查找。范围外的单位不会出现。"
        ),
        parameters=[
            OpenApiParameter(
                "kind", str, enum=OrgUnit.Kind.values, description=gettext_lazy("单位类型。")
            ),
            OpenApiParameter("parent", int, description=gettext_lazy("只列此上级单位的直属下级。")),
            OpenApiParameter("q", str, description=gettext_lazy("名称包含的文字。")),
        ],
        responses={200: UnitOutputSerializer(many=True), 400: RESPONSE_400, 403: RESPONSE_403},
    )
    def get(self, request: Request) -> Response:
        filters = validate_input(self.FilterSerializer(data=request.query_params))
        units = _filtered(unit_list(user=request.user), filters)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(units, request, view=self)
        return paginator.get_paginated_response(UnitOutputSerializer(page, many=True).data)


class OrgUnitDetailApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="orgunit_detail",
        summary=gettext_lazy("组织单位详情"),
        description=gettext_lazy(
            "返回单位、您可见的直属下级单位、工作人员和领导小组。"
            "范围外的单位答复 404,与不存在相同。"
        ),
        parameters=[UNIT_ID],
        responses={200: UnitDetailOutputSerializer, 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, unit_id: int) -> Response:
        return Response(_detail(user=request.user, unit_id=unit_id))


class OrgUnitCreateApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="orgunit_create",
        summary=gettext_lazy("新建组织单位"),
        description=gettext_lazy(
            "在您管理范围内的上级单位下新建帮扶中心、帮扶站或帮扶点。同一上级下名称不得重复;"
            "帮扶站须设在帮扶中心之下,帮扶点设在帮扶站或帮扶中心之下。"
        ),
        request=UnitInputSerializer,
        responses={
            201: UnitDetailOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
        },
    )
    def post(self, request: AuthenticatedApiRequest) -> Response:
        data = validate_input(UnitInputSerializer(data=request.data))
        data["parent"] = _parent(user=request.user, parent_id=data["parent"])
        unit = services.unit_create(actor=request.user, **data)
        # A new top-level centre lies outside its maker's scope: answer with what was made
        # (not 404 after a successful creation).
        return Response(
            _detail(user=request.user, unit_id=unit.pk, unit=unit), status=status.HTTP_201_CREATED
        )


class OrgUnitUpdateApi(APIView):
    def _update(self, request: AuthenticatedApiRequest, unit_id: int, *, partial: bool) -> Response:
        unit = access_unit(user=request.user, unit_id=unit_id, perm=NetworkPermission.MANAGE)
        data = validate_input(UnitInputSerializer(data=request.data, partial=partial))
        if "parent" in data:
            data["parent"] = _parent(user=request.user, parent_id=data["parent"])
        # PATCH changes only the fields sent; the service takes the whole unit.
        current = {
            "parent": unit.parent,
            "name": unit.name,
            "kind": unit.kind,
            "level": unit.level,
            "station_type": unit.station_type,
            "short_name": unit.short_name,
            "address": unit.address,
            "phone": unit.phone,
            "sort_order": unit.sort_order,
        }
        unit = services.unit_update(actor=request.user, unit=unit, **{**current, **data})
        return Response(_detail(user=request.user, unit_id=unit.pk))

    @extend_schema(
        tags=[TAG],
        operation_id="orgunit_partial_update",
        summary=gettext_lazy("修改组织单位(部分字段)"),
        description=gettext_lazy(
            "只修改提交的字段;改 parent 即把单位连同其全部下级移到新的上级之下。"
            "不在您管理范围内的单位答复 404。"
        ),
        parameters=[UNIT_ID],
        request=UnitInputSerializer(partial=True),
        responses={
            200: UnitDetailOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,
        },
    )
    def patch(self, request: AuthenticatedApiRequest, unit_id: int) -> Response:
        return self._update(request, unit_id, partial=True)

    @extend_schema(
        tags=[TAG],
        operation_id="orgunit_update",
        summary=gettext_lazy("修改组织单位(全部字段)"),
        description=gettext_lazy(
            "以提交的内容替换单位的全部字段,未提交的可选字段清空。不在您管理范围内的单位答复 404。"
        ),
        parameters=[UNIT_ID],
        request=UnitInputSerializer,
        responses={
            200: UnitDetailOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,
        },
    )
    def put(self, request: AuthenticatedApiRequest, unit_id: int) -> Response:
        return self._update(request, unit_id, partial=False)


class OrgUnitDeleteApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="orgunit_delete",
        summary=gettext_lazy("删除组织单位"),
        description=gettext_lazy(
            "只能删除空的单位:还有下级单位、人员、归属账号或角色授权时答复 409,并说明原因。"
            "不在您管理范围内的单位答复 404。"
        ),
        parameters=[UNIT_ID],
        request=None,
        responses={
            204: OpenApiResponse(description=gettext_lazy("已删除。")),
            403: RESPONSE_403,
            404: RESPONSE_404,
            409: RESPONSE_409,
        },
    )
    def delete(self, request: AuthenticatedApiRequest, unit_id: int) -> Response:
        unit = access_unit(user=request.user, unit_id=unit_id, perm=NetworkPermission.MANAGE)
        services.unit_delete(actor=request.user, unit=unit)
        return Response(status=status.HTTP_204_NO_CONTENT)
