"""The session engine (SESSION_ENGINE): Django's database sessions, read and written with one
plain statement each.

Every signed-in request reads its session and — because the idle timeout moves forward with
each request (SESSION_SAVE_EVERY_REQUEST) — writes it back. Django's database store does that
through the ORM: a query built per request to read, and to write a model save wrapped in a
transaction (BEGIN, UPDATE, COMMIT: three round trips). Here the read is one SELECT and the
write one UPDATE, committed by itself (autocommit) unless the caller holds a transaction. The
table, the rows, the encoding, the expiry and every answer are Django's: sessions stay in the
database (no other service to run, valid across restarts), a deleted row ends the session, an
expired one is never read. Creating, deleting and the rest are Django's own code.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _table(self, alias: str) -> str:
        return str(connections[alias].ops.quote_name(self.model._meta.db_table))

    def load(self) -> dict[str, Any]:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {self._table(alias)} "  # noqa: S608 - the table name
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's store: a missing or expired session is a new, empty one.
            self._session_key = None
            return {}
        return dict(self.decode(row[0]))

    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            super().save(must_create=must_create)
            return
        alias = router.db_for_write(self.model)
        connection = connections[alias]
        data = self.encode(dict(self.items()))
        expires = connection.ops.adapt_datetimefield_value(self.get_expiry_date())
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self._table(alias)} "  # noqa: S608 - the table name
                "SET session_data = %s, expire_date = %s WHERE session_key = %s",
                [data, expires, self.session_key],
            )
            updated = cursor.rowcount
        if updated != 1:
            # The row is gone (logged out elsewhere, cleared): as Django's forced update.
            raise UpdateError
