"""Two confirmations of one draw at once (a double click, PostgreSQL): the book's row lock
lets one draw and refuses the other; a payment is never in two samples."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from bangfu.core.errors import Conflict
from bangfu.funds.models import Sample, SampleCheck
from bangfu.funds.services.sampling import sample_draw

from .factories import make_finance, make_paid_book

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_confirmations_of_one_draw_draw_once(network, staff, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.BANGFU_SAMPLE_MARGIN = "0.45"  # 3 of 6: a second draw would find payments left
    finance = make_finance(network.township)
    book = make_paid_book(network, staff=staff, finance=finance, count=6)
    clicks = 6
    barrier = threading.Barrier(clicks)
    refused: list[str] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            barrier.wait()
            sample_draw(actor=finance, book=book, drawn_on=datetime.date(2026, 4, 10), after=0)
        except Conflict as exc:
            refused.append(exc.message)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Sample.objects.count() == 1
    assert len(refused) == clicks - 1
    assert all("本次未重复抽取" in message for message in refused)
    sampled = list(SampleCheck.objects.values_list("payment_id", flat=True))
    assert len(sampled) == len(set(sampled)) == 3
