"""Encryption of files at rest (`encrypt_bytes` / `decrypt_bytes`), as attachments use it."""

from __future__ import annotations

import base64

import pytest

from bangfu.core.crypto import DecryptionError, decrypt_bytes, encrypt_bytes, key_id

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(100, 132))
OLD = base64.urlsafe_b64encode(OLD_KEY).decode()
NEW = base64.urlsafe_b64encode(NEW_KEY).decode()


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", bytes(range(256)) * 4000])
def test_bytes_round_trip_and_never_hold_the_plaintext(data):
    # when
    sealed = encrypt_bytes(data)

    # then
    assert decrypt_bytes(sealed) == data
    assert sealed.startswith(b"BFE1")
    if len(data) > 8:
        assert data not in sealed
        assert data[:8] not in sealed


def test_the_same_bytes_seal_differently_each_time():
    assert encrypt_bytes(b"same file") != encrypt_bytes(b"same file")


def test_the_header_names_the_newest_key(settings):
    # given
    settings.BANGFU_FIELD_KEYS = [NEW, OLD]

    # when
    sealed = encrypt_bytes(b"x")

    # then
    assert sealed[4:12] == key_id(NEW_KEY).encode()


def test_bytes_sealed_under_an_old_key_open_while_it_is_listed(settings):
    # given
    settings.BANGFU_FIELD_KEYS = [OLD]
    sealed = encrypt_bytes(b"scan")

    # when
    settings.BANGFU_FIELD_KEYS = [NEW, OLD]

    # then
    assert decrypt_bytes(sealed) == b"scan"


def test_an_unknown_key_is_named_in_the_error(settings):
    # given
    settings.BANGFU_FIELD_KEYS = [OLD]
    sealed = encrypt_bytes(b"scan")
    settings.BANGFU_FIELD_KEYS = [NEW]

    # when / then
    with pytest.raises(DecryptionError, match=key_id(OLD_KEY)):
        decrypt_bytes(sealed)


def test_altered_truncated_or_foreign_bytes_are_refused():
    sealed = bytearray(encrypt_bytes(b"diagnosis"))
    altered = bytes(sealed[:-1]) + bytes([sealed[-1] ^ 1])
    swapped_header = b"BFE1" + b"00000000" + bytes(sealed[12:])

    for blob in (altered, bytes(sealed[:20]), b"%PDF-1.7 plain file", swapped_header):
        with pytest.raises(DecryptionError):
            decrypt_bytes(blob)
