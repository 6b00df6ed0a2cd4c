"""The local image CAPTCHA's challenge, kept by nobody until it is answered.

Drawing a picture must not write: a public page's GET changes nothing (anyone could otherwise
fill a table by reloading it). So the challenge is not stored when it is drawn. The form gets a
signed key (`issue`): a random nonce with the time it was made, signed with SECRET_KEY. The
letters are worked out from the nonce with a keyed hash (`challenge`), so the picture (drawn
from the key) and the check (done on the POST) agree without a row. What must be remembered is
only that a key was answered, right or wrong, so that it cannot be tried again: the POST that
answers writes that (`accounts.captcha`). Keys expire after CAPTCHA_TIMEOUT minutes.

Shared by every public form: the online petition form, the log-in page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing

# Capital letters and digits without the pairs people confuse (0/O, 1/I/L, 2/Z, 5/S, 8/B).
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
_SALT = "bangfu.captcha"


def _length() -> int:
    return int(getattr(settings, "CAPTCHA_LENGTH", 4))


def max_age() -> int:
    """Return how long a key is good for, in seconds (CAPTCHA_TIMEOUT minutes)."""
    return 60 * int(getattr(settings, "CAPTCHA_TIMEOUT", 5))


def issue() -> str:
    """Return a new key: a random nonce, timestamped and signed (URL-safe)."""
    return signing.TimestampSigner(salt=_SALT).sign(secrets.token_urlsafe(12))


def nonce_of(key: str) -> str | None:
    """Return the key's nonce, or None when the key is forged, malformed or expired."""
    try:
        return signing.TimestampSigner(salt=_SALT).unsign(str(key), max_age=max_age())
    except (signing.BadSignature, ValueError):
        return None


def challenge(key: str) -> str | None:
    """Return the letters the key's picture shows (None for a bad or expired key)."""
    nonce = nonce_of(key)
    if nonce is None:
        return None
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{_SALT}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[: _length()])


def is_answer(key: str, answer: str) -> bool:
    """Return whether `answer` (any case, spaces around ignored) is the key's challenge."""
    expected = challenge(key)
    if expected is None:
        return False
    return hmac.compare_digest(expected.lower(), str(answer).strip().lower())


def fingerprint(key: str) -> str:
    """Return a 40-character digest naming the key where its use is recorded."""
    return hashlib.sha1(str(key).encode(), usedforsecurity=False).hexdigest()
