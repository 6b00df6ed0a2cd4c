"""Checkpoints of the audit trail and the access log, kept outside the database.

The hash chains show an altered, deleted or inserted row, but not the newest rows deleted, nor
every row deleted: what is left is still a well-formed chain. A checkpoint records, at one
moment, every chain's head (position, number and hash) and the count of rows, signed with an
HMAC under the audit key, and is appended as one JSON line to BANGFU_AUDIT_CHECKPOINT_FILE — a
file outside the data directory that the database role cannot touch (make it append-only with
`chattr +a`). Each line also carries the previous line's MAC, so a line removed or edited in the
middle is found too. `verify_audit` compares the chains with every checkpoint: a head the
checkpoint saw that is no longer there names where the chain was cut, and an event whose hash
differs from the one recorded shows a chain rebuilt by someone holding the key.

Written daily by `manage.py audit_checkpoint` (which prints the report an auditor keeps) and
after every batch (`audit_record_many`).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import ACCESS_LOG, AccessProblem, iter_access_problems
from .audit import AUDIT_LOG, ChainProblem, iter_chain_problems
from .chain import heads, keyed_hash
from .models import AccessLog, AuditEvent

CHECKPOINT_DOMAIN = b"bangfu-checkpoint\x00"
FORMAT_VERSION = 1
GENESIS_MAC = "0" * 64

Heads = dict[int, tuple[int, int, str]]  # {chain: (position, number, hash)}


class CheckpointError(Exception):
    """The checkpoint file cannot be written or is not set."""


@dataclass(frozen=True)
class Checkpoint:
    line: int
    at: datetime
    reason: str
    audit_heads: Heads
    access_heads: Heads
    prev: str
    mac: str

    @property
    def audit_count(self) -> int:
        return sum(position for position, _number, _hash in self.audit_heads.values())

    @property
    def access_count(self) -> int:
        return sum(position for position, _number, _hash in self.access_heads.values())

    @property
    def newest_seq(self) -> int:
        return max((number for _p, number, _h in self.audit_heads.values()), default=0)

    @property
    def when(self) -> str:
        return timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S")


def checkpoint_path() -> Path | None:
    value = getattr(settings, "BANGFU_AUDIT_CHECKPOINT_FILE", "") or ""
    return Path(value) if str(value).strip() else None


def checkpoint_configured() -> bool:
    return checkpoint_path() is not None


def _signed(body: dict[str, Any]) -> str:
    return keyed_hash(body, domain=CHECKPOINT_DOMAIN)


def _body(at: datetime, reason: str, audit: Heads, access: Heads, prev: str) -> dict[str, Any]:
    def listed(found: Heads) -> list[list[Any]]:
        return [[chain, *found[chain]] for chain in sorted(found)]

    return {
        "v": FORMAT_VERSION,
        "at": at.isoformat(),
        "reason": reason,
        "audit": {"count": sum(h[0] for h in audit.values()), "heads": listed(audit)},
        "access": {"count": sum(h[0] for h in access.values()), "heads": listed(access)},
        "prev": prev,
    }


def _last_line(path: Path) -> bytes:
    """Return the file's last non-empty line (reading backwards from the end)."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        data = b""
        step = 8192
        while end > 0:
            start = max(0, end - step)
            handle.seek(start)
            data = handle.read(end - start) + data
            end = start
            stripped = data.rstrip(b"\n")
            if b"\n" in stripped:
                return stripped.rsplit(b"\n", 1)[1]
        return data.rstrip(b"\n")


