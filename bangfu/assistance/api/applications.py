"""The assistance API: programmes, applications (list, detail, create) on the same services and
the same scope as the pages. An application outside the caller's scope answers 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.core.api import (
    RESPONSE_400,
    RESPONSE_403,
    RESPONSE_404,
    RESPONSE_409,
    validate_input,
)
from bangfu.core.errors import ValidationError
from bangfu.core.paging import CappedLimitOffsetPagination

from .. import selectors, services
from ..models import Application, Kind, Programme, SchoolKind, SchoolLevel
from ..services import ApplicationInput, application_create

TAG = cast(str, gettext_lazy("帮扶救助"))
APPLICATION_ID = OpenApiParameter(
    "application_id", int, OpenApiParameter.PATH, description=gettext_lazy("救助申请 id。")
)


class ProgrammeOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Programme
        fields = ["id", "unit_id", "kind", "kind_label", "year", "name", "campaign", "budget_line"]
        read_only_fields = fields


class ApplicationListOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    household_name = serializers.CharField(source="household.name")

    class Meta:
        model = Application
        fields = [
            "id",
            "programme_id",
            "household_id",
            "household_name",
            "unit_id",
            "kind",
            "year",
            "status",
            "status_label",
            "amount",
            "period_start",
            "period_end",
        ]
        read_only_fields = fields


class ApplicationDetailOutputSerializer(ApplicationListOutputSerializer):
    """The facts of the kind, without the illness (health data) and with the student's id only."""

    rule_version = serializers.IntegerField(source="rule.version")

    class Meta(ApplicationListOutputSerializer.Meta):
        fields = [
            *ApplicationListOutputSerializer.Meta.fields,
            "rule_version",
            "suggested_amount",
            "cap",
            "working",
            "amount_reason",
            "duplicate_of_id",
            "cause",
            "expenses",
            "hospital",
            "bill_items",
            "bill_total",
            "insurance_paid",
            "other_aid",
            "self_paid",
            "student_id",
            "school",
            "school_level",
            "school_year",
            "tuition",
            "admission_letter",
            "school_kind",
            "aided_elsewhere",
            "notice_ends_on",
            "approved_on",
        ]
        read_only_fields = fields


class ProgrammeListApi(APIView):
    # Declared so that the schema describes the paginated answer (count, next, results).
    pagination_class = CappedLimitOffsetPagination

    class AssistanceProgrammeFilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    @extend_schema(
        operation_id="assistance_programme_list",
        summary=gettext_lazy("救助项目列表"),
        tags=[TAG],
        parameters=[AssistanceProgrammeFilterSerializer],
        responses={200: ProgrammeOutputSerializer(many=True), 400: RESPONSE_400, 403: RESPONSE_403},
    )
    def get(self, request: Request) -> Response:
        f = validate_input(self.AssistanceProgrammeFilterSerializer(data=request.query_params))
        paginator = CappedLimitOffsetPagination()
        page = paginator.paginate_queryset(
            selectors.programme_list(year=f.get("year")), request, view=self
        )
        return paginator.get_paginated_response(ProgrammeOutputSerializer(page, many=True).data)


class ApplicationListApi(APIView):
    pagination_class = CappedLimitOffsetPagination

    class AssistanceApplicationFilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Application.Status.choices, required=False)
        kind = serializers.ChoiceField(choices=Kind.choices, required=False)
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    @extend_schema(
        operation_id="assistance_application_list",
        summary=gettext_lazy("救助申请列表"),
        tags=[TAG],
        parameters=[AssistanceApplicationFilterSerializer],
        responses={
            200: ApplicationListOutputSerializer(many=True),
            400: RESPONSE_400,
            403: RESPONSE_403,
        },
    )
    def get(self, request: Request) -> Response:
        f = validate_input(self.AssistanceApplicationFilterSerializer(data=request.query_params))
        qs = selectors.application_list(
            user=request.user,
            filters=selectors.ApplicationFilters(
                status=f.get("status") or "", kind=f.get("kind") or "", year=f.get("year")
            ),
        )
        paginator = CappedLimitOffsetPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            ApplicationListOutputSerializer(page, many=True).data
        )


