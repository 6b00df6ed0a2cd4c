"""The archives API: list and detail (masked), reveal (logged), close, reopen, yearly review.

One view per action, each calling the archives' selectors and services. An archive outside the
caller's scope answers 404, exactly like one that does not exist; personal data is masked
except in the reveal answer, which needs archives.reveal and a purpose and is written to the
access log.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.accounts import policy
from bangfu.accounts.policy import units_in_scope
from bangfu.accounts.requests import AuthenticatedApiRequest
from bangfu.core.access import access_log_record
from bangfu.core.api import (
    MAX_KEY,
    RESPONSE_400,
    RESPONSE_403,
    RESPONSE_404,
    RESPONSE_409,
    OptionalBooleanField,
    validate_input,
)
from bangfu.core.errors import ValidationError
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.core.paging import CappedLimitOffsetPagination
from bangfu.network.models import OrgUnit

from .. import rules
from ..inputs import HouseholdInput, MemberInput, household_input_fields
from ..models import AnnualReview, Area, Household, HouseholdMember
from ..models import choices as c
from ..permissions import ArchivesPermission
from ..selectors import access_household, household_queryset
from ..selectors import dynamic as dynamic_selectors
from ..selectors.browse import HouseholdFilters, household_list
from ..services import dynamic as dynamic_services
from ..services import filing
from ..services.reveal import household_view_log

# Lazy, so that the schema can be rendered in another language; typed as the str it becomes.
TAG = cast(str, gettext_lazy("困难职工档案"))
HOUSEHOLD_ID = OpenApiParameter(
    "household_id", int, OpenApiParameter.PATH, description=gettext_lazy("档案编号(id)。")
)
MANAGE = ArchivesPermission.MANAGE


# --- output -------------------------------------------------------------------------------


class MaskedIdField(serializers.CharField):
    """An ID number shown as 430302********1234."""

    def to_representation(self, value: Any) -> str:
        return mask_id_number(value)


class MaskedPhoneField(serializers.CharField):
    def to_representation(self, value: Any) -> str:
        return mask_phone(value)


class MaskedCardField(serializers.CharField):
    def to_representation(self, value: Any) -> str:
        return mask_bank_card(value)


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HouseholdListOutputSerializer(serializers.ModelSerializer):
    id_number = MaskedIdField(help_text=gettext_lazy("已脱敏,如 430302********1234。"))
    mobile = MaskedPhoneField(help_text=gettext_lazy("已脱敏,如 138****5678。"))
    unit = RefSerializer(help_text=gettext_lazy("所属帮扶站(点)。"))
    status_label = serializers.CharField(source="get_status_display")
    category_label = serializers.CharField(source="get_category_display")
    sex_label = serializers.CharField(source="get_sex_display")
    review_overdue = serializers.SerializerMethodField(
        help_text=gettext_lazy("在档且已过复核期限。")
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "archive_no",
            "name",
            "sex",
            "sex_label",
            "id_number",
            "mobile",
            "unit",
            "status",
            "status_label",
            "category",
            "category_label",
            "review_due_on",
            "review_overdue",
            "closed_on",
        ]
        read_only_fields = fields

    def get_review_overdue(self, obj: Household) -> bool:
        return bool(
            obj.status == Household.Status.ACTIVE
            and obj.review_due_on
            and obj.review_due_on < timezone.localdate()
        )


class MemberOutputSerializer(serializers.ModelSerializer):
    id_number = MaskedIdField(help_text=gettext_lazy("已脱敏。"))
    relation_label = serializers.CharField(source="get_relation_display")
    sex_label = serializers.CharField(source="get_sex_display")
    identity_label = serializers.CharField(source="get_identity_display")

    class Meta:
        model = HouseholdMember
        fields = [
            "id",
            "name",
            "relation",
            "relation_label",
            "sex",
            "sex_label",
            "id_number",
            "birth_date",
            "health",
            "identity",
            "identity_label",
            "monthly_income",
            "employer_or_school",
        ]
        read_only_fields = fields


class ReviewOutputSerializer(serializers.ModelSerializer):
    outcome_label = serializers.CharField(source="get_outcome_display")
    reviewed_by = serializers.CharField(source="reviewed_by.display_name")

    class Meta:
        model = AnnualReview
        fields = [
            "id",
            "reviewed_on",
            "outcome",
            "outcome_label",
            "findings",
            "reviewed_by",
            "next_due_on",
        ]
        read_only_fields = fields


class HouseholdDetailOutputSerializer(HouseholdListOutputSerializer):
    area = RefSerializer(help_text=gettext_lazy("低保标准地区。"))
    bank_card = MaskedCardField(help_text=gettext_lazy("已脱敏,只显示末 4 位。"))
    work_status_label = serializers.CharField(source="get_work_status_display")
    main_cause_label = serializers.CharField(source="get_main_cause_display")
    close_reason_label = serializers.CharField(source="get_close_reason_display")
    members = MemberOutputSerializer(source="member_list", many=True)
    reviews = ReviewOutputSerializer(
        source="review_list", many=True, help_text=gettext_lazy("年度复核记录,最近的在前。")
    )

    class Meta(HouseholdListOutputSerializer.Meta):
        fields = [
            *HouseholdListOutputSerializer.Meta.fields,
            "centre_id",
            "area",
            "origin",
            "applied_on",
            "filed_on",
            "rule_version",
            "ethnicity",
            "birth_date",
            "health",
            "disability",
            "work_status",
            "work_status_label",
            "employer",
            "housing",
            "marital_status",
            "hukou",
            "address",
            "medical_insurance",
            "single_parent",
            "zero_employment",
            "main_cause",
            "main_cause_label",
            "secondary_causes",
            "head_monthly_income",
            "receives_dibao",
            "bank_name",
            "bank_branch",
            "bank_card",
            "last_reviewed_on",
            "close_reason",
            "close_reason_label",
            "close_note",
            "retention_review_on",
            "members",
            "reviews",
        ]
        read_only_fields = fields


def _detail(*, user: Any, household_id: int, household: Household | None = None) -> dict[str, Any]:
    """Return the archive with its members and reviews, masked; raise NotFound outside the
    user's scope."""
    household = household or access_household(user=user, household_id=household_id)
    household.member_list = list(household.members.all())  # type: ignore[attr-defined]
    household.review_list = dynamic_selectors.household_reviews(household=household)  # type: ignore[attr-defined]
    return dict(HouseholdDetailOutputSerializer(household).data)


