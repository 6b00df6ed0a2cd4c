"""Parallel approvals through the assistance approval service (PostgreSQL only): whatever the
interleaving, the money committed never exceeds the money available nor the programme's budget;
the refused approvals change nothing and say what is short."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from bangfu.assistance.models import Application, Kind
from bangfu.assistance.services import (
    ApplicationInput,
    application_create,
    application_send,
    application_signoff,
    application_submit,
)
from bangfu.assistance.tests.factories import aided_household, make_programme
from bangfu.core.errors import Conflict
from bangfu.funds.links import SUBJECT_TYPE
from bangfu.funds.models import Commitment
from bangfu.funds.services.budgets import budget_set
from bangfu.funds.services.commitments import room

from .factories import make_book, make_finance, make_income

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARALLEL = 24


def _pending(network, staff, count):
    """`count` applications of 800 元 each waiting for one leader's sign-off (a programme with
    no visit, review or notice, so that they reach approval at once)."""
    year = timezone.localdate().year
    programme = make_programme(
        network.township,
        staff,
        kind=Kind.FESTIVAL,
        year=year,
        rules={
            "standard_amount": Decimal("800"),
            "requires_visit": False,
            "requires_review": False,
            "requires_notice": False,
        },
    )
    pending = []
    for n in range(count):
        household = aided_household(
            network.station_a, staff, name=f"职工{n}", mobile=f"1390000{n:04d}"
        )
        application = application_create(
            actor=staff,
            household_id=household.pk,
            data=ApplicationInput(
                programme=programme,
                period_start=datetime.date(year, 1, 1),
                period_end=datetime.date(year, 1, 28),
            ),
        )
        application = application_submit(actor=staff, application=application)
        application = application_send(actor=staff, application=application)
        assert application.status == Application.Status.PENDING_APPROVAL
        pending.append(application)
    return pending


@pytest.mark.parametrize(
    ("income", "budget", "fits", "message"),
    [
        ("10000", None, 12, "专户可用资金不足"),
        ("100000", "4000", 5, "其他帮扶预算不足"),
    ],
)
def test_parallel_approvals_never_over_commit(
    network, staff, leader, income, budget, fits, message
):
    year = timezone.localdate().year
    finance = make_finance(network.township)
    book = make_book(network.township, actor=finance, year=year)
    make_income(book, actor=finance, amount=income, date=datetime.date(year, 1, 2))
    if budget:
        budget_set(actor=finance, book=book, programme="other", amount=budget)
    applications = _pending(network, staff, PARALLEL)
    barrier = threading.Barrier(PARALLEL)
    refused: list[str] = []
    errors: list[BaseException] = []

    def approve(application: Application) -> None:
        try:
            barrier.wait()
            application_signoff(actor=leader, application=application, outcome="approved")
        except Conflict as exc:
            refused.append(exc.message)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    committed = Commitment.objects.filter(subject_type=SUBJECT_TYPE)
    assert committed.count() == fits
    assert committed.aggregate(s=Sum("amount"))["s"] == Decimal("800.00") * fits
    assert len(refused) == PARALLEL - fits
    assert all(message in text for text in refused)
    statuses = list(Application.objects.values_list("status", flat=True))
    assert statuses.count(Application.Status.APPROVED) == fits
    assert statuses.count(Application.Status.PENDING_APPROVAL) == PARALLEL - fits
    left = room(book, "other")
    assert left.available >= 0
    assert left.budget_left is None or left.budget_left >= 0
    out = StringIO()
    call_command("verify_books", stdout=out)
    assert "账簿链完整" in out.getvalue()