def _detail(request: Request, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    application = selectors.access_application(user=request.user, application_id=pk)
    return Response(ApplicationDetailOutputSerializer(application).data, status=code)


class ApplicationDetailApi(APIView):
    @extend_schema(
        operation_id="assistance_application_detail",
        summary=gettext_lazy("救助申请详情"),
        tags=[TAG],
        parameters=[APPLICATION_ID],
        responses={
            200: ApplicationDetailOutputSerializer,
            403: RESPONSE_403,
            404: RESPONSE_404,
        },
    )
    def get(self, request: Request, application_id: int) -> Response:
        return _detail(request, application_id)


class AssistanceBillItemSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=50, label=gettext_lazy("费用名称"))
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class ApplicationCreateApi(APIView):
    class AssistanceApplicationInputSerializer(serializers.Serializer):
        household_id = serializers.IntegerField(label=gettext_lazy("档案"))
        programme_id = serializers.IntegerField(label=gettext_lazy("救助项目"))
        period_start = serializers.DateField(label=gettext_lazy("救助期间起"))
        period_end = serializers.DateField(label=gettext_lazy("救助期间止"))
        amount = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        amount_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
        cause = serializers.CharField(max_length=200, required=False, allow_blank=True)
        expenses = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        illness = serializers.CharField(max_length=100, required=False, allow_blank=True)
        hospital = serializers.CharField(max_length=100, required=False, allow_blank=True)
        bill_items = AssistanceBillItemSerializer(many=True, required=False)
        insurance_paid = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        other_aid = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        self_paid = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        student_id = serializers.IntegerField(required=False, allow_null=True)
        school = serializers.CharField(max_length=100, required=False, allow_blank=True)
        school_level = serializers.ChoiceField(
            choices=SchoolLevel.choices, required=False, allow_blank=True
        )
        school_year = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        tuition = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        admission_letter = serializers.BooleanField(default=False)
        school_kind = serializers.ChoiceField(
            choices=SchoolKind.choices, required=False, allow_blank=True
        )
        aided_elsewhere = serializers.BooleanField(default=False)

    @extend_schema(
        operation_id="assistance_application_create",
        summary=gettext_lazy("新建救助申请(草稿)"),
        tags=[TAG],
        request=AssistanceApplicationInputSerializer,
        responses={
            201: ApplicationDetailOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,  # the household is not in the caller's scope
        },
    )
    def post(self, request: Request) -> Response:
        d = validate_input(self.AssistanceApplicationInputSerializer(data=request.data))
        programme = Programme.objects.filter(pk=d.pop("programme_id")).first()
        if programme is None:
            raise ValidationError(str(gettext_lazy("未找到该救助项目。")), field="programme_id")
        household_id = d.pop("household_id")
        items = [(i["item"], i["amount"]) for i in d.pop("bill_items", [])]
        application = application_create(
            actor=request.user,
            household_id=household_id,
            data=ApplicationInput(programme=programme, bill_items=items, **d),
        )
        return _detail(request, application.pk, code=status.HTTP_201_CREATED)


# --- the procedure's steps (the same services as the pages) -------------------------------


