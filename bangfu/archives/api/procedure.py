"""The archives API for the filing procedure: what the procedure panel does, one view per action.

Each view fetches the archive within the caller's view scope first (outside it: 404, exactly
like an archive that does not exist), validates the body (undeclared fields refused), and calls
the same service as the page (`archives.services.procedure`, on the workflow kit): the action's
own permission and scope (403 with the reason), the archive's state (409 naming it), invalid
input (400 with {field: message}). Every answer is the archive's procedure as it now stands.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.accounts.requests import AuthenticatedApiRequest
from bangfu.core.api import (
    RESPONSE_400,
    RESPONSE_403,
    RESPONSE_404,
    RESPONSE_409,
    validate_input,
)
from bangfu.core.errors import Conflict, NotFound
from bangfu.kits.workflow import selectors as kit_selectors
from bangfu.kits.workflow.models import Visit
from bangfu.notices.models import NoticeItem, Objection
from bangfu.notices.selectors import access_objection
from bangfu.notices.services import objection_record, objection_settle

from ..models import Household
from ..permissions import ArchivesPermission
from ..selectors import access_household
from ..services import procedure
from ..services.procedure import CONSENT_FIELDS, FILING, OUTCOME_CHOICES

TAG = cast(str, gettext_lazy("建档流程"))
HOUSEHOLD_ID = OpenApiParameter(
    "household_id", int, OpenApiParameter.PATH, description=gettext_lazy("档案编号(id)。")
)
OBJECTION_ID = OpenApiParameter(
    "objection_id", int, OpenApiParameter.PATH, description=gettext_lazy("异议编号(id)。")
)
ANSWERS = {400: RESPONSE_400, 403: RESPONSE_403, 404: RESPONSE_404, 409: RESPONSE_409}


# --- output -------------------------------------------------------------------------------


class SignOffOutputSerializer(serializers.Serializer):
    round = serializers.IntegerField(label=gettext_lazy("轮次"))
    level_unit = serializers.CharField(label=gettext_lazy("审批单位"))
    signed_by = serializers.CharField(label=gettext_lazy("审批人"))
    signed_at = serializers.DateTimeField(label=gettext_lazy("时间"))
    outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES, label=gettext_lazy("审批结果"))
    opinion = serializers.CharField(label=gettext_lazy("意见"))


@extend_schema_serializer(component_name="HouseholdProcedure")
class ProcedureOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(label=gettext_lazy("档案编号(id)"))
    archive_no = serializers.CharField(label=gettext_lazy("档案号"))
    status = serializers.ChoiceField(choices=Household.Status.choices, label=gettext_lazy("状态"))
    step = serializers.CharField(
        allow_null=True,
        label=gettext_lazy("当前环节"),
        help_text=gettext_lazy(
            "visit 入户调查、review 民主评议、notice 公示、submit 待提交审批、approval 审批中、"
            "returned 已退回、approved 已批准、refused 不予建档;未开始办理时为 null。"
        ),
    )
    round = serializers.IntegerField(allow_null=True, label=gettext_lazy("轮次"))
    next_action = serializers.CharField(label=gettext_lazy("下一步"))
    visit_due_on = serializers.DateField(allow_null=True, label=gettext_lazy("调查期限"))
    notice_ends_on = serializers.DateField(allow_null=True, label=gettext_lazy("公示期截止"))
    approval_unit = serializers.CharField(allow_null=True, label=gettext_lazy("审批单位"))
    consent_sensitive_on = serializers.DateField(
        allow_null=True, label=gettext_lazy("同意处理敏感信息")
    )
    consent_publication_on = serializers.DateField(allow_null=True, label=gettext_lazy("同意公示"))
    signoffs = SignOffOutputSerializer(many=True, label=gettext_lazy("审批记录"))


def _who(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


def _answer(household: Household, user: Any) -> Response:
    household.refresh_from_db()
    case = procedure.case_of(household)
    pending: Visit | None = kit_selectors.open_visit(case) if case is not None else None
    data = {
        "id": household.pk,
        "archive_no": household.archive_no,
        "status": household.status,
        "step": case.step if case else None,
        "round": case.round if case else None,
        "next_action": kit_selectors.next_action(FILING, case, pending, user) if case else "",
        "visit_due_on": pending.due_on if pending else None,
        "notice_ends_on": case.notice_ends_on if case else None,
        "approval_unit": case.approval_unit.name if case and case.approval_unit else None,
        "consent_sensitive_on": household.consent_sensitive_on,
        "consent_publication_on": household.consent_publication_on,
        "signoffs": [
            {
                "round": s.round,
                "level_unit": s.level_unit.name,
                "signed_by": _who(s.signed_by),
                "signed_at": timezone.localtime(s.created_at),
                "outcome": s.outcome,
                "opinion": s.opinion,
            }
            for s in (kit_selectors.signoffs(case) if case else [])
        ],
    }
    return Response(ProcedureOutputSerializer(data).data)


def _household(request: AuthenticatedApiRequest, household_id: int) -> Household:
    return access_household(
        user=request.user, household_id=household_id, perm=ArchivesPermission.VIEW
    )


def _schema(operation_id: str, summary: Any, description: Any, *, request: Any = None) -> Any:
    return extend_schema(
        tags=[TAG],
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[HOUSEHOLD_ID],
        request=request,
        responses={200: ProcedureOutputSerializer, **ANSWERS},
    )


# --- reading --------------------------------------------------------------------------------


class ProcedureDetailApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="procedure_detail",
        summary=gettext_lazy("建档流程"),
        description=gettext_lazy(
            "返回档案的建档流程:当前环节、轮次、下一步由谁办理、期限、知情同意和各轮审批记录。"
        ),
        parameters=[HOUSEHOLD_ID],
        responses={200: ProcedureOutputSerializer, 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        return _answer(_household(request, household_id), request.user)


# --- actions --------------------------------------------------------------------------------


class ProcedureConsentApi(APIView):
    @extend_schema_serializer(component_name="ProcedureConsentInput")
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(
            choices=[(k, k) for k in CONSENT_FIELDS],
            label=gettext_lazy("同意事项"),
            help_text=gettext_lazy("sensitive 处理敏感信息;publication 公示。"),
        )
        given_on = serializers.DateField(label=gettext_lazy("同意日期"))

    @_schema(
        "procedure_consent",
        gettext_lazy("记录知情同意"),
        gettext_lazy("记录职工书面同意的日期;同一日期再次提交不重复记录。需要 archives.file。"),
        request=InputSerializer,
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = _household(request, household_id)
        data = validate_input(self.InputSerializer(data=request.data))
        procedure.consent_record(
            actor=request.user, household=household, kind=data["kind"], given_on=data["given_on"]
        )
        return _answer(household, request.user)


class ProcedureVisitApi(APIView):
    @extend_schema_serializer(component_name="ProcedureVisitInput")
    class InputSerializer(serializers.Serializer):
        visited_on = serializers.DateField(label=gettext_lazy("调查日期"))
        visitors = serializers.ListField(
            child=serializers.CharField(max_length=50),
            max_length=20,
            label=gettext_lazy("调查人员"),
            help_text=gettext_lazy("至少两个不同的姓名。"),
        )
        findings = serializers.CharField(max_length=5000, label=gettext_lazy("调查情况"))
        recommendation = serializers.ChoiceField(
            choices=[("agree", "agree"), ("disagree", "disagree")],
            label=gettext_lazy("调查意见"),
        )

    @_schema(
        "procedure_visit",
        gettext_lazy("记录入户调查"),
        gettext_lazy("记录入户调查(至少两人)。需要 archives.investigate。"),
        request=InputSerializer,
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = _household(request, household_id)
        data = validate_input(self.InputSerializer(data=request.data))
        procedure.investigation_record(actor=request.user, household=household, **data)
        return _answer(household, request.user)


class ProcedureReviewApi(APIView):
    @extend_schema_serializer(component_name="ProcedureReviewInput")
    class InputSerializer(serializers.Serializer):
        held_on = serializers.DateField(label=gettext_lazy("评议日期"))
        participants = serializers.CharField(max_length=2000, label=gettext_lazy("参加人员"))
        votes_for = serializers.IntegerField(min_value=0, label=gettext_lazy("同意票数"))
        votes_against = serializers.IntegerField(min_value=0, label=gettext_lazy("反对票数"))
        passed = serializers.BooleanField(label=gettext_lazy("评议通过"))
        record = serializers.CharField(max_length=5000, label=gettext_lazy("评议记录"))

    @_schema(
        "procedure_review",
        gettext_lazy("记录民主评议"),
        gettext_lazy(
            "记录民主评议。未通过的直接提交审批,只能退回或不予建档。需要 archives.investigate。"
        ),
        request=InputSerializer,
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = _household(request, household_id)
        data = validate_input(self.InputSerializer(data=request.data))
        procedure.review_record(actor=request.user, household=household, **data)
        return _answer(household, request.user)


class ProcedureNoticeApi(APIView):
    @extend_schema_serializer(component_name="ProcedureNoticeInput")
    class InputSerializer(serializers.Serializer):
        starts_on = serializers.DateField(
            required=False, allow_null=True, default=None, label=gettext_lazy("发布日期")
        )

    @_schema(
        "procedure_notice",
        gettext_lazy("开始公示"),
        gettext_lazy(
            "发布公示(只显示姓名、单位、类别和救助类别),须先记录同意公示。"
            "需要 archives.investigate。"
        ),
        request=InputSerializer,
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = _household(request, household_id)
        data = validate_input(self.InputSerializer(data=request.data))
        procedure.notice_start(actor=request.user, household=household, starts_on=data["starts_on"])
        return _answer(household, request.user)


class ProcedureSubmitApi(APIView):
    @extend_schema_serializer(component_name="ProcedureSubmitInput")
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(
            max_length=2000,
            required=False,
            allow_blank=True,
            default="",
            label=gettext_lazy("说明"),
        )

    @_schema(
        "procedure_submit",
        gettext_lazy("提交审批"),
        gettext_lazy(
            "公示期满且异议已处理(或评议未通过)后提交审批,须先记录同意处理敏感信息。"
            "需要 archives.investigate。"
        ),
        request=InputSerializer,
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = _household(request, household_id)
        data = validate_input(self.InputSerializer(data=request.data))
        procedure.submit_for_approval(actor=request.user, household=household, note=data["note"])
        return _answer(household, request.user)


class ProcedureDecideApi(APIView):
    @extend_schema_serializer(component_name="ProcedureDecideInput")
    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(
            choices=OUTCOME_CHOICES,
            label=gettext_lazy("审批结果"),
        )
        reason = serializers.CharField(
            max_length=2000,
            required=False,
            allow_blank=True,
            default="",
            label=gettext_lazy("意见"),
            help_text=gettext_lazy("退回或不予建档时必填。"),
        )

    @_schema(
        "procedure_decide",
        gettext_lazy("审批"),
        gettext_lazy(
            "在配置的审批层级签署:批准建档、退回修改或不予建档(后两者须填写理由)。"
            "建档、入户调查或民主评议的记录人不能审批。需要 archives.approve。"
        ),
        request=InputSerializer,
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = _household(request, household_id)
        data = validate_input(self.InputSerializer(data=request.data))
        procedure.decide(actor=request.user, household=household, **data)
        return _answer(household, request.user)


def _notice_item(household: Household) -> NoticeItem:
    """The archive's item on its latest notice that was not withdrawn; Conflict when none."""
    from bangfu.notices.selectors import subject_notice_state

    state = subject_notice_state(household, kind=procedure.NOTICE_KIND)
    item = (
        NoticeItem.objects.filter(
            notice=state.notice,
            subject_type=ContentType.objects.get_for_model(Household),
            subject_id=household.pk,
        )
        .select_related("notice")
        .first()
        if state.notice is not None
        else None
    )
    if item is None:
        raise Conflict(_("该档案没有公示,不能登记异议。"))
    return item


