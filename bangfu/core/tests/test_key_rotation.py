"""`manage.py rotate_keys`: every encrypted column, sealed blob and file moves to the newest key,
in audited batches, resumable after an interruption; `--report` says what is left."""

from __future__ import annotations

import base64
from io import StringIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from bangfu.archives.models import Attachment, Household, HouseholdMember, ImportBatch
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core import crypto, keys
from bangfu.core.audit import verify_chain
from bangfu.core.models import AuditEvent, KeyFingerprint
from bangfu.kits.imports.models import ImportChunk

NEW_FIELD_KEY = base64.urlsafe_b64encode(bytes(range(40, 72))).decode()
NEW_ID = crypto.key_id(bytes(range(40, 72)))


@pytest.fixture
def old_id(settings: Any) -> str:
    return crypto.key_id(base64.urlsafe_b64decode(settings.BANGFU_FIELD_KEYS[0]))


def raw_tokens(model: Any, column: str) -> list[str]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def key_ids(model: Any, column: str) -> list[str | None]:
    return [crypto.token_key_id(t) if t else None for t in raw_tokens(model, column)]


def archive_data(network: Any, staff: Any, tmp_path: Any, count: int = 5) -> dict[str, Any]:
    """Households with members, an attachment file and an import batch, under the old key."""
    households = [
        make_household(
            network.station_a,
            filed_by=staff,
            id_number=make_id_number(seq=300 + n),
            mobile=f"1380000{n:04d}",
            bank_card=f"62220000{n:08d}",
        )
        for n in range(count)
    ]
    for n, household in enumerate(households):
        make_member(household, id_number=make_id_number(seq=400 + n))
    name = default_storage.save("archives/t/scan.bin", ContentFile(crypto.encrypt_bytes(b"PNG!")))
    attachment = Attachment.objects.create(
        household=households[0],
        kind=Attachment.Kind.ID_COPY,
        file=name,
        original_name="scan.png",
        content_type="image/png",
        size=4,
        sha256="0" * 64,
        uploaded_by=staff,
    )
    batch = ImportBatch.objects.create(
        kind="archives.roster", created_by=staff, source_name="roster.xlsx", sha256="1" * 64, size=5
    )
    ImportChunk.objects.create(batch=batch, seq=0, data=crypto.encrypt_bytes(b"XLSX!"))
    return {"households": households, "attachment": attachment, "batch": batch}


def plain_values() -> list[tuple[str, str, str]]:
    return list(
        Household.objects.order_by("id").values_list("id_number", "mobile", "bank_card")
    ) + list(HouseholdMember.objects.order_by("id").values_list("id_number", "name", "name"))


def report() -> dict[str, dict[str, int]]:
    return {loc.label: loc.counts for loc in keys.rotation_report() if loc.counts}


