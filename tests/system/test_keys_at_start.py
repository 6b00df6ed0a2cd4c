"""Every way the system starts refuses a key that is not the installation's, and names it:
runserver, db_worker, gunicorn's WSGI module and any management command that runs checks.

Each case is a real process on a throw-away SQLite installation, migrated with the development
keys (which records their fingerprints), then started with one key swapped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.devkeys import DEV_FIELD_KEYS

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("installation")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BANGFU_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{data / 'bangfu.sqlite3'}",
        "BANGFU_DATA_DIR": str(data),
    }
    migrated = run(["manage.py", "migrate", "--noinput", "-v0"], env)
    assert migrated.returncode == 0, migrated.stderr
    return env


WRONG = {
    "BANGFU_BLIND_INDEX_KEY": ("wrong-blind-index-key-0123456789abc", "bangfu.E102"),
    "BANGFU_AUDIT_KEY": ("wrong-audit-key-0123456789abcdefghij", "bangfu.E103"),
    "BANGFU_FIELD_KEYS": ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "bangfu.E101"),
}


@pytest.mark.parametrize("variable", sorted(WRONG))
def test_a_command_refuses_a_wrong_key_and_names_it(installation, variable):
    value, check_id = WRONG[variable]

    result = run(["manage.py", "check"], {**installation, variable: value})

    assert result.returncode == 1
    assert f"({check_id}) {variable}" in result.stderr


@pytest.mark.parametrize(
    "start",
    [
        ["manage.py", "runserver", "--noreload", "127.0.0.1:8004"],
        ["manage.py", "db_worker", "--batch"],
        ["-c", "import config.wsgi"],
    ],
    ids=["runserver", "db_worker", "wsgi"],
)
def test_every_entry_point_refuses_a_wrong_key(installation, start):
    # when
    result = run(
        start, {**installation, "BANGFU_BLIND_INDEX_KEY": WRONG["BANGFU_BLIND_INDEX_KEY"][0]}
    )

    # then: it does not serve; the message says which key, in Chinese and English
    assert result.returncode != 0
    assert "(bangfu.E102) BANGFU_BLIND_INDEX_KEY 与本系统登记的密钥不符" in result.stderr
    assert "BANGFU_BLIND_INDEX_KEY is not the key this installation recorded" in result.stderr


def test_a_key_rotation_in_progress_keeps_starting(installation):
    # given: a new field key first, the installation's own after it
    own = DEV_FIELD_KEYS[0]
    env = {**installation, "BANGFU_FIELD_KEYS": f"{WRONG['BANGFU_FIELD_KEYS'][0]},{own}"}

    # when
    result = run(["-c", "import config.wsgi"], env)

    # then
    assert result.returncode == 0, result.stderr
