"""The hash-chained audit trail.

Every service that changes state calls `audit_record` inside its own transaction. Each event
stores the hash of the event before it in its chain (`core.chain`: several chains on
PostgreSQL, so that writers do not queue behind one global lock), so altering, deleting or
inserting an event breaks the chain at that point, and `verify_audit` names the first broken
link. Deleting the newest events is found against the checkpoints kept outside the database
(`core.checkpoints`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, overload

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit_actions import AuditAction
from .bulk import bulk_insert, copy_rows, next_keys
from .chain import (
    GENESIS_HASH,
    ChainedLog,
    canonical_json_plain,
    chain_count,
    chain_key,
    chains_in_use,
    keyed_hash,
    keyed_hash_text,
    lock_chain,
    rows_in_chain_order,
)
from .context import client_address
from .models import AuditEvent

logger = logging.getLogger(__name__)

AUDIT_LOG = ChainedLog(model=AuditEvent, lock_namespace=0x62616E67, hash_domain=b"")


_AS_IS = frozenset({type(None), bool, int, str})  # exact types JSON keeps as they are


def plain(value: Any) -> Any:
    """Turn a value into something JSON keeps exactly (so the hash survives a round trip)."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:  # the common case, without a call per plain value (an import's events)
        return {str(k): v if type(v) in _AS_IS else plain(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _AS_IS else plain(v) for v in value]
    if kind is Decimal:
        return str(value)
    if kind is date:  # what the last line gives a date, without the checks between
        return str(value)
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
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


class PlainChanges(dict[str, Any]):
    """An event's changes already in the form `plain` gives (as `diff` returns them, with
    values made by `plain`): stored and hashed as they are, not walked again. For the many
    events of a bulk write (an import's archives: 22 µs each)."""


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
        # A creation (nothing before: an import's events) looks nothing up for `old`.
        old = plain(before.get(key)) if before else None
        new = plain(after.get(key))
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
    return _payload(
        {name: getattr(event, name) for name in _HASHED}, _hashed_time(event.created_at)
    )


def _hashed_time(created: datetime) -> str:
    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The columns the hash covers as they are (the time is covered in `_hashed_time`'s form).
_HASHED = [
    "seq",
    "chain",
    "chain_seq",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "summary",
    "changes",
    "client_address",
    "prev_hash",
]


def _payload(values: Mapping[str, Any], created_at: str) -> dict[str, Any]:
    """The payload of an event whose columns are `values` (by name, `_HASHED` at least) and
    whose time, as hashed, is `created_at`: the one definition of what a hash covers."""
    payload = {name: values[name] for name in _HASHED}
    payload["created_at"] = created_at
    # Events written before there were several chains sit in chain 0 at the position of their
    # number, and were hashed without these two keys; for them the keys are implied (changing
    # either one still changes the payload, since the keys then appear).
    if payload["chain"] == 0 and payload["chain_seq"] == payload["seq"]:
        del payload["chain"], payload["chain_seq"]
    return payload


_chain_key = chain_key


def event_hash(event: AuditEvent) -> str:
    """Return HMAC-SHA256 over the event's content and the previous event's hash."""
    return keyed_hash(event_payload(event), domain=AUDIT_LOG.hash_domain)


def _id_sequence() -> str:
    name = getattr(connection, "_bangfu_audit_sequence", None)
    if name is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [AuditEvent._meta.db_table])
            name = cursor.fetchone()[0]
        connection._bangfu_audit_sequence = name  # type: ignore[attr-defined]
    return name


def _head_and_numbers(chain: int, count: int) -> tuple[int, str, list[int]]:
    """Return the head (position, hash) of the locked `chain` and the next `count` numbers.

    Read in one statement that starts after the chain's lock was granted (so that it sees the
    last commit of the writer before). With one chain every writer holds the same lock, so
    the numbers follow the highest (`seq` dense from 1); with several, writers in other chains
    append at the same time, so the numbers come from the table's id sequence (unique,
    increasing, with gaps where a transaction rolled back) and each event's id is its number.
    """
    # The table name is the model's own, never input.
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    head = f"SELECT chain_seq, hash FROM {table} WHERE chain = %s ORDER BY chain_seq DESC LIMIT 1"  # noqa: S608
    several = chain_count() > 1
    first = "nextval(%s::regclass)" if several else f"(SELECT MAX(seq) FROM {table}) + 1"  # noqa: S608
    params: list[Any] = [_id_sequence()] if several else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {first}, h.chain_seq, h.hash FROM (SELECT 1 AS one) AS o"  # noqa: S608
            f" LEFT JOIN ({head}) AS h ON 1 = 1",
            [*params, chain],
        )
        number, position, prev_hash = cursor.fetchone()
        numbers = [int(number or 1)]
        if count > 1:
            if several:
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(2, %s)",
                    [_id_sequence(), count],
                )
                numbers += sorted(int(row[0]) for row in cursor.fetchall())
            else:
                numbers += list(range(numbers[0] + 1, numbers[0] + count))
    return int(position or 0), prev_hash or GENESIS_HASH, numbers


