"""The roster import in batches of households: looked up, validated and written batch by batch,
in one transaction — the same archives as in one go, and nothing written when a later batch
fails."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.accounts.policy import forget_grants
from bangfu.archives.models import Household, HouseholdMember, IdRegistration, ImportBatch
from bangfu.archives.services import importing
from bangfu.archives.tests.factories import (
    make_area,
    make_household,
    make_id_number,
    make_standards,
)
from bangfu.core.masking import mask_id_number
from bangfu.core.models import AuditEvent

from .test_import_queries import roster

pytestmark = pytest.mark.django_db


def test_check_looks_up_and_validates_batch_by_batch(network, staff, monkeypatch):
    # given: batches of 5 households, files of 10, 20 and 30 households (2, 4 and 6 batches)
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 5)
    files = [roster(n, start=100 * n) for n in (10, 20, 30)]

    # when
    counts = []
    for content in files:
        forget_grants(staff)
        with CaptureQueriesContext(connection) as captured:
            result = importing.roster_check(user=staff, source=content, source_name="a.xlsx")
        assert (result.errors, result.households_new) == ([], len(result.items))
        counts.append(len(captured.captured_queries))

    # then: the same statements for every batch of five, whatever its rows
    per_two_batches = counts[1] - counts[0]
    assert per_two_batches > 0, counts
    assert counts[2] - counts[1] == per_two_batches, counts


def test_write_files_batch_by_batch_with_the_same_archives(network, staff, monkeypatch):
    # given: batches of 4 households, a file of 10
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 4)
    content = roster(10, start=700)

    # when
    batch, table = importing.import_upload(user=staff, content=content, source_name="a.xlsx")
    importing.import_check(user=staff, batch=batch, table=table)
    importing.import_confirm(user=staff, batch=batch)
    importing.import_write(user=staff, batch=batch)

    # then: every household filed once, in the file's order, numbered in sequence
    batch.refresh_from_db()
    assert (batch.status, batch.counts["households_new"], batch.counts["members_new"]) == (
        "imported",
        10,
        10,
    )
    names = list(Household.objects.order_by("archive_no").values_list("name", flat=True))
    assert names == [f"职工{i}" for i in range(10)]


def test_a_later_batch_failing_at_write_rolls_back_the_batches_written_before(
    network, staff, monkeypatch
):
    # given: batches of 4 households, a checked file of 10
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 4)
    content = roster(10, start=800)
    batch, table = importing.import_upload(user=staff, content=content, source_name="a.xlsx")
    importing.import_check(user=staff, batch=batch, table=table)
    assert batch.status == ImportBatch.Status.READY
    # and then another centre files the spouse of the ninth household (third batch)
    spouse = make_id_number(date(1972, 2, 2), sex="F", seq=808)
    make_household(network.other_township, filed_by=staff, id_number=spouse, name="配偶8")
    before = (
        Household.objects.count(),
        HouseholdMember.objects.count(),
        IdRegistration.objects.count(),
        AuditEvent.objects.count(),
    )

    # when
    importing.import_confirm(user=staff, batch=batch)
    with pytest.raises(importing.ValidationError):
        importing.import_write(user=staff, batch=batch)

    # then: the first two batches, written before the third failed, are rolled back
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert [tuple(e[1:]) for e in batch.errors] == [
        (
            21,  # the ninth household's spouse: title, blank, header, then two rows each
            "身份证号码",
            f"身份证号 {mask_id_number(spouse)} 已在另一份未撤档的档案中,"
            "该档案属于长城乡职工服务(帮扶)中心,请向该中心核实。",
        )
    ]
    after = (
        Household.objects.count(),
        HouseholdMember.objects.count(),
        IdRegistration.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
