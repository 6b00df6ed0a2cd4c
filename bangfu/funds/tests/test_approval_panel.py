"""Before 审批: the application page shows whoever may approve the money available in the
centre's book (balance − commitments) and the budget left for the programme, with a warning
when the amount exceeds either; nobody else sees it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance.models import Kind
from bangfu.assistance.tests.factories import aided_household, make_programme
from bangfu.funds.models import Book
from bangfu.funds.services.budgets import budget_set

from .factories import make_book, make_finance, make_income
from .test_links import _to_approval


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    year = timezone.localdate().year
    book = make_book(network.township, actor=finance, year=year)
    make_income(book, actor=finance, amount="20000", date=datetime.date(year, 1, 2))
    return book


@pytest.fixture
def festival(network, staff):
    return make_programme(
        network.township,
        staff,
        kind=Kind.FESTIVAL,
        year=timezone.localdate().year,
        rules={"standard_amount": Decimal("800")},
    )


@pytest.fixture
def waiting(network, staff, book, festival):
    household = aided_household(network.station_a, staff)
    return _to_approval(staff, household, festival)


def _page(client, user, application) -> str:
    client.force_login(user)
    response = client.get(reverse("assistance:application_detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_approver_sees_the_money_and_the_budget_left(client, leader, waiting):
    page = _page(client, leader, waiting)

    assert 'data-testid="panel-funds-room"' in page
    assert 'data-testid="room-available">20,000.00<' in page
    assert 'data-testid="room-budget">未设预算<' in page
    assert 'data-testid="room-ok"' in page
    assert page.index("panel-funds-room") < page.index('data-testid="action-signoff"')


def test_a_short_budget_and_short_money_are_warned_before_approving(
    client,
    leader,
    waiting,
    book,
    finance,
):
    budget_set(actor=finance, book=book, programme="other", amount="500")

    page = _page(client, leader, waiting)

    assert 'data-testid="room-budget">500.00<' in page
    assert "申请金额 800.00 元超过“其他帮扶”预算余额 500.00 元,批准将被拒绝。" in page
    assert page.count('data-testid="room-warning"') == 1


def test_a_missing_book_is_named(client, leader, waiting, book):
    Book.objects.filter(pk=book.pk).update(year=book.year - 1)

    page = _page(client, leader, waiting)

    assert f"{book.year} 年度的帮扶资金专户账簿还没有建立,不能批准发放。" in page


def test_who_may_not_approve_does_not_see_it(client, staff, waiting):
    assert "panel-funds-room" not in _page(client, staff, waiting)


def test_the_amount_over_the_money_available_is_warned(
    client,
    leader,
    network,
    staff,
    festival,
):
    poorer = make_finance(network.township, username="finance-poor")
    year = timezone.localdate().year
    poor = make_book(network.township, actor=poorer, year=year)
    make_income(poor, actor=poorer, amount="300", date=datetime.date(year, 1, 2))
    application = _to_approval(staff, aided_household(network.station_a, staff), festival)

    page = _page(client, leader, application)

    assert "申请金额 800.00 元超过专户可用资金 300.00 元,批准将被拒绝。" in page
    assert 'data-testid="room-available">300.00<' in page
