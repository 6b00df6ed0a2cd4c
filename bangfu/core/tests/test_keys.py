"""Wrong keys refuse to start, named; a rotation in progress keeps starting."""

from __future__ import annotations

import base64
import os
from io import StringIO
from typing import Any

import pytest
from django.core import checks
from django.core.management import call_command
from django.db import transaction

from bangfu.core.apps import _record_key_fingerprints
from bangfu.core.checks import KEYS_TAG, refuse_wrong_keys
from bangfu.core.crypto import key_id
from bangfu.core.keys import configured_keys, key_fingerprints_record
from bangfu.core.models import AuditEvent, KeyFingerprint

pytestmark = pytest.mark.django_db

NEW_FIELD_KEY = base64.urlsafe_b64encode(bytes(range(40, 72))).decode()
NEW_KEY_ID = key_id(bytes(range(40, 72)))


@pytest.fixture
def recorded(settings: Any) -> list[KeyFingerprint]:
    """The installation's keys as recorded at its first migrate, and the check switched on."""
    settings.BANGFU_CHECK_KEYS = True
    with transaction.atomic():
        return key_fingerprints_record()


def messages() -> list[tuple[str, str]]:
    return [(m.id or "", m.msg) for m in checks.run_checks(tags=[KEYS_TAG])]


def ids() -> list[str]:
    return [message_id for message_id, _msg in messages()]


def test_the_first_migrate_records_one_fingerprint_per_key_and_audits_it(settings):
    # given
    settings.BANGFU_CHECK_KEYS = True

    # when: the post_migrate handler, twice (every migrate sends it)
    _record_key_fingerprints(sender=None, using="default")  # type: ignore[arg-type]
    _record_key_fingerprints(sender=None, using="default")  # type: ignore[arg-type]

    # then
    rows = list(KeyFingerprint.objects.values_list("purpose", "key_id"))
    test_key_id = configured_keys()[0].key_id
    assert sorted(rows) == [("audit", ""), ("blind_index", ""), ("field", test_key_id)]
    (event,) = AuditEvent.objects.all()
    assert event.action == "core.key.record"
    assert event.changes["field"] == [test_key_id]


def test_the_fingerprints_do_not_hold_the_keys(recorded, settings):
    stored = " ".join(KeyFingerprint.objects.values_list("fingerprint", flat=True))
    for secret in (settings.BANGFU_BLIND_INDEX_KEY, settings.SECRET_KEY):
        assert secret not in stored
    assert settings.BANGFU_FIELD_KEYS[0] not in stored


def test_the_recorded_keys_pass(recorded):
    assert messages() == []
    refuse_wrong_keys()


def test_without_anything_recorded_the_check_passes(settings):
    settings.BANGFU_CHECK_KEYS = True
    settings.BANGFU_BLIND_INDEX_KEY = "another-blind-index-key-entirely"
    assert messages() == []


def test_a_wrong_field_key_is_refused_by_name(recorded, settings):
    # given
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY]
    recorded_id = next(r.key_id for r in recorded if r.purpose == "field")

    # when
    found = messages()

    # then
    assert [message_id for message_id, _msg in found] == ["bangfu.E101", "bangfu.W101"]
    assert found[0][1].startswith(
        f"BANGFU_FIELD_KEYS 缺少本系统登记的敏感字段加密密钥 {recorded_id}:"
    )
    assert f"/ BANGFU_FIELD_KEYS lacks the field key(s) {recorded_id} recorded" in found[0][1]
    with pytest.raises(Exception, match=r"\(bangfu.E101\) BANGFU_FIELD_KEYS"):
        refuse_wrong_keys()


def test_a_wrong_blind_index_key_is_refused_by_name(recorded, settings):
    settings.BANGFU_BLIND_INDEX_KEY = "another-blind-index-key-entirely"

    found = messages()

    assert [message_id for message_id, _msg in found] == ["bangfu.E102"]
    assert found[0][1].startswith("BANGFU_BLIND_INDEX_KEY 与本系统登记的密钥不符:")
    assert "/ BANGFU_BLIND_INDEX_KEY is not the key this installation recorded" in found[0][1]


def test_a_wrong_audit_key_is_refused_by_name(recorded, settings):
    settings.BANGFU_AUDIT_KEY = "an-audit-key-nobody-recorded-" * 2

    found = messages()

    assert [message_id for message_id, _msg in found] == ["bangfu.E103"]
    assert found[0][1].startswith("BANGFU_AUDIT_KEY 与本系统登记的密钥不符:")


def test_a_changed_secret_key_is_refused_when_the_audit_key_derives_from_it(recorded, settings):
    settings.SECRET_KEY = "another-secret-key-" * 3

    found = messages()

    assert [message_id for message_id, _msg in found] == ["bangfu.E103"]
    assert found[0][1].startswith(
        "BANGFU_AUDIT_KEY(未设置,由 DJANGO_SECRET_KEY 派生) 与本系统登记的密钥不符"
    )


def test_a_rotation_in_progress_starts_with_a_reminder(recorded, settings):
    # given: the new key first, the old one after it
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY, *settings.BANGFU_FIELD_KEYS]

    # when
    found = messages()

    # then: no error, a warning naming the new key and the command
    assert [message_id for message_id, _msg in found] == ["bangfu.W101"]
    assert f"最前面的新密钥 {NEW_KEY_ID} 尚未登记:请运行 manage.py rotate_keys" in found[0][1]
    refuse_wrong_keys()


def test_after_rotating_the_old_key_may_go_and_not_before(recorded, settings):
    # given: a rotation with nothing encrypted yet
    old = list(settings.BANGFU_FIELD_KEYS)
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY, *old]
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY]
    assert ids() == ["bangfu.E101", "bangfu.W101"]  # dropped before rotating: refused
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY, *old]

    # when
    call_command("rotate_keys", stdout=StringIO())
    settings.BANGFU_FIELD_KEYS = [NEW_FIELD_KEY]

    # then
    assert messages() == []
    assert KeyFingerprint.objects.get(key_id=NEW_KEY_ID).retired_at is None
    old_row = KeyFingerprint.objects.get(purpose="field", key_id=key_id(_raw(old[0])))
    assert old_row.retired_at is not None


def _raw(encoded: str) -> bytes:
    return base64.urlsafe_b64decode(encoded)


def test_a_malformed_field_key_is_refused(recorded, settings):
    settings.BANGFU_FIELD_KEYS = ["not-a-key"]
    assert ids() == ["bangfu.E100"]


def test_the_check_is_off_when_settings_say_so(recorded, settings):
    settings.BANGFU_CHECK_KEYS = False
    settings.BANGFU_BLIND_INDEX_KEY = "another-blind-index-key-entirely"
    assert messages() == []


def test_bootstrap_records_the_keys_and_writes_the_first_checkpoint(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    # given
    settings.BANGFU_AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bootstrap", centre="响水乡职工服务(帮扶)中心", stdout=StringIO())

    # then
    assert sorted(KeyFingerprint.objects.values_list("purpose", flat=True)) == [
        "audit",
        "blind_index",
        "field",
    ]
    event = AuditEvent.objects.get(action="accounts.installation.bootstrap")
    assert sorted(event.changes["keys"]) == ["audit", "blind_index", "field"]
    assert (tmp_path / "checkpoints.jsonl").read_text().count("\n") == 1
    assert os.stat(tmp_path / "checkpoints.jsonl").st_size > 0
