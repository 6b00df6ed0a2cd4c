"""The donation receipt (捐赠收据) as an A4 PDF (WeasyPrint, Noto CJK)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from .models import DonationReceipt, Payment


def receipt_pdf(*, receipt: DonationReceipt) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "funds/pdf/receipt.html",
        {"receipt": receipt, "income": receipt.income, "printed_on": timezone.localdate()},
    )
    return bytes(HTML(string=html).write_pdf())


def payment_slip_pdf(*, payment: Payment) -> bytes:
    """The 发放凭证: name, masked ID, kind, amount, date, signature and fingerprint line."""
    from weasyprint import HTML

    html = render_to_string(
        "funds/pdf/slip.html",
        {"payment": payment, "snapshot": payment.snapshot, "printed_on": timezone.localdate()},
    )
    return bytes(HTML(string=html).write_pdf())
