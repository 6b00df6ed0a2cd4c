"""`core.bulk.bulk_insert` on PostgreSQL (COPY): the rows stored are those `bulk_create`
stores — encrypted and indexed fields, JSON, dates, money — the keys come in order, a unique
clash is Django's IntegrityError with nothing kept, and the audit events it writes keep their
chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bangfu.archives.identity import id_index
from bangfu.archives.models import HouseholdMember, IdRegistration
from bangfu.archives.models import choices as c
from bangfu.archives.tests.factories import make_household, make_id_number
from bangfu.core.audit import AuditEntry, audit_record_many, verify_chain
from bangfu.core.bulk import COPY_MIN_ROWS, bulk_insert
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
