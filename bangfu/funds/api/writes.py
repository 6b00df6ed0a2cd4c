"""The funds API (write side): record an income (allocation, donation, …), make a bank batch
from payable items, mark it sent, import the bank's return file, and pay in person (the slip,
its signed scan, the confirmation) — the same services, permissions, scope and refusals as the
pages. The object named in the path is fetched within the caller's funds.view scope (404
outside it, the same answer as for one that does not exist); the service then checks the
action's own permission (403) and state (409: a second "pay" pays nothing). Files travel as
base64 in the JSON body (the API takes JSON only)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bangfu.core.api import (
    MAX_KEY,
    RESPONSE_400,
    RESPONSE_403,
    RESPONSE_404,
    RESPONSE_409,
    validate_input,
)
from bangfu.core.errors import ValidationError

from .. import selectors
from ..models import BankBatch, Commitment, Income
from ..services import banking, income, payments
from .funds import BATCH_ID, BOOK_ID, TAG, BatchSerializer, PaymentSerializer

COMMITMENT_ID = OpenApiParameter(
    "commitment_id", int, OpenApiParameter.PATH, description=gettext_lazy("已批待发事项 id。")
)
PAYMENT_ID = OpenApiParameter(
    "payment_id", int, OpenApiParameter.PATH, description=gettext_lazy("发放记录 id。")
)
WRITE_ANSWERS = {400: RESPONSE_400, 403: RESPONSE_403, 404: RESPONSE_404, 409: RESPONSE_409}
# A bank return file or a signed scan, decoded: at most 10 MB.
MAX_FILE_BYTES = 10 * 1024 * 1024


def _decode(value: str, field: str, label: str) -> bytes:
    try:
        content = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            _("“%(label)s”不是有效的 base64 编码。") % {"label": label}, field=field
        ) from None
    if not content:
        raise ValidationError(_("“%(label)s”是空文件。") % {"label": label}, field=field)
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(_("“%(label)s”不能超过 10 MB。") % {"label": label}, field=field)
    return content


class IncomeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    entry_number = serializers.IntegerField(source="entry.number")
    receipt_number = serializers.SerializerMethodField()

    class Meta:
        model = Income
        fields = [
            "id",
            "book_id",
            "kind",
            "kind_label",
            "amount",
            "date",
            "payer",
            "channel",
            "purpose",
            "note",
            "entry_number",
            "receipt_number",
        ]
        read_only_fields = fields

    def get_receipt_number(self, obj: Income) -> str:
        receipt = getattr(obj, "receipt", None)
        return receipt.display_number if receipt is not None else ""


class CommitmentSerializer(serializers.ModelSerializer):
    programme_label = serializers.CharField(source="get_programme_display")

    class Meta:
        model = Commitment
        fields = [
            "id",
            "programme",
            "programme_label",
            "amount",
            "subject_label",
            "recipient_name",
            "household_id",
        ]
        read_only_fields = fields


class IncomeCreateApi(APIView):
    class FundsIncomeInputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Income.Kind.choices, label=gettext_lazy("收入类别"))
        amount = serializers.DecimalField(
            max_digits=14, decimal_places=2, label=gettext_lazy("金额")
        )
        date = serializers.DateField(label=gettext_lazy("到账日期"))
        payer = serializers.CharField(max_length=100, label=gettext_lazy("来源单位或捐赠人"))
        channel = serializers.ChoiceField(
            choices=Income.Channel.choices,
            default=Income.Channel.TRANSFER,
            label=gettext_lazy("方式"),
        )
        purpose = serializers.CharField(
            max_length=200, required=False, allow_blank=True, label=gettext_lazy("限定用途")
        )
        note = serializers.CharField(
            max_length=200, required=False, allow_blank=True, label=gettext_lazy("备注")
        )

    @extend_schema(
        operation_id="funds_income_create",
        summary=gettext_lazy("登记收入(拨款、补助、捐赠并开收据、利息)"),
        tags=[TAG],
        parameters=[BOOK_ID],
        request=FundsIncomeInputSerializer,
        responses={201: IncomeSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, book_id: int) -> Response:
        book = selectors.book_get(request.user, book_id)
        d = validate_input(self.FundsIncomeInputSerializer(data=request.data))
        made = income.income_record(actor=request.user, book=book, **d)
        made = Income.objects.select_related("entry", "receipt", "book").get(pk=made.pk)
        return Response(IncomeSerializer(made).data, status=status.HTTP_201_CREATED)


class PayableListApi(APIView):
    @extend_schema(
        operation_id="funds_payable_list",
        summary=gettext_lazy("可制代发批次的已批待发事项"),
        tags=[TAG],
        parameters=[BOOK_ID],
        responses={200: CommitmentSerializer(many=True), 403: RESPONSE_403, 404: RESPONSE_404},
    )
    def get(self, request: Request, book_id: int) -> Response:
        book = selectors.book_get(request.user, book_id)
        return Response(
            CommitmentSerializer(selectors.bank_payable(book, request.user), many=True).data
        )


class BatchCreateApi(APIView):
    class FundsBatchInputSerializer(serializers.Serializer):
        commitment_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_KEY),
            allow_empty=False,
            max_length=500,
            label=gettext_lazy("已批待发事项"),
        )
        encoding = serializers.ChoiceField(
            choices=BankBatch.Encoding.choices,
            default=BankBatch.Encoding.GBK,
            label=gettext_lazy("CSV 编码"),
        )

    @extend_schema(
        operation_id="funds_batch_create",
        summary=gettext_lazy("制银行代发批次(每项一笔;有一项不能发放则整批不制)"),
        tags=[TAG],
        parameters=[BOOK_ID],
        request=FundsBatchInputSerializer,
        responses={201: BatchSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, book_id: int) -> Response:
        book = selectors.book_get(request.user, book_id)
        d = validate_input(self.FundsBatchInputSerializer(data=request.data))
        wanted = list(dict.fromkeys(d["commitment_ids"]))
        found = {c.pk: c for c in Commitment.objects.filter(book=book, pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise ValidationError(
                _("本账簿没有编号为 %(id)s 的已批待发事项。") % {"id": missing[0]},
                field="commitment_ids",
            )
        batch = banking.batch_create(
            actor=request.user,
            book=book,
            commitments=[found[pk] for pk in wanted],
            encoding=d["encoding"],
        )
        return Response(
            BatchSerializer(selectors.batch_get(request.user, batch.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class BatchSendApi(APIView):
    class FundsBatchSentInputSerializer(serializers.Serializer):
        sent_on = serializers.DateField(label=gettext_lazy("送银行日期"))

    @extend_schema(
        operation_id="funds_batch_send",
        summary=gettext_lazy("代发文件已送银行(记在途)"),
        tags=[TAG],
        parameters=[BATCH_ID],
        request=FundsBatchSentInputSerializer,
        responses={200: BatchSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, bank_batch_id: int) -> Response:
        batch = selectors.batch_get(request.user, bank_batch_id)
        d = validate_input(self.FundsBatchSentInputSerializer(data=request.data))
        banking.batch_mark_sent(actor=request.user, batch=batch, sent_on=d["sent_on"])
        return Response(BatchSerializer(selectors.batch_get(request.user, batch.pk)).data)


class ReturnResultSerializer(serializers.Serializer):
    paid = serializers.IntegerField()
    failed = serializers.IntegerField()
    batch = BatchSerializer()


class BatchReturnApi(APIView):
    class FundsBatchReturnInputSerializer(serializers.Serializer):
        filename = serializers.CharField(
            max_length=200,
            label=gettext_lazy("文件名"),
            help_text=gettext_lazy("以 .xlsx 或 .csv 结尾(CSV 可为 GBK 或 UTF-8,可带 BOM)。"),
        )
        content = serializers.CharField(
            label=gettext_lazy("文件内容"), help_text=gettext_lazy("回盘文件的 base64 编码。")
        )
        date = serializers.DateField(label=gettext_lazy("入账日期"))

    @extend_schema(
        operation_id="funds_batch_return",
        summary=gettext_lazy("导入银行回盘:逐行成功或失败;有一行不符则什么也不写入"),
        tags=[TAG],
        parameters=[BATCH_ID],
        request=FundsBatchReturnInputSerializer,
        responses={200: ReturnResultSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, bank_batch_id: int) -> Response:
        batch = selectors.batch_get(request.user, bank_batch_id)
        d = validate_input(self.FundsBatchReturnInputSerializer(data=request.data))
        content = _decode(d["content"], "content", str(_("文件内容")))
        counts = banking.return_import(
            actor=request.user,
            batch=batch,
            content=content,
            filename=d["filename"],
            date=d["date"],
        )
        data: dict[str, Any] = {**counts, "batch": selectors.batch_get(request.user, batch.pk)}
        return Response(ReturnResultSerializer(data).data)


class PaymentPrepareApi(APIView):
    class FundsPaymentPrepareInputSerializer(serializers.Serializer):
        signer = serializers.CharField(
            max_length=30,
            label=gettext_lazy("签领人"),
            help_text=gettext_lazy("“head” 为户主本人,“member:<成员 id>” 为登记的家庭成员。"),
        )

    @extend_schema(
        operation_id="funds_payment_prepare",
        summary=gettext_lazy("制现场发放凭证(每人一张,签领人须是户主或登记的家庭成员)"),
        tags=[TAG],
        parameters=[COMMITMENT_ID],
        request=FundsPaymentPrepareInputSerializer,
        responses={201: PaymentSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, commitment_id: int) -> Response:
        commitment = selectors.commitment_get(request.user, commitment_id)
        d = validate_input(self.FundsPaymentPrepareInputSerializer(data=request.data))
        payment = payments.payment_prepare(
            actor=request.user, commitment=commitment, signer=d["signer"]
        )
        return Response(
            PaymentSerializer(selectors.payment_get(request.user, payment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PaymentScanApi(APIView):
    class FundsPaymentScanInputSerializer(serializers.Serializer):
        filename = serializers.CharField(max_length=200, label=gettext_lazy("文件名"))
        content_type = serializers.ChoiceField(
            choices=[(t, t) for t in sorted(payments.SCAN_TYPES)],
            label=gettext_lazy("文件类型"),
        )
        content = serializers.CharField(
            label=gettext_lazy("文件内容"),
            help_text=gettext_lazy("签字发放凭证扫描件的 base64 编码。"),
        )

    @extend_schema(
        operation_id="funds_payment_scan",
        summary=gettext_lazy("上传领款人签字的发放凭证扫描件"),
        tags=[TAG],
        parameters=[PAYMENT_ID],
        request=FundsPaymentScanInputSerializer,
        responses={200: PaymentSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, payment_id: int) -> Response:
        payment = selectors.payment_get(request.user, payment_id)
        d = validate_input(self.FundsPaymentScanInputSerializer(data=request.data))
        content = _decode(d["content"], "content", str(_("文件内容")))
        upload = SimpleUploadedFile(d["filename"], content, content_type=d["content_type"])
        payments.payment_attach_scan(actor=request.user, payment=payment, file=upload)
        return Response(PaymentSerializer(selectors.payment_get(request.user, payment.pk)).data)


class PaymentConfirmApi(APIView):
    class FundsPaymentConfirmInputSerializer(serializers.Serializer):
        paid_on = serializers.DateField(label=gettext_lazy("发放日期"))

    @extend_schema(
        operation_id="funds_payment_confirm",
        summary=gettext_lazy("确认现场发放并记账(须先上传签字扫描件;第二次确认不会再发放)"),
        tags=[TAG],
        parameters=[PAYMENT_ID],
        request=FundsPaymentConfirmInputSerializer,
        responses={200: PaymentSerializer, **WRITE_ANSWERS},
    )
    def post(self, request: Request, payment_id: int) -> Response:
        payment = selectors.payment_get(request.user, payment_id)
        d = validate_input(self.FundsPaymentConfirmInputSerializer(data=request.data))
        payments.payment_confirm(actor=request.user, payment=payment, paid_on=d["paid_on"])
        return Response(PaymentSerializer(selectors.payment_get(request.user, payment.pk)).data)
