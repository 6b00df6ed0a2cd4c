"""Funds wired to assistance (`bangfu.funds.links`): approving an application commits its money
or is refused changing nothing; funds pays only what assistance says may be paid; paying makes
the follow-up (回访) due; the books balance at the end of the loop."""

from __future__ import annotations

import datetime
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from bangfu.assistance.models import Application, FollowUp, Kind
from bangfu.assistance.services import (
    ApplicationInput,
    application_create,
    application_notice,
    application_review,
    application_send,
    application_signoff,
    application_submit,
    application_visit,
)
from bangfu.assistance.tests.factories import aided_household, make_programme
from bangfu.core.audit import AuditEvent
from bangfu.core.errors import Conflict
from bangfu.funds import payable, reports, selectors
from bangfu.funds.links import SUBJECT_TYPE, trace
from bangfu.funds.models import Commitment, Entry, Payment
from bangfu.funds.services.banking import batch_create, batch_mark_sent, return_import
from bangfu.funds.services.budgets import budget_set
from bangfu.funds.services.commitments import room
from bangfu.funds.services.payments import payment_attach_scan, payment_confirm, payment_prepare
from bangfu.kits.workflow.models import SignOff
from bangfu.notices.models import Notice, NoticeItem

from .factories import make_book, make_finance, make_income
from .test_banking import luhn_card

S = Application.Status


def _today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    book = make_book(network.township, actor=finance, year=_today().year)
    make_income(book, actor=finance, amount="20000", date=datetime.date(_today().year, 1, 2))
    return book


@pytest.fixture
def festival(network, staff):
    return make_programme(
        network.township,
        staff,
        kind=Kind.FESTIVAL,
        year=_today().year,
        rules={"standard_amount": Decimal("800")},
    )


def _apply(staff, household, programme):
    year = programme.year
    data = ApplicationInput(
        programme=programme,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 1, 28),
    )
    return application_create(actor=staff, household_id=household.pk, data=data)


def _end_notice(application, *, ends_on=None) -> None:
    ids = NoticeItem.objects.filter(subject_id=application.pk).values_list("notice_id")
    Notice.objects.filter(pk__in=ids).update(ends_on=ends_on or _today() - timedelta(days=1))


def _to_approval(staff, household, programme):
    """Draft → submitted → visited → reviewed → in notice → (notice ended) → sent for approval."""
    application = _apply(staff, household, programme)
    assert application.status == S.DRAFT
    application = application_submit(actor=staff, application=application)
    application = application_visit(
        actor=staff,
        application=application,
        visited_on=_today(),
        visitors=["郭相妍", "李联络"],
        findings="家中两人,配偶患病。",
        recommendation="agree",
    )
    application = application_review(
        actor=staff,
        application=application,
        held_on=_today(),
        participants="职工代表 7 人",
        votes_for=7,
        votes_against=0,
        passed=True,
        record="一致同意。",
    )
    application = application_notice(actor=staff, application=application)
    assert application.status == S.PUBLICIZING
    _end_notice(application)
    return application_send(actor=staff, application=application)


def _unchanged_after_refusal(application, entries: int) -> None:
    application.refresh_from_db()
    assert application.status == S.PENDING_APPROVAL
    assert application.approved_on is None
    assert not Commitment.objects.filter(subject_type=SUBJECT_TYPE).exists()
    assert Entry.objects.count() == entries
    assert not SignOff.objects.exists()
    assert not AuditEvent.objects.filter(action="assistance.application.signoff").exists()


def test_approving_commits_the_amount_in_the_centres_book(network, staff, leader, book, festival):
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, household, festival)

    application = application_signoff(actor=leader, application=application, outcome="approved")

    assert application.status == S.APPROVED
    commitment = Commitment.objects.get(subject_type=SUBJECT_TYPE, subject_id=application.pk)
    assert commitment.book == book
    assert commitment.programme == "other"  # 节日慰问 is paid from 其他帮扶
    assert commitment.amount == Decimal("800.00")
    assert commitment.household == household
    assert commitment.recipient_name == household.name
    assert room(book, "other").available == Decimal("19200.00")


def test_approval_without_a_book_is_refused_and_changes_nothing(network, staff, leader, festival):
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, household, festival)
    entries = Entry.objects.count()

    with pytest.raises(Conflict) as refused:
        application_signoff(actor=leader, application=application, outcome="approved")

    assert refused.value.message == (
        f"{_today().year} 年度的帮扶资金专户账簿还没有建立,不能批准发放。"
    )
    _unchanged_after_refusal(application, entries)


def test_approval_beyond_the_programmes_budget_is_refused_and_changes_nothing(
    network, staff, leader, finance, book, festival
):
    budget_set(actor=finance, book=book, programme="other", amount="500")
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, household, festival)
    entries = Entry.objects.count()

    with pytest.raises(Conflict) as refused:
        application_signoff(actor=leader, application=application, outcome="approved")

    assert refused.value.message == "其他帮扶预算不足:剩余 500.00 元,本次需 800.00 元。"
    _unchanged_after_refusal(application, entries)