# --- list and search ------------------------------------------------------------------------


@extend_schema_serializer(component_name="HouseholdListFilter")
class HouseholdFilterSerializer(serializers.Serializer):
    """The list's filters, as on the page (`browse.HouseholdFilters`)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        label=gettext_lazy("查找"),
        help_text=gettext_lazy(
            "姓名或其开头、拼音首字母(zs 找到张三)、职工编号、身份证号末 4 位或完整身份证号"
            "(户主或家庭成员)、手机号末 4 位或完整手机号。完整号码请用 POST /api/households/"
            "search/ 提交,不要放进地址。"
        ),
    )
    key = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        required=False,
        allow_blank=True,
        label=gettext_lazy("号码索引"),
        help_text=gettext_lazy("网页地址中代替完整身份证号或手机号的索引值(key)。"),
    )
    category = serializers.ChoiceField(
        choices=c.Category.choices, required=False, label=gettext_lazy("困难类别")
    )
    status = serializers.ChoiceField(
        choices=Household.Status.choices, required=False, label=gettext_lazy("状态")
    )
    unit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=policy.MAX_PK,
        label=gettext_lazy("帮扶站(点)"),
        help_text=gettext_lazy("组织单位编号,含其下级;范围外的单位没有结果。"),
    )
    # Codes 1–10 (致困原因), as in the archive's input (one enum in the schema, not two).
    main_cause = serializers.IntegerField(
        required=False, min_value=1, max_value=10, label=gettext_lazy("主要致困原因")
    )
    secondary_cause = serializers.IntegerField(
        required=False, min_value=1, max_value=10, label=gettext_lazy("次要致困原因")
    )
    rule_version = serializers.ChoiceField(
        choices=sorted(rules.RULES),
        required=False,
        label=gettext_lazy("认定规则版本"),
    )
    review_overdue = OptionalBooleanField(
        required=False,
        label=gettext_lazy("复核逾期"),
        help_text=gettext_lazy("true:只列复核逾期的在档档案;false:不列它们。"),
    )


def _filters(*, user: Any, data: dict[str, Any]) -> HouseholdFilters | None:
    """Turn checked filters into the list's; None when the unit lies outside the scope (no
    archive can match)."""
    unit = None
    if data.get("unit"):
        unit = units_in_scope(user, ArchivesPermission.VIEW).filter(pk=data["unit"]).first()
        if unit is None:
            return None
    return HouseholdFilters(
        q=data.get("q") or "",
        key=data.get("key") or "",
        category=data.get("category") or "",
        status=data.get("status") or "",
        unit=unit,
        main_cause=data.get("main_cause"),
        secondary_cause=data.get("secondary_cause"),
        review_overdue=data.get("review_overdue"),
        rule_version=data.get("rule_version") or "",
    )


def _list_response(request: Request, view: APIView, data: dict[str, Any]) -> Response:
    filters = _filters(user=request.user, data=data)
    households = (
        household_list(user=request.user, filters=filters)
        if filters is not None
        else household_queryset(user=request.user).none()
    )
    paginator = CappedLimitOffsetPagination()
    page = paginator.paginate_queryset(households, request, view=view)
    return paginator.get_paginated_response(HouseholdListOutputSerializer(page, many=True).data)


_LIST_DESCRIPTION = gettext_lazy(
    "返回您范围内的档案,最新建档的在前,与网页的档案查询同一个查找:q 可为姓名或其开头、"
    "拼音首字母(zs 找到张三)、职工编号、身份证号或手机号末 4 位(户主或家庭成员的身份证号)、"
    "完整身份证号或完整手机号;可按困难类别、状态、帮扶站(点,含下级)、致困原因、认定规则版本"
    "和复核是否逾期筛选。身份证号和手机号已脱敏。count 最多数到 10,000(count_capped 为 true "
    "表示更多)。"
)


class HouseholdListApi(APIView):
    pagination_class = CappedLimitOffsetPagination
    FilterSerializer = HouseholdFilterSerializer

    @extend_schema(
        tags=[TAG],
        operation_id="household_list",
        summary=gettext_lazy("档案列表"),
        description=_LIST_DESCRIPTION,
        parameters=[HouseholdFilterSerializer],
        responses={
            200: HouseholdListOutputSerializer(many=True),
            400: RESPONSE_400,
            403: RESPONSE_403,
        },
    )
    def get(self, request: Request) -> Response:
        data = validate_input(HouseholdFilterSerializer(data=request.query_params))
        return _list_response(request, self, data)


class HouseholdSearchApi(APIView):
    """The list by POST: a whole ID or mobile number travels in the body, never in a URL."""

    pagination_class = CappedLimitOffsetPagination

    @extend_schema(
        tags=[TAG],
        operation_id="household_search",
        summary=gettext_lazy("档案查找(完整号码)"),
        description=gettext_lazy(
            "与档案列表相同,条件放在请求体中:按完整身份证号或手机号查找时用它,号码就不会"
            "出现在地址和服务器访问日志中。分页参数 limit、offset 仍在地址中。"
        ),
        request=HouseholdFilterSerializer,
        parameters=[
            OpenApiParameter("limit", int, description=gettext_lazy("每页条数(至多 200)。")),
            OpenApiParameter("offset", int, description=gettext_lazy("从第几条开始(0 起)。")),
        ],
        responses={
            200: HouseholdListOutputSerializer(many=True),
            400: RESPONSE_400,
            403: RESPONSE_403,
        },
    )
    def post(self, request: Request) -> Response:
        data = validate_input(HouseholdFilterSerializer(data=request.data))
        return _list_response(request, self, data)


class HouseholdDetailApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="household_detail",
        summary=gettext_lazy("档案详情"),
        description=gettext_lazy(
            "返回档案、家庭成员和年度复核记录,身份证号、手机号和银行卡号已脱敏。"
            "范围外的档案答复 404,与不存在相同。"
        ),
        parameters=[HOUSEHOLD_ID],
        responses={200: HouseholdDetailOutputSerializer, 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = access_household(user=request.user, household_id=household_id)
        # Logged like the detail page: every view of an archive is in the access log.
        household_view_log(user=request.user, household=household, purpose=_("查看档案详情(脱敏)"))
        return Response(_detail(user=request.user, household_id=household_id, household=household))


class HouseholdRevealApi(APIView):
    @extend_schema_serializer(component_name="HouseholdRevealInput")
    class InputSerializer(serializers.Serializer):
        purpose = serializers.CharField(
            max_length=200,
            label=gettext_lazy("查看事由"),
            help_text=gettext_lazy("为什么需要查看完整信息,写入查看记录。"),
        )

    @extend_schema_serializer(component_name="HouseholdRevealOutput")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="HouseholdRevealMember")
        class MemberSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()
            id_number = serializers.CharField()

        id = serializers.IntegerField()
        id_number = serializers.CharField(help_text=gettext_lazy("完整身份证号。"))
        mobile = serializers.CharField(help_text=gettext_lazy("完整手机号。"))
        bank_card = serializers.CharField(help_text=gettext_lazy("完整银行卡号。"))
        members = MemberSerializer(many=True)

    @extend_schema(
        tags=[TAG],
        operation_id="household_reveal",
        summary=gettext_lazy("查看完整身份证号、手机号和银行卡号"),
        description=gettext_lazy(
            "需要“查看完整敏感信息”的权限并填写事由;每次查看都写入查看记录"
            "(查看人、时间、事由、字段)。范围外的档案答复 404。"
        ),
        parameters=[HOUSEHOLD_ID],
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,
        },
    )
    def post(self, request: Request, household_id: int) -> Response:
        household = access_household(
            user=request.user, household_id=household_id, perm=ArchivesPermission.REVEAL
        )
        data = validate_input(self.InputSerializer(data=request.data))
        members = [m for m in household.members.all() if m.id_number]
        fields = ["id_number", "mobile", "bank_card"]
        if members:
            fields.append("members.id_number")
        access_log_record(user=request.user, obj=household, fields=fields, purpose=data["purpose"])
        answer = {
            "id": household.pk,
            "id_number": household.id_number,
            "mobile": household.mobile,
            "bank_card": household.bank_card,
            "members": [{"id": m.pk, "name": m.name, "id_number": m.id_number} for m in members],
        }
        # Full personal data: no cache may keep it.
        return Response(self.OutputSerializer(answer).data, headers={"Cache-Control": "no-store"})


class HouseholdCloseApi(APIView):
    @extend_schema_serializer(component_name="HouseholdCloseInput")
    class InputSerializer(serializers.Serializer):
        # Named as on the archive, so input and output share one enum in the schema.
        close_reason = serializers.ChoiceField(
            choices=Household.CloseReason.choices, label=gettext_lazy("撤档原因")
        )
        closed_on = serializers.DateField(label=gettext_lazy("撤档日期"))
        close_note = serializers.CharField(
            max_length=2000,
            required=False,
            allow_blank=True,
            default="",
            label=gettext_lazy("撤档说明"),
            help_text=gettext_lazy("原因为“其他”(other)时必填。"),
        )

    @extend_schema(
        tags=[TAG],
        operation_id="household_close",
        summary=gettext_lazy("撤档"),
        description=gettext_lazy(
            "只有在档的档案可以撤档(尚在审批流程中的申请用退回或不予建档处理)。"
            "撤档释放身份证号,档案资料全部保留,保管期满(默认撤档后 10 年)时提示复查。"
            "状态不允许时答复 409。"
        ),
        parameters=[HOUSEHOLD_ID],
        request=InputSerializer,
        responses={
            200: HouseholdDetailOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,
            409: RESPONSE_409,
        },
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = access_household(user=request.user, household_id=household_id, perm=MANAGE)
        data = validate_input(self.InputSerializer(data=request.data))
        try:
            household = dynamic_services.household_close(
                actor=request.user,
                household=household,
                reason=data["close_reason"],
                closed_on=data["closed_on"],
                note=data["close_note"],
            )
        except ValidationError as exc:
            renamed = {"reason": "close_reason", "note": "close_note"}
            raise ValidationError(
                exc.message, errors={renamed.get(k, k): v for k, v in exc.errors.items()}
            ) from None
        return Response(_detail(user=request.user, household_id=household.pk))


class HouseholdReopenApi(APIView):
    @extend_schema_serializer(component_name="HouseholdReopenInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, label=gettext_lazy("恢复原因"))

    @extend_schema(
        tags=[TAG],
        operation_id="household_reopen",
        summary=gettext_lazy("恢复在档"),
        description=gettext_lazy(
            "把已撤档的档案恢复为在档:重新登记身份证号,复核期限从今天起算。"
            "若其中某个身份证号已在另一份未撤档的档案中,答复 409 并指明那份档案,什么也不改。"
        ),
        parameters=[HOUSEHOLD_ID],
        request=InputSerializer,
        responses={
            200: HouseholdDetailOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,
            409: RESPONSE_409,
        },
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = access_household(user=request.user, household_id=household_id, perm=MANAGE)
        data = validate_input(self.InputSerializer(data=request.data))
        household = dynamic_services.household_reopen(
            actor=request.user, household=household, **data
        )
        return Response(_detail(user=request.user, household_id=household.pk))


class AnnualReviewCreateApi(APIView):
    @extend_schema_serializer(component_name="AnnualReviewInput")
    class InputSerializer(serializers.Serializer):
        reviewed_on = serializers.DateField(label=gettext_lazy("复核日期"))
        outcome = serializers.ChoiceField(
            choices=AnnualReview.Outcome.choices, label=gettext_lazy("复核结论")
        )
        findings = serializers.CharField(max_length=2000, label=gettext_lazy("复核情况"))

    @extend_schema(
        tags=[TAG],
        operation_id="annual_review_create",
        summary=gettext_lazy("记录年度复核"),
        description=gettext_lazy(
            "记录在档档案的年度复核;下次复核期限为复核日期后 12 个月(可设置)。"
            "非在档的档案答复 409。"
        ),
        parameters=[HOUSEHOLD_ID],
        request=InputSerializer,
        responses={
            201: ReviewOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,
            409: RESPONSE_409,
        },
    )
    def post(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = access_household(user=request.user, household_id=household_id, perm=MANAGE)
        data = validate_input(self.InputSerializer(data=request.data))
        review = dynamic_services.annual_review_record(
            actor=request.user, household=household, **data
        )
        return Response(ReviewOutputSerializer(review).data, status=201)


# --- filing through the API --------------------------------------------------------------------


class MemberInputSerializer(serializers.ModelSerializer):
    """One member as `MemberInput`: labels, lengths and choices come from the model."""

    id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", label=gettext_lazy("身份证号")
    )

    class Meta:
        model = HouseholdMember
        fields = [
            "name",
            "relation",
            "id_number",
            "sex",
            "birth_date",
            "health",
            "disability",
            "medical_insurance",
            "monthly_income",
            "identity",
            "able_to_work",
            "employer_or_school",
            "education",
            "enrolled_year",
            "schooling_years",
        ]
        extra_kwargs = {
            "sex": {
                "required": False,
                "allow_blank": True,
                "help_text": gettext_lazy("有身份证号时由号码推出。"),
            },
            "birth_date": {"required": False, "allow_null": True},
        }


# The API takes the fields of `HouseholdInput` a user gives, as the archive form does; the unit,
# the area and the members are declared below (ids and a list).
_HOUSEHOLD_INPUT_FIELDS = [
    name for name in household_input_fields() if name not in ("unit", "area")
]


@extend_schema_serializer(component_name="HouseholdInput")
class HouseholdInputSerializer(serializers.ModelSerializer):
    """An archive as `HouseholdInput`. The filing service checks everything again (ID numbers,
    bank card, causes, one ID one open archive) and answers in Chinese per field."""

    unit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_KEY,
        label=gettext_lazy("所属帮扶站(点)"),
        help_text=gettext_lazy("组织单位编号,须在您的建档范围内。"),
    )
    area = serializers.IntegerField(
        min_value=1,
        max_value=MAX_KEY,
        label=gettext_lazy("低保标准地区"),
        help_text=gettext_lazy("地区编号。"),
    )
    id_number = serializers.CharField(max_length=30, label=gettext_lazy("身份证号"))
    mobile = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", label=gettext_lazy("手机")
    )
    bank_card = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", label=gettext_lazy("银行卡号")
    )
    bank_account_holder = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        label=gettext_lazy("开户人"),
        help_text=gettext_lazy("须为户主本人(实名制);留空即户主本人。"),
    )
    secondary_causes = serializers.ListField(
        # Codes as for main_cause (one enum in the schema, not two names for one list).
        child=serializers.IntegerField(min_value=1, max_value=10),
        required=False,
        default=list,
        max_length=3,
        label=gettext_lazy("次要致困原因"),
        help_text=gettext_lazy("至多 3 个致困原因代码(1–10,同主要致困原因)。"),
    )
    members = MemberInputSerializer(
        many=True, required=False, default=list, label=gettext_lazy("家庭成员")
    )
    # How the archive came in: the filer says whether the worker applied or the union files on
    # the worker's behalf; "import" is set only by the Excel import.
    origin = serializers.ChoiceField(
        choices=[
            (Household.Origin.APPLICATION, Household.Origin.APPLICATION.label),
            (Household.Origin.UNION, Household.Origin.UNION.label),
        ],
        required=False,
        default=Household.Origin.APPLICATION,
        label=gettext_lazy("建档来源"),
    )

    class Meta:
        model = Household
        fields = ["unit", "area", *_HOUSEHOLD_INPUT_FIELDS, "members"]
        extra_kwargs = {
            "sex": {"required": False, "allow_blank": True},
            "birth_date": {"required": False, "allow_null": True},
        }


@extend_schema_serializer(component_name="HouseholdUpdateInput")
class HouseholdUpdateInputSerializer(HouseholdInputSerializer):
    """An archive's head fields as changed later: how it came in (origin) stays as filed."""

    origin = None  # type: ignore[assignment]

    class Meta(HouseholdInputSerializer.Meta):
        fields = [name for name in HouseholdInputSerializer.Meta.fields if name != "origin"]


