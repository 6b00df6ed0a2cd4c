"""The hash-chained audit trail.

Every service that changes state calls `audit_record` inside its own transaction. Each event
stores the hash of the event before it, so altering, deleting or inserting an event breaks the
chain at that point, and `verify_audit` names the first broken link.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit_actions import AuditAction
from .context import client_address
from .models import AuditEvent

GENESIS_HASH = "0" * 64
# Any fixed number; identifies the audit chain's lock among PostgreSQL advisory locks.
_ADVISORY_LOCK_KEY = 0x62616E67667501


def _plain(value: Any) -> Any:
    """Turn a value into something JSON keeps exactly (so the hash survives a round trip)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def diff(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    masked: Mapping[str, Any] | None = None,
) -> dict[str, list[Any]]:
    """Return {field: [before, after]} for the fields that differ.

    `masked` maps sensitive field names to a masking function, applied to both sides so the
    trail shows that a value changed without showing it.
    """
    before = before or {}
    after = after or {}
    masked = masked or {}
    result: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old == new:
            continue
        if key in masked:
            mask = masked[key]
            old = mask(old) if old not in (None, "") else old
            new = mask(new) if new not in (None, "") else new
        result[key] = [old, new]
    return result


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """Return the fields that the hash covers, in a form that survives the database."""
    created = event.created_at
    return {
        "seq": event.seq,
        "created_at": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "summary": event.summary,
        "changes": event.changes,
        "client_address": event.client_address,
        "prev_hash": event.prev_hash,
    }


def _chain_key() -> bytes:
    """Return the key of the chain's HMAC, kept outside the database.

    A plain hash could be recomputed by anyone who can write to the database; with a keyed
    hash they also need this key. Without BANGFU_AUDIT_KEY, one is derived from SECRET_KEY
    (then rotating SECRET_KEY would make old events fail to verify: set the key explicitly).
    """
    key = getattr(settings, "BANGFU_AUDIT_KEY", "") or ""
    if not key:
        key = "bangfu-audit-chain:" + settings.SECRET_KEY
    return key.encode("utf-8")