@pytest.mark.django_db
def test_rotation_moves_every_encrypted_value_and_file_to_the_new_key(
    network, staff, settings, tmp_path, old_id
):
    # given
    settings.MEDIA_ROOT = str(tmp_path)
    data = archive_data(network, staff, tmp_path)
    before = plain_values()
    keys.key_fingerprints_record()  # as the installation's first migrate did
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY, *settings.BANGFU_FIELD_KEYS]
    out = StringIO()

    # when
    call_command("rotate_keys", batch_size=2, stdout=out)

    # then: the same plaintext, every token and blob under the new key
    assert plain_values() == before
    assert set(key_ids(Household, "id_number")) == {NEW_ID}
    assert set(key_ids(Household, "mobile")) == {NEW_ID}
    assert set(key_ids(HouseholdMember, "id_number")) == {NEW_ID}
    attachment, batch = data["attachment"], data["batch"]
    sealed = (tmp_path / attachment.file.name).read_bytes()
    assert crypto.sealed_key_id(sealed) == NEW_ID
    assert crypto.decrypt_bytes(sealed) == b"PNG!"
    chunk = ImportChunk.objects.get(batch=batch)
    assert crypto.sealed_key_id(bytes(chunk.data)) == NEW_ID
    assert crypto.decrypt_bytes(bytes(chunk.data)) == b"XLSX!"
    # and: the report says nothing is left, the old key is retired, the batches are audited
    assert report() == {
        "archives_attachment.file": {NEW_ID: 1},
        "archives_household.bank_card": {NEW_ID: 5},
        "archives_household.id_number": {NEW_ID: 5},
        "archives_household.mobile": {NEW_ID: 5},
        "archives_householdmember.id_number": {NEW_ID: 5},
        "imports_importchunk.data": {NEW_ID: 1},
    }
    text = out.getvalue()
    assert f"共重新加密 22 个值或文件到密钥 {NEW_ID}。" in text
    assert "  archives_household.id_number:4/5" in text
    assert f"旧密钥 {old_id} 下已无数据,已停用:可以从 BANGFU_FIELD_KEYS 中移除。" in text
    retired = KeyFingerprint.objects.get(purpose="field", key_id=old_id)
    assert retired.retired_at is not None
    assert KeyFingerprint.objects.get(purpose="field", key_id=NEW_ID).retired_at is None
    assert AuditEvent.objects.filter(action="core.key.retire").count() == 1
    rotations = AuditEvent.objects.filter(action="core.key.rotate")
    assert rotations.count() == 3 + 3 + 3 + 3 + 1 + 1
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_the_report_lists_what_remains_under_each_key_per_table(
    network, staff, settings, tmp_path, old_id
):
    # given
    settings.MEDIA_ROOT = str(tmp_path)
    archive_data(network, staff, tmp_path, count=2)
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY, *settings.BANGFU_FIELD_KEYS]
    make_household(network.station_b, filed_by=staff, id_number=make_id_number(seq=499))
    events = AuditEvent.objects.count()
    out = StringIO()

    # when
    call_command("rotate_keys", report=True, stdout=out)

    # then
    text = out.getvalue()
    assert f"最新密钥:{NEW_ID}" in text
    counts = sorted([(NEW_ID, f"{NEW_ID}(最新) 1"), (old_id, f"{old_id} 2")])
    assert (
        f"  archives_household.id_number:{','.join(c for _k, c in counts)};仍在旧密钥下 2" in text
    )
    assert f"  archives_attachment.file:{old_id} 1;仍在旧密钥下 1" in text
    assert "仍在旧密钥下:共 10 个。" in text
    assert AuditEvent.objects.count() == events  # a report changes nothing


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_rotation_keeps_its_finished_batches_and_the_next_run_completes(
    network, staff, settings, tmp_path, monkeypatch
):
    # given
    settings.MEDIA_ROOT = str(tmp_path)
    archive_data(network, staff, tmp_path, count=5)
    before = plain_values()
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY, *settings.BANGFU_FIELD_KEYS]
    real = crypto.reencrypt
    calls = {"n": 0}

    def dies_on_the_fourth(token: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # the operator's Ctrl+C, or a kill, half-way through a batch
        return real(token)

    monkeypatch.setattr(crypto, "reencrypt", dies_on_the_fourth)

    # when: the first run dies in the second batch of the first column
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_keys", batch_size=2, stdout=StringIO())

    # then: the files (first in order) and the first batch of bank cards are done, the second
    # batch rolled back, nothing after it touched
    labels = [loc.label for loc in keys.encrypted_locations()]
    assert labels[:2] == ["archives_attachment.file", "archives_household.bank_card"]
    assert key_ids(Household, "bank_card").count(NEW_ID) == 2
    assert set(key_ids(Household, "id_number")) == {crypto.key_id(_old_key(settings))}
    assert AuditEvent.objects.filter(action="core.key.rotate").count() == 2
    assert plain_values() == before

    # when: it runs again
    monkeypatch.setattr(crypto, "reencrypt", real)
    out = StringIO()
    call_command("rotate_keys", batch_size=2, stdout=out)

    # then: it carries on with what was left and finishes
    assert "  archives_household.bank_card:3/3" in out.getvalue()
    assert set(key_ids(Household, "bank_card")) == {NEW_ID}
    assert plain_values() == before
    assert all(loc.remaining(NEW_ID) == 0 for loc in keys.rotation_report())
    assert verify_chain()[1] is None


def _old_key(settings: Any) -> bytes:
    return base64.urlsafe_b64decode(settings.BANGFU_FIELD_KEYS[1])


@pytest.mark.django_db
def test_a_value_changed_meanwhile_is_not_overwritten(network, staff, settings, monkeypatch):
    # given: a household's mobile is edited between the read and the write of a batch
    household = make_household(network.station_a, filed_by=staff, mobile="13800000001")
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY, *settings.BANGFU_FIELD_KEYS]
    real = crypto.reencrypt

    def edit_meanwhile(token: Any) -> Any:
        Household.objects.filter(pk=household.pk).update(mobile="13900000002")
        return real(token)

    monkeypatch.setattr(crypto, "reencrypt", edit_meanwhile)
    location = next(loc for loc in keys.encrypted_locations() if loc.label.endswith(".mobile"))

    # when
    keys.rotate_location(location)

    # then: the edit stands
    household.refresh_from_db()
    assert household.mobile == "13900000002"
