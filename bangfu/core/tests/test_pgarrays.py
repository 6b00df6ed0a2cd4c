"""The faster psycopg list dumper (`core.pgarrays`) writes the same array literals as psycopg's
own, and a bulk insert through it gives back exactly what was written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from bangfu.core.models import AuditEvent

TRICKY = [
    'say "hi"',
    "back\\slash",
    '\\"both\\"',
    "",
    "NULL",
    "null",
    "a,b",
    "{braces}",
    " spaced ",
    "全角\u3000空格",
    "普通",
    None,
]


def _bytes(dumped: object) -> bytes:
    assert isinstance(dumped, bytes | bytearray | memoryview)
    return bytes(dumped)


def test_same_literal_as_psycopg() -> None:
    psycopg = pytest.importorskip("psycopg")
    from psycopg.adapt import Transformer
    from psycopg.types.array import ListDumper

    from bangfu.core.pgarrays import register

    register()
    assert psycopg.adapters.get_dumper(list, psycopg.adapt.PyFormat.TEXT) is not ListDumper
    ours = Transformer().get_dumper(TRICKY, psycopg.adapt.PyFormat.TEXT)
    theirs = ListDumper(list, Transformer()).upgrade(TRICKY, psycopg.adapt.PyFormat.TEXT)
    assert type(ours).__name__ == "FastListDumper"
    assert _bytes(ours.dump(TRICKY)) == _bytes(theirs.dump(TRICKY))
    nested = [['x"y', None], ["\\", "z"]]
    ours = Transformer().get_dumper(nested, psycopg.adapt.PyFormat.TEXT)
    theirs = ListDumper(list, Transformer()).upgrade(nested, psycopg.adapt.PyFormat.TEXT)
    assert _bytes(ours.dump(nested)) == _bytes(theirs.dump(nested))


@pytest.mark.django_db
def test_bulk_insert_round_trip() -> None:
    """Django's bulk insert (UNNEST of arrays on PostgreSQL) keeps quotes, backslashes and
    JSON exactly."""
    texts = [t for t in TRICKY if t is not None]
    events = [
        AuditEvent(
            seq=10_000 + i,
            chain=0,
            chain_seq=10_000 + i,
            created_at=timezone.now(),
            actor_name=text,
            action="test",
            object_type="t",
            object_id=str(i),
            object_repr=text,
            summary=text,
            changes={"value": [None, text], text: ['"', "\\"]},
            prev_hash="0" * 64,
            hash=f"{i:064d}",
        )
        for i, text in enumerate(texts)
    ]
    AuditEvent.objects.bulk_create(events)
    back = {e.object_id: e for e in AuditEvent.objects.filter(action="test")}
    assert len(back) == len(texts)
    for i, text in enumerate(texts):
        event = back[str(i)]
        assert (event.actor_name, event.object_repr, event.summary) == (text, text, text)
        assert event.changes == {"value": [None, text], text: ['"', "\\"]}
    assert connection.vendor in ("postgresql", "sqlite")
