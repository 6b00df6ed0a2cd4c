"""The funds API for 抽查 after payment: a book's samples with their checks, drawing a sample,
recording a check, closing a mismatch — the same selectors, services, permissions and refusals
as the pages. Names are the recipients' as paid; ID numbers are masked."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.core.api import RESPONSE_403, RESPONSE_404, validate_input

from .. import selectors
from ..models import Sample, SampleCheck
from ..services import sampling
from .funds import BOOK_ID, TAG
from .writes import WRITE_ANSWERS

CHECK_ID = OpenApiParameter(
    "check_id", int, OpenApiParameter.PATH, description=gettext_lazy("抽查记录 id。")
)
LIMIT = 50


class SampleCheckSerializer(serializers.ModelSerializer):
    payment_number = serializers.CharField(source="payment.number")
    recipient_name = serializers.CharField(source="payment.recipient_name")
    id_masked = serializers.SerializerMethodField()
    unit_name = serializers.SerializerMethodField()
    amount = serializers.DecimalField(source="payment.amount", max_digits=14, decimal_places=2)
    paid_on = serializers.DateField(source="payment.paid_on", allow_null=True)
    method_label = serializers.CharField(source="get_method_display")
    outcome_label = serializers.CharField(source="get_outcome_display")
    resolved = serializers.SerializerMethodField()

    class Meta:
        model = SampleCheck
        fields = [
            "id",
            "sample_id",
            "payment_id",
            "payment_number",
            "recipient_name",
            "id_masked",
            "unit_name",
            "amount",
            "paid_on",
            "method",
            "method_label",
            "checked_on",
            "outcome",
            "outcome_label",
            "notes",
            "resolved",
            "resolution",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_id_masked(self, check: SampleCheck) -> str:
        return str(check.payment.snapshot.get("id_masked", ""))

    def get_unit_name(self, check: SampleCheck) -> str:
        return str(check.payment.snapshot.get("unit", ""))

    def get_resolved(self, check: SampleCheck) -> bool:
        return check.resolved_at is not None


class SampleSerializer(serializers.ModelSerializer):
    created_by_name = serializers.SerializerMethodField()
    checks = SampleCheckSerializer(many=True)

    class Meta:
        model = Sample
        fields = [
            "id",
            "book_id",
            "drawn_on",
            "created_by_name",
            "population",
            "size",
            "confidence",
            "margin",
            "seed",
            "checks",
        ]
        read_only_fields = fields

    def get_created_by_name(self, sample: Sample) -> str:
        user = sample.created_by
        return str(getattr(user, "display_name", "") or user.get_username())


def _with_checks(queryset: Any) -> Any:
    return queryset.select_related("created_by").prefetch_related(
        Prefetch("checks", queryset=SampleCheck.objects.select_related("payment").order_by("pk"))
    )


class SampleListApi(APIView):
    @extend_schema(
        operation_id="funds_sample_list",
        summary=gettext_lazy("发放抽查:账簿的样本及逐笔核查情况(最近 50 次)"),
        tags=[TAG],
        parameters=[BOOK_ID],
        responses={200: SampleSerializer(many=True), 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, book_id: int) -> Response:
        book = selectors.book_get(request.user, book_id)
        rows = _with_checks(Sample.objects.filter(book=book).order_by("-drawn_on", "-pk"))
        return Response(SampleSerializer(rows[:LIMIT], many=True).data)


class SampleDrawApi(APIView):
    class FundsSampleDrawInputSerializer(serializers.Serializer):
        seed = serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=2**63 - 1,
            label=gettext_lazy("随机种子"),
            help_text=gettext_lazy("不填则随机;同一种子对同一批已发放记录抽出的样本相同。"),
        )
        after_sample_id = serializers.IntegerField(
            required=False,
            min_value=0,
            max_value=2**63 - 1,
            label=gettext_lazy("最近一次样本 id"),
            help_text=gettext_lazy(
                "调用方所见账簿最近一次样本的 id(没有为 0);此后又有抽样则拒绝(409),"
                "重复提交不会抽两次。"
            ),
        )

    @extend_schema(
        operation_id="funds_sample_draw",
        summary=gettext_lazy("抽取发放抽查样本(样本量按系统设置的置信水平和允许误差)"),
        tags=[TAG],
        parameters=[BOOK_ID],
        request=FundsSampleDrawInputSerializer,
        responses={201: SampleSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, book_id: int) -> Response:
        from django.utils import timezone

        book = selectors.book_get(request.user, book_id)
        d = validate_input(self.FundsSampleDrawInputSerializer(data=request.data))
        sample = sampling.sample_draw(
            actor=request.user,
            book=book,
            drawn_on=timezone.localdate(),
            seed=d.get("seed"),
            after=d.get("after_sample_id"),
        )
        made = _with_checks(Sample.objects.filter(pk=sample.pk)).get()
        return Response(SampleSerializer(made).data, status=status.HTTP_201_CREATED)


class CheckRecordApi(APIView):
    class FundsCheckRecordInputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(
            choices=SampleCheck.Method.choices, label=gettext_lazy("核查方式")
        )
        checked_on = serializers.DateField(label=gettext_lazy("核查日期"))
        outcome = serializers.ChoiceField(
            choices=SampleCheck.Outcome.choices, label=gettext_lazy("核查结果")
        )
        notes = serializers.CharField(max_length=2000, label=gettext_lazy("核查情况"))

    @extend_schema(
        operation_id="funds_check_record",
        summary=gettext_lazy("记录一笔抽查的核查结果(每笔一次)"),
        tags=[TAG],
        parameters=[CHECK_ID],
        request=FundsCheckRecordInputSerializer,
        responses={200: SampleCheckSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, check_id: int) -> Response:
        check = selectors.check_get(request.user, check_id)
        d = validate_input(self.FundsCheckRecordInputSerializer(data=request.data))
        sampling.sample_check_record(actor=request.user, check=check, **d)
        return Response(SampleCheckSerializer(selectors.check_get(request.user, check.pk)).data)


class CheckCloseApi(APIView):
    class FundsCheckCloseInputSerializer(serializers.Serializer):
        resolution = serializers.CharField(max_length=2000, label=gettext_lazy("处理结果"))

    @extend_schema(
        operation_id="funds_check_close",
        summary=gettext_lazy("处理抽查不相符(写明处理结果;每笔一次)"),
        tags=[TAG],
        parameters=[CHECK_ID],
        request=FundsCheckCloseInputSerializer,
        responses={200: SampleCheckSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, check_id: int) -> Response:
        check = selectors.check_get(request.user, check_id)
        d = validate_input(self.FundsCheckCloseInputSerializer(data=request.data))
        sampling.sample_mismatch_close(actor=request.user, check=check, resolution=d["resolution"])
        return Response(SampleCheckSerializer(selectors.check_get(request.user, check.pk)).data)
