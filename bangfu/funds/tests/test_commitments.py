import datetime
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from bangfu.archives.tests.factories import make_household, make_member
from bangfu.core.errors import Conflict, ValidationError
from bangfu.funds import payable, reports
from bangfu.funds.models import Commitment, Entry, Payment
from bangfu.funds.services.budgets import budget_set
from bangfu.funds.services.commitments import commitment_make, room
from bangfu.funds.services.payments import payment_attach_scan, payment_confirm, payment_prepare

from .factories import make_book, make_finance, make_income

D = datetime.date


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=D(2026, 1, 15))
    return book


def _commit(book, finance, amount, n=1, household=None, programme="living"):
    with transaction.atomic():
        return commitment_make(
            actor=finance,
            book=book,
            programme=programme,
            amount=amount,
            date=D(2026, 4, 1),
            subject_type="test.item",
            subject_id=n,
            subject_label=f"生活救助 {n}",
            recipient_name="张三",
            household=household,
        )


def test_a_commitment_reserves_money(book, finance):
    _commit(book, finance, "5000")
    left = room(book, "living")
    assert left.available == Decimal("15000.00")
    assert left.budget_left is None


def test_more_than_the_money_available_is_refused(book, finance):
    _commit(book, finance, "15000", n=1)
    entries = Entry.objects.count()
    with pytest.raises(Conflict) as exc:
        _commit(book, finance, "5000.01", n=2)
    assert exc.value.message == (
        "专户可用资金不足:可用 5,000.00 元(余额减已批待发),本次需 5,000.01 元。"
    )
    assert Entry.objects.count() == entries
    assert Commitment.objects.count() == 1


def test_more_than_the_budget_is_refused(book, finance):
    budget_set(actor=finance, book=book, programme="medical", amount="3000")
    _commit(book, finance, "2000", n=1, programme="medical")
    with pytest.raises(Conflict) as exc:
        _commit(book, finance, "1500", n=2, programme="medical")
    assert exc.value.message == "医疗救助预算不足:剩余 1,000.00 元,本次需 1,500.00 元。"
    rows = {r.programme: r for r in reports.budget_vs_spending(book)}
    assert rows["medical"].committed == Decimal("2000.00")


def test_an_item_is_committed_once(book, finance):
    _commit(book, finance, "100", n=7)
    with pytest.raises(Conflict, match="该事项已经承诺过资金"):
        _commit(book, finance, "100", n=7)


@pytest.fixture
def household(network, staff):
    household = make_household(network.station_a, filed_by=staff, name="李四")
    household.bank_card = "6217000010001234567"
    household.save()
    return household


def _scan():
    return SimpleUploadedFile("slip.pdf", b"%PDF-1.4 signed", content_type="application/pdf")


def test_paying_in_person_needs_the_signed_scan_and_pays_once(
    book, finance, household, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    commitment = _commit(book, finance, "1200", household=household)
    payment = payment_prepare(actor=finance, commitment=commitment, signer="head")
    assert payment.signer_name == "李四"
    assert payment.snapshot["card_masked"].endswith("4567")
    assert "6217000010001234567" not in str(payment.snapshot)
    with pytest.raises(ValidationError, match="请先上传领款人签字的发放凭证扫描件"):
        payment_confirm(actor=finance, payment=payment, paid_on=D(2026, 4, 10))
    payment_attach_scan(actor=finance, payment=payment, file=_scan())
    payment_confirm(actor=finance, payment=payment, paid_on=D(2026, 4, 10))
    entries = Entry.objects.count()
    with pytest.raises(Conflict, match="该笔已经发放,不会重复发放"):
        payment_confirm(actor=finance, payment=payment, paid_on=D(2026, 4, 10))
    assert Entry.objects.count() == entries
    with pytest.raises(Conflict):
        payment_prepare(actor=finance, commitment=commitment, signer="head")
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.PAID
    left = room(book, "living")
    assert left.available == Decimal("18800.00")
    trial = reports.trial_balance(book, reports.DateRange.whole_year(book))
    assert trial.balanced
    # Later edits of the archive leave the payment as it was.
    household.name = "李四改"
    household.save()
    assert Payment.objects.get().snapshot["name"] == "李四"


def test_the_signer_is_the_head_or_a_member_never_anyone_else(book, finance, household):
    commitment = _commit(book, finance, "100", household=household)
    with pytest.raises(ValidationError, match="签领人只能是档案中的户主或登记的家庭成员"):
        payment_prepare(actor=finance, commitment=commitment, signer="staff")
    other = make_household(
        household.unit, filed_by=finance, name="王五", id_number=None, mobile="13900001111"
    )
    stranger = make_member(other, name="王小五")
    with pytest.raises(ValidationError):
        payment_prepare(actor=finance, commitment=commitment, signer=f"member:{stranger.pk}")
    member = make_member(household, name="李小四")
    payment = payment_prepare(actor=finance, commitment=commitment, signer=f"member:{member.pk}")
    assert payment.signer_name == "李小四"


def test_an_item_not_payable_is_refused(book, finance, household):
    payable.register("test.item", lambda pk, actor: "该事项仍在公示期内,不能发放。")
    try:
        commitment = _commit(book, finance, "100", household=household)
        with pytest.raises(Conflict, match="该事项仍在公示期内"):
            payment_prepare(actor=finance, commitment=commitment, signer="head")
    finally:
        payable._checkers.pop("test.item")
    assert not Payment.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_approvals_never_over_commit(network):
    finance = make_finance(network.township)
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="10000", date=D(2026, 1, 15))
    writers = 24
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []
    refused: list[str] = []

    def approve(n: int) -> None:
        try:
            barrier.wait()
            _commit(book, finance, "1000", n=n)
        except Conflict as exc:
            refused.append(exc.message)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Commitment.objects.count() == 10
    assert len(refused) == writers - 10
    assert room(book, "living").available == Decimal("0.00")


def test_the_owner_of_the_item_hears_of_the_payment_once(
    book, finance, household, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    heard = []
    payable.register_paid("test.item", lambda pk, paid_on, actor: heard.append((pk, paid_on)))
    try:
        commitment = _commit(book, finance, "100", n=5, household=household)
        payment = payment_prepare(actor=finance, commitment=commitment, signer="head")
        payment_attach_scan(actor=finance, payment=payment, file=_scan())
        payment_confirm(actor=finance, payment=payment, paid_on=D(2026, 4, 10))
        with pytest.raises(Conflict):
            payment_confirm(actor=finance, payment=payment, paid_on=D(2026, 4, 11))
    finally:
        payable._paid.pop("test.item")
    assert heard == [(5, D(2026, 4, 10))]