def _actor_name(actor: Any) -> tuple[Any, str]:
    actor_obj = actor if getattr(actor, "pk", None) else None
    if actor_obj is not None:
        name = getattr(actor_obj, "display_name", "") or actor_obj.get_username()
    else:
        # None is the system itself (a job, a command); an unsaved or anonymous user is a
        # visitor of the public portal, who must not be mistaken for the system.
        name = "系统" if actor is None else "匿名访客"
    return actor_obj, str(name)[:150]


def _append(actor: Any, rows: list[dict[str, Any]]) -> Sequence[AuditEvent]:
    """Lock a chain, then build, hash and insert one event per row after its head."""
    chain = lock_chain(AUDIT_LOG)
    position, prev_hash, numbers = _head_and_numbers(chain, len(rows))
    explicit_ids = chain_count() > 1
    actor_obj, actor_name = _actor_name(actor)
    now = timezone.now()
    address = (client_address.get() or "")[:64]
    if len(rows) > 1 and connection.vendor == "postgresql":
        ids = numbers if explicit_ids else next_keys(AuditEvent, len(rows))
        return _copy_events(
            rows, ids, numbers, chain, position, prev_hash, actor_obj, actor_name, now, address
        )
    events = []
    for number, row in zip(numbers, rows, strict=True):
        position += 1
        event = AuditEvent(
            seq=number,
            chain=chain,
            chain_seq=position,
            created_at=now,
            actor=actor_obj,
            actor_name=actor_name,
            **_row_columns(row),
            client_address=address,
            prev_hash=prev_hash,
        )
        if explicit_ids:
            event.id = number
        # Hash what the database will give back: microsecond precision, plain JSON.
        event.hash = event_hash(event)
        prev_hash = event.hash
        events.append(event)
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        bulk_insert(AuditEvent, events)
    return events


def _row_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's own columns as stored and hashed."""
    return {
        # str() also resolves lazy translations, so the hash sees what the database stores.
        "action": str(row["action"])[:80],
        "object_type": str(row["object_type"])[:80],
        "object_id": str(row["object_id"])[:64],
        "object_repr": str(row["object_repr"])[:255],
        "summary": str(row["summary"])[:255],
        "changes": changes
        if type(changes := row["changes"]) is PlainChanges
        else plain(dict(changes or {})),
    }


# The events' columns in the order of the model's fields (`Model.from_db` takes them so).
_COLUMNS = [
    "id",
    "seq",
    "chain",
    "chain_seq",
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "summary",
    "changes",
    "client_address",
    "prev_hash",
    "hash",
]
_CHANGES = _COLUMNS.index("changes")  # written as the JSON text it was hashed with
_NO_CHANGES = '"changes":null'


