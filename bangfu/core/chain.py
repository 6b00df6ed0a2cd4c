"""Hash chains in the database, shared by the audit trail and the access log.

A chained log is split into `BANGFU_AUDIT_CHAINS` chains (PostgreSQL; SQLite keeps one, since it
has one writer at a time anyway). Each row names its chain and its position in it (`chain`,
`chain_seq`, dense from 1) and carries an HMAC, under the audit key, of its content and of the
previous row's hash in the same chain. Altering a row breaks its own hash; deleting or inserting
one breaks the positions or the links after it. Deleting the newest rows of a chain leaves a
shorter chain that is still intact: only the checkpoints kept outside the database
(`checkpoints.py`) show that.

Why several chains: a writer holds its chain's lock until its transaction ends, commit included.
With one chain every audited write in the system queued behind the one before it (measured in
`bench/audit_writers.py`: about 90 writes/s whatever the number of writers, and a batch of 500
items held every other writer for its whole duration). A writer now takes the first free chain,
so writers in different transactions rarely wait for one another.

Deadlock freedom: a transaction keeps the chain it took for all its later rows (it asks for that
chain first, and a lock it holds is granted again at once), and it blocks on a chain only when it
holds none — so no transaction waits for a chain while holding one another transaction wants.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, models

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainedLog:
    """What the chain machinery needs to know about one chained table."""

    model: type[models.Model]
    # Identifies this log's locks among PostgreSQL advisory locks (the first of the two int4 keys).
    lock_namespace: int
    # Put before the canonical payload in the HMAC, so that a row of one log can never pass for
    # a row of another. The audit trail's is empty: its events were hashed so before chains.
    hash_domain: bytes


def chain_key() -> bytes:
    """Return the key of the chains' HMAC, kept outside the database.

    A plain hash could be recomputed by anyone who can write to the database; with a keyed
    hash they also need this key. Without BANGFU_AUDIT_KEY, one is derived from SECRET_KEY
    (then rotating SECRET_KEY would make old events fail to verify: set the key explicitly).
    """
    key = getattr(settings, "BANGFU_AUDIT_KEY", "") or ""
    if not key:
        key = "bangfu-audit-chain:" + settings.SECRET_KEY
    return key.encode("utf-8")


def canonical_json(value: Any) -> str:
    """The JSON text a hash covers: keys sorted at every level, no spaces, characters as they
    are. A value's text is the same alone and nested in another's (`core.audit` relies on it)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_json_plain(value: Any) -> str:
    """`canonical_json` of a value made of JSON's own types only — dicts with text keys,
    lists, text, integers, booleans, None: what `core.audit.plain` makes — the same text,
    about seven times faster (orjson; a bulk write hashes tens of thousands of events). A
    value orjson refuses (an integer past 64 bits, a key that is not text, a lone surrogate)
    goes to `canonical_json`, which decides as it always did. Not for floats, which orjson
    writes its own way (`plain` has turned them into text)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError included
        return canonical_json(value)


def keyed_hash(payload: Mapping[str, Any], *, domain: bytes = b"") -> str:
    """Return HMAC-SHA256 under the audit key over `domain` + the canonical JSON of `payload`."""
    return keyed_hash_text(canonical_json(payload), domain=domain)


def keyed_hash_text(canonical: str, *, domain: bytes = b"") -> str:
    """`keyed_hash` of a payload whose canonical JSON (`canonical_json`) is `canonical`."""
    return hmac.new(chain_key(), domain + canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def chain_count() -> int:
    """Return how many chains writers spread over: BANGFU_AUDIT_CHAINS on PostgreSQL, else 1."""
    if connection.vendor != "postgresql":
        return 1
    return max(1, int(getattr(settings, "BANGFU_AUDIT_CHAINS", 1)))


def _cache_attr(log: ChainedLog) -> str:
    return f"_bangfu_chain_{log.lock_namespace}"


def lock_chain(log: ChainedLog) -> int:
    """Lock one chain of `log` until the current transaction ends and return its number.

    PostgreSQL: transaction-scoped advisory locks, one per chain. Try the chain this
    connection used last (granted again at once if this transaction still holds it), then the
    others from this connection's home chain on; wait for the preferred one only when every
    chain is busy. SQLite: the settings open every transaction with BEGIN IMMEDIATE, which
    already holds the database's single write lock; chain 0.
    """
    if connection.vendor != "postgresql":
        return 0
    count = chain_count()
    if count == 1:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [log.lock_namespace])
        return 0
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    home = pid % count
    preferred = getattr(connection, _cache_attr(log), None)
    if preferred is None or preferred >= count:
        preferred = home
    order = [preferred] + [
        (home + i) % count for i in range(count) if (home + i) % count != preferred
    ]
    with connection.cursor() as cursor:
        # The function scan yields the chains in array order and LIMIT stops at the first one
        # whose lock was granted: the tries before it failed and hold nothing.
        cursor.execute(
            "SELECT c FROM unnest(%s::int[]) AS t(c)"
            " WHERE pg_try_advisory_xact_lock(%s, c) LIMIT 1",
            [order, log.lock_namespace],
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [log.lock_namespace, preferred])
            chain = preferred
        else:
            chain = int(row[0])
    setattr(connection, _cache_attr(log), chain)
    return chain


def chain_head(log: ChainedLog, chain: int) -> tuple[int, str]:
    """Return (position, hash) of the newest row of `chain`, or (0, GENESIS_HASH)."""
    head = (
        log.model._default_manager.filter(chain=chain)
        .order_by("-chain_seq")
        .values_list("chain_seq", "hash")
        .first()
    )
    return (head[0], head[1]) if head else (0, GENESIS_HASH)


def chains_in_use(log: ChainedLog) -> range:
    """Return the chain numbers that may hold rows: 0 up to the highest one found."""
    top = log.model._default_manager.order_by("-chain").values_list("chain", flat=True).first()
    return range((top or 0) + 1)


def rows_in_chain_order(
    log: ChainedLog, chain: int, *, chunk_size: int = 2000
) -> Iterator[models.Model]:
    """Yield every row of `chain` by position, one chunk at a time with no cursor left open.

    A caller may write between chunks (a job reporting progress): on SQLite a write on a
    connection whose read statement is still open fails with "database is locked" as soon as
    any other connection has written meanwhile; on PostgreSQL no long-lived server-side
    cursor holds a snapshot of a large table.
    """
    last = -1
    manager = log.model._default_manager
    while True:
        chunk = list(
            manager.filter(chain=chain, chain_seq__gt=last).order_by("chain_seq")[:chunk_size]
        )
        yield from chunk
        if len(chunk) < chunk_size:
            return
        last = chunk[-1].chain_seq  # type: ignore[attr-defined]


def heads(log: ChainedLog, *, number_field: str) -> dict[int, tuple[int, int, str]]:
    """Return {chain: (position, number, hash)} of every chain's newest row.

    `number_field` is what people call a row by (the audit event's `seq`, the access log's id).
    One index look-up per chain, however long the chains are.
    """
    found: dict[int, tuple[int, int, str]] = {}
    manager = log.model._default_manager
    for chain in chains_in_use(log):
        head = (
            manager.filter(chain=chain)
            .order_by("-chain_seq")
            .values_list("chain_seq", number_field, "hash")
            .first()
        )
        if head is not None:
            found[chain] = (head[0], head[1], head[2])
    return found
