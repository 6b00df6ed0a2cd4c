"""The follow-up (回访) API: the follow-ups due or overdue in the caller's scope, and recording
an outcome — the same selector and service as the pages. Outside the scope: 404."""

from __future__ import annotations

from typing import cast

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.core.api import RESPONSE_400, RESPONSE_403, RESPONSE_404, RESPONSE_409, validate_input
from bangfu.core.paging import CappedLimitOffsetPagination

from .. import selectors, services
from ..models import FollowUp

TAG = cast(str, gettext_lazy("帮扶救助"))
FOLLOWUP_ID = OpenApiParameter(
    "followup_id", int, OpenApiParameter.PATH, description=gettext_lazy("回访 id。")
)
STATES = [
    ("open", gettext_lazy("未回访")),
    ("due", gettext_lazy("14 天内到期或已逾期")),
    ("overdue", gettext_lazy("已逾期")),
    ("done", gettext_lazy("已回访")),
    ("all", gettext_lazy("全部")),
]


class FollowUpOutputSerializer(serializers.ModelSerializer):
    household_id = serializers.IntegerField(source="application.household_id")
    household_name = serializers.CharField(source="application.household.name")
    programme_name = serializers.CharField(source="application.programme.name")
    outcome_label = serializers.CharField(source="get_outcome_display")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "application_id",
            "household_id",
            "household_name",
            "programme_name",
            "unit_id",
            "paid_on",
            "due_on",
            "rule",
            "overdue",
            "done_on",
            "outcome",
            "outcome_label",
            "notes",
        ]
        read_only_fields = fields

    def get_overdue(self, followup: FollowUp) -> bool:
        return followup.done_on is None and followup.due_on < timezone.localdate()


class FollowUpListApi(APIView):
    pagination_class = CappedLimitOffsetPagination

    class AssistanceFollowUpFilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=STATES, required=False, default="open")

    @extend_schema(
        operation_id="assistance_followup_list",
        summary=gettext_lazy("回访列表(默认为未回访的,按期限先后)"),
        tags=[TAG],
        parameters=[AssistanceFollowUpFilterSerializer],
        responses={
            200: FollowUpOutputSerializer(many=True),
            400: RESPONSE_400,
            403: RESPONSE_403,
        },
    )
    def get(self, request: Request) -> Response:
        f = validate_input(self.AssistanceFollowUpFilterSerializer(data=request.query_params))
        paginator = CappedLimitOffsetPagination()
        page = paginator.paginate_queryset(
            selectors.followup_list(user=request.user, state=f.get("state") or "open"),
            request,
            view=self,
        )
        return paginator.get_paginated_response(FollowUpOutputSerializer(page, many=True).data)


class FollowUpRecordApi(APIView):
    class AssistanceFollowUpRecordInputSerializer(serializers.Serializer):
        done_on = serializers.DateField(label=gettext_lazy("回访日期"))
        outcome = serializers.ChoiceField(
            choices=FollowUp.Outcome.choices, label=gettext_lazy("回访结果")
        )
        notes = serializers.CharField(label=gettext_lazy("回访情况"))

    @extend_schema(
        operation_id="assistance_followup_record",
        summary=gettext_lazy("记录回访结果(每次回访只记录一次)"),
        tags=[TAG],
        parameters=[FOLLOWUP_ID],
        request=AssistanceFollowUpRecordInputSerializer,
        responses={
            200: FollowUpOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,
            409: RESPONSE_409,
        },
    )
    def post(self, request: Request, followup_id: int) -> Response:
        followup = selectors.access_followup(user=request.user, followup_id=followup_id)
        d = validate_input(self.AssistanceFollowUpRecordInputSerializer(data=request.data))
        services.followup_record(actor=request.user, followup_id=followup.pk, **d)
        return Response(
            FollowUpOutputSerializer(
                selectors.access_followup(user=request.user, followup_id=followup.pk)
            ).data
        )
