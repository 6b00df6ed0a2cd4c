"""The books' own hash chain: each entry's HMAC (the audit key, `core.chain.keyed_hash`) covers
its content, its lines and the previous entry's hash in the same book, so altering, deleting or
inserting an entry breaks the chain where it happened. `verify_books` walks every book."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal
from typing import Any

from bangfu.core.chain import GENESIS_HASH, keyed_hash

from .models import Book, Entry, EntryLine

__all__ = ["GENESIS_HASH", "entry_hash", "verify_books"]

HASH_DOMAIN = b"bangfu-funds-entry:"


def entry_payload(entry: Entry, lines: Iterable[tuple[str, Decimal, Decimal]]) -> dict[str, Any]:
    return {
        "book": entry.book_id,
        "number": entry.number,
        "date": entry.date.isoformat(),
        "memo": entry.memo,
        "source": entry.source,
        "reverses": entry.reverses_id,
        "created_at": entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "created_by": entry.created_by_id,
        "created_by_name": entry.created_by_name,
        "prev_hash": entry.prev_hash,
        "lines": sorted([code, str(d), str(c)] for code, d, c in lines),
    }


def entry_hash(entry: Entry, lines: Sequence[tuple[str, Decimal, Decimal]]) -> str:
    return keyed_hash(entry_payload(entry, lines), domain=HASH_DOMAIN)


@dataclass
class BooksReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_books() -> BooksReport:
    """Walk every book's entries in order; name the first broken link of each book."""
    report = BooksReport()
    for book in Book.objects.select_related("unit").order_by("pk"):
        expected_number, prev = 1, GENESIS_HASH
        lines: dict[int, list[tuple[str, Decimal, Decimal]]] = {}
        for entry_id, code, debit, credit in EntryLine.objects.filter(entry__book=book).values_list(
            "entry_id", "account__code", "debit", "credit"
        ):
            lines.setdefault(entry_id, []).append((code, debit, credit))
        for entry in Entry.objects.filter(book=book).order_by("number").iterator():
            report.checked += 1
            where = f"{book}:记-{entry.number:04d}"
            if entry.number != expected_number:
                report.problems.append(f"{where} 前缺少凭证(应为第 {expected_number} 号)。")
                break
            if entry.prev_hash != prev:
                report.problems.append(f"{where} 与前一张凭证的链接断开。")
                break
            if entry_hash(entry, lines.get(entry.pk, [])) != entry.hash:
                report.problems.append(f"{where} 的内容被改动(校验码不符)。")
                break
            debit = sum((d for _c, d, _x in lines.get(entry.pk, [])), Decimal(0))
            credit = sum((c for _c, _x, c in lines.get(entry.pk, [])), Decimal(0))
            if debit != credit:
                report.problems.append(f"{where} 借贷不平衡。")
                break
            expected_number, prev = entry.number + 1, entry.hash
    return report
