"""Two people file the same ID number at the same moment: exactly one archive gets it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from bangfu.archives.models import Household, IdRegistration
from bangfu.archives.services import filing
from bangfu.core.errors import ValidationError

from .factories import make_area, make_id_number
from .filing_factories import household_input


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_filing_of_one_id_lets_one_win(network, staff):
    # given two applications naming the same person, at two stations
    same_id = make_id_number(seq=77)
    area = make_area()
    inputs = [
        household_input(network.station_a, area=area, id_number=same_id, name="张三"),
        household_input(network.station_b, area=area, id_number=same_id, name="张三"),
    ]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def file(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[n] = filing.household_create(actor=staff, data=inputs[n])
        except ValidationError as exc:
            results[n] = exc
        finally:
            connection.close()

    # when both file at once
    threads = [threading.Thread(target=file, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then one archive holds the ID and the other filer is told where it is
    won = [r for r in results if isinstance(r, Household)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(lost)) == (1, 1)
    assert Household.objects.count() == 1
    assert IdRegistration.objects.get().household_id == won[0].pk
    masked = same_id[:6] + "********" + same_id[-4:]
    assert lost[0].errors["id_number"].startswith(f"身份证号 {masked} 已在")
    assert lost[0].errors["id_number"].endswith("的档案 2026-00001 中。")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_in_one_centre_get_distinct_numbers(network, staff):
    area = make_area()
    inputs = [household_input(network.station_a, area=area, name=f"职工{n}") for n in range(4)]
    barrier = threading.Barrier(4)
    numbers: list[str] = []
    lock = threading.Lock()

    def file(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            household = filing.household_create(actor=staff, data=inputs[n])
            with lock:
                numbers.append(household.archive_no)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(numbers) == ["2026-00001", "2026-00002", "2026-00003", "2026-00004"]
