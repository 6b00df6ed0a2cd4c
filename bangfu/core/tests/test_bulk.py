"""`core.bulk.bulk_insert` on PostgreSQL (COPY): the rows stored are those `bulk_create`
stores — encrypted and indexed fields, JSON, dates, money — the keys come in order, a unique
clash is Django's IntegrityError with nothing kept, and the audit events it writes keep their
chain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.archives.identity import id_index
from bangfu.archives.models import HouseholdMember, IdRegistration
from bangfu.archives.models import choices as c
from bangfu.archives.tests.factories import make_household, make_id_number
from bangfu.core.audit import _COLUMNS, AuditEntry, audit_record_many, event_hash, verify_chain
from bangfu.core.bulk import COPY_MIN_ROWS, _load_deferred, bulk_insert
from bangfu.core.masking import mask_id_number
from bangfu.core.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROWS = COPY_MIN_ROWS + 10


def _members(household, start: int) -> list[HouseholdMember]:
    members = []
    for n in range(ROWS):
        number = make_id_number(date(1980, 1, 1 + n % 28), seq=start + n)
        members.append(
            HouseholdMember(
                household=household,
                name=f'成员"{n}\\',
                relation=c.Relation.SON,
                sex="M",
                id_number=number,
                id_index=id_index(number),
                id_last4=number[-4:],
                id_masked=mask_id_number(number),
                birth_date=date(1980, 1, 1 + n % 28),
                identity=c.MemberIdentity.STUDENT,
                monthly_income=Decimal("123.45") + n,
                sort_order=n,
            )
        )
    return members


def _stored(pks: list[int]) -> list[dict]:
    rows = HouseholdMember.objects.filter(pk__in=pks).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")}
            for row in rows]  # fmt: skip


def test_copy_stores_what_bulk_create_stores(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    copied = _members(household, 100)
    created = _members(household, 100)
    for member in created:  # same people, other ID numbers not needed: compare field by field
        member.id_index = member.id_index[::-1]

    with CaptureQueriesContext(connection) as ctx:
        bulk_insert(HouseholdMember, copied)
    assert not any(q["sql"].startswith("INSERT") for q in ctx.captured_queries)  # COPY
    HouseholdMember.objects.bulk_create(created)

    assert [m.pk for m in copied] == sorted(m.pk for m in copied)
    assert all(not m._state.adding for m in copied)
    left = _stored([m.pk for m in copied])
    right = _stored([m.pk for m in created])
    for a, b in zip(left, right, strict=True):
        b["id_index"] = b["id_index"][::-1]
        assert a == b
    back = HouseholdMember.objects.get(pk=copied[3].pk)
    assert back.id_number == copied[3].id_number  # decrypted as written
    assert back.name == '成员"3\\'
    assert back.monthly_income == Decimal("126.45")


def test_a_unique_clash_is_integrity_error_and_keeps_nothing(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    before = IdRegistration.objects.count()
    rows = [IdRegistration(id_index=f"clash-{n}", household=household) for n in range(ROWS)]
    rows.append(IdRegistration(id_index="clash-0", household=household))

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(IdRegistration, rows)

    assert IdRegistration.objects.count() == before


def test_audit_events_by_copy_keep_the_chain(network, staff):
    with transaction.atomic():
        events = audit_record_many(
            actor=staff,
            entries=[
                AuditEntry(
                    action="test.copy",
                    obj=staff,
                    summary=f"第 {n} 条",
                    changes={"text": [None, f'引号"与反斜杠\\{n}'], "n": [None, n]},
                )
                for n in range(ROWS)
            ],
        )
    assert all(e.pk for e in events)
    stored = {e.pk: e for e in AuditEvent.objects.filter(action="test.copy")}
    assert sorted(stored) == [e.pk for e in events]
    assert stored[events[5].pk].changes == {"text": [None, '引号"与反斜杠\\5'], "n": [None, 5]}
    assert verify_chain()[1] is None


def test_events_by_copy_are_hashed_as_verifying_reads_them(staff, settings):
    # given: values that could confuse a hash made of pieces of JSON — the changes' own key
    # spelled in other fields, quotes, backslashes, nested keys out of order
    staff.full_name = '"changes":null 员工'
    tricky = '"changes":null,"x":"\\"'
    entries = [
        AuditEntry(
            action=f"test.{n}",
            obj=staff,
            summary=tricky if n % 2 else "导入档案",
            changes={"z": [None, {"b": 2, "a": [1, tricky]}], "a": [None, date(2026, 3, n + 1)]},
        )
        for n in range(ROWS)
    ]

    # when
    for chains in (1, 4):
        settings.BANGFU_AUDIT_CHAINS = chains
        with transaction.atomic():
            events = audit_record_many(actor=staff, entries=entries)

        # then: what was returned is what is stored, and each hash is the one verifying computes
        stored = {e.pk: e for e in AuditEvent.objects.filter(pk__in=[e.pk for e in events])}
        assert len(stored) == len(events)
        for event in events:
            again = stored[event.pk]
            assert (again.seq, again.chain, again.chain_seq, again.hash, again.prev_hash) == (
                event.seq,
                event.chain,
                event.chain_seq,
                event.hash,
                event.prev_hash,
            )
            assert again.changes == event.changes
            assert again.actor_name == event.actor_name == '"changes":null 员工'
            assert event_hash(again) == again.hash
            assert not event._state.adding
    assert verify_chain()[1] is None


def test_the_events_columns_are_the_models_fields_in_order():
    assert [field.attname for field in AuditEvent._meta.concrete_fields] == _COLUMNS
    assert [field.column for field in AuditEvent._meta.concrete_fields] == _COLUMNS


def test_values_a_field_would_change_or_refuse_still_go_through_it(network, staff):
    # given: money with more places than the column, a NaN, a naive time
    household = make_household(network.station_a, filed_by=staff)
    rows = _members(household, 300)
    rows[0].monthly_income = Decimal("12.345")
    rows[1].monthly_income = 7  # an int: converted as bulk_create converts it
    bulk_insert(HouseholdMember, rows)
    stored = HouseholdMember.objects.get(pk=rows[0].pk)
    assert stored.monthly_income == Decimal("12.35")  # rounded by the column, as before
    assert HouseholdMember.objects.get(pk=rows[1].pk).monthly_income == Decimal("7.00")

    refused = _members(household, 400)
    refused[2].monthly_income = Decimal("NaN")
    before = HouseholdMember.objects.count()
    with pytest.raises(ValidationError), transaction.atomic():
        bulk_insert(HouseholdMember, refused)
    assert HouseholdMember.objects.count() == before

    # A naive time is made aware in the default time zone, with the field's warning.
    events = [
        AuditEvent(
            seq=900_000 + n,
            chain_seq=900_000 + n,
            created_at=datetime(2026, 3, 1, 8, 0),
            action="test.naive",
            prev_hash="0" * 64,
            hash="0" * 64,
        )
        for n in range(ROWS)
    ]
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        bulk_insert(AuditEvent, events)
    stored_at = AuditEvent.objects.get(pk=events[0].pk).created_at
    assert stored_at == timezone.make_aware(datetime(2026, 3, 1, 8, 0))


def test_field_classes_written_as_given_only_when_they_prepare_values_as_djangos_do():
    from django.db import models

    from bangfu.core.bulk import _as_given
    from bangfu.core.crypto import EncryptedTextField
    from bangfu.core.money import MoneyField

    assert _as_given(MoneyField) == _as_given(models.DecimalField)
    assert _as_given(models.CharField) is not None
    assert _as_given(EncryptedTextField) is None  # encrypts in get_prep_value
    assert _as_given(models.JSONField) is None


def test_related_objects_are_checked_as_a_save_checks_them(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    # An unsaved archive assigned to members: refused with Django's message, nothing written.
    unsaved = make_household(network.station_a, filed_by=staff)
    unsaved.pk = None
    rows = _members(household, 500)
    rows[5].household = unsaved
    before = HouseholdMember.objects.count()
    refused = r"bulk_insert\(\) prohibited .* unsaved related object 'household'"
    with pytest.raises(ValueError, match=refused), transaction.atomic():
        bulk_insert(HouseholdMember, rows)
    assert HouseholdMember.objects.count() == before

    # An archive saved after it was assigned gives its key, as it does to a save.
    later = make_household(network.station_a, filed_by=staff)
    rows = _members(household, 600)
    later_pk, later.pk = later.pk, None
    rows[3].household = later
    assert rows[3].household_id is None
    later.pk = later_pk
    bulk_insert(HouseholdMember, rows)
    assert HouseholdMember.objects.get(pk=rows[3].pk).household_id == later_pk

    # A cached archive whose key the member no longer holds is dropped from the cache (the
    # member's own key is written), as a save drops it.
    rows = _members(household, 700)
    rows[4].household_id = later_pk
    bulk_insert(HouseholdMember, rows)
    assert HouseholdMember.objects.get(pk=rows[4].pk).household_id == later_pk
    assert rows[4].household == later  # read again, not the stale cached archive


def test_deferred_fields_are_read_before_the_copy_not_during_it(network, staff):
    # A deferred field read while the COPY holds the connection waited for ever; it is read
    # first, and an instance that cannot be read back fails as `bulk_create` fails.
    household = make_household(network.station_a, filed_by=staff)
    bulk_insert(HouseholdMember, _members(household, 800))
    kept = list(HouseholdMember.objects.filter(household=household).defer("name"))
    _load_deferred(list(HouseholdMember._meta.concrete_fields), kept)
    assert all("name" in member.__dict__ for member in kept)
    assert not any(member.get_deferred_fields() for member in kept)

    copies = list(HouseholdMember.objects.filter(household=household).defer("name"))
    for member in copies:
        member.pk = None
        member._state.adding = True
    before = HouseholdMember.objects.count()
    with pytest.raises(HouseholdMember.DoesNotExist), transaction.atomic():
        HouseholdMember.objects.bulk_create(copies)
    with pytest.raises(HouseholdMember.DoesNotExist), transaction.atomic():
        bulk_insert(HouseholdMember, copies)
    assert HouseholdMember.objects.count() == before
