"""Settings for the benchmarks: production behaviour (DEBUG off, the real password hasher,
persistent connections) on the bench database, with fixed keys that protect nothing real, and
Django's admin added so that its change list can be timed beside the archive list.

Used by `bench/generate.py`, `bench/archives_scale.py` and the gunicorn run
(`DJANGO_SETTINGS_MODULE=bench.settings`). Never point it at a real database.
"""

import dj_database_url

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR, INSTALLED_APPS, env, env_int

DEBUG = False
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
BANGFU_FIELD_KEYS = ["YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMDE="]
BANGFU_BLIND_INDEX_KEY = "bench-only-blind-index-key-0123456789abcdef"
BANGFU_AUDIT_KEY = "bench-only-audit-key-0123456789abcdefghijkl"
ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bangfu_bench"),
        # Persistent connections, as a production server should have them.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 300),
    )
}
INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]
ROOT_URLCONF = "bench.urls"
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
