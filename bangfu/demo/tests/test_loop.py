"""The demo reaches the end: an archive and an application whose notices have ended wait on the
leader's worklist; applications approved, paid in person and by bank (one failed line paid
again), waiting for payment; the plan's money; every date as the story says; books and audit
trail whole."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.archives.models import Household
from bangfu.assistance.models import Application, FollowUp
from bangfu.core.audit import AuditEvent, verify_chain
from bangfu.core.worklist import due_items
from bangfu.funds.models import Commitment, Income, Payment, Sample
from bangfu.notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=StringIO())


def _ended(notice: Notice) -> bool:
    ends_on = notice.ends_on
    return ends_on is not None and ends_on < timezone.localdate() and notice.status_on() == "ended"


def test_an_archive_whose_notice_ended_waits_on_the_leaders_worklist(seeded):
    waiting = Household.objects.get(status=Household.Status.PENDING_APPROVAL)
    notice = Notice.objects.get(kind="archive", items__subject_id=waiting.pk)
    assert _ended(notice)

    leader = User.objects.get(username="leader")
    titles = [item.title for item in due_items(leader)]

    assert f"建档审批:{waiting.name}({waiting.archive_no},{waiting.unit.name})" in titles


def test_an_application_whose_notice_ended_waits_on_the_leaders_worklist(seeded):
    waiting = Application.objects.get(status=Application.Status.PENDING_APPROVAL)
    notice = Notice.objects.get(kind="assistance", items__subject_id=waiting.pk)
    assert _ended(notice)

    leader = User.objects.get(username="leader")
    items = [i for i in due_items(leader) if i.url == f"/assistance/{waiting.pk}/"]

    assert len(items) == 1
    assert items[0].title.startswith(f"帮扶救助审批:{waiting.household.name}")
    assert not items[0].overdue


def test_approved_applications_are_paid_in_person_by_bank_or_wait_for_payment(seeded):
    approved = Application.objects.filter(status=Application.Status.APPROVED)
    assert approved.count() == 5
    commitments = Commitment.objects.filter(subject_type="assistance.application")
    assert set(commitments.values_list("subject_id", flat=True)) == set(
        approved.values_list("pk", flat=True)
    )
    assert commitments.filter(status=Commitment.Status.COMMITTED).count() == 2
    in_person = Payment.objects.get(method=Payment.Method.IN_PERSON)
    assert in_person.status == Payment.Status.PAID and in_person.scan
    bank = Payment.objects.filter(method=Payment.Method.BANK)
    assert sorted(bank.values_list("status", flat=True)) == ["failed", "paid", "paid"]
    failed = bank.get(status=Payment.Status.FAILED)
    assert failed.failure_reason == "银行系统临时故障"
    assert bank.filter(commitment=failed.commitment, status=Payment.Status.PAID).exists()
    # The paid have their follow-up (回访) due.
    assert FollowUp.objects.count() == 3
    assert all(f.due_on == f.paid_on + timedelta(days=15) for f in FollowUp.objects.all())


def test_the_plans_money_and_dates_as_the_story_says(seeded):
    incomes = Income.objects.filter(receipt__void=False) | Income.objects.filter(
        receipt__isnull=True
    )
    by_kind = dict(
        incomes.values("kind").annotate(total=Sum("amount")).values_list("kind", "total")
    )
    assert by_kind["allocation"] == Decimal("20000.00")
    assert by_kind["donation"] == Decimal("20000.00")
    # Played on the story's days: the applications were made weeks ago, audit events included.
    today = timezone.localdate()
    first = Application.objects.filter(status=Application.Status.APPROVED).earliest("pk")
    made = AuditEvent.objects.get(action="assistance.application.create", object_id=str(first.pk))
    assert timezone.localdate(made.created_at) == timezone.localdate(first.created_at)
    assert timezone.localdate(first.created_at) <= today - timedelta(days=28)
    assert first.approved_on == today - timedelta(days=8)


def test_books_and_audit_trail_are_whole_after_the_demo(seeded):
    out = StringIO()
    call_command("verify_books", stdout=out)
    assert "账簿链完整" in out.getvalue()
    assert verify_chain()[1] is None


def test_a_sample_of_the_paid_has_a_match_and_an_open_mismatch_on_the_finance_worklist(seeded):
    sample = Sample.objects.get()
    assert (sample.population, sample.size, sample.seed) == (3, 3, 2026)
    checks = list(sample.checks.order_by("pk"))
    assert [c.outcome for c in checks] == ["match", "mismatch", ""]
    mismatch = checks[1]
    assert mismatch.resolved_at is None

    finance = User.objects.get(username="finance")
    titles = [item.title for item in due_items(finance)]

    payment = mismatch.payment
    assert f"抽查不相符:{payment.recipient_name}({payment.number})" in titles
    assert f"发放抽查:{checks[2].payment.recipient_name}({checks[2].payment.number})" in titles
