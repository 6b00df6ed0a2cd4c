"""The access log: every full view of a sensitive value is written down with its purpose.

The log is evidence like the audit trail: its rows are hash-chained (`core.chain`, a chain set
of its own so that page views never wait for audited writes), and `verify_audit` finds a deleted,
altered or inserted entry; the checkpoints record its chains' heads too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .chain import (
    GENESIS_HASH,
    ChainedLog,
    chain_head,
    chains_in_use,
    keyed_hash,
    lock_chain,
    rows_in_chain_order,
)
from .context import client_address
from .errors import ValidationError
from .models import AccessLog

ACCESS_LOG = ChainedLog(
    model=AccessLog, lock_namespace=0x62616E68, hash_domain=b"bangfu-access-log\x00"
)


def entry_payload(entry: AccessLog) -> dict[str, Any]:
    """Return the fields that an access-log entry's hash covers (all stored ones but id, hash)."""
    return {
        "created_at": entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "user_id": entry.user_id,
        "user_name": entry.user_name,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "fields": entry.fields,
        "purpose": entry.purpose,
        "client_address": entry.client_address,
        "chain": entry.chain,
        "chain_seq": entry.chain_seq,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(entry: AccessLog) -> str:
    return keyed_hash(entry_payload(entry), domain=ACCESS_LOG.hash_domain)


def access_log_record(
    *, user: Any, obj: models.Model, fields: Iterable[str], purpose: str
) -> AccessLog:
    """Record that `user` saw `fields` of `obj` in full, for `purpose`.

    Append to a chain in a transaction of its own, or in the caller's when there is one (then
    the entry commits or rolls back with it). Raise ValidationError when no purpose is given:
    a full view always needs a reason.
    """
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError(_("请填写查看事由。"), field="purpose")
    with transaction.atomic():
        chain = lock_chain(ACCESS_LOG)
        position, prev_hash = chain_head(ACCESS_LOG, chain)
        entry = AccessLog(
            created_at=timezone.now(),
            user=user,
            user_name=(getattr(user, "display_name", "") or user.get_username())[:150],
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            fields=",".join(fields)[:255],
            purpose=purpose[:255],
            client_address=(client_address.get() or "")[:64],
            chain=chain,
            chain_seq=position + 1,
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class AccessProblem:
    entry_id: int
    message: str


def iter_access_problems(
    *,
    progress_every: int = 1000,
    anchors: Mapping[tuple[int, int], tuple[str, str]] | None = None,
    heads: dict[int, tuple[int, int, str]] | None = None,
) -> Iterator[AccessProblem | int]:
    """Walk the access log's chains as `audit.iter_chain_problems` walks the audit trail's.

    Yield the count of intact entries every `progress_every` entries and at the end; on the
    first problem yield the count before it, then the problem, and stop. `heads` receives
    {chain: (position, id, hash)} of each chain's last intact entry.
    """
    checked = 0
    for chain in chains_in_use(ACCESS_LOG):
        expected_prev = GENESIS_HASH
        expected_position = 1
        for entry in rows_in_chain_order(ACCESS_LOG, chain):
            assert isinstance(entry, AccessLog)
            problem = _entry_problem(entry, expected_position, expected_prev, anchors)
            if problem is not None:
                yield checked
                yield problem
                return
            checked += 1
            if heads is not None:
                heads[chain] = (entry.chain_seq, entry.pk, entry.hash)
            expected_prev = entry.hash
            expected_position += 1
            if checked % progress_every == 0:
                yield checked
    yield checked


def _entry_problem(
    entry: AccessLog,
    expected_position: int,
    expected_prev: str,
    anchors: Mapping[tuple[int, int], tuple[str, str]] | None,
) -> AccessProblem | None:
    where = {"id": entry.pk, "chain": entry.chain, "position": entry.chain_seq}
    if entry.chain_seq != expected_position:
        return AccessProblem(
            entry.pk,
            _(
                "查看记录 id=%(id)s(第 %(chain)s 条链第 %(position)s 条)之前缺少第 %(expected)s"
                " 条:有记录被删除或插入"
            )
            % {**where, "expected": expected_position},
        )
    if entry.prev_hash != expected_prev:
        return AccessProblem(
            entry.pk,
            _(
                "查看记录 id=%(id)s(第 %(chain)s 条链第 %(position)s 条)的前一记录哈希不符:"
                "其前的记录被改动、删除或插入"
            )
            % where,
        )
    if entry_hash(entry) != entry.hash:
        return AccessProblem(
            entry.pk,
            _("查看记录 id=%(id)s(第 %(chain)s 条链第 %(position)s 条)内容与哈希不符:被改动")
            % where,
        )
    anchor = (anchors or {}).get((entry.chain, entry.chain_seq))
    if anchor is not None and anchor[0] != entry.hash:
        return AccessProblem(
            entry.pk,
            _("查看记录 id=%(id)s 与检查点(%(when)s)记录的哈希不符:查看记录链被重写")
            % {**where, "when": anchor[1]},
        )
    return None


__all__ = ["ACCESS_LOG", "AccessLog", "AccessProblem", "access_log_record", "iter_access_problems"]
