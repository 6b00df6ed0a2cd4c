"""The roster import with a helper process (`core.forked`, PostgreSQL outside a transaction):
the check gives it the later half of the households, the write gives it the whole check while
filing. Each finds and writes exactly what the same import does in one process."""

from __future__ import annotations

from typing import Any

import pytest

from bangfu.archives.models import Household, HouseholdMember, ImportBatch, ImportedArchive
from bangfu.archives.services import filing, importing
from bangfu.archives.tests.factories import make_area, make_standards
from bangfu.core import forked
from bangfu.core.errors import ValidationError
from bangfu.core.models import AuditEvent

from . import roster_files as rf

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def small_files_helped(monkeypatch) -> None:
    monkeypatch.setattr(importing, "HELPER_ROWS", 0)


@pytest.fixture
def helpers(monkeypatch) -> list[int]:
    """Count the helpers started (each one's pid)."""
    started: list[int] = []

    class Counted(forked.Helper):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            assert self.pid is not None
            started.append(self.pid)

    monkeypatch.setattr(forked, "Helper", Counted)
    return started


def checked(staff, content: bytes) -> ImportBatch:
    batch, table = importing.import_upload(user=staff, content=content, source_name="a.xlsx")
    return importing.import_check(user=staff, batch=batch, table=table)


def counts() -> tuple[int, int, int]:
    return (Household.objects.count(), HouseholdMember.objects.count(), AuditEvent.objects.count())


def found(batch: ImportBatch) -> tuple[Any, ...]:
    batch.refresh_from_db()
    return (batch.status, batch.counts, batch.skipped, [tuple(e) for e in batch.errors])


def test_the_check_with_a_helper_finds_what_one_process_finds(
    network, staff, helpers, settings, monkeypatch, conversions
):
    # given: batches of 2 households; 6 households filed, then a file of 12 with one of the
    # filed households changed (first half) and a wrong cell in a new one (later half)
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    first = checked(staff, rf.workbook(rf.couples(6, start=900)))
    importing.import_confirm(user=staff, batch=first)
    importing.import_write(user=staff, batch=first)
    content = rf.workbook(
        rf.couples(12, start=900, **{"1": {"月收入": 950}, "10": {"工作状态": "在岗了"}})
    )
    helpers.clear()
    conversions.clear()

    # when: the same file checked with a helper and in one process
    with_helper = found(checked(staff, content))
    used, here = len(helpers), list(conversions)
    settings.BANGFU_HELPER_PROCESSES = False
    conversions.clear()
    alone = found(checked(staff, content))

    # then: a helper was used once and converted the later half of the rows (this process the
    # first 6 households', rows 4–15), and the outcome is the same
    assert used == 1 and len(helpers) == 1
    assert here == list(range(4, 16))
    assert len(conversions) == 24
    assert with_helper == alone
    status, counts, skipped, errors = with_helper
    assert status == ImportBatch.Status.INVALID
    assert [row for _sheet, row, _column, _message in errors] == [6, 24]  # 2nd and 11th heads
    assert len(skipped) == 5 and counts["households_new"] == 0


@pytest.mark.parametrize("tie", ["a member far below its head", "one person on both sides"])
def test_rows_tied_across_the_middle_are_checked_as_one_file(
    network, staff, helpers, settings, monkeypatch, conversions, tie
):
    # given: 8 households (16 rows) where a row of the later half belongs with one of the
    # earlier: the first household's spouse moved to the end, or the last household's spouse
    # given the first spouse's ID
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    rows = rf.couples(8, start=850)
    if tie == "a member far below its head":
        rows.append(rows.pop(1))
    else:
        rows[15]["身份证号码"] = rows[1]["身份证号码"]
    content = rf.workbook(rows)
    conversions.clear()

    # when
    with_helper = found(checked(staff, content))
    here = len(conversions)
    settings.BANGFU_HELPER_PROCESSES = False
    alone = found(checked(staff, content))

    # then: this process converted every row (the halves could not be checked apart) and
    # the outcome is the one process's
    assert here == 16
    assert with_helper == alone
    if tie == "a member far below its head":
        assert with_helper[0] == ImportBatch.Status.READY
    else:
        assert [(row, "重复" in message) for _s, row, _c, message in with_helper[3]] == [(19, True)]


