import datetime

import pytest
from rest_framework.test import APIClient

from .factories import make_book, make_finance, make_income


@pytest.fixture
def finance(network):
    return make_finance(network.township)


@pytest.fixture
def book(network, finance):
    book = make_book(network.township, actor=finance)
    make_income(book, actor=finance, amount="20000", date=datetime.date(2026, 1, 15))
    return book


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_books_and_the_trial_balance(finance, book):
    client = _client(finance)
    books = client.get("/api/funds/books/").json()
    assert [b["year"] for b in books] == [2026]
    trial = client.get(f"/api/funds/books/{book.pk}/trial-balance/").json()
    assert trial["balanced"] is True
    bank = next(r for r in trial["rows"] if r["code"] == "1001")
    assert bank["closing_debit"] == "20000.00"
    budget = client.get(f"/api/funds/books/{book.pk}/budget/").json()
    assert {r["programme"] for r in budget} >= {"living", "medical"}
    assert client.get(f"/api/funds/books/{book.pk}/payments/").json() == []


def test_a_book_outside_the_scope_answers_404(network, book):
    other = make_finance(network.other_township)
    client = _client(other)
    assert client.get(f"/api/funds/books/{book.pk}/trial-balance/").status_code == 404
    assert client.get("/api/funds/books/").json() == []


def test_a_liaison_is_refused(liaison_a, book):
    assert _client(liaison_a).get("/api/funds/books/").status_code == 403