class ProcedureObjectionApi(APIView):
    @extend_schema_serializer(component_name="ProcedureObjectionInput")
    class InputSerializer(serializers.Serializer):
        received_on = serializers.DateField(label=gettext_lazy("收到日期"))
        channel = serializers.ChoiceField(
            choices=Objection.Channel.choices, label=gettext_lazy("反映方式")
        )
        from_name = serializers.CharField(
            max_length=100,
            required=False,
            allow_blank=True,
            default="",
            label=gettext_lazy("反映人"),
        )
        contact = serializers.CharField(
            max_length=100,
            required=False,
            allow_blank=True,
            default="",
            label=gettext_lazy("联系方式"),
        )
        content = serializers.CharField(max_length=5000, label=gettext_lazy("异议内容"))

    @_schema(
        "procedure_objection",
        gettext_lazy("登记公示异议"),
        gettext_lazy("对该档案的公示登记异议;异议处理前不能提交审批。需要 notices.manage。"),
        request=InputSerializer,
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = _household(request, household_id)
        data = validate_input(self.InputSerializer(data=request.data))
        item = _notice_item(household)
        objection_record(actor=request.user, notice=item.notice, item=item, **data)
        return _answer(household, request.user)


class ProcedureObjectionSettleApi(APIView):
    @extend_schema_serializer(component_name="ProcedureObjectionSettleInput")
    class InputSerializer(serializers.Serializer):
        upheld = serializers.BooleanField(label=gettext_lazy("异议成立"))
        resolution = serializers.CharField(max_length=5000, label=gettext_lazy("核实情况"))

    @extend_schema(
        tags=[TAG],
        operation_id="procedure_objection_settle",
        summary=gettext_lazy("办结公示异议"),
        description=gettext_lazy(
            "核实后办结该档案公示的异议:成立的,审批时只能退回或不予建档。需要 notices.manage。"
        ),
        parameters=[HOUSEHOLD_ID, OBJECTION_ID],
        request=InputSerializer,
        responses={200: ProcedureOutputSerializer, **ANSWERS},
    )
    def post(
        self, request: AuthenticatedApiRequest, household_id: int, objection_id: int
    ) -> Response:
        household = _household(request, household_id)
        objection = access_objection(user=request.user, objection_id=objection_id)
        items = NoticeItem.objects.filter(
            subject_type=ContentType.objects.get_for_model(Household), subject_id=household.pk
        )
        concerns = (
            objection.item_id in set(items.values_list("pk", flat=True))
            if objection.item_id is not None
            else items.filter(notice=objection.notice_id).exists()
        )
        if not concerns:  # an objection to another archive: as if it did not exist
            raise NotFound(_("未找到该异议。"))
        data = validate_input(self.InputSerializer(data=request.data))
        objection_settle(
            actor=request.user,
            objection=objection,
            upheld=data["upheld"],
            resolution=data["resolution"],
        )
        return _answer(household, request.user)
