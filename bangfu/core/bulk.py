"""Many new rows at once: PostgreSQL's COPY where Django's `bulk_create` is slow.

`bulk_create` on PostgreSQL sends each column as one array literal (`INSERT … SELECT * FROM
UNNEST(…)`): every value goes through Django's insert compiler and psycopg's array dumper in
Python. COPY writes the rows in psycopg's C code: 10,000 audit events of an import (2.5 KB of
JSON each) take 0.45 s instead of 2.2 s, the same rows stored (bench/archives_import.py).

`bulk_insert(model, objs)` stores new instances like `bulk_create` without options does: the
fields' `pre_save` (auto_now_add) and `get_db_prep_save` (encryption, blind indexes, JSON) run
as they do there, the primary keys are taken from the table's sequence in the order of the
objects (as `bulk_create` returns them), the instances are marked saved, and no signal is sent.
A database error is Django's (IntegrityError for a unique key). Elsewhere than PostgreSQL, and
for a handful of rows, it is `bulk_create`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import NOT_PROVIDED

M = TypeVar("M", bound=models.Model)

# From two rows on (one row: a plain INSERT). The same way for any number of rows, so that
# the statements of a batch do not change with its size (the tests count them).
COPY_MIN_ROWS = 2


def bulk_insert(model: type[M], objs: Sequence[M]) -> list[M]:
    """Insert `objs` (new instances of `model`) and return them with their keys; see the
    module."""
    objs = list(objs)
    if connection.vendor != "postgresql" or len(objs) < COPY_MIN_ROWS:
        return model._default_manager.bulk_create(objs)
    opts = model._meta
    if opts.parents or any(  # rows in several tables; values the database makes itself
        getattr(field, "generated", False)
        or getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED
        for field in opts.concrete_fields
    ):
        return model._default_manager.bulk_create(objs)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")  # type: ignore[attr-defined]
    missing = [obj for obj in objs if obj.pk is None]
    if missing:
        take_keys(model, missing)
    fields = list(opts.concrete_fields)
    plan = [_plan(field) for field in fields]
    table = connection.ops.quote_name(opts.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.wrap_database_errors, connection.cursor() as cursor:
        raw: Any = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(sql) as copy:
            for obj in objs:
                row = []
                for field, attname, given in plan:
                    value = getattr(obj, attname) if attname else field.pre_save(obj, True)
                    if given is None or not (value is None or value.__class__ is given):
                        value = field.get_db_prep_save(value, connection)
                    row.append(value)
                copy.write_row(row)
    if connection.queries_logged:  # counted like the INSERT it replaces (query-count tests)
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(objs)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


# Django's own fields (the exact classes, not subclasses such as the encrypted ones) whose
# `get_db_prep_save` on PostgreSQL gives back a value of this type, or None, unchanged (a
# string stays the string, a date the date); the COPY writes it as it is. Any other value, and
# every other field, goes through `get_db_prep_save` (a tenth of an import's write was spent
# there on these fields).
_AS_GIVEN: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.BooleanField: bool,
    models.DateField: date,
}


def _plan(field: Any) -> tuple[Any, str | None, type | None]:
    """(field, the attribute to read when `pre_save` would only read it, the type a value may
    have to be written as it is)."""
    kind = type(field)
    reads_only = kind.pre_save is models.Field.pre_save or (
        kind is models.DateField and not field.auto_now and not field.auto_now_add
    )
    given = _AS_GIVEN.get(kind)
    if kind in (models.ForeignKey, models.OneToOneField):
        given = _AS_GIVEN.get(type(field.target_field))
    return field, field.attname if reads_only else None, given


def take_keys(model: type[models.Model], objs: list[Any]) -> None:
    """Give each object the next key of the table's sequence, increasing in the given order
    (PostgreSQL): rows that name each other — an archive and its latest determination — get
    their keys before either is written (the foreign keys are checked at the commit)."""
    opts = model._meta
    assert opts.pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        keys = sorted(int(row[0]) for row in cursor.fetchall() if row[0] is not None)
    if len(keys) != len(objs):
        raise ValueError(f"{opts.label} has no key sequence: give the objects their keys.")
    for obj, pk in zip(objs, keys, strict=True):
        setattr(obj, opts.pk.attname, pk)