def test_a_clean_check_with_a_helper_counts_every_household(network, staff, helpers, monkeypatch):
    # given: batches of 2 households; of 9, the first and the last three filed before (checked
    # by this process and by the helper)
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    file = rf.couples(9, start=950)
    first = checked(staff, rf.workbook(file[:2] + file[12:]))
    importing.import_confirm(user=staff, batch=first)
    importing.import_write(user=staff, batch=first)
    helpers.clear()

    # when
    status, counts, skipped, errors = found(checked(staff, rf.workbook(file)))

    # then: the skipped in the file's order, the new counted over both halves
    assert len(helpers) == 1 and status == ImportBatch.Status.READY and errors == []
    assert [row[0] for row in skipped] == [4, 16, 18, 20]
    assert (counts["households_new"], counts["members_new"]) == (5, 5)  # and the spouses


def test_the_write_with_a_helper_files_every_household_in_the_files_order(
    network, staff, helpers, monkeypatch
):
    # given: batches of 3 households, a checked file of 10
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 3)
    batch = checked(staff, rf.workbook(rf.couples(10, start=700)))
    helpers.clear()

    # when
    importing.import_confirm(user=staff, batch=batch)
    importing.import_write(user=staff, batch=batch)

    # then: a helper checked, this process filed: every household once, numbered in order
    assert len(helpers) == 1
    status, counts, _skipped, errors = found(batch)
    assert (status, counts["households_new"], counts["members_new"], errors) == (
        ImportBatch.Status.IMPORTED,
        10,
        10,
        [],
    )
    names = list(Household.objects.order_by("archive_no").values_list("name", flat=True))
    assert names == [f"职工{i}" for i in range(10)]
    assert HouseholdMember.objects.count() == 10  # the spouses


def test_a_problem_the_helper_finds_at_write_leaves_nothing_written(
    network, staff, helpers, monkeypatch
):
    # given: a checked file of 10 households in batches of 3, and then the eighth household's
    # head filed by someone else under another name (the helper's check finds it in the third
    # batch, after this process has filed two)
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 3)
    batch = checked(staff, rf.workbook(rf.couples(10, start=600)))
    other = checked(staff, rf.workbook(rf.couples(8, start=600, **{"7": {"姓名": "另一人"}})[14:]))
    importing.import_confirm(user=staff, batch=other)
    importing.import_write(user=staff, batch=other)
    before = counts()
    helpers.clear()

    # when
    importing.import_confirm(user=staff, batch=batch)
    with pytest.raises(ValidationError):
        importing.import_write(user=staff, batch=batch)

    # then: the batches filed before are rolled back; the problem is on the eighth head's row
    assert len(helpers) == 1
    status, _counts, _skipped, errors = found(batch)
    assert status == ImportBatch.Status.INVALID
    assert errors and {row for _sheet, row, _column, _message in errors} == {18}
    assert counts() == before


def test_after_the_filing_service_refuses_a_batch_the_later_ones_are_still_validated(
    network, staff, helpers, monkeypatch
):
    # given: a checked file of 6 households in batches of 2; the filing service refuses the
    # first batch (a race the check could not see) and validation finds a problem in the third
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    batch = checked(staff, rf.workbook(rf.couples(6, start=500)))
    refused: list[int] = []

    def refuse(**kwargs: Any) -> list[Household]:
        refused.append(len(kwargs["items"]))
        raise ValidationError("已被他人建档", errors={"0.name": "已被他人建档"})

    def validate(items: list[Any], **kwargs: Any) -> dict[str, str]:
        names = [item.name for item in items]
        return {"1.name": "校验发现的问题"} if "职工5" in names else {}

    monkeypatch.setattr(filing, "household_create_many", refuse)
    monkeypatch.setattr(filing, "validate_households", validate)
    helpers.clear()

    # when
    importing.import_confirm(user=staff, batch=batch)
    with pytest.raises(ValidationError):
        importing.import_write(user=staff, batch=batch)

    # then: only the first batch went to the service; both problems are on their rows
    assert len(helpers) == 1 and refused == [2]
    status, _counts, _skipped, errors = found(batch)
    assert status == ImportBatch.Status.INVALID
    assert [(row, message) for _sheet, row, _column, message in errors] == [
        (4, "已被他人建档"),
        (14, "校验发现的问题"),
    ]
    assert Household.objects.count() == 0


