"""Writers racing for the end of the audit chain must queue, not fork it (PostgreSQL only)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from bangfu.core.audit import audit_record, verify_chain
from bangfu.core.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_writers_keep_one_unbroken_chain():
    writers, per_writer = 6, 15
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    audit_record(actor=None, action="test.race", object_id=f"{n}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditEvent.objects.count() == writers * per_writer
    checked, problem = verify_chain()
    assert (checked, problem) == (writers * per_writer, None)