def _copy_events(
    rows: list[dict[str, Any]],
    ids: list[int],
    numbers: list[int],
    chain: int,
    position: int,
    prev_hash: str,
    actor_obj: Any,
    actor_name: str,
    now: datetime,
    address: str,
) -> Sequence[AuditEvent]:
    """`_append`'s many rows on PostgreSQL, written by COPY without building a model for
    each first: each event's changes are turned to JSON once, for both its hash and its
    column (the hash's canonical text holds the changes' canonical text as it is, keys being
    sorted at every level), and the instances are made from the written values."""
    actor_id = actor_obj.pk if actor_obj is not None else None
    hashed_now = _hashed_time(now)
    domain = AUDIT_LOG.hash_domain
    written: list[list[Any]] = []
    texts: list[str] = []  # the changes' JSON, written as they were hashed
    for number, key, row in zip(numbers, ids, rows, strict=True):
        position += 1
        event = {
            "id": key,
            "seq": number,
            "chain": chain,
            "chain_seq": position,
            "created_at": now,
            "actor_id": actor_id,
            "actor_name": actor_name,
            **_row_columns(row),
            "client_address": address,
            "prev_hash": prev_hash,
        }
        changes_text = canonical_json_plain(event["changes"])  # made by `plain`
        text = canonical_json_plain(_payload({**event, "changes": None}, hashed_now))
        # The first '"changes":null' is the key's: a quote inside a string value is escaped.
        cut = text.index(_NO_CHANGES)
        prev_hash = keyed_hash_text(
            f'{text[:cut]}"changes":{changes_text}{text[cut + len(_NO_CHANGES) :]}', domain=domain
        )
        event["hash"] = prev_hash
        values = [event[name] for name in _COLUMNS]
        written.append(values)
        texts.append(changes_text)
    copy_rows(
        AuditEvent,
        _COLUMNS,
        (
            [*values[:_CHANGES], text, *values[_CHANGES + 1 :]]
            for values, text in zip(written, texts, strict=True)
        ),
        count=len(written),
        # In a caller's `core.bulk.overlapped`, sent ahead: the chain is locked and the
        # numbers taken, so its failure would be a fault, never an answer.
        overlap=True,
    )
    return _Written(written)


class _Written(Sequence[AuditEvent]):
    """The events a COPY wrote, each made a model instance (once) when it is first read: a
    bulk filing's callers read none of them (67,000 instances of an import were 0.5 s)."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self._rows = rows
        self._made: dict[int, AuditEvent] = {}

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> AuditEvent: ...
    @overload
    def __getitem__(self, index: slice) -> list[AuditEvent]: ...
    def __getitem__(self, index: int | slice) -> AuditEvent | list[AuditEvent]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self._rows))[index]]
        position = range(len(self._rows))[index]  # IndexError past the end, as a list's
        event = self._made.get(position)
        if event is None:
            event = AuditEvent.from_db(connection.alias, _COLUMNS, self._rows[position])
            self._made[position] = event
        return event


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
    """Append one event to a chain, inside the caller's transaction.

    `actor` is a user or None (the system). `changes` is usually the output of `diff`; it must
    already be masked. The chain stays locked until the transaction ends (see `core.chain`).
    Raise RuntimeError when called outside a transaction, since an event must commit or roll
    back with the change it describes.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of its change.")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    row = {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "summary": summary,
        "changes": changes,
    }
    return _append(actor, [row])[0]


@dataclass(frozen=True)
class AuditEntry:
    """One event for `audit_record_many`: what `audit_record` takes besides the actor."""

    action: AuditAction | str
    obj: models.Model
    summary: str = ""
    changes: Mapping[str, Any] | None = None


def audit_record_many(*, actor: Any, entries: Iterable[AuditEntry]) -> Sequence[AuditEvent]:
    """Append one event per entry to one chain with a constant number of queries.

    For bulk writes (an Excel import of many households, a batch of approvals): one chain is
    locked once, its head read once and all events inserted at once (`core.bulk`), each
    still hashed over the one before it. When the transaction commits, a checkpoint of every
    chain's head is written outside the database (`core.checkpoints`, when configured). Same
    rules as `audit_record`: call inside the transaction of the change, `changes` already
    masked. Raise RuntimeError outside a transaction.
    """
    entries = list(entries)
    if not entries:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must run inside the transaction of its change.")
    rows = [
        {
            "action": entry.action,
            "object_type": entry.obj._meta.label_lower,
            "object_id": entry.obj.pk,
            "object_repr": str(entry.obj),
            "summary": entry.summary,
            "changes": entry.changes,
        }
        for entry in entries
    ]
    events = _append(actor, rows)
    checkpoint_after_commit()
    return events


def checkpoint_after_commit(reason: str = "batch") -> None:
    """Write a checkpoint (`core.checkpoints`) once the current transaction commits.

    After the commit the change cannot be undone, so a failure to write the checkpoint must
    not look like a failed change: it is logged, and the daily `audit_checkpoint` command
    fails loudly instead. Nothing happens when no checkpoint file is set.
    """

    def write() -> None:
        from .checkpoints import checkpoint_configured, checkpoint_write

        if not checkpoint_configured():
            return
        try:
            checkpoint_write(reason=reason)
        except Exception:
            logger.exception("Could not write the audit checkpoint (%s).", reason)

    transaction.on_commit(write)


