"""Encryption at rest and blind indexes for personal data (ID numbers, bank cards, diagnoses).

Values are encrypted with AES-256-GCM under the newest key of `BANGFU_FIELD_KEYS`; a stored
token names its key by a short fingerprint, so older keys listed after the newest still decrypt
and `reencrypt` can move a token to the newest key. Exact look-ups go through a blind index: an
HMAC under `BANGFU_BLIND_INDEX_KEY` of the normalised value, stored beside the ciphertext.

Neither plaintext nor keys are ever logged or put into an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.models.lookups import IsNull

TOKEN_VERSION = "v1"  # noqa: S105 - a format tag, not a secret
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_CHARS = 8


class DecryptionError(ValueError):
    """A stored token cannot be decrypted: unknown key, altered token, or not a token at all."""


@dataclass(frozen=True)
class _Key:
    key_id: str
    aead: AESGCM
    # The raw key, for its fingerprint (`core.keys`); never printed (repr=False).
    secret: bytes = field(repr=False, default=b"")


def key_id(key: bytes) -> str:
    """Return the short fingerprint that names `key` in tokens (not secret: a hash prefix)."""
    return hashlib.sha256(b"bangfu-field-key\x00" + key).hexdigest()[:KEY_ID_CHARS]


def _configured_keys() -> tuple[str, ...]:
    raw: Any = getattr(settings, "BANGFU_FIELD_KEYS", None) or ()
    items: Iterable[str] = [raw] if isinstance(raw, str) else raw
    # An entry may itself be a comma-separated list (an environment variable read as one value).
    return tuple(part.strip() for item in items for part in str(item).split(",") if part.strip())


@lru_cache(maxsize=8)
def _keyring(encoded_keys: tuple[str, ...]) -> tuple[_Key, ...]:
    if not encoded_keys:
        raise ImproperlyConfigured(
            "BANGFU_FIELD_KEYS is empty: set it to one or more comma-separated urlsafe-base64 "
            "32-byte keys, newest first, to store personal data encrypted. Generate a key with: "
            "python -c 'import base64, os; "
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
        )
    keys = []
    for position, encoded in enumerate(encoded_keys, start=1):
        try:
            key = base64.urlsafe_b64decode(encoded.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"BANGFU_FIELD_KEYS entry {position} is not a urlsafe-base64 encoded 32-byte key."
            )
        keys.append(_Key(key_id(key), AESGCM(key), key))
    ids = [k.key_id for k in keys]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured("BANGFU_FIELD_KEYS lists the same key twice.")
    return tuple(keys)


# The keyring in use, once read: reading the setting for each value (its lazy look-up, the
# split, the cache key) was a third of decrypting one (1.3 of 4.1 µs; an import's second check
# decrypts ~300,000 values). Forgotten when the setting changes (`setting_changed`: a test's
# `settings` fixture, `override_settings`).
_ring: tuple[_Key, ...] | None = None


def _keys() -> tuple[_Key, ...]:
    global _ring
    ring = _ring
    if ring is None:
        ring = _ring = _keyring(_configured_keys())
    return ring


def _forget_keys(*, setting: str, **_kwargs: Any) -> None:
    global _ring
    if setting == "BANGFU_FIELD_KEYS":
        _ring = None


setting_changed.connect(_forget_keys, dispatch_uid="bangfu.core.crypto.keys")


def field_keys() -> tuple[tuple[str, bytes], ...]:
    """Return (key id, raw key) of every key in BANGFU_FIELD_KEYS, newest first.

    Raise ImproperlyConfigured when the setting is empty or holds something that is not a key.
    For fingerprints and rotation only: never log or print the raw keys.
    """
    return tuple((key.key_id, key.secret) for key in _keys())


def newest_key_id() -> str:
    """Return the id of the key that `encrypt` uses (the first of BANGFU_FIELD_KEYS)."""
    return _keys()[0].key_id


def token_key_id(token: str) -> str | None:
    """Return the key id named in a token made by `encrypt`, or None for anything else."""
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != TOKEN_VERSION:
        return None
    return parts[1]


def _aad(kid: str) -> bytes:
    # Binding the version and key id means a token's header cannot be swapped for another's.
    return f"{TOKEN_VERSION}:{kid}".encode("ascii")


def _encrypt_with(key: _Key, plaintext: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode("utf-8"), _aad(key.key_id))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{TOKEN_VERSION}:{key.key_id}:{body}"


@overload
def encrypt(plaintext: str) -> str: ...
@overload
def encrypt(plaintext: None) -> None: ...
def encrypt(plaintext: str | None) -> str | None:
    """Return a token `v1:<key id>:<base64(nonce|ciphertext)>` for `plaintext` under the newest
    key; a new random nonce each time, so equal values give different tokens. "" and None are
    returned as they are (an empty value is not secret and stays searchable as empty)."""
    if plaintext is None or plaintext == "":
        return plaintext
    return _encrypt_with(_keys()[0], plaintext)


def _open(token: str) -> tuple[_Key, str]:
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != TOKEN_VERSION:
        raise DecryptionError(f"Not an encrypted value (expected a '{TOKEN_VERSION}:' token).")
    _version, kid, body = parts
    key = next((k for k in _keys() if k.key_id == kid), None)
    if key is None:
        raise DecryptionError(
            f"Cannot decrypt: no key with id '{kid}' in BANGFU_FIELD_KEYS. Add the key that "
            "encrypted this value back to the list (after the newest)."
        )
    try:
        blob = base64.b64decode(body.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise DecryptionError("Cannot decrypt: the token is not valid base64.") from None
    if len(blob) <= NONCE_BYTES:
        raise DecryptionError("Cannot decrypt: the token is truncated.")
    try:
        plain = key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(kid))
    except InvalidTag:
        raise DecryptionError(
            "Cannot decrypt: the token was altered or does not belong to this key."
        ) from None
    return key, plain.decode("utf-8")


@overload
def decrypt(token: str) -> str: ...
@overload
def decrypt(token: None) -> None: ...
def decrypt(token: str | None) -> str | None:
    """Return the plaintext of a token made by `encrypt` with any key in BANGFU_FIELD_KEYS.

    Raise DecryptionError when the key is unknown or the token was altered or malformed.
    """
    if token is None or token == "":
        return token
    return _open(token)[1]


@overload
def reencrypt(token: str) -> str: ...
@overload
def reencrypt(token: None) -> None: ...
def reencrypt(token: str | None) -> str | None:
    """Return `token` encrypted under the newest key. A token already under the newest key is
    checked and returned unchanged, so a rotation command can skip rows where nothing changed.

    Raise DecryptionError as `decrypt` does.
    """
    if token is None or token == "":
        return token
    key, plaintext = _open(token)
    newest = _keys()[0]
    if key.key_id == newest.key_id:
        return token
    return _encrypt_with(newest, plaintext)


# Files (attachments) are sealed the same way, as bytes: a magic header naming the format and the
# key, then nonce | ciphertext. The header is bound as associated data like a token's.
BYTES_MAGIC = b"BFE1"


def _bytes_aad(kid: str) -> bytes:
    return BYTES_MAGIC + b":" + kid.encode("ascii")


def encrypt_bytes(data: bytes) -> bytes:
    """Return `data` sealed with AES-256-GCM under the newest key of BANGFU_FIELD_KEYS:
    `BFE1` + key id (8 ASCII characters) + nonce (12 bytes) + ciphertext with its tag."""
    key = _keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, bytes(data), _bytes_aad(key.key_id))
    return BYTES_MAGIC + key.key_id.encode("ascii") + nonce + sealed


def sealed_key_id(blob: bytes) -> str | None:
    """Return the key id in the header of bytes sealed by `encrypt_bytes`, or None."""
    head = len(BYTES_MAGIC) + KEY_ID_CHARS
    if len(blob) < head or not blob.startswith(BYTES_MAGIC):
        return None
    try:
        return blob[len(BYTES_MAGIC) : head].decode("ascii")
    except UnicodeDecodeError:
        return None


def reencrypt_bytes(blob: bytes) -> bytes:
    """Return `blob` sealed under the newest key; unchanged when it already is (checked first).

    Raise DecryptionError as `decrypt_bytes` does.
    """
    plain = decrypt_bytes(blob)
    if sealed_key_id(blob) == _keys()[0].key_id:
        return blob
    return encrypt_bytes(plain)


def decrypt_bytes(blob: bytes) -> bytes:
    """Return the plaintext of bytes sealed by `encrypt_bytes` with any listed key.

    Raise DecryptionError when the header is not ours, the key is unknown, or the bytes were
    altered or truncated.
    """
    head = len(BYTES_MAGIC) + KEY_ID_CHARS
    if len(blob) < head + NONCE_BYTES + 16 or not blob.startswith(BYTES_MAGIC):
        raise DecryptionError("Not an encrypted file of ours (expected a 'BFE1' header).")
    try:
        kid = blob[len(BYTES_MAGIC) : head].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError("Cannot decrypt: the file header is garbled.") from None
    key = next((k for k in _keys() if k.key_id == kid), None)
    if key is None:
        raise DecryptionError(
            f"Cannot decrypt: no key with id '{kid}' in BANGFU_FIELD_KEYS. Add the key that "
            "encrypted this file back to the list (after the newest)."
        )
    nonce = blob[head : head + NONCE_BYTES]
    try:
        return key.aead.decrypt(nonce, blob[head + NONCE_BYTES :], _bytes_aad(kid))
    except InvalidTag:
        raise DecryptionError(
            "Cannot decrypt: the file was altered or does not belong to this key."
        ) from None


def blind_index(value: str, *, purpose: str) -> str:
    """Return the 64-hex-character HMAC-SHA256 of `purpose` NUL `value` under
    BANGFU_BLIND_INDEX_KEY, for exact look-up of an encrypted value.

    Normalise `value` first (for an ID number, the canonical 18 characters): the index matches
    only the identical string. `purpose` (e.g. "id_number") keeps indexes of different kinds of
    value apart, so equal strings in two roles do not reveal that they are equal.
    """
    key = getattr(settings, "BANGFU_BLIND_INDEX_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "BANGFU_BLIND_INDEX_KEY is empty: set it to a random value of at least 32 characters "
            "and never change it (every stored look-up index depends on it)."
        )
    if not purpose or "\x00" in purpose:
        raise ValueError("blind_index needs a purpose without NUL characters.")
    keyed = _keyed_hmac(str(key), purpose).copy()
    keyed.update(value.encode())
    return keyed.hexdigest()


@lru_cache(maxsize=16)
def _keyed_hmac(key: str, purpose: str) -> hmac.HMAC:
    """The HMAC of `purpose` NUL under `key`, copied for each value: keying an HMAC for each
    of an import's 100,000 ID numbers was half of making their indexes. By key and purpose,
    so a changed setting (a test's) is never answered with the old key."""
    return hmac.new(key.encode("utf-8"), f"{purpose}\x00".encode(), hashlib.sha256)


class EncryptedLookupError(FieldError):
    """An encrypted field was used in a query filter; only `isnull` can work on ciphertext."""


class EncryptedTextField(models.TextField):
    """A text column stored encrypted: the model attribute holds plaintext, the database a token.

    Filtering on it cannot work (every token differs), so every lookup but `isnull` raises
    EncryptedLookupError; store a `blind_index` beside it and search that.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            errors.append(
                checks.Error(
                    "EncryptedTextField cannot be unique, indexed or a primary key: every "
                    "token differs. Put the constraint on a blind-index field instead.",
                    obj=self,
                    id="bangfu.E001",
                )
            )
        return errors

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value)

    def to_python(self, value: Any) -> str | None:
        # Values from forms, fixtures and assignments are plaintext; only the database holds
        # tokens, and those go through from_db_value.
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if isinstance(value, str):
            return encrypt(value)
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != IsNull.lookup_name:
            self._refuse(lookup_name)
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        self._refuse(lookup_name)

    def _refuse(self, lookup_name: str) -> None:
        raise EncryptedLookupError(
            f"Cannot filter on encrypted field '{self.name}' with '{lookup_name}': the database "
            "holds only ciphertext. Search through the blind index instead (only isnull works)."
        )
