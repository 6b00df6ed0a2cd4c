"""The petitions API: list, detail, registration and every step of handling, one view per action
on the same services and the same scope as the pages. A petition the caller may not see (outside
the scope, restricted without the permission, or about the caller) answers 404; personal data is
masked; every answer showing a restricted petition is written to the access log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.core.api import RESPONSE_400, RESPONSE_403, RESPONSE_404, RESPONSE_409, validate_input
from bangfu.core.errors import ValidationError
from bangfu.core.masking import mask_id_number, mask_phone
from bangfu.core.paging import CappedLimitOffsetPagination
from bangfu.network.models import OrgUnit

from ..models import STAFF_CHANNELS, Deadline, Petition, Reply, Route
from ..selectors.access import access_petition
from ..selectors.browse import PetitionFilters, petition_list
from ..services import handling as h
from ..services.registration import PetitionInput, RepresentativeInput, petition_register
from ..services.viewing import petition_viewed

TAG = cast(str, gettext_lazy("信访接待"))
PETITION_ID = OpenApiParameter(
    "petition_id", int, OpenApiParameter.PATH, description=gettext_lazy("信访件 id。")
)


# --- output -------------------------------------------------------------------------------


class DeadlineOutputSerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display")

    class Meta:
        model = Deadline
        fields = [
            "stage",
            "stage_label",
            "ours",
            "starts_on",
            "due_on",
            "rule",
            "counting",
            "met_on",
        ]
        read_only_fields = fields


class ReplyOutputSerializer(serializers.ModelSerializer):
    outcome_label = serializers.CharField(source="get_outcome_display")

    class Meta:
        model = Reply
        fields = ["stage", "outcome", "outcome_label", "decision", "basis", "replied_on"]
        read_only_fields = fields


class RouteOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Route
        fields = ["kind", "reason", "state", "reference", "created_at"]
        read_only_fields = fields


class PetitionListOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    petitioner_name = serializers.SerializerMethodField(
        help_text=gettext_lazy("保密件和匿名检举不在列表中显示姓名。")
    )

    class Meta:
        model = Petition
        fields = [
            "id",
            "number",
            "channel",
            "nature",
            "category",
            "status",
            "status_label",
            "received_on",
            "unit_id",
            "centre_id",
            "restricted",
            "petitioner_name",
            "repeat_of_id",
        ]
        read_only_fields = fields

    def get_petitioner_name(self, obj: Petition) -> str:
        return "" if obj.restricted or obj.anonymous else obj.petitioner_name


class PetitionDetailOutputSerializer(PetitionListOutputSerializer):
    petitioner_name = serializers.CharField()  # type: ignore[assignment]
    phone = serializers.SerializerMethodField(help_text=gettext_lazy("已脱敏,如 138****5678。"))
    id_number = serializers.SerializerMethodField(help_text=gettext_lazy("已脱敏。"))
    deadlines = DeadlineOutputSerializer(many=True)
    replies = ReplyOutputSerializer(many=True)
    routes = RouteOutputSerializer(many=True)

    class Meta(PetitionListOutputSerializer.Meta):
        fields = [
            *PetitionListOutputSerializer.Meta.fields,
            "phone",
            "id_number",
            "anonymous",
            "employer",
            "group_size",
            "household_id",
            "request",
            "facts",
            "reasons",
            "subject",
            "oral",
            "read_back_at",
            "accepted_on",
            "acknowledged_on",
            "ack_method",
            "extension_days",
            "outcome",
            "rating",
            "deadlines",
            "replies",
            "routes",
        ]
        read_only_fields = fields

    def get_phone(self, obj: Petition) -> str:
        return mask_phone(obj.petitioner_phone)

    def get_id_number(self, obj: Petition) -> str:
        return mask_id_number(obj.petitioner_id_number)


def _detail(request: Request, petition: Petition, *, code: int = status.HTTP_200_OK) -> Response:
    fresh = access_petition(user=request.user, petition_id=petition.pk)
    petition_viewed(user=request.user, petition=fresh, what="API")
    return Response(PetitionDetailOutputSerializer(fresh).data, status=code)


# --- list, detail, registration -------------------------------------------------------------


class PetitionListApi(APIView):
    pagination_class = CappedLimitOffsetPagination

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=50)
        status = serializers.ChoiceField(choices=Petition.Status.choices, required=False)
        category = serializers.ChoiceField(choices=Petition.Category.choices, required=False)
        overdue = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="petition_list",
        summary=gettext_lazy("信访件列表"),
        tags=[TAG],
        parameters=[FilterSerializer],
        responses={
            200: PetitionListOutputSerializer(many=True),
            400: RESPONSE_400,
            403: RESPONSE_403,
        },
    )
    def get(self, request: Request) -> Response:
        f = validate_input(self.FilterSerializer(data=request.query_params))
        qs = petition_list(
            user=request.user,
            filters=PetitionFilters(
                q=f.get("q") or "",
                status=f.get("status") or "",
                category=f.get("category") or "",
                overdue=bool(f.get("overdue")),
            ),
        )
        paginator = CappedLimitOffsetPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(PetitionListOutputSerializer(page, many=True).data)


class PetitionDetailApi(APIView):
    @extend_schema(
        operation_id="petition_detail",
        summary=gettext_lazy("信访件详情"),
        tags=[TAG],
        parameters=[PETITION_ID],
        responses={200: PetitionDetailOutputSerializer, 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, petition_id: int) -> Response:
        petition = access_petition(user=request.user, petition_id=petition_id)
        return _detail(request, petition)


class RepresentativeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, label=gettext_lazy("代表姓名"))
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class PetitionCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        unit_id = serializers.IntegerField(label=gettext_lazy("登记单位"))
        channel = serializers.ChoiceField(
            choices=STAFF_CHANNELS,
            label=gettext_lazy("来源方式"),
        )
        nature = serializers.ChoiceField(
            choices=Petition.Nature.choices, default=Petition.Nature.REQUEST
        )
        category = serializers.ChoiceField(
            choices=Petition.Category.choices, label=gettext_lazy("问题类别")
        )
        received_on = serializers.DateField(required=False, allow_null=True)
        anonymous = serializers.BooleanField(default=False)
        petitioner_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        address = serializers.CharField(max_length=200, required=False, allow_blank=True)
        id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
        employer = serializers.CharField(max_length=100, required=False, allow_blank=True)
        group_size = serializers.IntegerField(min_value=1, default=1)
        representatives = RepresentativeInputSerializer(many=True, required=False)
        request = serializers.CharField(allow_blank=True, label=gettext_lazy("信访诉求"))
        facts = serializers.CharField(allow_blank=True, label=gettext_lazy("事实"))
        reasons = serializers.CharField(required=False, allow_blank=True)
        subject = serializers.CharField(max_length=100, required=False, allow_blank=True)
        restricted = serializers.BooleanField(default=False)
        read_back = serializers.BooleanField(
            default=False, help_text=gettext_lazy("口头反映的事项已向信访人宣读并经确认。")
        )
        acknowledged_on_the_spot = serializers.BooleanField(default=False)
        household_id = serializers.IntegerField(required=False, allow_null=True)
        concerned_user_ids = serializers.ListField(child=serializers.IntegerField(), required=False)

    @extend_schema(
        operation_id="petition_create",
        summary=gettext_lazy("登记信访(来信、来电、来访)"),
        tags=[TAG],
        request=InputSerializer,
        responses={201: PetitionDetailOutputSerializer, 400: RESPONSE_400, 403: RESPONSE_403},
    )
    def post(self, request: Request) -> Response:
        d = validate_input(self.InputSerializer(data=request.data))
        unit = OrgUnit.objects.filter(pk=d.pop("unit_id")).first()
        if unit is None:
            raise ValidationError(str(gettext_lazy("未找到该单位。")), field="unit_id")
        reps = [RepresentativeInput(**r) for r in d.pop("representatives", [])]
        petition = petition_register(
            actor=request.user,
            unit=unit,
            data=PetitionInput(representatives=reps, **d),
        )
        return _detail(request, petition, code=status.HTTP_201_CREATED)


# --- the steps ---------------------------------------------------------------------------


def _step_view(
    *,
    name: str,
    summary: str,
    fields: dict[str, serializers.Field],
    run: Callable[[Any, Petition, dict[str, Any]], Any],
) -> type[APIView]:
    """Return the API view of one step: input checked by its serializer, the service called on
    the petition fetched within the caller's scope, the petition answered as it now is."""
    input_class = type(
        f"{name.title().replace('_', '')}InputSerializer", (serializers.Serializer,), fields
    )

    class StepApi(APIView):
        @extend_schema(
            operation_id=f"petition_{name}",
            summary=summary,
            tags=[TAG],
            parameters=[PETITION_ID],
            request=input_class,
            responses={
                200: PetitionDetailOutputSerializer,
                400: RESPONSE_400,
                403: RESPONSE_403,
                404: RESPONSE_404,
                409: RESPONSE_409,
            },
        )
        def post(self, request: Request, petition_id: int) -> Response:
            petition = access_petition(user=request.user, petition_id=petition_id)
            data = validate_input(input_class(data=request.data))
            run(request.user, petition, data)
            return _detail(request, petition)

    StepApi.__name__ = StepApi.__qualname__ = f"Petition{name.title().replace('_', '')}Api"
    return StepApi


