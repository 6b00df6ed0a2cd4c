"""Settings for production: PostgreSQL, gunicorn behind a proxy, a queue worker."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BANGFU_AUDIT_KEY, SECRET_KEY, env_bool, env_int

if not SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a random value of at least 40 characters.")

if len(BANGFU_AUDIT_KEY) < 32:
    raise ImproperlyConfigured(
        "Set BANGFU_AUDIT_KEY to a random value of at least 32 characters, kept outside the "
        "database and backed up with the other keys."
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
