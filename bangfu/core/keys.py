"""The keys outside the database: their fingerprints, the start-up check, and rotation.

A wrong key does quiet damage: a wrong field key gives 500s and "not found" for existing
archives, a wrong blind-index key lets a second open archive be filed for the same ID, a wrong
audit key writes events that break the chain for good. So the installation records a
fingerprint of each key at its first migrate (and `bootstrap`), and `checks.check_keys` refuses
to start (runserver, gunicorn, db_worker, any command) when a configured key does not match.

Field keys rotate: put the new key first in BANGFU_FIELD_KEYS, keep the old ones after it, and
run `manage.py rotate_keys`, which records the new key, re-encrypts every encrypted column and
every sealed file under it in batches (resumable: what is already under the newest key is
skipped), and retires an old key once nothing is left under it — from then on it may leave
BANGFU_FIELD_KEYS. The blind-index and audit keys do not rotate: every stored index and every
event's hash depends on them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto
from .audit import audit_record
from .audit_actions import CoreAction
from .chain import chain_key
from .models import KeyFingerprint

Purpose = KeyFingerprint.Purpose


def fingerprint(purpose: str, key: bytes) -> str:
    """Return a fingerprint that names `key` for `purpose` without revealing it."""
    return hashlib.sha256(
        b"bangfu-key-fingerprint\x00" + purpose.encode("ascii") + b"\x00" + key
    ).hexdigest()


@dataclass(frozen=True)
class ConfiguredKey:
    purpose: str
    fingerprint: str
    key_id: str = ""


def configured_keys() -> list[ConfiguredKey]:
    """Return the fingerprints of the keys the settings hold now (field keys newest first).

    Raise ImproperlyConfigured when BANGFU_FIELD_KEYS is empty or malformed.
    """
    found = [
        ConfiguredKey(Purpose.FIELD, fingerprint(Purpose.FIELD, secret), kid)
        for kid, secret in crypto.field_keys()
    ]
    blind = str(getattr(settings, "BANGFU_BLIND_INDEX_KEY", "") or "")
    if blind:
        found.append(
            ConfiguredKey(Purpose.BLIND_INDEX, fingerprint(Purpose.BLIND_INDEX, blind.encode()))
        )
    found.append(ConfiguredKey(Purpose.AUDIT, fingerprint(Purpose.AUDIT, chain_key())))
    return found


def key_fingerprints_record() -> list[KeyFingerprint]:
    """Record the configured keys of every purpose that has none recorded yet; return the new rows.

    For the first migrate and `bootstrap`: whatever keys are configured then are the
    installation's keys. A purpose already recorded is left alone (a new field key is recorded
    by `rotate_keys`). The caller audits.
    """
    recorded = set(KeyFingerprint.objects.values_list("purpose", flat=True).distinct())
    created = []
    for key in configured_keys():
        if key.purpose in recorded:
            continue
        row, made = KeyFingerprint.objects.get_or_create(
            purpose=key.purpose, fingerprint=key.fingerprint, defaults={"key_id": key.key_id}
        )
        if made:
            created.append(row)
    return created


def fingerprints_summary(rows: list[KeyFingerprint]) -> dict[str, list[str]]:
    """Return {purpose: [key id or fingerprint prefix]} for an audit event's changes."""
    summary: dict[str, list[str]] = {}
    for row in rows:
        summary.setdefault(row.purpose, []).append(row.key_id or row.fingerprint[:16])
    return summary


# --- Rotation of the field keys ---------------------------------------------------------------


@dataclass
class Location:
    """One place where encrypted values live: a text or binary column, or a file field."""

    model: type[models.Model]
    field: models.Field
    kind: str  # "text", "binary" or "file"
    counts: dict[str, int] = dataclasses.field(default_factory=dict)  # {key id: values}

    @property
    def label(self) -> str:
        return f"{self.model._meta.db_table}.{self.field.column}"

    def remaining(self, newest: str) -> int:
        return sum(count for kid, count in self.counts.items() if kid != newest)