def event_hash(event: AuditEvent) -> str:
    """Return HMAC-SHA256 over the event's content and the previous event's hash."""
    canonical = json.dumps(
        event_payload(event), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hmac.new(_chain_key(), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def _lock_chain() -> None:
    """Serialise writers of the chain until the end of the current transaction.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the settings open every transaction
    with BEGIN IMMEDIATE, which already holds the database's single write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    `actor` is a user or None (the system). `changes` is usually the output of `diff`; it must
    already be masked. Raise RuntimeError when called outside a transaction, since an event
    must commit or roll back with the change it describes.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of its change.")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    actor_obj = actor if getattr(actor, "pk", None) else None
    if actor_obj is not None:
        actor_name = getattr(actor_obj, "display_name", "") or actor_obj.get_username()
    else:
        # None is the system itself (a job, a command); an unsaved or anonymous user is a
        # visitor of the public portal, who must not be mistaken for the system.
        actor_name = "系统" if actor is None else "匿名访客"
    event = AuditEvent(
        seq=seq,
        created_at=timezone.now(),
        actor=actor_obj,
        actor_name=str(actor_name)[:150],
        # str() also resolves lazy translations, so the hash sees what the database stores.
        action=str(action)[:80],
        object_type=str(object_type)[:80],
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:255],
        summary=str(summary)[:255],
        changes=_plain(dict(changes or {})),
        client_address=(client_address.get() or "")[:64],
        prev_hash=prev_hash,
    )
    # Hash what the database will give back: microsecond precision, plain JSON.
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: int
    message: str


def iter_chain_problems(
    events: Iterable[AuditEvent] | None = None,
    *,
    progress_every: int = 1000,
) -> Iterator[ChainProblem | int]:
    """Walk the chain in order; yield the count of intact events so far, and the first problem.

    Yield the count every `progress_every` events and once more at the end; when a problem is
    found, yield the count of intact events before it, then the problem, and stop.

    Detect an altered event (its hash no longer matches its content), a deleted event (the
    next one's sequence skips or its prev_hash no longer matches) and an inserted event.
    Deleting the newest events leaves a shorter chain that is still intact: only a copy of
    the head hash kept elsewhere (a printed verification report) can show that.
    """
    if events is None:
        events = _events_in_order()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in events:
        problem = _event_problem(event, expected_seq, expected_prev)
        if problem is not None:
            yield checked
            yield problem
            return
        checked += 1
        expected_prev = event.hash
        expected_seq += 1
        if checked % progress_every == 0:
            yield checked
    yield checked


def _events_in_order(chunk_size: int = 2000) -> Iterator[AuditEvent]:
    """Yield every event by sequence, reading one chunk at a time with no cursor left open.

    A caller may write between chunks (a job reporting progress): on SQLite a write on a
    connection whose read statement is still open fails with "database is locked" as soon as
    any other connection has written meanwhile; on PostgreSQL no long-lived server-side
    cursor holds a snapshot of a large table.
    """
    last_seq = -1
    while True:
        chunk = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk_size])
        yield from chunk
        if len(chunk) < chunk_size:
            return
        last_seq = chunk[-1].seq


def _event_problem(event: AuditEvent, expected_seq: int, expected_prev: str) -> ChainProblem | None:
    if event.seq != expected_seq:
        return ChainProblem(
            event.seq,
            event.pk,
            _("序号应为 %(expected)s,实为 %(seq)s:其前有事件被删除或插入")
            % {"expected": expected_seq, "seq": event.seq},
        )
    if event.prev_hash != expected_prev:
        return ChainProblem(event.seq, event.pk, _("前一事件哈希不符:其前的事件被改动、删除或插入"))
    if event_hash(event) != event.hash:
        return ChainProblem(event.seq, event.pk, _("内容与哈希不符:该事件被改动"))
    return None


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Return (intact events before the first problem, or all of them; first problem or None)."""
    checked = 0
    for item in iter_chain_problems():
        if isinstance(item, ChainProblem):
            return checked, item
        checked = item
    return checked, None


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the named fields of a model instance as plain values, for `diff`."""
    return {name: _plain(getattr(obj, name)) for name in fields}


@dataclass(frozen=True)
class AuditEntry:
    """One event for `audit_record_many`: what `audit_record` takes besides the actor."""

    action: AuditAction | str
    obj: models.Model
    summary: str = ""
    changes: Mapping[str, Any] | None = None


def audit_record_many(*, actor: Any, entries: Iterable[AuditEntry]) -> list[AuditEvent]:
    """Append one event per entry to the chain with a constant number of queries.

    For bulk writes (an Excel import of many households): the chain is locked once, the last
    event read once and all events inserted with one `bulk_create`, each still hashed over the
    one before it. Same rules as `audit_record`: call inside the transaction of the change,
    `changes` already masked. Raise RuntimeError outside a transaction.
    """
    entries = list(entries)
    if not entries:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must run inside the transaction of its change.")
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    actor_obj = actor if getattr(actor, "pk", None) else None
    if actor_obj is not None:
        actor_name = getattr(actor_obj, "display_name", "") or actor_obj.get_username()
    else:
        actor_name = "系统" if actor is None else "匿名访客"
    now = timezone.now()
    events: list[AuditEvent] = []
    for entry in entries:
        seq += 1
        event = AuditEvent(
            seq=seq,
            created_at=now,
            actor=actor_obj,
            actor_name=str(actor_name)[:150],
            action=str(entry.action)[:80],
            object_type=entry.obj._meta.label_lower[:80],
            object_id=str(entry.obj.pk)[:64],
            object_repr=str(entry.obj)[:255],
            summary=str(entry.summary)[:255],
            changes=_plain(dict(entry.changes or {})),
            client_address=(client_address.get() or "")[:64],
            prev_hash=prev_hash,
        )
        event.hash = event_hash(event)
        prev_hash = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events)
    return events


__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "ChainProblem",
    "audit_record",
    "audit_record_many",
    "diff",
    "event_hash",
    "iter_chain_problems",
    "snapshot",
    "verify_chain",
]
