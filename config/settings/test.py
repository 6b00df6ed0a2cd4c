"""Settings for the test suite: fast hashing, no manifest, jobs run by the test itself."""

from .base import *  # noqa: F403
from .base import DATA_DIR, env

SECRET_KEY = "bangfu-test-key-only-for-the-test-suite-0123456789"  # noqa: S105
BANGFU_FIELD_KEYS = ["dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMDEyMzQ="]
BANGFU_BLIND_INDEX_KEY = "bangfu-test-blind-index"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
TASKS = {
    "default": {"BACKEND": env("BANGFU_TEST_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}
}
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "test-media"
