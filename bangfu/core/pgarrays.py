"""Faster text arrays for Django's bulk inserts on PostgreSQL.

Django (5.2) inserts many rows on PostgreSQL as `INSERT … SELECT * FROM UNNEST(%s::type[], …)`:
each column goes to psycopg as one Python list, written as an array literal by psycopg's
`ListDumper`. Every element that needs quoting has its `"` and `\\` escaped with `re.sub` and a
template replacement, which calls back into Python once per character escaped. A JSON text is
made of quotes: an import of 5,000 households spent 2 of its 16 s there (the audit events'
changes, the determinations' inputs, the households' causes). The import now writes those
rows by COPY (`core.bulk`); this still serves every other `bulk_create` on PostgreSQL.

`FastListDumper` is psycopg's `ListDumper` with that one step done by `bytes.replace` (the
same bytes out: a backslash before every `"` and `\\`). It is registered for `list` on
psycopg's global adapters (`register`), which every new connection copies.
"""

from __future__ import annotations

from typing import Any


class _Escape:
    """What `ListDumper` needs of its `_re_esc` pattern: `sub(replacement, value)`, with the
    replacement always a backslash before the matched `"` or `\\`."""

    @staticmethod
    def sub(_replacement: bytes, value: Any) -> bytes:
        return bytes(value).replace(b"\\", b"\\\\").replace(b'"', b'\\"')


def register() -> None:
    """Register the faster list dumper on psycopg's global adapters (new connections)."""
    try:
        import psycopg
        from psycopg.types.array import ListDumper
    except ImportError:  # SQLite only: nothing to do
        return

    class FastListDumper(ListDumper):
        _re_esc = _Escape()  # type: ignore[assignment]

    psycopg.adapters.register_dumper(list, FastListDumper)