def test_approval_beyond_the_money_available_is_refused_and_changes_nothing(
    network, staff, leader, finance, festival
):
    book = make_book(network.township, actor=finance, year=_today().year)
    make_income(book, actor=finance, amount="700", date=datetime.date(_today().year, 1, 2))
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, household, festival)
    entries = Entry.objects.count()

    with pytest.raises(Conflict) as refused:
        application_signoff(actor=leader, application=application, outcome="approved")

    assert refused.value.message == (
        "专户可用资金不足:可用 700.00 元(余额减已批待发),本次需 800.00 元。"
    )
    _unchanged_after_refusal(application, entries)


def test_only_an_approved_application_whose_notice_ended_may_be_paid(
    network, staff, leader, finance, book, festival
):
    household = aided_household(network.station_a, staff)
    draft = _apply(staff, household, festival)
    assert payable.reason_not_payable(SUBJECT_TYPE, draft.pk) == (
        "该救助申请尚未批准(当前状态:草稿),不能发放。"
    )
    other = aided_household(network.station_a, staff, name="赵六")
    application = _to_approval(staff, other, festival)
    application = application_signoff(actor=leader, application=application, outcome="approved")
    assert payable.reason_not_payable(SUBJECT_TYPE, application.pk) is None
    commitment = Commitment.objects.get(subject_id=application.pk)
    assert selectors.bank_payable(book, finance) == [commitment]

    # An approved item whose notice runs on waits, by every route.
    later = _today() + timedelta(days=3)
    _end_notice(application, ends_on=later)
    Application.objects.filter(pk=application.pk).update(notice_ends_on=later)
    reason = f"该救助公示期至 {later.isoformat()},公示期满后才能发放。"
    assert payable.reason_not_payable(SUBJECT_TYPE, application.pk) == reason
    assert selectors.bank_payable(book, finance) == []
    with pytest.raises(Conflict) as refused:
        payment_prepare(actor=finance, commitment=commitment, signer="head")
    assert refused.value.message == reason
    assert not Payment.objects.exists()


def test_the_trace_names_the_application_and_its_steps(network, staff, leader, book, festival):
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, household, festival)
    application_signoff(actor=leader, application=application, outcome="approved", opinion="同意")

    url, steps = trace(application.pk)

    assert url == f"/assistance/{application.pk}/"
    assert steps[0].startswith(f"申请:{household.name}")
    assert any(step.startswith("入户走访:") for step in steps)
    assert any(step.startswith("民主评议:") and "通过" in step for step in steps)
    assert any(step.startswith("公示:") for step in steps)
    assert f"审批:{_today().isoformat()} 何亮 同意(同意)" in steps
    assert steps[-1] == f"批准:{_today().isoformat()}"


def _verify_books() -> str:
    out = StringIO()
    call_command("verify_books", stdout=out)
    return out.getvalue()


def test_one_application_from_draft_to_paid_in_person(
    network, staff, leader, finance, book, festival
):
    household = aided_household(network.station_a, staff)
    application = _to_approval(staff, household, festival)
    application_signoff(actor=leader, application=application, outcome="approved")
    commitment = Commitment.objects.get(subject_id=application.pk)

    payment = payment_prepare(actor=finance, commitment=commitment, signer="head")
    payment_attach_scan(
        actor=finance,
        payment=payment,
        file=SimpleUploadedFile("slip.pdf", b"%PDF-1.4 signed", content_type="application/pdf"),
    )
    payment = payment_confirm(actor=finance, payment=payment, paid_on=_today())

    assert payment.status == Payment.Status.PAID
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.PAID
    followup = FollowUp.objects.get(application=application)
    assert followup.paid_on == _today()
    assert followup.due_on == _today() + timedelta(days=30)
    left = room(book, "other")
    assert left.available == Decimal("19200.00")
    assert "账簿链完整" in _verify_books()
    assert reports.trial_balance(book, reports.DateRange.whole_year(book)).balanced


def test_one_application_from_draft_to_paid_by_bank(
    network, staff, leader, finance, book, festival
):
    household = aided_household(network.station_a, staff)
    household.bank_card = luhn_card("621700001000000001")
    household.save()
    application = _to_approval(staff, household, festival)
    application_signoff(actor=leader, application=application, outcome="approved")
    (commitment,) = selectors.bank_payable(book, finance)
    assert commitment.subject_id == application.pk

    batch = batch_create(actor=finance, book=book, commitments=[commitment])
    batch_mark_sent(actor=finance, batch=batch, sent_on=_today())
    (line,) = batch.payments.all()
    content = (
        "业务参考号,户名,交易金额,处理结果,失败原因\r\n"
        f"{line.number},{household.name},800.00,成功,\r\n"
    ).encode("gbk")
    result = return_import(
        actor=finance, batch=batch, content=content, filename="回盘.csv", date=_today()
    )

    assert result == {"paid": 1, "failed": 0}
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.PAID
    assert FollowUp.objects.get(application=application).paid_on == _today()
    assert "账簿链完整" in _verify_books()
    trial = reports.trial_balance(book, reports.DateRange.whole_year(book))
    assert trial.balanced
    bank = next(r for r in trial.rows if r.account.code == "1001")
    assert bank.closing_debit == Decimal("19200.00")