def encrypted_locations() -> list[Location]:
    """Return every place that may hold values under a field key, found generically.

    Every `EncryptedTextField`; every BinaryField (sealed uploads, generated files) and every
    FileField (attachments): those hold sealed bytes when they start with the `BFE1` header,
    and anything else is left alone.
    """
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for model_field in meta.concrete_fields:
            if isinstance(model_field, crypto.EncryptedTextField):
                found.append(Location(model, model_field, "text"))
            elif isinstance(model_field, models.BinaryField):
                found.append(Location(model, model_field, "binary"))
            elif isinstance(model_field, models.FileField):
                found.append(Location(model, model_field, "file"))
    return sorted(found, key=lambda loc: loc.label)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _count(location: Location) -> dict[str, int]:
    table, column = _q(location.model._meta.db_table), _q(location.field.column)
    counts: dict[str, int] = {}
    if location.kind == "text":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT substr({column}, 4, 8), count(*) FROM {table}"  # noqa: S608
                f" WHERE {column} LIKE %s GROUP BY 1",
                [f"{crypto.TOKEN_VERSION}:%"],
            )
            counts = {str(kid): int(n) for kid, n in cursor.fetchall()}
    elif location.kind == "binary":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT substr({column}, 5, 8), count(*) FROM {table}"  # noqa: S608
                f" WHERE substr({column}, 1, 4) = %s GROUP BY 1",
                [crypto.BYTES_MAGIC],
            )
            for kid, n in cursor.fetchall():
                counts[bytes(kid).decode("ascii", "replace")] = int(n)
    else:
        for _pk, name in _file_rows(location):
            kid = _file_key_id(location, name)
            if kid is not None:
                counts[kid] = counts.get(kid, 0) + 1
    return counts


def rotation_report() -> list[Location]:
    """Return every location with its count of values per key id."""
    locations = encrypted_locations()
    for location in locations:
        location.counts = _count(location)
    return locations


def _file_rows(location: Location, batch: int = 1000) -> Iterator[tuple[Any, str]]:
    pk = location.model._meta.pk
    assert pk is not None
    manager = location.model._default_manager
    name = location.field.attname
    last = None
    while True:
        qs = manager.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True}).order_by(pk.name)
        if last is not None:
            qs = qs.filter(**{f"{pk.name}__gt": last})
        rows = list(qs.values_list(pk.name, name)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1][0]


def _file_path(location: Location, name: str) -> Path | None:
    storage = location.field.storage  # type: ignore[attr-defined]
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None


def _file_key_id(location: Location, name: str) -> str | None:
    path = _file_path(location, name)
    if path is None or not path.exists():
        return None
    with path.open("rb") as handle:
        return crypto.sealed_key_id(handle.read(len(crypto.BYTES_MAGIC) + crypto.KEY_ID_CHARS))


@dataclass
class RotationProgress:
    location: Location
    done: int
    total: int


def field_key_register_newest(*, actor: Any = None) -> KeyFingerprint | None:
    """Record the newest field key if it is not recorded yet (audited); return the new row."""
    kid, secret = crypto.field_keys()[0]
    value = fingerprint(Purpose.FIELD, secret)
    with transaction.atomic():
        row, made = KeyFingerprint.objects.get_or_create(
            purpose=Purpose.FIELD, fingerprint=value, defaults={"key_id": kid}
        )
        if not made:
            return None
        audit_record(
            actor=actor,
            action=CoreAction.KEY_REGISTER,
            obj=row,
            summary=_("登记新的敏感字段加密密钥 %(kid)s") % {"kid": kid},
        )
    return row


