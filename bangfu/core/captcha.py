"""The local image CAPTCHA's challenge (django-simple-captcha draws it on the server; no outside
service). Shared by every public form: the online petition form, the log-in page."""

from __future__ import annotations

import secrets

from django.conf import settings

# Capital letters and digits without the pairs people confuse (0/O, 1/I/L, 2/Z, 5/S, 8/B).
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def unambiguous_challenge() -> tuple[str, str]:
    """Return (what the image shows, the answer expected), drawn with `secrets`; the answer is
    compared without regard to case."""
    length = int(getattr(settings, "CAPTCHA_LENGTH", 4))
    text = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return text, text.lower()
