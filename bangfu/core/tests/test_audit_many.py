"""Appending many audit events at once keeps the chain intact."""

from __future__ import annotations

import pytest
from django.db import transaction

from bangfu.core.audit import AuditEntry, audit_record, audit_record_many, verify_chain
from bangfu.core.models import AuditEvent


@pytest.mark.django_db
def test_many_events_chain_onto_the_last(django_user_model):
    user = django_user_model.objects.create(username="u1")
    with transaction.atomic():
        audit_record(actor=user, action="one", obj=user)
        events = audit_record_many(
            actor=user,
            entries=[AuditEntry(action="many", obj=user, summary=str(i)) for i in range(3)],
        )
    assert [e.seq for e in events] == [2, 3, 4]
    assert events[0].prev_hash == AuditEvent.objects.get(seq=1).hash
    assert verify_chain() == (4, None)


@pytest.mark.django_db(transaction=True)
def test_many_needs_a_transaction(django_user_model):
    user = django_user_model.objects.create(username="u1")
    with pytest.raises(RuntimeError):
        audit_record_many(actor=user, entries=[AuditEntry(action="x", obj=user)])