def rotate_location(
    location: Location,
    *,
    batch_size: int = 500,
    actor: Any = None,
    progress: Callable[[RotationProgress], None] | None = None,
) -> int:
    """Re-encrypt every value of `location` that is not under the newest key; return how many.

    Each batch is one transaction with one audit event, so a run killed half-way keeps the
    batches it finished, and the next run starts with what is left (values already under the
    newest key are never selected). A value changed by someone else meanwhile is not
    overwritten: each update names the old value it replaces.
    """
    newest = crypto.newest_key_id()
    if location.kind == "file":
        return _rotate_files(location, newest, batch_size, actor, progress)
    table, column = _q(location.model._meta.db_table), _q(location.field.column)
    pk = location.model._meta.pk
    assert pk is not None
    pk_column = _q(pk.column)
    if location.kind == "text":
        where = f"{column} LIKE %s AND {column} NOT LIKE %s"
        params: list[Any] = [f"{crypto.TOKEN_VERSION}:%", f"{crypto.TOKEN_VERSION}:{newest}:%"]
        renew: Callable[[Any], Any] = crypto.reencrypt
    else:
        where = f"substr({column}, 1, 4) = %s AND substr({column}, 5, 8) <> %s"
        params = [crypto.BYTES_MAGIC, newest.encode("ascii")]
        renew = crypto.reencrypt_bytes
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}", params)  # noqa: S608
        total = int(cursor.fetchone()[0])
    done = 0
    last: Any = None
    while True:
        with transaction.atomic():
            after = f" AND {pk_column} > %s" if last is not None else ""
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk_column}, {column} FROM {table} WHERE {where}{after}"  # noqa: S608
                    f" ORDER BY {pk_column} LIMIT %s",
                    [*params, *([last] if last is not None else []), batch_size],
                )
                rows = cursor.fetchall()
            if not rows:
                break
            updates = [
                (renew(bytes(old) if location.kind == "binary" else old), key, old)
                for key, old in rows
            ]
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s"  # noqa: S608
                    f" WHERE {pk_column} = %s AND {column} = %s",
                    updates,
                )
            audit_record(
                actor=actor,
                action=CoreAction.KEY_ROTATE,
                object_type=location.model._meta.label_lower,
                object_id=location.field.name,
                object_repr=location.label,
                summary=_("重新加密 %(count)s 个值到密钥 %(kid)s")
                % {"count": len(rows), "kid": newest},
            )
        done += len(rows)
        last = rows[-1][0]
        if progress is not None:
            progress(RotationProgress(location, done, total))
    return done


def _rotate_files(
    location: Location,
    newest: str,
    batch_size: int,
    actor: Any,
    progress: Callable[[RotationProgress], None] | None,
) -> int:
    """Re-seal files under the newest key: written beside, synced, then renamed over the old
    one (atomic), so a kill leaves either the old file or the new one, both readable."""
    pending = []
    for key, name in _file_rows(location):
        kid = _file_key_id(location, name)
        if kid is not None and kid != newest:
            pending.append((key, name))
    total, done = len(pending), 0
    for start in range(0, total, batch_size):
        batch = pending[start : start + batch_size]
        with transaction.atomic():
            for _key, name in batch:
                path = _file_path(location, name)
                assert path is not None
                sealed = crypto.reencrypt_bytes(path.read_bytes())
                temporary = path.with_name(path.name + ".rotating")
                with temporary.open("wb") as handle:
                    handle.write(sealed)
                    handle.flush()
                    os.fsync(handle.fileno())
                temporary.replace(path)
            audit_record(
                actor=actor,
                action=CoreAction.KEY_ROTATE,
                object_type=location.model._meta.label_lower,
                object_id=location.field.name,
                object_repr=location.label,
                summary=_("重新加密 %(count)s 个文件到密钥 %(kid)s")
                % {"count": len(batch), "kid": newest},
            )
        done += len(batch)
        if progress is not None:
            progress(RotationProgress(location, done, total))
    return done


def field_keys_retire_unused(locations: list[Location], *, actor: Any = None) -> list[str]:
    """Retire recorded field keys that hold nothing any more (audited); return their ids.

    `locations` is a fresh `rotation_report()`. A retired key may leave BANGFU_FIELD_KEYS: the
    start-up check no longer asks for it.
    """
    newest = crypto.newest_key_id()
    in_use = {kid for location in locations for kid, n in location.counts.items() if n}
    retired = []
    with transaction.atomic():
        rows = KeyFingerprint.objects.select_for_update().filter(
            purpose=Purpose.FIELD, retired_at__isnull=True
        )
        for row in rows:
            if row.key_id == newest or row.key_id in in_use:
                continue
            row.retired_at = timezone.now()
            row.save(update_fields=["retired_at"])
            retired.append(row.key_id)
        if retired:
            audit_record(
                actor=actor,
                action=CoreAction.KEY_RETIRE,
                object_type=KeyFingerprint._meta.label_lower,
                object_repr=", ".join(retired),
                summary=_("停用已无数据的旧加密密钥 %(kids)s") % {"kids": ", ".join(retired)},
                changes={"retired": retired},
            )
    return retired


__all__ = [
    "ConfiguredKey",
    "Location",
    "configured_keys",
    "encrypted_locations",
    "field_key_register_newest",
    "field_keys_retire_unused",
    "fingerprint",
    "key_fingerprints_record",
    "rotate_location",
    "rotation_report",
]
