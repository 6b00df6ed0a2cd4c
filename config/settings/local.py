"""Settings for `make run`: a single township on the embedded SQLite default."""

from .base import *  # noqa: F403
from .base import DATA_DIR, env, env_bool, env_list
from .devkeys import DEV_BLIND_INDEX_KEYS, DEV_FIELD_KEYS, DEV_SECRET_KEYS

# Off by default even here: the demo is tried by people who are not developers, and a page
# that is not found or not allowed must be the Chinese page, never Django's debug page.
# Developers set DJANGO_DEBUG=1. WhiteNoise serves the static files straight from the
# sources, so no collectstatic is needed.
DEBUG = env_bool("DJANGO_DEBUG", False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Fixed development keys keep demo sessions and data valid across restarts; production refuses
# them (they are in the repository) and requires its own.
SECRET_KEY = env("DJANGO_SECRET_KEY", DEV_SECRET_KEYS[0])
BANGFU_FIELD_KEYS = env_list("BANGFU_FIELD_KEYS", DEV_FIELD_KEYS[0])
BANGFU_BLIND_INDEX_KEY = env("BANGFU_BLIND_INDEX_KEY", DEV_BLIND_INDEX_KEYS[0])
# Next to the demo's data; production puts it outside the data directory.
BANGFU_AUDIT_CHECKPOINT_FILE = env(
    "BANGFU_AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit-checkpoints.jsonl")
)
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