def _step_view(
    *, name: str, summary: str, fields: dict[str, serializers.Field], run: Callable[..., Any]
) -> type[APIView]:
    """The API view of one step: input checked by its serializer, the service called on the
    application fetched within the caller's scope, the application answered as it now is."""
    input_class = type(
        f"AssistanceApplication{name.title().replace('_', '')}InputSerializer",
        (serializers.Serializer,),
        dict(fields),
    )

    class StepApi(APIView):
        @extend_schema(
            operation_id=f"assistance_application_{name}",
            summary=summary,
            tags=[TAG],
            parameters=[APPLICATION_ID],
            request=input_class,
            responses={
                200: ApplicationDetailOutputSerializer,
                400: RESPONSE_400,
                403: RESPONSE_403,
                404: RESPONSE_404,
                409: RESPONSE_409,
            },
        )
        def post(self, request: Request, application_id: int) -> Response:
            application = selectors.access_application(
                user=request.user, application_id=application_id
            )
            data = validate_input(input_class(data=request.data))
            run(request.user, application, data)
            return _detail(request, application.pk)

    StepApi.__name__ = StepApi.__qualname__ = f"Application{name.title().replace('_', '')}Api"
    return StepApi


def _text(label: str, *, required: bool = True) -> serializers.CharField:
    return serializers.CharField(
        required=required, allow_blank=not required, label=gettext_lazy(label)
    )


STEPS: dict[str, type[APIView]] = {
    "submit": _step_view(
        name="submit",
        summary=cast(
            str,
            gettext_lazy("提交申请:草稿进入办理流程,退回修改的重新提交(新一轮)"),
        ),
        fields={
            "received_on": serializers.DateField(
                required=False,
                allow_null=True,
                label=gettext_lazy("收到申请日期"),
                help_text=gettext_lazy("入户走访期限从这一天起算;不填为今天。仅用于草稿。"),
            )
        },
        run=lambda user, a, d: (
            services.application_resubmit(actor=user, application=a)
            if a.status == Application.Status.RETURNED
            else services.application_submit(
                actor=user, application=a, received_on=d.get("received_on")
            )
        ),
    ),
    "visit": _step_view(
        name="visit",
        summary=cast(str, gettext_lazy("记录入户走访")),
        fields={
            "visited_on": serializers.DateField(label=gettext_lazy("走访日期")),
            "visitors": serializers.ListField(
                child=serializers.CharField(max_length=50), label=gettext_lazy("走访人员")
            ),
            "findings": _text("走访情况"),
            "recommendation": serializers.ChoiceField(
                choices=[("agree", "agree"), ("disagree", "disagree")],
                label=gettext_lazy("走访意见"),
            ),
        },
        run=lambda user, a, d: services.application_visit(actor=user, application=a, **d),
    ),
    "review": _step_view(
        name="review",
        summary=cast(str, gettext_lazy("记录民主评议")),
        fields={
            "held_on": serializers.DateField(label=gettext_lazy("评议日期")),
            "participants": _text("参加人员"),
            "votes_for": serializers.IntegerField(min_value=0),
            "votes_against": serializers.IntegerField(min_value=0),
            "passed": serializers.BooleanField(),
            "record": _text("评议记录"),
        },
        run=lambda user, a, d: services.application_review(actor=user, application=a, **d),
    ),
    "notice": _step_view(
        name="notice",
        summary=cast(str, gettext_lazy("发布公示")),
        fields={
            "starts_on": serializers.DateField(
                required=False, allow_null=True, label=gettext_lazy("公示开始日期")
            )
        },
        run=lambda user, a, d: services.application_notice(
            actor=user, application=a, starts_on=d.get("starts_on")
        ),
    ),
    "send": _step_view(
        name="send",
        summary=cast(str, gettext_lazy("提交审批(公示期满且异议已处理)")),
        fields={"note": _text("说明", required=False)},
        run=lambda user, a, d: services.application_send(actor=user, application=a, **d),
    ),
    "signoff": _step_view(
        name="signoff",
        summary=cast(str, gettext_lazy("审批签批:批准、退回或不予救助")),
        fields={
            "outcome": serializers.ChoiceField(
                choices=[("approved", "approved"), ("returned", "returned"), ("refused", "refused")]
            ),
            "opinion": _text("审批意见", required=False),
        },
        run=lambda user, a, d: services.application_signoff(actor=user, application=a, **d),
    ),
}
