"""Parallel writers on one book (PostgreSQL only): receipt numbers and entry numbers stay dense,
the chain stays whole, and the flush after these transactional tests still works (the
immutability trigger lets TRUNCATE through)."""

from __future__ import annotations

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from bangfu.funds.models import DonationReceipt, Entry

from .factories import make_book, make_finance, make_income

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_donations_get_receipt_numbers_without_gaps(network):
    finance = make_finance(network.township)
    book = make_book(network.township, actor=finance)
    writers, per_writer = 10, 3
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def donate(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                make_income(
                    book,
                    actor=finance,
                    kind="donation",
                    payer=f"捐赠人{n}-{i}",
                    amount="10.00",
                    date=datetime.date(2026, 3, 2),
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=donate, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = writers * per_writer
    numbers = sorted(DonationReceipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, total + 1))
    assert sorted(Entry.objects.values_list("number", flat=True)) == list(range(1, total + 1))
    out = StringIO()
    call_command("verify_books", stdout=out)
    assert f"共校验 {total} 张凭证" in out.getvalue()
