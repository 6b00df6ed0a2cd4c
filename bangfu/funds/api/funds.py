"""The funds API (read side): books in scope, the trial balance and budget vs spending of a
book, its payments, and a bank batch with its lines — the same selectors and scope as the
pages; a book outside the scope answers 404. Card numbers are masked."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.core.api import RESPONSE_403, RESPONSE_404

from .. import reports, selectors
from ..models import BankBatch, Book, Payment

TAG = cast(str, gettext_lazy("帮扶资金"))
BOOK_ID = OpenApiParameter(
    "book_id", int, OpenApiParameter.PATH, description=gettext_lazy("账簿 id。")
)
BATCH_ID = OpenApiParameter(
    "bank_batch_id", int, OpenApiParameter.PATH, description=gettext_lazy("代发批次 id。")
)


class BookSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name")

    class Meta:
        model = Book
        fields = ["id", "unit", "unit_name", "year", "bank_name"]
        read_only_fields = fields


class TrialRowSerializer(serializers.Serializer):
    code = serializers.CharField(source="account.code")
    name = serializers.CharField(source="account.name")
    opening_debit = serializers.DecimalField(max_digits=14, decimal_places=2)
    opening_credit = serializers.DecimalField(max_digits=14, decimal_places=2)
    debit = serializers.DecimalField(max_digits=14, decimal_places=2)
    credit = serializers.DecimalField(max_digits=14, decimal_places=2)
    closing_debit = serializers.DecimalField(max_digits=14, decimal_places=2)
    closing_credit = serializers.DecimalField(max_digits=14, decimal_places=2)


class TrialBalanceSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    balanced = serializers.BooleanField()
    rows = TrialRowSerializer(many=True)


class BudgetRowSerializer(serializers.Serializer):
    programme = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class PaymentSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    method_label = serializers.CharField(source="get_method_display")
    subject = serializers.CharField(source="commitment.subject_label")
    card_masked = serializers.SerializerMethodField()
    entry_number = serializers.IntegerField(source="entry.number", allow_null=True, default=None)

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "method",
            "method_label",
            "status",
            "status_label",
            "subject",
            "recipient_name",
            "amount",
            "paid_on",
            "card_masked",
            "failure_reason",
            "entry_number",
        ]
        read_only_fields = fields

    def get_card_masked(self, payment: Payment) -> str:
        return str(payment.snapshot.get("card_masked", ""))


class BatchSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    payments = PaymentSerializer(many=True)

    class Meta:
        model = BankBatch
        fields = ["id", "number", "status", "status_label", "sent_on", "encoding", "payments"]
        read_only_fields = fields


class BookListApi(APIView):
    @extend_schema(
        operation_id="funds_book_list",
        summary=gettext_lazy("专户账簿列表"),
        tags=[TAG],
        responses={200: BookSerializer(many=True), 403: RESPONSE_403},
    )
    def get(self, request: Request) -> Response:
        return Response(BookSerializer(selectors.books(request.user)[:200], many=True).data)


class TrialBalanceApi(APIView):
    @extend_schema(
        operation_id="funds_trial_balance",
        summary=gettext_lazy("试算平衡表(全年)"),
        tags=[TAG],
        parameters=[BOOK_ID],
        responses={200: TrialBalanceSerializer, 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, book_id: int) -> Response:
        book = selectors.book_get(request.user, book_id)
        period = reports.DateRange.whole_year(book)
        trial = reports.trial_balance(book, period)
        data: dict[str, Any] = {
            "start": period.start,
            "end": period.end,
            "balanced": trial.balanced,
            "rows": trial.rows,
        }
        return Response(TrialBalanceSerializer(data).data)


class BudgetApi(APIView):
    @extend_schema(
        operation_id="funds_budget",
        summary=gettext_lazy("预算执行"),
        tags=[TAG],
        parameters=[BOOK_ID],
        responses={200: BudgetRowSerializer(many=True), 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, book_id: int) -> Response:
        book = selectors.book_get(request.user, book_id)
        return Response(BudgetRowSerializer(reports.budget_vs_spending(book), many=True).data)


class PaymentListApi(APIView):
    @extend_schema(
        operation_id="funds_payment_list",
        summary=gettext_lazy("发放记录"),
        tags=[TAG],
        parameters=[BOOK_ID],
        responses={200: PaymentSerializer(many=True), 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, book_id: int) -> Response:
        book = selectors.book_get(request.user, book_id)
        payments = (
            Payment.objects.filter(commitment__book=book)
            .select_related("commitment", "entry")
            .order_by("-created_at", "-pk")[:500]
        )
        return Response(PaymentSerializer(payments, many=True).data)


class BatchDetailApi(APIView):
    @extend_schema(
        operation_id="funds_batch_detail",
        summary=gettext_lazy("银行代发批次"),
        tags=[TAG],
        parameters=[BATCH_ID],
        responses={200: BatchSerializer, 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, bank_batch_id: int) -> Response:
        batch = selectors.batch_get(request.user, bank_batch_id)
        return Response(BatchSerializer(batch).data)