def _date(label: str) -> serializers.DateField:
    return serializers.DateField(required=False, allow_null=True, label=gettext_lazy(label))


def _reason() -> serializers.CharField:
    return serializers.CharField(allow_blank=True, label=gettext_lazy("理由"))


def _reply_fields() -> dict[str, serializers.Field]:
    return {
        "outcome": serializers.ChoiceField(
            choices=Petition.Outcome.choices, label=gettext_lazy("处理结果")
        ),
        "decision": serializers.CharField(allow_blank=True, label=gettext_lazy("处理意见")),
        "basis": serializers.CharField(allow_blank=True, label=gettext_lazy("依据")),
        "replied_on": _date("答复日期"),
    }


def _reply(service: Callable[..., Any]) -> Callable[[Any, Petition, dict[str, Any]], Any]:
    return lambda user, p, d: service(actor=user, petition=p, **d)


PetitionAcceptApi = _step_view(
    name="accept",
    summary=cast(str, gettext_lazy("受理并交办")),
    fields={
        "handling_unit_id": serializers.IntegerField(label=gettext_lazy("办理单位")),
        "accepted_on": _date("受理日期"),
    },
    run=lambda user, p, d: h.petition_accept(
        actor=user,
        petition=p,
        handling_unit=_unit(d["handling_unit_id"]),
        accepted_on=d.get("accepted_on"),
    ),
)


