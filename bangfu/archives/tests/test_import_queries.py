"""Query counts of the import: they do not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.accounts.policy import forget_grants
from bangfu.archives.models import Determination, Household
from bangfu.archives.services import importing
from bangfu.archives.tests.factories import make_area, make_standards

from . import roster_files as rf

pytestmark = pytest.mark.django_db


def roster(n: int, start: int) -> bytes:
    return rf.workbook(rf.couples(n, start))


def _split(captured: CaptureQueriesContext) -> tuple[int, int]:
    inserts = sum(1 for q in captured.captured_queries if q["sql"].startswith(("INSERT", "COPY")))
    return len(captured.captured_queries) - inserts, inserts


def queries(user, content: bytes) -> tuple[tuple[int, int], tuple[int, int]]:
    """Return the (statements other than INSERT, INSERTs) of the phase 1 check and of phase 2
    (confirm and write)."""
    forget_grants(user)
    batch, table = importing.import_upload(user=user, content=content, source_name="a.xlsx")
    with CaptureQueriesContext(connection) as check:
        importing.import_check(user=user, batch=batch, table=table)
    forget_grants(user)
    with CaptureQueriesContext(connection) as write:
        importing.import_confirm(user=user, batch=batch)
        importing.import_write(user=user, batch=batch)
    return _split(check), _split(write)


def test_import_query_counts_do_not_grow_with_the_households(network, staff):
    # given
    make_standards(make_area())

    # when
    check10, write10 = queries(staff, roster(10, start=100))
    check100, write100 = queries(staff, roster(100, start=200))

    # then
    assert Household.objects.count() == 110
    assert Determination.objects.count() == 110  # the import determined every category
    # Checking: the same statements whatever the number of households (was one registry
    # query per new household before `validate_households`: +90 for 100 against 10).
    assert check100 == check10, (check10, check100)
    assert check10[1] == 0
    # Writing: the same statements; bulk inserts come in batches on SQLite (999 parameters a
    # statement: ~11 households, ~80 determinations or audit events an INSERT).
    assert write100[0] == write10[0], (write10, write100)
    inserts = 0 if connection.vendor == "postgresql" else 14
    assert write100[1] - write10[1] <= inserts, (write10, write100)


def test_reimport_check_is_constant_whatever_the_number_of_households(network, staff):
    # given: both files already imported
    make_standards(make_area())
    small, large = roster(10, start=100), roster(100, start=200)
    queries(staff, small)
    queries(staff, large)

    # when
    forget_grants(staff)
    with CaptureQueriesContext(connection) as q10:
        importing.roster_check(user=staff, source=small, source_name="a.xlsx")
    forget_grants(staff)
    with CaptureQueriesContext(connection) as q100:
        importing.roster_check(user=staff, source=large, source_name="a.xlsx")

    # then
    assert len(q10.captured_queries) == len(q100.captured_queries)


@pytest.mark.postgres
def test_the_write_sends_its_copies_ahead_but_not_the_registry(network, staff, monkeypatch):
    # given: the COPYs that the thread of `core.bulk.overlapped` makes, by table
    from bangfu.core import bulk

    make_standards(make_area())
    sent: list[str] = []
    real = bulk._Writer._copy

    def copy(self, sql, rows):
        sent.append(sql.split('"')[1])
        real(self, sql, rows)

    monkeypatch.setattr(bulk._Writer, "_copy", copy)

    # when
    queries(staff, roster(10, start=300))

    # then: everything a batch writes that no one else can take first; the ID registry, whose
    # clash with another filer is an answer, is written by the import's own thread
    assert sorted(set(sent)) == [
        "archives_determination",
        "archives_household",
        "archives_householdmember",
        "archives_importedarchive",
        "core_auditevent",
    ]
    assert Household.objects.count() == 10
    assert Determination.objects.count() == 10
