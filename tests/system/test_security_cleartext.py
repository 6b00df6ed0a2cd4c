"""No ID, mobile or bank-card number is stored in the clear outside its encrypted column.

A day's work on one archive (filing, edits, members, attachments, reveals, exports, an import
with mistakes, a notice, log-ins) is done with known values; afterwards every text column of
every table is read with a raw cursor and must not contain any of them in full.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from bangfu.archives.inputs import MemberInput
from bangfu.archives.models import Household, ImportBatch
from bangfu.archives.models import choices as c
from bangfu.archives.services import filing
from bangfu.archives.services.exporting import ROSTER_KIND, RosterExporter
from bangfu.archives.tests import roster_files as rf
from bangfu.archives.tests.factories import make_area, make_id_number, make_standards
from bangfu.archives.tests.filing_factories import bank_card, household_input, member_input
from bangfu.core.crypto import EncryptedTextField
from bangfu.kits.exports.models import Export
from bangfu.kits.exports.services import export_request
from bangfu.kits.exports.tests.pages import export_post

# Transactional: the background job runs in a real worker, which closes its connection.
pytestmark = pytest.mark.django_db(transaction=True)

HEAD_ID = make_id_number(date(1975, 6, 15), seq=301)
HEAD_ID_NEW = make_id_number(date(1975, 6, 15), seq=302)
MEMBER_ID = make_id_number(date(1977, 3, 2), sex="F", seq=303)
MEMBER_ID_NEW = make_id_number(date(1977, 3, 2), sex="F", seq=304)
CHILD_ID = make_id_number(date(2015, 3, 2), sex="F", seq=305)
MOBILE = "13912345678"
MOBILE_NEW = "13787654321"
CARD = bank_card("622202020011234567")
CARD_NEW = bank_card("622848001122334455")
# Written into the wrong columns of an uploaded roster (a shifted column is a common mistake).
STRAY_ID = make_id_number(date(1980, 1, 1), seq=306)
STRAY_MOBILE = "13566667777"
STRAY_CARD = bank_card("621700123456789012")
# A scanned ID copy named after its number, as people save them.
FILE_ID = make_id_number(date(1990, 2, 2), seq=307)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _encrypted_columns() -> set[tuple[str, str]]:
    from django.apps import apps

    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.add((model._meta.db_table, field.column))
    return found


def _cleartext(values: list[str]) -> list[tuple[str, str, str]]:
    """Return (table, column, value) for every stored text holding one of `values` in full."""
    encrypted = _encrypted_columns()
    hits: list[tuple[str, str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            for column in description:
                if (table, column.name) in encrypted:
                    continue
                quoted = connection.ops.quote_name(column.name)
                cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
                for (raw,) in cursor.fetchall():
                    if raw is None:
                        continue
                    if isinstance(raw, bytes | memoryview):
                        text = bytes(raw).decode("utf-8", "replace")
                    else:
                        text = str(raw)
                    hits.extend((table, column.name, v) for v in values if v in text)
    return hits


def _roster_with_stray_values() -> bytes:
    p = rf.ids()
    rows = [
        rf.head(1, "张三", p["zhang"], 月收入=STRAY_ID, 性别=STRAY_MOBILE, 出生日期=STRAY_CARD),
        rf.member(1, "妻子", "李梅", p["li_mei"], 性别="女", 医疗支出=STRAY_ID),
    ]
    return rf.workbook(rows)


def test_a_working_day_leaves_no_full_id_phone_or_card_outside_encrypted_columns(
    client, network, staff, leader, password, settings
):
    # given: an archive filed, edited, with members, attachments, reveals and exports
    area = make_area()
    make_standards(area)
    household = filing.household_create(
        actor=staff,
        data=household_input(
            network.station_a,
            area=area,
            id_number=HEAD_ID,
            mobile=MOBILE,
            bank_name="中国农业银行",
            bank_account_holder="张三",
            bank_card=CARD,
            members=[member_input(id_number=MEMBER_ID)],
        ),
    )
    data = household_input(
        network.station_a,
        area=area,
        id_number=HEAD_ID_NEW,
        mobile=MOBILE_NEW,
        bank_name="中国农业银行",
        bank_account_holder="张三",
        bank_card=CARD_NEW,
        wage_income=Decimal("9000.00"),
        members=[member_input(id_number=MEMBER_ID)],
    )
    household = filing.household_update(actor=staff, household=household, data=data)
    member = household.members.get()
    member = filing.member_update(
        actor=staff, member=member, data=member_input(id_number=MEMBER_ID_NEW)
    )
    child = filing.member_add(
        actor=staff,
        household=household,
        data=MemberInput(
            name="张小花",
            relation=c.Relation.DAUGHTER,
            id_number=CHILD_ID,
            identity=c.MemberIdentity.STUDENT,
            monthly_income=Decimal("0.00"),
        ),
    )
    filing.member_remove(actor=staff, member=child)

    client.force_login(staff)
    upload = client.post(
        reverse("archives:attachment_upload", args=[household.pk]),
        {
            "kind": "id_copy",
            "file": SimpleUploadedFile(f"身份证{FILE_ID}.png", PNG, "image/png"),
        },
    )
    assert upload.status_code == 302, upload.content.decode()[:2000]
    client.get(reverse("archives:household_detail", args=[household.pk]))
    client.get(reverse("archives:household_list"), {"q": HEAD_ID_NEW})
    reveal = client.post(
        reverse("archives:household_reveal", args=[household.pk]),
        {
            "shown": ["id_number", "mobile", "bank_card", "members.id_number"],
            "purpose": "核对材料",
        },
    )
    assert HEAD_ID_NEW in reveal.content.decode()
    # exports filtered by a full ID, masked and in full, inline and as a background job
    selection = RosterExporter().select(
        user=staff, data=QueryDict(urlencode({"q": HEAD_ID_NEW, "status": "all"}))
    )
    for masked in (True, False):
        export_request(
            user=staff,
            kind=ROSTER_KIND,
            params=selection.params,
            filters_text=selection.words,
            purpose="report",
            purpose_note="" if masked else "报送上级工会",
            masked=masked,
        )
    settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 0
    queued = export_request(
        user=staff,
        kind=ROSTER_KIND,
        params=selection.params,
        filters_text=selection.words,
        purpose="report",
        purpose_note="报送",
        masked=False,
    )
    assert queued.status == Export.Status.QUEUED
    assert queued.filters_text == "档案状态:全部状态;搜索:430302********6055"
    settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS = 500
    assert export_post(client, ROSTER_KIND, f"q={HEAD_ID_NEW}").status_code == 302

    # an upload with values in the wrong columns, checked in the background
    settings.BANGFU_IMPORT_INLINE_ROWS = 1
    batch_response = client.post(
        reverse("archives:import_upload"),
        {"file": SimpleUploadedFile("花名册.xlsx", _roster_with_stray_values())},
    )
    assert batch_response.status_code == 302
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
    assert ImportBatch.objects.get().status == ImportBatch.Status.INVALID

    # log-ins, one failed
    client.logout()
    client.post(reverse("accounts:login"), {"username": "leader", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "leader", "password": password})

    # when
    hits = _cleartext(
        [
            HEAD_ID,
            HEAD_ID_NEW,
            MEMBER_ID,
            MEMBER_ID_NEW,
            CHILD_ID,
            MOBILE,
            MOBILE_NEW,
            CARD,
            CARD_NEW,
            STRAY_ID,
            STRAY_MOBILE,
            STRAY_CARD,
            FILE_ID,
        ]
    )

    # then
    assert Household.objects.get().id_number == HEAD_ID_NEW
    assert sorted(set(hits)) == []
