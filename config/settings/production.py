"""Settings for production: PostgreSQL, gunicorn behind a proxy, a queue worker."""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BANGFU_AUDIT_KEY,
    BANGFU_BLIND_INDEX_KEY,
    BANGFU_FIELD_KEYS,
    SECRET_KEY,
    env_bool,
    env_int,
)

if not SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a random value of at least 40 characters.")

if len(BANGFU_AUDIT_KEY) < 32:
    raise ImproperlyConfigured(
        "Set BANGFU_AUDIT_KEY to a random value of at least 32 characters, kept outside the "
        "database and backed up with the other keys."
    )


def _is_field_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode("ascii"))) == 32
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return False


if not BANGFU_FIELD_KEYS or not all(_is_field_key(key) for key in BANGFU_FIELD_KEYS):
    raise ImproperlyConfigured(
        "Set BANGFU_FIELD_KEYS to one or more comma-separated urlsafe-base64 32-byte keys, newest "
        "first, kept outside the database and backed up (data encrypted under a lost key is lost)."
        " Generate one with: python -c 'import base64, os; "
        "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
    )

if len(BANGFU_BLIND_INDEX_KEY) < 32:
    raise ImproperlyConfigured(
        "Set BANGFU_BLIND_INDEX_KEY to a random value of at least 32 characters, backed up with "
        "the other keys and never changed: every stored look-up index depends on it."
    )

DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
