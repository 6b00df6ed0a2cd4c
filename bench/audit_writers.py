"""Measure the audit writer: N parallel writers doing audited writes on PostgreSQL.

Run: `.venv/bin/python bench/audit_writers.py [--seconds 6] [--writers 1,5,20] [--batch 500]`
with `DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_audit` (the default). The database
named there is dropped and created again, then migrated: never point it at data you keep.

Each writer is a separate process with its own connection, like a gunicorn worker or a
db_worker. One "audited write" is one transaction that inserts a business row and appends one
audit event through `audit_record`; the floor is the same transaction with the same event row
(hashed the same way) inserted without the chain (no lock, no read of the head) into a copy of
the events table. Printed per N: writes/s, p50 and p99 latency of one write, for the floor and
for each `--chains` value (BANGFU_AUDIT_CHAINS; 1 is one global lock, the design before).

Then the batch cases: one transaction approving `--batch` items with an `audit_record` each,
one with a single `audit_record_many`, and — the case that matters for funds and imports —
5 single writers running while a batch of `--batch` items is in flight (their p99 wait);
and the time `verify_chain` takes over everything written.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bangfu_audit")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django
import psycopg

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bangfu.core import audit  # noqa: E402
from bangfu.core.audit import AuditEntry, audit_record, audit_record_many  # noqa: E402
from bangfu.core.models import AuditEvent  # noqa: E402

ITEM_TABLE = "bench_audit_item"
FLOOR_TABLE = "bench_floor_event"


def recreate_database() -> None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    name = db["NAME"]
    if not name.startswith("bangfu_") or name in {"bangfu", "bangfu_bench"}:
        sys.exit(f"Refusing to drop database {name!r}: use a throw-away bangfu_* database.")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    dsn = f"host={host} port={port} user={db['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {ITEM_TABLE} (id bigserial PRIMARY KEY, writer int, n int, "
            "amount numeric(12,2), state text)"
        )
        # The floor writes the same event rows into a copy of the events table (same columns,
        # same indexes), so that the chain stays intact for the chain cases.
        cursor.execute(
            f"CREATE TABLE {FLOOR_TABLE} (LIKE {AuditEvent._meta.db_table} INCLUDING ALL)"
        )
    connections.close_all()


def _insert_item(writer: int, n: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ITEM_TABLE} (writer, n, amount, state) VALUES (%s, %s, %s, %s) "
            "RETURNING id",
            [writer, n, "1200.00", "approved"],
        )
        return cursor.fetchone()[0]


def _changes(n: int) -> dict[str, list[str]]:
    return {"state": ["submitted", "approved"], "amount": ["0.00", "1200.00"], "n": [str(n), ""]}


def chain_write(writer: int, n: int) -> None:
    with transaction.atomic():
        item = _insert_item(writer, n)
        audit_record(
            actor=None,
            action="bench.item.approve",
            object_type="bench.item",
            object_id=item,
            object_repr=f"事项{item}",
            summary="审批通过",
            changes=_changes(n),
        )


def floor_write(writer: int, n: int) -> None:
    """The same transaction and event row, hashed the same way, without the chain."""
    with transaction.atomic():
        item = _insert_item(writer, n)
        event = AuditEvent(
            seq=item,
            chain=0,
            chain_seq=item,
            created_at=timezone.now(),
            actor=None,
            actor_name="系统",
            action="bench.item.approve",
            object_type="bench.item",
            object_id=str(item),
            object_repr=f"事项{item}",
            summary="审批通过",
            changes=_changes(n),
            client_address="",
            prev_hash=audit.GENESIS_HASH,
        )
        event.hash = audit.event_hash(event)
        fields = [f for f in AuditEvent._meta.concrete_fields if f.attname != "id"]
        columns = ", ".join(f.column for f in fields)
        values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FLOOR_TABLE} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",
                values,
            )


def batch_write(writer: int, n: int, size: int) -> None:
    """One transaction approving `size` items, each audited by its own audit_record call."""
    with transaction.atomic():
        for i in range(size):
            item = _insert_item(writer, n * size + i)
            audit_record(
                actor=None,
                action="bench.item.approve",
                object_type="bench.item",
                object_id=item,
                summary="批量审批",
                changes=_changes(i),
            )


def batch_many(writer: int, n: int, size: int) -> None:
    """One transaction approving `size` items, audited by one audit_record_many."""
    with transaction.atomic():
        ids = [_insert_item(writer, n * size + i) for i in range(size)]
        entries = [
            AuditEntry(action="bench.item.approve", obj=_Item(item), summary="批量审批")
            for item in ids
        ]
        audit_record_many(actor=None, entries=entries)


class _Item:
    """Stands in for a saved model instance in `AuditEntry` (type, key and name)."""

    class _meta:
        label_lower = "bench.item"

    def __init__(self, pk: int) -> None:
        self.pk = pk

    def __str__(self) -> str:
        return f"事项{self.pk}"


def _worker(
    kind: str,
    writer: int,
    seconds: float,
    batch: int,
    start: mp.synchronize.Barrier,
    out: mp.Queue,
) -> None:
    connections.close_all()
    connection.ensure_connection()
    fn: Callable[[int, int], None]
    if kind == "chain":
        fn = chain_write
    elif kind == "floor":
        fn = floor_write
    elif kind == "batch":
        fn = lambda w, n: batch_write(w, n, batch)  # noqa: E731
    else:
        fn = lambda w, n: batch_many(w, n, batch)  # noqa: E731
    latencies: list[float] = []
    start.wait()
    try:
        _loop(kind, fn, writer, seconds, latencies)
    except BaseException as exc:
        out.put((kind, writer, repr(exc)))
        raise
    out.put((kind, writer, latencies))
    connections.close_all()


def _loop(
    kind: str, fn: Callable[[int, int], None], writer: int, seconds: float, latencies: list[float]
) -> None:
    stop = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < stop:
        began = time.perf_counter()
        fn(writer, n)
        latencies.append(time.perf_counter() - began)
        n += 1
        if kind in {"batch", "many"}:
            break


def run(groups: list[tuple[str, int]], seconds: float, batch: int) -> dict[str, list[float]]:
    """Start every writer of every group together; return the latencies per kind."""
    ctx = mp.get_context("fork")
    connections.close_all()
    total = sum(count for _kind, count in groups)
    start = ctx.Barrier(total)
    out: mp.Queue = ctx.Queue()
    procs = []
    writer = 0
    for kind, count in groups:
        for _ in range(count):
            writer += 1
            proc = ctx.Process(target=_worker, args=(kind, writer, seconds, batch, start, out))
            proc.start()
            procs.append(proc)
    results: dict[str, list[float]] = {}
    for _ in procs:
        kind, _writer, latencies = out.get()
        if isinstance(latencies, str):
            sys.exit(f"writer {_writer} ({kind}) failed: {latencies}")
        results.setdefault(kind, []).extend(latencies)
    for proc in procs:
        proc.join()
    return results


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def line(label: str, latencies: list[float], seconds: float) -> str:
    rate = len(latencies) / seconds
    return (
        f"{label:<28} {rate:>9.0f}/s  p50 {pct(latencies, 0.5):>7.1f} ms"
        f"  p99 {pct(latencies, 0.99):>7.1f} ms  (n={len(latencies)})"
    )


def verify() -> str:
    checked, problem = audit.verify_chain()
    return f"chain verified: {checked} events, {'intact' if problem is None else problem}"


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--writers", default="1,5,20")
    parser.add_argument("--chains", default="1,8", help="BANGFU_AUDIT_CHAINS values to compare")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    recreate_database()
    chain_counts = [int(n) for n in args.chains.split(",")]
    print(
        f"PostgreSQL {connection.cursor().connection.info.server_version}, "
        f"{os.cpu_count()} cores, {args.seconds:g} s per case, database "
        f"{settings.DATABASES['default']['NAME']}; chains = BANGFU_AUDIT_CHAINS "
        "(1 = one global lock, the design before)"
    )
    print()
    for count in [int(n) for n in args.writers.split(",")]:
        floor = run([("floor", count)], args.seconds, args.batch)["floor"]
        print(line(f"N={count:<3} floor (no chain)", floor, args.seconds))
        for chains in chain_counts:
            settings.BANGFU_AUDIT_CHAINS = chains
            chain = run([("chain", count)], args.seconds, args.batch)["chain"]
            ratio = len(chain) / max(1, len(floor))
            print(
                line(f"N={count:<3} chains={chains}", chain, args.seconds) + f"  {ratio:.2f}×floor"
            )
        print()
    size = args.batch
    for chains in chain_counts:
        settings.BANGFU_AUDIT_CHAINS = chains
        for kind, label in (("batch", "audit_record per item"), ("many", "audit_record_many")):
            took = run([(kind, 1)], 600, size)[kind][0]
            print(
                f"chains={chains}: batch of {size}, {label:<22} {took * 1000:>7.0f} ms"
                f"  ({size / took:,.0f} events/s)"
            )
    print()
    for chains in chain_counts:
        settings.BANGFU_AUDIT_CHAINS = chains
        for kind, label in (("batch", "audit_record per item"), ("many", "audit_record_many")):
            mixed = run([(kind, 1), ("chain", 5)], args.seconds, size)
            singles = mixed["chain"]
            print(
                f"chains={chains}: 5 single writers beside a batch of {size} ({label}): "
                f"p50 {pct(singles, 0.5):.1f} ms, p99 {pct(singles, 0.99):.1f} ms, "
                f"max {max(singles) * 1000:.0f} ms; batch {mixed[kind][0] * 1000:.0f} ms"
            )
    print()
    began = time.perf_counter()
    checked, problem = audit.verify_chain()
    took = time.perf_counter() - began
    print(
        f"verify_chain: {checked} events in {took:.1f} s ({checked / took:,.0f} events/s), "
        f"{'intact' if problem is None else problem}"
    )


if __name__ == "__main__":
    main()
