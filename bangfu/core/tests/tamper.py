"""Rewrite the audit trail or the access log in raw SQL, as a forger holding the owner role could.

On PostgreSQL a trigger refuses UPDATE and DELETE of these rows (migration core 0004); the owner
of the tables (here the test database's superuser) can switch triggers off for its own
transaction, which is what these helpers do — the application's role cannot. Tests use them to
show that the chains and the checkpoints still find what a forger did.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction


@contextmanager
def tampering() -> Iterator[None]:
    """Run the block with the append-only triggers switched off (PostgreSQL), as the owner."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")


def tamper_sql(sql: str, params: Sequence[Any] = ()) -> None:
    """Execute one raw statement against the audit tables with the triggers switched off."""
    with tampering(), connection.cursor() as cursor:
        cursor.execute(sql, list(params))
