"""The funds' exports on the export kit: the 帮扶资金台帐 of a book (every payment as it was
when paid) and the totals paid per household in its year, in Excel, CSV or PDF. The payments'
snapshots hold masked numbers only, so there is no full form. Registered from
`FundsConfig.ready`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.kits.exports.registry import Exporter, Selection, Sheet

from . import reports
from .models import Book
from .permissions import FundsPermission
from .selectors import book_get

TAIZHANG_KIND = "funds.taizhang"
HOUSEHOLD_TOTALS_KIND = "funds.household_totals"
BATCH = 500


def _book(user: Any, params: dict[str, Any]) -> Book:
    """The book of the export, in the user's scope (NotFound otherwise)."""
    return book_get(user, params.get("book"))


def _select(user: Any, data: QueryDict) -> Selection:
    book = book_get(user, data.get("book"))
    words = _("账簿:%(unit)s %(year)s 年") % {"unit": book.unit.name, "year": book.year}
    return Selection(params={"book": book.pk}, words=words, query=f"book={book.pk}")


class TaizhangExporter(Exporter):
    kind = TAIZHANG_KIND
    title = gettext_lazy("帮扶资金台帐")
    permission = FundsPermission.VIEW
    count_unit = gettext_lazy("笔")

    def select(self, *, user: Any, data: QueryDict) -> Selection:
        return _select(user, data)

    def count(self, *, user: Any, params: dict[str, Any]) -> int:
        return reports.ledger_rows(_book(user, params)).count()

    def sheet(self, *, masked: bool) -> Sheet:
        headers = reports.ledger_headers()
        return Sheet(
            headers=headers,
            text_columns=frozenset(reports.ledger_text_headers()),
            title_line=str(self.title),
            pdf_columns=[headers[i] for i in (0, 1, 3, 4, 6, 7, 8, 9, 11)],
        )

    def batches(
        self, *, user: Any, params: dict[str, Any], masked: bool, counts: dict[str, int]
    ) -> Iterator[list[Sequence[Any]]]:
        book = _book(user, params)
        counts.setdefault("items", 0)
        batch: list[Sequence[Any]] = []
        for payment in reports.ledger_rows(book).iterator(chunk_size=BATCH):
            batch.append(reports.ledger_row(payment))
            if len(batch) == BATCH:
                counts["items"] += len(batch)
                yield batch
                batch = []
        if batch:
            counts["items"] += len(batch)
            yield batch

    def summary(self, counts: dict[str, int]) -> str:
        return _("%(rows)d 笔") % {"rows": counts.get("rows", 0)}


class HouseholdTotalsExporter(Exporter):
    kind = HOUSEHOLD_TOTALS_KIND
    title = gettext_lazy("分户发放汇总")
    permission = FundsPermission.VIEW
    count_unit = gettext_lazy("户")

    def select(self, *, user: Any, data: QueryDict) -> Selection:
        return _select(user, data)

    def count(self, *, user: Any, params: dict[str, Any]) -> int:
        return len(reports.household_totals(_book(user, params)))

    def sheet(self, *, masked: bool) -> Sheet:
        return Sheet(
            headers=[_("职工编号"), _("姓名"), _("发放笔数"), _("发放金额合计")],
            text_columns=frozenset({_("职工编号")}),
            title_line=str(self.title),
        )

    def batches(
        self, *, user: Any, params: dict[str, Any], masked: bool, counts: dict[str, int]
    ) -> Iterator[list[Sequence[Any]]]:
        rows = reports.household_totals(_book(user, params))
        counts["items"] = len(rows)
        yield [[row.archive_no, row.name, row.count, row.total] for row in rows]

    def summary(self, counts: dict[str, int]) -> str:
        return _("%(rows)d 户") % {"rows": counts.get("rows", 0)}
