"""Settings for `make run`: a single township on the embedded SQLite default."""

from .base import *  # noqa: F403
from .base import DATA_DIR, env, env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", True)
# A fixed development key keeps demo sessions valid across restarts; production requires its own.
SECRET_KEY = env("DJANGO_SECRET_KEY", "bangfu-local-development-key-not-for-production-use")
BANGFU_FIELD_KEYS = env_list("BANGFU_FIELD_KEYS", "bGmUHk3VVa3Yp9QhXf2rWkq8pFJ0l3bQ0Zt6n3T5mYc=")
BANGFU_BLIND_INDEX_KEY = env("BANGFU_BLIND_INDEX_KEY", "bangfu-local-blind-index-key")
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
