"""An outside roster for the mapping tests: the clean roster as another township keeps it —
a 序号 column, other headers (家庭角色, 身体状况, 帮扶站点) and its own words (身体好)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook

from . import roster_files as rf

RENAMED = {"与户主关系": "家庭角色", "健康状况": "身体状况", "所属帮扶站": "帮扶站点"}
WORDS = {"健康状况": {"健康": "身体好"}}


def outside_roster(rows: list[dict[str, Any]] | None = None) -> bytes:
    rows = rf.clean_rows() if rows is None else rows
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名单"
    ws.append(["序号", *[RENAMED.get(title, title) for title in rf.HEADER]])
    for n, row in enumerate(rows, start=1):
        cells = []
        for title in rf.HEADER:
            value = row.get(title)
            words = WORDS.get(title, {})
            cells.append(words.get(value, value) if isinstance(value, str) else value)
        ws.append([n, *cells])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def healthy_rows() -> int:
    return sum(1 for row in rf.clean_rows() if row.get("健康状况") == "健康")


def offered_mapping(page: Any, **extra: str) -> dict[str, str]:
    """The mapping page's form as it is offered (each column's matched field, no value chosen)."""
    data = {f"col-{letter}": key for letter, _title, key, _samples in page.context["columns"]}
    data["values"] = str(len(page.context["unmatched"]))
    for n, value, _chosen in page.context["unmatched"]:
        data[f"valkey-{n}"] = value.key
        data[f"valcmp-{n}"] = value.compared
    data.update(extra)
    return data


def through_mapping(client: Any, response: Any) -> Any:
    """Follow an upload to its result page, accepting the mapping page as offered."""
    if "/mapping/" in response.url:
        page = client.get(response.url)
        response = client.post(response.url, offered_mapping(page, action="check"))
    return response
