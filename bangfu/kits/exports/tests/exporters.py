"""A small exporter for the kit's own tests (numbers, no context's data): `n` rows of a name,
an ID number (masked unless full), an amount and a date."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import QueryDict

from bangfu.core.masking import mask_id_number
from bangfu.kits.exports.registry import Exporter, Selection, Sheet, register

KIND = "tests.people"
BATCH = 4
ID_NUMBER = "43030219800101123X"


def id_number(index: int) -> str:
    return f"4303021980010{index:04d}X"[-18:]


class PeopleExporter(Exporter):
    kind = KIND
    title = "测试名单"
    permission = "archives.view"  # a liaison has it, without archives.reveal
    reveal_permission = "archives.reveal"
    full_fields = ("id_number",)
    count_unit = "人"

    def select(self, *, user: Any, data: QueryDict) -> Selection:
        n = int(data.get("n", "3"))
        return Selection(params={"n": n}, words=f"前 {n} 人", query=f"n={n}")

    def count(self, *, user: Any, params: dict[str, Any]) -> int:
        return int(params["n"])

    def sheet(self, *, masked: bool) -> Sheet:
        return Sheet(
            headers=["姓名", "身份证号", "金额", "日期"],
            text_columns=frozenset({"身份证号"}),
            title_line="测试名单" + ("(已打码)" if masked else ""),
        )

    def batches(
        self, *, user: Any, params: dict[str, Any], masked: bool, counts: dict[str, int]
    ) -> Iterator[list[Sequence[Any]]]:
        rows: list[Sequence[Any]] = []
        for index in range(int(params["n"])):
            number = id_number(index)
            rows.append(
                [
                    f"职工{index}" if index else "=张三",
                    mask_id_number(number) if masked else number,
                    Decimal("1234.50"),
                    date(2026, 12, 6),
                ]
            )
            counts["items"] = index + 1
            if len(rows) == BATCH:
                yield rows
                rows = []
        if rows:
            yield rows


register(PeopleExporter())
