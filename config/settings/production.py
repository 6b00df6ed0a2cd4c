"""Settings for production: PostgreSQL, gunicorn behind a proxy, a queue worker."""

import base64
import binascii
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BANGFU_AUDIT_CHECKPOINT_FILE,
    BANGFU_AUDIT_KEY,
    BANGFU_BLIND_INDEX_KEY,
    BANGFU_FIELD_KEYS,
    DATA_DIR,
    SECRET_KEY,
    SECRET_KEY_FALLBACKS,
    env_bool,
    env_int,
)
from .devkeys import DEV_AUDIT_KEYS, DEV_BLIND_INDEX_KEYS, DEV_FIELD_KEYS, DEV_SECRET_KEYS

# The development and test keys are in the repository for anyone to read: never in production.
for _variable, _values, _public in (
    ("DJANGO_SECRET_KEY", [SECRET_KEY], DEV_SECRET_KEYS),
    ("DJANGO_SECRET_KEY_FALLBACKS", SECRET_KEY_FALLBACKS, DEV_SECRET_KEYS),
    ("BANGFU_FIELD_KEYS", BANGFU_FIELD_KEYS, DEV_FIELD_KEYS),
    ("BANGFU_BLIND_INDEX_KEY", [BANGFU_BLIND_INDEX_KEY], DEV_BLIND_INDEX_KEYS),
    ("BANGFU_AUDIT_KEY", [BANGFU_AUDIT_KEY], DEV_AUDIT_KEYS + DEV_SECRET_KEYS),
):
    if any(value.strip() in _public for value in _values):
        raise ImproperlyConfigured(
            f"{_variable} 使用了代码库中公开的开发/测试密钥,生产环境不能使用:请生成新的随机密钥。"
            f" / {_variable} holds a development or test key published in the repository: "
            "generate a new random key for production."
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

if not BANGFU_AUDIT_CHECKPOINT_FILE:
    raise ImproperlyConfigured(
        "Set BANGFU_AUDIT_CHECKPOINT_FILE to a file outside the data directory, where the "
        "database role cannot reach (e.g. /var/log/bangfu-audit/checkpoints.jsonl, made "
        "append-only with chattr +a): without checkpoints, deleting the newest audit events "
        "cannot be detected."
    )
if Path(BANGFU_AUDIT_CHECKPOINT_FILE).resolve().is_relative_to(Path(DATA_DIR).resolve()):
    raise ImproperlyConfigured(
        "BANGFU_AUDIT_CHECKPOINT_FILE must lie outside BANGFU_DATA_DIR: the checkpoints are "
        "kept apart from the data they vouch for."
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
# Plain HTTP is redirected to HTTPS (the proxy marks HTTPS with X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
# HSTS on by default, a year, subdomains included. Preloading is left off: an intranet name
# cannot be on the browsers' preload list. Behind a proxy that adds the header itself, set
# BANGFU_PROXY_SETS_HSTS=1 so that it is not sent twice.
BANGFU_PROXY_SETS_HSTS = env_bool("BANGFU_PROXY_SETS_HSTS", False)
SECURE_HSTS_SECONDS = 0 if BANGFU_PROXY_SETS_HSTS else env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SILENCED_SYSTEM_CHECKS = [
    "security.W021",
    *(["security.W004"] if BANGFU_PROXY_SETS_HSTS else []),
]