def checkpoint_write(*, reason: str) -> Checkpoint:
    """Append a signed checkpoint of every chain's head to the checkpoint file and return it.

    The file is opened for appending only, locked against other writers while the heads are
    read and the line is written (so lines follow one another in time), and synced to disk
    before returning. Raise CheckpointError when no file is set or it cannot be written.
    """
    path = checkpoint_path()
    if path is None:
        raise CheckpointError(
            _("未设置检查点文件(BANGFU_AUDIT_CHECKPOINT_FILE),无法写入审计检查点。")
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    except OSError as error:
        raise CheckpointError(
            _("无法写入检查点文件 %(path)s:%(error)s") % {"path": path, "error": error.strerror}
        ) from error
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_line(path)
        prev = json.loads(last)["mac"] if last else GENESIS_MAC
        at = timezone.now()
        audit = heads(AUDIT_LOG, number_field="seq")
        access = heads(ACCESS_LOG, number_field="id")
        body = _body(at, reason, audit, access, prev)
        mac = _signed(body)
        line = json.dumps({**body, "mac": mac}, ensure_ascii=False, separators=(",", ":"))
        os.write(fd, line.encode("utf-8") + b"\n")
        os.fsync(fd)
    except (OSError, ValueError, KeyError) as error:
        raise CheckpointError(
            _("无法写入检查点文件 %(path)s:%(error)s") % {"path": path, "error": error}
        ) from error
    finally:
        os.close(fd)
    return Checkpoint(0, at, reason, audit, access, prev, mac)


def _parse_heads(rows: list[list[Any]]) -> Heads:
    return {int(c): (int(position), int(number), str(hash_)) for c, position, number, hash_ in rows}


def checkpoints_read() -> tuple[list[Checkpoint], list[str]]:
    """Return the checkpoints of the file that verify, in order, and the problems found.

    Reading stops at the first line that does not verify (not JSON, a MAC that does not match
    its content under the audit key, or a `prev` that is not the MAC of the line before): the
    file was edited there, and nothing after it can be trusted.
    """
    path = checkpoint_path()
    if path is None or not path.exists():
        return [], []
    found: list[Checkpoint] = []
    prev = GENESIS_MAC
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                body = {key: value for key, value in data.items() if key != "mac"}
                valid = data["mac"] == _signed(body)
                point = Checkpoint(
                    number,
                    datetime.fromisoformat(data["at"]),
                    str(data.get("reason", "")),
                    _parse_heads(data["audit"]["heads"]),
                    _parse_heads(data["access"]["heads"]),
                    str(data["prev"]),
                    str(data["mac"]),
                )
            except (ValueError, KeyError, TypeError):
                return found, [
                    _("检查点文件第 %(line)s 行无法读取:文件被改动或损坏") % {"line": number}
                ]
            if not valid:
                return found, [
                    _("检查点文件第 %(line)s 行的校验码不符:该行被改动或伪造") % {"line": number}
                ]
            if point.prev != prev:
                return found, [
                    _("检查点文件第 %(line)s 行之前的检查点被删除或改动") % {"line": number}
                ]
            prev = point.mac
            found.append(point)
    return found, []


@dataclass
class EvidenceReport:
    """What `verify_evidence` found; `ok` when there is nothing to report."""

    audit_checked: int = 0
    audit_problem: ChainProblem | None = None
    access_checked: int = 0
    access_problem: AccessProblem | None = None
    findings: list[str] = field(default_factory=list)
    configured: bool = False
    checkpoints: int = 0
    last_checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return self.audit_problem is None and self.access_problem is None and not self.findings

    def problems(self) -> list[str]:
        """Return every problem as one line of text, the audit chain's first."""
        lines = []
        if self.audit_problem is not None:
            lines.append(
                _("审计链在第 %(seq)s 号事件(id=%(id)s)处断裂:%(reason)s")
                % {
                    "seq": self.audit_problem.seq,
                    "id": self.audit_problem.event_id,
                    "reason": self.audit_problem.message,
                }
            )
        if self.access_problem is not None:
            lines.append(self.access_problem.message)
        return lines + self.findings


def _anchors(points: list[Checkpoint], which: str) -> dict[tuple[int, int], tuple[str, str]]:
    anchors: dict[tuple[int, int], tuple[str, str]] = {}
    for point in points:
        for chain, (position, _number, hash_) in getattr(point, which).items():
            anchors[(chain, position)] = (hash_, point.when)
    return anchors


def _truncations(points: list[Checkpoint], found: Heads, *, total: int, audit: bool) -> list[str]:
    """Compare each chain's intact head with the furthest head any checkpoint saw."""
    furthest: dict[int, tuple[int, int, Checkpoint]] = {}
    for point in points:
        for chain, (position, number, _hash) in (
            point.audit_heads if audit else point.access_heads
        ).items():
            if chain not in furthest or position > furthest[chain][0]:
                furthest[chain] = (position, number, point)
    if not furthest:
        return []
    recorded = sum(position for position, _n, _p in furthest.values())
    if total == 0:
        point = max((p for _pos, _n, p in furthest.values()), key=lambda p: p.line)
        if audit:
            return [
                _("审计事件已全部被删除:检查点(%(when)s)记录了 %(count)s 条,最新为第 %(seq)s 号")
                % {"when": point.when, "count": recorded, "seq": point.newest_seq}
            ]
        return [
            _("查看记录已全部被删除:检查点(%(when)s)记录了 %(count)s 条")
            % {"when": point.when, "count": recorded}
        ]
    lines = []
    for chain in sorted(furthest):
        position, number, point = furthest[chain]
        have = found.get(chain, (0, 0, ""))
        if have[0] >= position:
            continue
        missing = position - have[0]
        values = {
            "chain": chain,
            "after": have[1],
            "number": number,
            "when": point.when,
            "missing": missing,
        }
        if audit and have[0] == 0:
            lines.append(
                _(
                    "审计链第 %(chain)s 条链的事件全部被删除:检查点(%(when)s)记录到第 %(number)s"
                    " 号事件,缺少 %(missing)s 条"
                )
                % values
            )
        elif audit:
            lines.append(
                _(
                    "审计链在第 %(after)s 号事件之后被截断:检查点(%(when)s)记录到第 %(number)s"
                    " 号事件,其后缺少 %(missing)s 条"
                )
                % values
            )
        else:
            lines.append(
                _(
                    "查看记录链在 id=%(after)s 之后被截断(第 %(chain)s 条链):检查点(%(when)s)"
                    "记录到 id=%(number)s,其后缺少 %(missing)s 条"
                )
                % values
            )
    return lines


def verify_evidence(
    *, progress: Callable[[int], None] | None = None, progress_every: int = 1000
) -> EvidenceReport:
    """Check the audit trail and the access log against their hashes and the checkpoints.

    `progress`, when given, is called with the count of rows checked so far (both logs).
    """
    report = EvidenceReport(configured=checkpoint_configured())
    points, file_problems = checkpoints_read()
    report.findings.extend(file_problems)
    report.checkpoints = len(points)
    report.last_checkpoint = points[-1] if points else None
    path = checkpoint_path()
    if (
        path is not None
        and not points
        and not file_problems
        and (AuditEvent.objects.exists() or AccessLog.objects.exists())
    ):
        report.findings.append(
            _(
                "检查点文件 %(path)s 不存在或为空:无法确认审计链末尾没有被删除。"
                "请运行 manage.py audit_checkpoint 写入第一个检查点"
            )
            % {"path": path}
        )

    audit_heads: Heads = {}
    for item in iter_chain_problems(
        progress_every=progress_every, anchors=_anchors(points, "audit_heads"), heads=audit_heads
    ):
        if isinstance(item, ChainProblem):
            report.audit_problem = item
        else:
            report.audit_checked = item
            if progress is not None:
                progress(item)
    access_heads: Heads = {}
    for entry in iter_access_problems(
        progress_every=progress_every, anchors=_anchors(points, "access_heads"), heads=access_heads
    ):
        if isinstance(entry, AccessProblem):
            report.access_problem = entry
        else:
            report.access_checked = entry
            if progress is not None:
                progress(report.audit_checked + entry)
    if report.audit_problem is None:
        report.findings.extend(
            _truncations(points, audit_heads, total=report.audit_checked, audit=True)
        )
    if report.access_problem is None:
        report.findings.extend(
            _truncations(points, access_heads, total=report.access_checked, audit=False)
        )
    return report


def checkpoint_compare(point: Checkpoint) -> list[str]:
    """Return what no longer matches `point`: heads it saw that are gone or hash differently.

    A quick check (one index look-up per chain) for the daily checkpoint; `verify_evidence`
    walks everything.
    """
    problems = []
    for chain, (position, number, hash_) in sorted(point.audit_heads.items()):
        found = (
            AuditEvent.objects.filter(chain=chain, chain_seq=position)
            .values_list("hash", flat=True)
            .first()
        )
        values = {"number": number, "when": point.when}
        if found is None:
            problems.append(
                _("检查点(%(when)s)记录的第 %(number)s 号事件已不存在:审计链被截断或删除") % values
            )
        elif found != hash_:
            problems.append(
                _("第 %(number)s 号事件与检查点(%(when)s)记录的哈希不符:审计链被重写") % values
            )
    for chain, (position, number, hash_) in sorted(point.access_heads.items()):
        found = (
            AccessLog.objects.filter(chain=chain, chain_seq=position)
            .values_list("hash", flat=True)
            .first()
        )
        values = {"number": number, "when": point.when}
        if found is None:
            problems.append(
                _("检查点(%(when)s)记录的查看记录 id=%(number)s 已不存在:查看记录被截断或删除")
                % values
            )
        elif found != hash_:
            problems.append(
                _("查看记录 id=%(number)s 与检查点(%(when)s)记录的哈希不符:查看记录链被重写")
                % values
            )
    return problems


def checkpoint_report(point: Checkpoint, previous: Checkpoint | None) -> str:
    """Return the checkpoint as the text of the daily report, to print and keep."""
    lines = [
        _("审计检查点 %(when)s") % {"when": point.when},
        _("审计事件:共 %(count)s 条,最新为第 %(seq)s 号")
        % {"count": point.audit_count, "seq": point.newest_seq},
    ]
    for chain, (position, number, hash_) in sorted(point.audit_heads.items()):
        lines.append(
            _("  链 %(chain)s:%(position)s 条,链头第 %(number)s 号,哈希 %(hash)s")
            % {"chain": chain, "position": position, "number": number, "hash": hash_}
        )
    lines.append(_("查看记录:共 %(count)s 条") % {"count": point.access_count})
    for chain, (position, number, hash_) in sorted(point.access_heads.items()):
        lines.append(
            _("  链 %(chain)s:%(position)s 条,链头 id=%(number)s,哈希 %(hash)s")
            % {"chain": chain, "position": position, "number": number, "hash": hash_}
        )
    if previous is not None:
        lines.append(
            _("自上一检查点(%(when)s)以来:新增审计事件 %(events)s 条,查看记录 %(views)s 条")
            % {
                "when": previous.when,
                "events": point.audit_count - previous.audit_count,
                "views": point.access_count - previous.access_count,
            }
        )
    lines.append(_("校验码:%(mac)s") % {"mac": point.mac})
    return "\n".join(lines)


__all__ = [
    "Checkpoint",
    "CheckpointError",
    "EvidenceReport",
    "checkpoint_compare",
    "checkpoint_configured",
    "checkpoint_report",
    "checkpoint_write",
    "checkpoints_read",
    "verify_evidence",
]