def _household_input(*, user: Any, data: dict[str, Any]) -> HouseholdInput:
    """Turn the checked API input into a `HouseholdInput`, resolving the unit within the
    user's filing scope and the area; raise ValidationError naming the field otherwise."""
    unit = (
        OrgUnit.objects.filter(policy.scope_q(user, ArchivesPermission.FILE, field=""))
        .filter(pk=data.pop("unit"))
        .first()
    )
    if unit is None:
        raise ValidationError(_("未找到所选帮扶站(点)。"), field="unit")
    area = Area.objects.filter(pk=data.pop("area")).first()
    if area is None:
        raise ValidationError(_("未找到所选低保标准地区。"), field="area")
    members = []
    for member in data.pop("members", []):
        values: dict[str, Any] = dict(member)
        values["sex"] = values.get("sex") or ""
        members.append(MemberInput(**values))
    data["sex"] = data.get("sex") or ""
    return HouseholdInput(unit=unit, area=area, members=members, **data)


class HouseholdCreateApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="household_create",
        summary=gettext_lazy("新建档案(申请)"),
        description=gettext_lazy(
            "按全国困难职工档案表建档,与网页和 Excel 导入同一套检查:身份证号(15 位自动转 18 位)、"
            "性别和出生日期与号码一致、银行卡号与开户人(实名制)、致困原因;一个身份证号只能在一份"
            "未撤档的档案中,冲突时指明另一份档案(号码脱敏)。有错时答复 400,`errors` 按字段"
            "(家庭成员为 members.<序号>.<字段>)给出中文原因,什么也不写。"
        ),
        request=HouseholdInputSerializer,
        responses={
            201: HouseholdDetailOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
        },
    )
    def post(self, request: AuthenticatedApiRequest) -> Response:
        data = validate_input(HouseholdInputSerializer(data=request.data))
        household = filing.household_create(
            actor=request.user, data=_household_input(user=request.user, data=data)
        )
        return Response(_detail(user=request.user, household_id=household.pk), status=201)


class HouseholdUpdateApi(APIView):
    @extend_schema(
        tags=[TAG],
        operation_id="household_update",
        summary=gettext_lazy("修改档案(户主信息)"),
        description=gettext_lazy(
            "以提交的内容替换户主的各项信息(members 不在此修改,现有成员参与重号检查)。"
            "改动写入字段历史(敏感值脱敏)。已撤档或不予建档的档案答复 409;"
            "范围外的档案答复 404。"
        ),
        parameters=[HOUSEHOLD_ID],
        request=HouseholdUpdateInputSerializer,
        responses={
            200: HouseholdDetailOutputSerializer,
            400: RESPONSE_400,
            403: RESPONSE_403,
            404: RESPONSE_404,
            409: RESPONSE_409,
        },
    )
    def put(self, request: AuthenticatedApiRequest, household_id: int) -> Response:
        household = access_household(
            user=request.user, household_id=household_id, perm=ArchivesPermission.FILE
        )
        data = validate_input(HouseholdUpdateInputSerializer(data=request.data))
        data["origin"] = household.origin
        household = filing.household_update(
            actor=request.user,
            household=household,
            data=_household_input(user=request.user, data=data),
        )
        return Response(_detail(user=request.user, household_id=household.pk))
