"""After payment: a random sample of recipients for checks by visit or phone; the size from the
confidence level and margin (settings); the seed recorded, the same seed the same sample; a
mismatch on the worklist."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from bangfu.archives.tests.factories import make_household
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.worklist import due_items
from bangfu.funds.models import Payment, Sample, SampleCheck
from bangfu.funds.services.commitments import commitment_make
from bangfu.funds.services.payments import payment_attach_scan, payment_confirm, payment_prepare
from bangfu.funds.services.sampling import sample_check_record, sample_draw, sample_size

from .factories import make_book, make_finance, make_income

D = datetime.date


@pytest.mark.parametrize(
    ("population", "confidence", "margin", "size"),
    [
        (0, "0.95", "0.10", 0),
        (10, "0.95", "0.10", 10),
        (100, "0.95", "0.10", 50),  # n0 = 96.04 → 96.04 / (1 + 95.04/100) = 49.2 → 50
        (1000, "0.95", "0.05", 278),
        (100000, "0.99", "0.05", 660),
    ],
)
def test_the_size_comes_from_the_confidence_and_margin(population, confidence, margin, size):
    assert sample_size(population, confidence=Decimal(confidence), margin=Decimal(margin)) == size


def test_an_unknown_confidence_level_is_refused():
    with pytest.raises(ValidationError) as refused:
        sample_size(10, confidence=Decimal("0.8"), margin=Decimal("0.1"))
    assert refused.value.message == "置信水平只能是 0.90、0.95 或 0.99。"


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def paid(network, staff, finance):
    """A book with 30 payments made in person."""
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="40000", date=D(2026, 1, 15))
    for n in range(30):
        household = make_household(
            network.station_a, filed_by=staff, name=f"户主{n}", mobile=f"1370000{n:04d}"
        )
        with transaction.atomic():
            commitment = commitment_make(
                actor=finance, book=book, programme="living", amount="100", date=D(2026, 4, 1),
                subject_type="test.item", subject_id=n, subject_label=f"生活救助 {n}",
                recipient_name=household.name, household=household,
            )  # fmt: skip
        payment = payment_prepare(actor=finance, commitment=commitment, signer="head")
        payment_attach_scan(
            actor=finance,
            payment=payment,
            file=SimpleUploadedFile("s.pdf", b"%PDF-1.4", content_type="application/pdf"),
        )
        payment_confirm(actor=finance, payment=payment, paid_on=D(2026, 4, 2))
    return book


def test_the_seed_is_recorded_and_the_same_seed_draws_the_same_sample(settings, paid, finance):
    settings.BANGFU_SAMPLE_CONFIDENCE = "0.95"
    settings.BANGFU_SAMPLE_MARGIN = "0.10"

    with transaction.atomic():
        first = sample_draw(actor=finance, book=paid, drawn_on=D(2026, 4, 10), seed=2012)
        chosen = list(first.checks.values_list("payment_id", flat=True))
        transaction.set_rollback(True)
    again = sample_draw(actor=finance, book=paid, drawn_on=D(2026, 4, 10), seed=2012)

    assert (again.seed, again.population, again.size) == (2012, 30, 24)
    assert list(again.checks.values_list("payment_id", flat=True)) == chosen
    other = sorted(
        Payment.objects.filter(status="paid")
        .exclude(checks__isnull=False)
        .values_list("pk", flat=True)
    )
    assert len(other) == 6  # the rest wait for the next sample


def test_a_mismatch_opens_an_item_on_the_worklist(settings, paid, finance, leader):
    settings.BANGFU_SAMPLE_MARGIN = "0.30"
    sample = sample_draw(actor=finance, book=paid, drawn_on=D(2026, 4, 10), seed=7)
    check = sample.checks.select_related("payment", "sample__book__unit").earliest("pk")
    assert any(i.title.startswith("发放抽查:") for i in due_items(finance))

    sample_check_record(
        actor=finance,
        check=check,
        method="phone",
        checked_on=D(2026, 4, 12),
        outcome="mismatch",
        notes="电话核实:户主称只收到 50 元。",
    )

    titles = [i.title for i in due_items(leader)]
    assert f"抽查不相符:{check.payment.recipient_name}({check.payment.number})" in titles
    mismatch = next(i for i in due_items(leader) if i.title.startswith("抽查不相符:"))
    assert mismatch.due == D(2026, 5, 12)  # a check window (30 days) after it was found
    assert (
        mismatch.rule
        == "抽查结果与发放记录不相符,须在 30 天内核实处理:电话核实:户主称只收到 50 元。"
    )
    with pytest.raises(Conflict, match="已于 2026-04-12 核查"):
        sample_check_record(
            actor=finance, check=check, method="visit", checked_on=D(2026, 4, 13),
            outcome="match", notes="再查",
        )  # fmt: skip


def test_a_check_without_notes_is_refused_and_changes_nothing(settings, paid, finance):
    sample = sample_draw(actor=finance, book=paid, drawn_on=D(2026, 4, 10), seed=7)
    check = sample.checks.select_related("sample__book__unit").earliest("pk")

    with pytest.raises(ValidationError) as refused:
        sample_check_record(
            actor=finance, check=check, method="visit", checked_on=D(2026, 4, 12),
            outcome="match", notes=" ",
        )  # fmt: skip

    assert refused.value.message == "请填写核查情况。"
    check.refresh_from_db()
    assert (check.checked_on, check.outcome, check.notes) == (None, "", "")


def test_nothing_to_sample_is_refused(network, finance):
    book = make_book(network.township, actor=finance)
    with pytest.raises(Conflict) as refused:
        sample_draw(actor=finance, book=book, drawn_on=D(2026, 4, 10))
    assert refused.value.message == "该账簿没有尚未抽查的已发放记录。"
    assert not Sample.objects.exists() and not SampleCheck.objects.exists()