# --- Verifying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: int
    message: str


# {(chain, position): (hash, where it was recorded)} from the checkpoints: an event found there
# with another hash means the chain was rebuilt (by someone holding the audit key).
Anchors = Mapping[tuple[int, int], tuple[str, str]]


def iter_chain_problems(
    events: Iterable[AuditEvent] | None = None,
    *,
    progress_every: int = 1000,
    anchors: Anchors | None = None,
    heads: dict[int, tuple[int, int, str]] | None = None,
) -> Iterator[ChainProblem | int]:
    """Walk every chain in order; yield the count of intact events so far, and the first problem.

    Yield the count every `progress_every` events and once more at the end; when a problem is
    found, yield the count of intact events before it, then the problem, and stop. `events`,
    when given, is one chain's events in order (tests); otherwise every chain is read.

    Detect an altered event (its hash no longer matches its content), a deleted event (the
    next one's position skips or its prev_hash no longer matches), an inserted event, and an
    event whose hash differs from the one a checkpoint recorded (`anchors`). `heads`, when
    given, receives {chain: (position, seq, hash)} of the last intact event of each chain.
    Deleting the newest events leaves a shorter chain that is still intact: compare `heads`
    with the last checkpoint (`core.checkpoints`) to see that.
    """
    sequences: Iterable[Iterable[AuditEvent]]
    if events is not None:
        sequences = [events]
    else:
        sequences = (
            rows_in_chain_order(AUDIT_LOG, chain)  # type: ignore[misc]
            for chain in chains_in_use(AUDIT_LOG)
        )
    checked = 0
    for chain_events in sequences:
        expected_prev = GENESIS_HASH
        expected_position = 1
        for event in chain_events:
            problem = _event_problem(event, expected_position, expected_prev, anchors)
            if problem is not None:
                yield checked
                yield problem
                return
            checked += 1
            if heads is not None:
                heads[event.chain] = (event.chain_seq, event.seq, event.hash)
            expected_prev = event.hash
            expected_position += 1
            if checked % progress_every == 0:
                yield checked
    yield checked


def _event_problem(
    event: AuditEvent, expected_position: int, expected_prev: str, anchors: Anchors | None
) -> ChainProblem | None:
    if event.chain_seq != expected_position:
        if event.chain == 0 and event.chain_seq == event.seq:
            # One chain, positions are the event numbers: say it in those.
            message = _("序号应为 %(expected)s,实为 %(seq)s:其前有事件被删除或插入") % {
                "expected": expected_position,
                "seq": event.seq,
            }
        else:
            message = _(
                "第 %(chain)s 条链的链内序号应为 %(expected)s,实为 %(position)s:"
                "其前有事件被删除或插入"
            ) % {"chain": event.chain, "expected": expected_position, "position": event.chain_seq}
        return ChainProblem(event.seq, event.pk, message)
    if event.prev_hash != expected_prev:
        return ChainProblem(event.seq, event.pk, _("前一事件哈希不符:其前的事件被改动、删除或插入"))
    if event_hash(event) != event.hash:
        return ChainProblem(event.seq, event.pk, _("内容与哈希不符:该事件被改动"))
    anchor = (anchors or {}).get((event.chain, event.chain_seq))
    if anchor is not None and anchor[0] != event.hash:
        return ChainProblem(
            event.seq,
            event.pk,
            _("与检查点(%(when)s)记录的哈希不符:审计链被重写") % {"when": anchor[1]},
        )
    return None


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Return (intact events before the first problem, or all of them; first problem or None).

    The chains only: `core.checkpoints.verify_evidence` also compares them with the
    checkpoints (truncation) and checks the access log.
    """
    checked = 0
    for item in iter_chain_problems():
        if isinstance(item, ChainProblem):
            return checked, item
        checked = item
    return checked, None


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the named fields of a model instance as plain values, for `diff`."""
    return {name: plain(getattr(obj, name)) for name in fields}


__all__ = [
    "AUDIT_LOG",
    "GENESIS_HASH",
    "AuditEntry",
    "ChainProblem",
    "audit_record",
    "audit_record_many",
    "checkpoint_after_commit",
    "diff",
    "event_hash",
    "iter_chain_problems",
    "snapshot",
    "verify_chain",
]