def test_the_helper_sends_the_rows_without_their_values_and_the_import_is_the_same(
    network, staff, helpers, settings, monkeypatch
):
    # given: batches of 2 households; what the filing process receives is watched
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    received: list[Any] = []
    file_batch = importing._file_batch

    def watched(user: Any, batch: Any, found: Any, historical: bool) -> Any:
        received.extend(found.groups)
        return file_batch(user, batch, found, historical)

    monkeypatch.setattr(importing, "_file_batch", watched)

    def imported(start: int) -> list[tuple[str, list[str]]]:
        batch = checked(staff, rf.workbook(rf.couples(5, start=start)))
        importing.import_confirm(user=staff, batch=batch)
        importing.import_write(user=staff, batch=batch)
        return list(
            ImportedArchive.objects.filter(batch_id=batch.pk)
            .order_by("household__archive_no")
            .values_list("household__name", "missing")
        )

    # when: the same households imported with a helper, then in one process
    with_helper = imported(200)
    sent = list(received)
    settings.BANGFU_HELPER_PROCESSES = False
    received.clear()
    alone = imported(250)

    # then: the helper sent each row's number and the fields left blank, not the values;
    # every archive records the same fields to complete either way
    assert len(helpers) == 2  # the check's and the write's
    assert [(g.head.number, [m.number for m in g.members]) for g in sent] == [
        (g.head.number, [m.number for m in g.members]) for g in received
    ]
    assert all(not p.values and not p.raw for g in sent for p in g.rows)
    assert all(p.values for g in received for p in g.rows)
    assert len(with_helper) == 5 and with_helper == alone
    assert all("手机" in missing for _name, missing in with_helper)


def test_the_new_heads_pinyin_is_read_by_the_helper_at_write(network, staff, helpers, monkeypatch):
    # given: a checked file of 6 households with names never read in this process
    from bangfu.core import text

    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    rows = rf.couples(6, start=120)
    names = ["欧阳娜娜", "单雄信", "曾国藩", "区志坚", "尉迟恭", "吕不韦"]
    for row, name in zip(rows[::2], names, strict=True):
        row["姓名"] = name
        row["持卡人"] = name
    batch = checked(staff, rf.workbook(rows))
    expected = {name: text.name_initials(name) for name in names}
    monkeypatch.setattr(text, "_GIVEN", {})
    read_here: list[str] = []
    lazy_pinyin = text.lazy_pinyin

    def counted(name: str, *args: Any, **kwargs: Any) -> Any:
        read_here.append(name)
        return lazy_pinyin(name, *args, **kwargs)

    monkeypatch.setattr(text, "lazy_pinyin", counted)

    # when
    importing.import_confirm(user=staff, batch=batch)
    importing.import_write(user=staff, batch=batch)

    # then: the archives' initials as read here before, none read in this process
    assert dict(Household.objects.values_list("name", "name_initials")) == expected
    assert read_here == []


def test_a_refusal_of_a_member_lands_on_the_members_row_with_a_helper(
    network, staff, helpers, monkeypatch
):
    # given: the filing service refuses the first batch for a member's ID (a race)
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    batch = checked(staff, rf.workbook(rf.couples(4, start=150)))

    def refuse(**kwargs: Any) -> list[Household]:
        raise ValidationError("已被他人登记", errors={"1.members.0.id_number": "已被他人登记"})

    monkeypatch.setattr(filing, "household_create_many", refuse)
    helpers.clear()

    # when
    importing.import_confirm(user=staff, batch=batch)
    with pytest.raises(ValidationError):
        importing.import_write(user=staff, batch=batch)

    # then: on the second household's spouse's row (rows 4–5 the first household, 6–7 the
    # second), in the ID column
    assert len(helpers) == 1
    _status, _counts, _skipped, errors = found(batch)
    assert [(row, message) for _sheet, row, _column, message in errors] == [(7, "已被他人登记")]
    assert "身份证" in errors[0][2]


def test_when_no_helper_can_be_started_the_import_is_done_in_one_process(
    network, staff, monkeypatch
):
    # given: batches of 2 households, and a system that gives no second process
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    monkeypatch.setattr(forked, "start", lambda work: None)

    # when
    batch = checked(staff, rf.workbook(rf.couples(7, start=400)))
    importing.import_confirm(user=staff, batch=batch)
    importing.import_write(user=staff, batch=batch)

    # then
    status, counts, _skipped, errors = found(batch)
    assert (status, counts["households_new"], errors) == (ImportBatch.Status.IMPORTED, 7, [])
    assert Household.objects.count() == 7


def test_a_small_file_is_imported_without_a_helper(network, staff, helpers, monkeypatch):
    # given: files of up to 30 rows are imported in one process
    make_standards(make_area())
    monkeypatch.setattr(importing, "BATCH_HOUSEHOLDS", 2)
    monkeypatch.setattr(importing, "HELPER_ROWS", 30)

    # when: a file of 30 rows (15 households) is checked and written
    batch = checked(staff, rf.workbook(rf.couples(15, start=300)))
    importing.import_confirm(user=staff, batch=batch)
    importing.import_write(user=staff, batch=batch)

    # then
    assert helpers == []
    assert Household.objects.count() == 15

    # when: one of 32 rows
    checked(staff, rf.workbook(rf.couples(16, start=300)))

    # then
    assert len(helpers) == 1