def _unit(pk: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=pk).first()
    if unit is None:
        raise ValidationError(str(gettext_lazy("未找到该单位。")), field="handling_unit_id")
    return unit


PetitionDeclineApi = _step_view(
    name="decline",
    summary=cast(str, gettext_lazy("不予受理")),
    fields={"reason": _reason(), "decided_on": _date("决定日期")},
    run=lambda user, p, d: h.petition_decline(actor=user, petition=p, **d),
)
PetitionTransferApi = _step_view(
    name="transfer",
    summary=cast(str, gettext_lazy("转交其他机关")),
    fields={
        "body": serializers.CharField(
            allow_blank=True, max_length=100, label=gettext_lazy("转交机关")
        ),
        "reason": _reason(),
        "decided_on": _date("决定日期"),
    },
    run=lambda user, p, d: h.petition_transfer(actor=user, petition=p, **d),
)
PetitionReferApi = _step_view(
    name="refer",
    summary=cast(str, gettext_lazy("转法律援助或帮扶救助")),
    fields={
        "kind": serializers.ChoiceField(choices=Route.Kind.choices, label=gettext_lazy("转往")),
        "reason": _reason(),
    },
    run=lambda user, p, d: h.petition_refer(actor=user, petition=p, **d),
)
PetitionAcknowledgeApi = _step_view(
    name="acknowledge",
    summary=cast(str, gettext_lazy("告知信访人")),
    fields={
        "method": serializers.ChoiceField(
            choices=Petition.AckMethod.choices, label=gettext_lazy("告知方式")
        ),
        "acknowledged_on": _date("告知日期"),
    },
    run=lambda user, p, d: h.petition_acknowledge(actor=user, petition=p, **d),
)
PetitionExtendApi = _step_view(
    name="extend",
    summary=cast(str, gettext_lazy("批准延期(一次,不超过 30 日)")),
    fields={
        "days": serializers.IntegerField(
            min_value=1, max_value=365, label=gettext_lazy("延长天数")
        ),
        "reason": _reason(),
        "told_on": _date("延期理由告知信访人的日期"),
    },
    run=lambda user, p, d: h.petition_extend(
        actor=user, petition=p, days=d["days"], reason=d["reason"], told_on=d.get("told_on")
    ),
)
PetitionReplyApi = _step_view(
    name="reply",
    summary=cast(str, gettext_lazy("答复(处理意见书)")),
    fields=_reply_fields(),
    run=_reply(h.petition_reply),
)
PetitionReviewRequestApi = _step_view(
    name="review_request",
    summary=cast(str, gettext_lazy("登记复查请求")),
    fields={"reason": _reason(), "requested_on": _date("收到请求的日期")},
    run=lambda user, p, d: h.petition_review_request(actor=user, petition=p, **d),
)
PetitionReviewReplyApi = _step_view(
    name="review_reply",
    summary=cast(str, gettext_lazy("复查答复")),
    fields=_reply_fields(),
    run=_reply(h.petition_review_reply),
)
PetitionRecheckRequestApi = _step_view(
    name="recheck_request",
    summary=cast(str, gettext_lazy("登记复核请求")),
    fields={"reason": _reason(), "requested_on": _date("收到请求的日期")},
    run=lambda user, p, d: h.petition_recheck_request(actor=user, petition=p, **d),
)
PetitionRecheckReplyApi = _step_view(
    name="recheck_reply",
    summary=cast(str, gettext_lazy("复核答复(终结)")),
    fields=_reply_fields(),
    run=_reply(h.petition_recheck_reply),
)
PetitionRateApi = _step_view(
    name="rate",
    summary=cast(str, gettext_lazy("记录满意度评价")),
    fields={
        "rating": serializers.ChoiceField(
            choices=Petition.Rating.choices, label=gettext_lazy("满意度")
        ),
        "comment": serializers.CharField(required=False, allow_blank=True, max_length=500),
    },
    run=lambda user, p, d: h.petition_rate(
        actor=user, petition=p, rating=d["rating"], comment=d.get("comment") or ""
    ),
)
