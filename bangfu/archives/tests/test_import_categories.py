"""The import determines the categories of the archives it files (acftu-2021), and an older
roster's 2012-era category is kept as recorded."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook

from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.services import importing
from bangfu.archives.tests.factories import make_area, make_standards
from bangfu.core.audit import verify_chain
from bangfu.core.models import AuditEvent

from . import roster_files as rf

pytestmark = pytest.mark.django_db


def _workbook(rows: list[dict[str, Any]]) -> bytes:
    header = [*rf.HEADER, "困难类别"]
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([row.get(title) for title in header])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _import(user: Any, content: bytes) -> ImportBatch:
    batch, table = importing.import_upload(user=user, content=content, source_name="a.xlsx")
    importing.import_check(user=user, batch=batch, table=table)
    importing.import_confirm(user=user, batch=batch)
    importing.import_write(user=user, batch=batch)
    batch.refresh_from_db()
    return batch


def test_import_determines_2021_categories_and_keeps_2012_ones(network, staff):
    # given: a standard of 650.00; 张三 alone on 9,600 a year less 3,000 medical spending
    # (550.00 a month: 深度困难), 李四 from an older roster recorded as 享受低保
    make_standards(make_area())
    p = rf.ids()
    rows = [
        rf.head(1, "张三", p["zhang"]),
        rf.head(2, "李四", p["zhao"], **{"困难类别": "享受低保"}),
    ]

    # when
    batch = _import(staff, _workbook(rows))

    # then
    assert batch.status == ImportBatch.Status.IMPORTED
    zhang = Household.objects.get(name="张三")
    assert (zhang.rule_version, zhang.category) == ("acftu-2021", "deep")
    assert zhang.determinations.get().reason == (
        "月人均净收入 550.00 元 ≤ 低保标准 650.00 元 → 深度困难"
    )
    li = Household.objects.get(name="李四")
    assert (li.rule_version, li.category) == ("acftu-2012", "dibao")
    assert not li.determinations.exists()
    events = AuditEvent.objects.filter(action="archives.household.determine")
    assert [e.object_id for e in events] == [str(zhang.pk)]
    assert verify_chain()[1] is None
