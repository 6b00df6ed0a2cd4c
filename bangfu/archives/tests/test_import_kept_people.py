"""A large roster's clean check keeps the rows it converted (sealed beside the file) and the
write takes them instead of converting the file again — only when they are whole and were
made from this file, with this mapping, today; else the write converts as before."""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.services import importing
from bangfu.archives.tests.factories import make_area, make_standards
from bangfu.core.crypto import encrypt_bytes
from bangfu.kits.imports.models import ImportChunk

from . import roster_files as rf
from .test_import_helper import checked

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CHECKED = ImportChunk.Part.CHECKED


@pytest.fixture(autouse=True)
def small_batches(monkeypatch) -> None:
    make_standards(make_area())
    monkeypatch.setattr(importing, "HELPER_ROWS", 0)
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)


def roster(households: int, start: int, **changed: Any) -> bytes:
    return rf.workbook(rf.couples(households, start, **changed))


def written(staff, batch: ImportBatch, settings) -> ImportBatch:
    settings.BANGFU_HELPER_PROCESSES = False  # the write in this process: its conversions count
    importing.import_confirm(user=staff, batch=batch)
    importing.import_write(user=staff, batch=batch)
    batch.refresh_from_db()
    return batch


def test_a_clean_check_keeps_its_rows_and_the_write_takes_them(
    network, staff, settings, conversions
):
    # given: a clean check of 8 households (with a helper)
    batch = checked(staff, roster(8, start=100))
    assert batch.status == ImportBatch.Status.READY
    assert ImportChunk.objects.filter(batch=batch, part=CHECKED).exists()
    conversions.clear()

    # when
    batch = written(staff, batch, settings)

    # then: nothing converted again, every household filed as the file says
    assert conversions == []
    assert (batch.status, batch.counts["households_new"]) == (ImportBatch.Status.IMPORTED, 8)
    assert sorted(Household.objects.values_list("name", flat=True)) == sorted(
        f"职工{i}" for i in range(8)
    )
    assert not ImportChunk.objects.filter(batch=batch).exists()  # emptied once imported


def _tamper(batch: ImportBatch, how: str, staff) -> None:
    chunk = ImportChunk.objects.filter(batch=batch, part=CHECKED).order_by("seq").first()
    assert chunk is not None
    if how == "a chunk replaced":
        chunk.data = encrypt_bytes(f"{batch.pk}:checked:0\n".encode() + b"not deflated")
        chunk.save()
    elif how == "another batch's chunks":
        other = checked(staff, roster(8, start=500))
        ImportChunk.objects.filter(batch=batch, part=CHECKED).delete()
        for theirs in ImportChunk.objects.filter(batch=other, part=CHECKED):
            ImportChunk.objects.create(batch=batch, part=CHECKED, seq=theirs.seq, data=theirs.data)
    elif how == "a chunk missing":
        ImportChunk.objects.filter(batch=batch, part=CHECKED).order_by("-seq").first().delete()  # type: ignore[union-attr]


@pytest.mark.parametrize("how", ["a chunk replaced", "another batch's chunks", "a chunk missing"])
def test_kept_rows_that_are_not_whole_and_this_batchs_are_converted_again(
    network, staff, settings, conversions, how
):
    # given: a clean check whose kept rows are then tampered with
    batch = checked(staff, roster(8, start=200))
    _tamper(batch, how, staff)
    conversions.clear()

    # when
    batch = written(staff, batch, settings)

    # then: the file converted again, and the same households filed
    assert len(conversions) == 16
    assert (batch.status, batch.counts["households_new"]) == (ImportBatch.Status.IMPORTED, 8)


def test_rows_kept_yesterday_are_converted_again(
    network, staff, settings, conversions, monkeypatch
):
    # given: a clean check, and the write the day after (IDs are checked against the day)
    batch = checked(staff, roster(8, start=300))
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    conversions.clear()

    # when
    batch = written(staff, batch, settings)

    # then
    assert len(conversions) == 16
    assert batch.status == ImportBatch.Status.IMPORTED


def test_a_check_that_finds_a_problem_keeps_no_rows(network, staff):
    # given
    content = roster(8, start=400, **{"6": {"工作状态": "在岗了"}})

    # when
    batch = checked(staff, content)

    # then
    assert batch.status == ImportBatch.Status.INVALID
    assert not ImportChunk.objects.filter(batch=batch, part=CHECKED).exists()


def test_a_check_with_nothing_to_file_keeps_no_rows(network, staff, settings):
    # given: a file imported
    content = roster(8, start=600)
    written(staff, checked(staff, content), settings)
    settings.BANGFU_HELPER_PROCESSES = True

    # when: the same file checked again (every household already filed)
    batch = checked(staff, content)

    # then: nothing to write, nothing kept
    assert batch.status == ImportBatch.Status.NOTHING
    assert not ImportChunk.objects.filter(batch=batch, part=CHECKED).exists()


def test_kept_rows_load_plain_values_only():
    # given: a frame naming a class that is no converted value
    frame = pickle.dumps([(5, None, {"x": timezone.now()}, "", "", False, "")])

    # then
    with pytest.raises(pickle.UnpicklingError):
        importing._PeopleUnpickler(__import__("io").BytesIO(frame)).load()
    plain = pickle.dumps([(5, None, {"born": date(1970, 1, 1)}, "", "", False, "")])
    assert importing._PeopleUnpickler(__import__("io").BytesIO(plain)).load()[0][0] == 5
