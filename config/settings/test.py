"""Settings for the test suite: fast hashing, no manifest, jobs run by the test itself."""

from .base import *  # noqa: F403
from .base import DATA_DIR, env
from .devkeys import DEV_BLIND_INDEX_KEYS, DEV_FIELD_KEYS, DEV_SECRET_KEYS

SECRET_KEY = DEV_SECRET_KEYS[1]
BANGFU_FIELD_KEYS = [DEV_FIELD_KEYS[1]]
BANGFU_BLIND_INDEX_KEY = DEV_BLIND_INDEX_KEYS[1]
# One chain, so that events are numbered 1, 2, 3… in every test; the tests of several chains
# set it themselves. No checkpoint file and no key check unless a test asks for them.
BANGFU_AUDIT_CHAINS = 1
BANGFU_AUDIT_CHECKPOINT_FILE = ""
BANGFU_CHECK_KEYS = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
TASKS = {
    "default": {"BACKEND": env("BANGFU_TEST_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}
}
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "test-media"
