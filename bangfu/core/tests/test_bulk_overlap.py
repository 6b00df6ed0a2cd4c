"""`core.bulk.overlapped` (PostgreSQL): COPYs sent ahead run from a thread while the caller
goes on; every other use of the connection waits for them, in order; a failure comes back at
the next use as OverlappedWriteError (never an IntegrityError a handler there would take for
its own), and nothing is written once the transaction is rolled back."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bangfu.archives.models import HouseholdMember, IdRegistration
from bangfu.archives.tests.factories import make_household
from bangfu.core import bulk
from bangfu.core.bulk import (
    OverlappedWriteError,
    bulk_insert,
    constraints_checked_ahead,
    copy_rows,
    next_keys,
    overlapped,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def registrations(household, prefix: str, count: int = 5) -> list[IdRegistration]:
    """Rows whose blind index starts with `prefix`: a letter past "f", which no real blind
    index (hexadecimal) starts with."""
    return [IdRegistration(id_index=f"{prefix}{n:060d}", household=household) for n in range(count)]


def members(household, count: int = 5) -> list[HouseholdMember]:
    return [
        HouseholdMember(
            household=household,
            name=f"成员{n}",
            relation="son",
            sex="M",
            birth_date=date(2000, 1, 1),
            identity="student",
            sort_order=n,
        )
        for n in range(count)
    ]


def test_rows_sent_ahead_are_there_for_the_next_query(network, staff):
    # given
    household = make_household(network.station_a, filed_by=staff)
    threads: list[str] = []
    real = bulk._Writer._copy

    def copy(self, sql, rows):
        threads.append(threading.current_thread().name)
        real(self, sql, rows)

    # when
    with transaction.atomic(), overlapped():
        bulk._Writer._copy = copy  # type: ignore[method-assign]
        try:
            bulk_insert(HouseholdMember, members(household), overlap=True)
            bulk_insert(IdRegistration, registrations(household, "p"), overlap=True)
            seen = HouseholdMember.objects.filter(household=household).count()
            registered = IdRegistration.objects.filter(id_index__startswith="p").count()
        finally:
            bulk._Writer._copy = real  # type: ignore[method-assign]

    # then
    assert (seen, registered) == (5, 5)
    assert len(threads) == 2
    assert all(name.startswith("bangfu-copy") for name in threads)
    assert threading.current_thread().name not in threads


def test_a_copy_not_sent_ahead_waits_for_those_sent(network, staff):
    # given
    household = make_household(network.station_a, filed_by=staff)
    order: list[str] = []
    started = threading.Event()
    release = threading.Event()
    real = bulk._Writer._copy

    def slow(self, sql, rows):
        started.set()
        release.wait(5)
        real(self, sql, rows)
        order.append("ahead")

    # when
    with transaction.atomic(), overlapped():
        bulk._Writer._copy = slow  # type: ignore[method-assign]
        try:
            bulk_insert(HouseholdMember, members(household), overlap=True)
            assert started.wait(5)
            timer = threading.Timer(0.3, release.set)
            timer.start()
            bulk_insert(IdRegistration, registrations(household, "q"))  # not sent ahead
            order.append("after")
        finally:
            bulk._Writer._copy = real  # type: ignore[method-assign]
            release.set()

    # then
    assert order == ["ahead", "after"]
    assert HouseholdMember.objects.filter(household=household).count() == 5


def test_a_failed_copy_comes_back_at_the_next_query_and_nothing_is_kept(network, staff):
    # given: the second COPY repeats a registered blind index (unique)
    household = make_household(network.station_a, filed_by=staff)
    before = IdRegistration.objects.count()

    # when
    with pytest.raises(OverlappedWriteError) as raised, transaction.atomic(), overlapped():
        bulk_insert(IdRegistration, registrations(household, "r"), overlap=True)
        bulk_insert(IdRegistration, registrations(household, "r"), overlap=True)
        try:
            IdRegistration.objects.count()
        except IntegrityError:  # what a handler here would catch for its own statement
            pytest.fail("the COPY's error was taken for the query's")

    # then
    assert isinstance(raised.value.__cause__, IntegrityError)
    assert IdRegistration.objects.count() == before


def test_a_failed_copy_is_raised_on_leaving_the_block(network, staff):
    # given
    household = make_household(network.station_a, filed_by=staff)

    # when
    with pytest.raises(OverlappedWriteError), transaction.atomic(), overlapped():
        bulk_insert(IdRegistration, registrations(household, "s"), overlap=True)
        bulk_insert(IdRegistration, registrations(household, "s"), overlap=True)

    # then
    assert not IdRegistration.objects.filter(id_index__startswith="s").exists()


def test_an_error_in_the_block_waits_for_the_copies_and_goes_on(network, staff):
    # given
    household = make_household(network.station_a, filed_by=staff)

    # when
    with pytest.raises(ZeroDivisionError), transaction.atomic(), overlapped():
        bulk_insert(IdRegistration, registrations(household, "t"), overlap=True)
        bulk_insert(IdRegistration, registrations(household, "t"), overlap=True)  # fails
        raise ZeroDivisionError

    # then
    assert not IdRegistration.objects.filter(id_index__startswith="t").exists()


def test_outside_the_block_overlap_changes_nothing(network, staff):
    # given
    household = make_household(network.station_a, filed_by=staff)
    bulk_insert(IdRegistration, registrations(household, "u"), overlap=True)

    # when / then: the clash is the COPY's own IntegrityError, at once
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(IdRegistration, registrations(household, "u"), overlap=True)


@pytest.mark.django_db(transaction=True)
def test_the_block_needs_a_transaction():
    # when / then
    with pytest.raises(RuntimeError, match="transaction"), overlapped():
        pass


def test_copies_sent_ahead_are_logged_as_one_statement_each(network, staff):
    # given
    household = make_household(network.station_a, filed_by=staff)

    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), overlapped():
        copy_rows(
            IdRegistration,
            ["id_index", "household_id"],
            [[f"g{n:063d}", household.pk] for n in range(3)],
            count=3,
            overlap=True,
        )

    # then
    copies = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY")]
    assert copies == [
        'COPY "archives_idregistration" ("id_index", "household_id") FROM STDIN -- 3 rows'
    ]


def test_foreign_keys_checked_ahead_are_checked_and_deferred_again(network, staff):
    # given: a registration naming an archive that does not exist (deferred: not yet checked)
    household = make_household(network.station_a, filed_by=staff)

    # when
    with pytest.raises(OverlappedWriteError) as raised, transaction.atomic(), overlapped():
        IdRegistration.objects.create(id_index="h" * 64, household_id=household.pk + 10_000)
        constraints_checked_ahead()
        IdRegistration.objects.count()

    # then
    assert isinstance(raised.value.__cause__, IntegrityError)
    assert not IdRegistration.objects.filter(id_index="h" * 64).exists()

    # when: checked ahead, then a registration naming a member written after it — deferred
    # again, it is checked at the commit (an IMMEDIATE key would refuse it at once)
    with transaction.atomic(), overlapped():
        constraints_checked_ahead()
        (key,) = next_keys(HouseholdMember, 1)
        IdRegistration.objects.create(id_index="i" * 64, household=household, member_id=key)
        member = members(household, 1)[0]
        member.pk = key
        member.save()

    # then
    assert IdRegistration.objects.get(id_index="i" * 64).member == member


def test_no_constraint_is_deferrable_and_initially_immediate():
    # `constraints_checked_ahead` sets every deferrable constraint back to DEFERRED: that is
    # their initial mode only while none starts IMMEDIATE.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE condeferrable AND NOT condeferred"
            " AND connamespace = 'public'::regnamespace"
        )
        assert cursor.fetchall() == []
