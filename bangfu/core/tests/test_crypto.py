"""Encryption at rest, key rotation, blind indexes and the encrypted model field.

The database tests create a throw-away table, so they run on SQLite and on PostgreSQL:
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_h_crypto pytest <this file>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.test.utils import isolate_apps

from bangfu.core.crypto import (
    DecryptionError,
    EncryptedLookupError,
    EncryptedTextField,
    blind_index,
    decrypt,
    encrypt,
    key_id,
    reencrypt,
)

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(100, 132))
OLD = base64.urlsafe_b64encode(OLD_KEY).decode()
NEW = base64.urlsafe_b64encode(NEW_KEY).decode()
TABLE = "core_test_crypto_secret"


def tamper(token: str) -> str:
    version, kid, body = token.split(":")
    blob = bytearray(base64.urlsafe_b64decode(body))
    blob[-1] ^= 0x01
    return f"{version}:{kid}:{base64.urlsafe_b64encode(bytes(blob)).decode()}"


# --- encrypt / decrypt -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plaintext", ["甲", "430302199001011234", "张三 患尿毒症,需长期透析。", "病" * 5000]
)
def test_a_value_round_trips(plaintext):
    # when
    token = encrypt(plaintext)

    # then
    assert decrypt(token) == plaintext
    assert plaintext not in token


def test_the_token_names_the_version_and_the_key():
    # when
    version, kid, body = encrypt("张三").split(":")

    # then
    assert version == "v1"
    test_key = base64.urlsafe_b64decode("dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMDEyMzQ=")
    fingerprint = hashlib.sha256(b"bangfu-field-key\x00" + test_key).hexdigest()[:8]
    assert kid == key_id(test_key) == fingerprint
    # a 12-byte nonce, the UTF-8 text (6 bytes) and a 16-byte tag
    assert len(base64.urlsafe_b64decode(body)) == 12 + 6 + 16


def test_the_same_value_gives_a_different_token_each_time():
    # when
    tokens = {encrypt("430302199001011234") for _ in range(20)}

    # then
    assert len(tokens) == 20
    assert {decrypt(t) for t in tokens} == {"430302199001011234"}


def test_empty_and_none_are_not_encrypted():
    assert (encrypt(""), encrypt(None)) == ("", None)
    assert (decrypt(""), decrypt(None)) == ("", None)
    assert (reencrypt(""), reencrypt(None)) == ("", None)


def test_an_altered_token_is_refused():
    # given
    token = encrypt("430302199001011234")

    # then
    with pytest.raises(DecryptionError, match="altered"):
        decrypt(tamper(token))


def test_a_token_whose_key_id_was_swapped_is_refused(settings):
    # given: a token under the old key, relabelled as made by the new key
    settings.BANGFU_FIELD_KEYS = [OLD]
    old_token = encrypt("张三")
    relabelled = old_token.replace(key_id(OLD_KEY), key_id(NEW_KEY), 1)
    settings.BANGFU_FIELD_KEYS = [NEW, OLD]

    # then
    with pytest.raises(DecryptionError, match="altered"):
        decrypt(relabelled)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("张三", "Not an encrypted value"),
        ("v2:abcd1234:AAAA", "Not an encrypted value"),
        ("v1:abcd1234:AAAA", "no key with id 'abcd1234'"),
    ],
)
def test_something_that_is_not_a_token_of_ours_is_refused(token, message):
    with pytest.raises(DecryptionError, match=message):
        decrypt(token)


def test_a_truncated_or_garbled_body_is_refused():
    # given
    version, kid, _body = encrypt("张三").split(":")

    # then
    with pytest.raises(DecryptionError, match="truncated"):
        decrypt(f"{version}:{kid}:AAAA")
    with pytest.raises(DecryptionError, match="base64"):
        decrypt(f"{version}:{kid}:####")


# --- Keys and rotation -------------------------------------------------------------------------


def test_a_token_made_with_an_old_key_decrypts_while_that_key_is_listed_second(settings):
    # given
    settings.BANGFU_FIELD_KEYS = [OLD]
    token = encrypt("张三")

    # when
    settings.BANGFU_FIELD_KEYS = [NEW, OLD]

    # then
    assert decrypt(token) == "张三"
    assert encrypt("李四").split(":")[1] == key_id(NEW_KEY)


def test_reencrypt_moves_a_token_to_the_newest_key(settings):
    # given
    settings.BANGFU_FIELD_KEYS = [OLD]
    token = encrypt("张三")
    settings.BANGFU_FIELD_KEYS = [NEW, OLD]

    # when
    moved = reencrypt(token)

    # then
    assert token.split(":")[1] == key_id(OLD_KEY)
    assert moved.split(":")[1] == key_id(NEW_KEY)
    settings.BANGFU_FIELD_KEYS = [NEW]
    assert decrypt(moved) == "张三"
    with pytest.raises(DecryptionError, match=f"no key with id '{key_id(OLD_KEY)}'"):
        decrypt(token)


def test_reencrypt_leaves_a_token_under_the_newest_key_unchanged(settings):
    # given
    settings.BANGFU_FIELD_KEYS = [NEW, OLD]
    token = encrypt("张三")

    # then
    assert reencrypt(token) == token
    with pytest.raises(DecryptionError, match="altered"):
        reencrypt(tamper(token))


def test_keys_may_come_as_one_comma_separated_entry(settings):
    # given: an environment variable read as a single value
    settings.BANGFU_FIELD_KEYS = [f"{NEW}, {OLD}"]

    # when
    token = encrypt("张三")

    # then
    assert token.split(":")[1] == key_id(NEW_KEY)


@pytest.mark.parametrize("keys", [[], None, ""])
def test_missing_keys_are_reported_when_used(settings, keys):
    # given
    settings.BANGFU_FIELD_KEYS = keys

    # then
    with pytest.raises(ImproperlyConfigured, match="BANGFU_FIELD_KEYS is empty"):
        encrypt("张三")


@pytest.mark.parametrize("bad", ["c2hvcnQ=", "not base64 at all!", "密钥"])
def test_a_malformed_key_is_reported_without_showing_it(settings, bad):
    # given
    settings.BANGFU_FIELD_KEYS = [NEW, bad]

    # when
    with pytest.raises(ImproperlyConfigured) as caught:
        encrypt("张三")

    # then
    assert str(caught.value) == (
        "BANGFU_FIELD_KEYS entry 2 is not a urlsafe-base64 encoded 32-byte key."
    )
    assert bad not in str(caught.value)


def test_the_same_key_listed_twice_is_reported(settings):
    settings.BANGFU_FIELD_KEYS = [NEW, NEW]
    with pytest.raises(ImproperlyConfigured, match="same key twice"):
        encrypt("张三")


def test_nothing_is_logged_while_encrypting_and_decrypting(caplog):
    # when
    with caplog.at_level(logging.DEBUG):
        decrypt(encrypt("430302199001011234"))
        blind_index("430302199001011234", purpose="id_number")

    # then
    assert caplog.records == []


# --- Blind index -------------------------------------------------------------------------------


def test_the_blind_index_is_an_hmac_of_purpose_and_value():
    # when
    index = blind_index("11010519491231002X", purpose="id_number")

    # then
    expected = hmac.new(
        b"bangfu-test-blind-index", b"id_number\x0011010519491231002X", hashlib.sha256
    ).hexdigest()
    assert index == expected
    assert len(index) == 64
    assert blind_index("11010519491231002X", purpose="id_number") == index


def test_the_blind_index_follows_a_changed_key(settings):
    # given: an index made under the test key
    before = blind_index("11010519491231002X", purpose="id_number")

    # when: the key changes
    settings.BANGFU_BLIND_INDEX_KEY = "another-blind-index-key-of-32-characters"

    # then: the same value's index is the HMAC under the new key, for every purpose
    for purpose, value in (("id_number", "11010519491231002X"), ("mobile", "13800138000")):
        expected = hmac.new(
            b"another-blind-index-key-of-32-characters",
            f"{purpose}\x00{value}".encode(),
            hashlib.sha256,
        ).hexdigest()
        assert blind_index(value, purpose=purpose) == expected
    assert blind_index("11010519491231002X", purpose="id_number") != before


def test_different_purposes_and_values_give_different_indexes():
    # when
    indexes = {
        blind_index("11010519491231002X", purpose="id_number"),
        blind_index("11010519491231002X", purpose="bank_card"),
        blind_index("11010519491231002x", purpose="id_number"),
        blind_index("id_number\x0011010519491231002X", purpose="x"),
    }

    # then
    assert len(indexes) == 4


def test_the_blind_index_depends_on_the_key(settings):
    # given
    before = blind_index("张三", purpose="name")

    # when
    settings.BANGFU_BLIND_INDEX_KEY = "another-key"

    # then
    assert blind_index("张三", purpose="name") != before


def test_the_blind_index_needs_a_key_and_a_purpose(settings):
    with pytest.raises(ValueError, match="purpose"):
        blind_index("张三", purpose="")
    settings.BANGFU_BLIND_INDEX_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="BANGFU_BLIND_INDEX_KEY is empty"):
        blind_index("张三", purpose="name")


# --- The field without a database --------------------------------------------------------------


def test_the_field_encrypts_for_the_database_and_decrypts_from_it():
    # given
    field = EncryptedTextField(null=True)

    # when
    stored = field.get_prep_value("张三患病")

    # then
    assert stored.startswith("v1:")
    assert field.from_db_value(stored, None, connection) == "张三患病"
    assert field.to_python("张三患病") == "张三患病"
    assert (field.get_prep_value(None), field.from_db_value(None, None, connection)) == (None, None)
    assert (field.get_prep_value(""), field.from_db_value("", None, connection)) == ("", "")


def test_the_field_deconstructs_for_migrations():
    # when
    _name, path, args, kwargs = EncryptedTextField(null=True, blank=True).deconstruct()

    # then
    assert path == "bangfu.core.crypto.EncryptedTextField"
    assert (args, kwargs) == ([], {"null": True, "blank": True})


@isolate_apps("bangfu.core")
def test_the_field_cannot_be_unique_or_indexed():
    # given
    class Wrong(models.Model):  # noqa: DJ008
        unique = EncryptedTextField(unique=True)
        indexed = EncryptedTextField(db_index=True)
        fine = EncryptedTextField()

        class Meta:
            app_label = "core"

    # when
    problems = {
        field.name: [m.id for m in field.check()]
        for field in Wrong._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    }

    # then
    assert problems == {"unique": ["bangfu.E001"], "indexed": ["bangfu.E001"], "fine": []}


# --- The field on a real table -----------------------------------------------------------------


@pytest.fixture
def secret_model(transactional_db: None) -> Iterator[Any]:
    """A model with encrypted fields and its table, created for the test and dropped after.

    SQLite cannot change its schema inside the transaction that wraps an ordinary test, hence
    `transactional_db`.
    """
    with isolate_apps("bangfu.core"):

        class Secret(models.Model):  # noqa: DJ008
            label = models.CharField(max_length=20)
            note = EncryptedTextField(blank=True)
            diagnosis = EncryptedTextField(null=True, blank=True)

            class Meta:
                app_label = "core"
                db_table = TABLE

        with connection.schema_editor() as editor:
            editor.create_model(Secret)
        try:
            yield Secret
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Secret)


def raw_rows() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT label, note, diagnosis FROM {TABLE} ORDER BY label")
        return list(cursor.fetchall())


def test_the_table_holds_only_tokens_and_the_model_only_plaintext(secret_model):
    # when
    secret = secret_model.objects.create(label="a", note="430302199001011234", diagnosis="尿毒症")

    # then
    [(label, note, diagnosis)] = raw_rows()
    assert label == "a"
    assert note.startswith("v1:") and "430302199001011234" not in note
    assert diagnosis.startswith("v1:") and "尿毒症" not in diagnosis
    assert decrypt(note) == "430302199001011234"
    fresh = secret_model.objects.get(pk=secret.pk)
    assert (fresh.note, fresh.diagnosis) == ("430302199001011234", "尿毒症")


def test_empty_and_null_are_stored_as_they_are(secret_model):
    # when
    secret_model.objects.create(label="a", note="", diagnosis=None)

    # then
    assert raw_rows() == [("a", "", None)]
    assert list(secret_model.objects.values_list("note", "diagnosis")) == [("", None)]


def test_bulk_create_and_values_list(secret_model):
    # when
    secret_model.objects.bulk_create(
        [secret_model(label=f"p{n}", note=f"病历{n}", diagnosis=f"诊断{n}") for n in range(3)]
    )

    # then
    assert list(secret_model.objects.order_by("label").values_list("note", flat=True)) == [
        "病历0",
        "病历1",
        "病历2",
    ]
    assert list(secret_model.objects.order_by("label").values("label", "diagnosis")) == [
        {"label": "p0", "diagnosis": "诊断0"},
        {"label": "p1", "diagnosis": "诊断1"},
        {"label": "p2", "diagnosis": "诊断2"},
    ]
    assert all(note.startswith("v1:") for _label, note, _diagnosis in raw_rows())


def test_saving_a_changed_instance_and_queryset_update_encrypt(secret_model):
    # given
    secret = secret_model.objects.create(label="a", note="旧", diagnosis="旧诊断")

    # when
    secret.note = "新备注"
    secret.save(update_fields=["note"])
    secret_model.objects.filter(pk=secret.pk).update(diagnosis="新诊断")

    # then
    [(_label, note, diagnosis)] = raw_rows()
    assert (decrypt(note), decrypt(diagnosis)) == ("新备注", "新诊断")
    assert "新" not in note + diagnosis
    secret.refresh_from_db()
    assert (secret.note, secret.diagnosis) == ("新备注", "新诊断")


def test_only_isnull_can_filter_an_encrypted_field(secret_model):
    # given
    secret_model.objects.create(label="a", note="张三", diagnosis=None)
    secret_model.objects.create(label="b", note="李四", diagnosis="尿毒症")

    # then
    assert list(secret_model.objects.filter(diagnosis__isnull=True).values_list("label")) == [
        ("a",)
    ]
    for lookup, value in [
        ("note", "张三"),
        ("note__exact", "张三"),
        ("note__icontains", "张"),
        ("note__in", ["张三"]),
        ("note__lower", "张三"),
    ]:
        with pytest.raises(EncryptedLookupError, match="blind index"):
            secret_model.objects.filter(**{lookup: value})


def test_a_row_under_an_old_key_still_loads_after_rotation(secret_model, settings):
    # given
    settings.BANGFU_FIELD_KEYS = [OLD]
    secret = secret_model.objects.create(label="a", note="张三")

    # when
    settings.BANGFU_FIELD_KEYS = [NEW, OLD]

    # then
    assert secret_model.objects.get(pk=secret.pk).note == "张三"
