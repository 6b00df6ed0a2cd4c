"""The README's table of environment variables lists every variable the settings read."""

import re
from pathlib import Path

from django.conf import settings


def test_every_environment_variable_is_documented_in_the_readme():
    base = Path(settings.BASE_DIR)
    names = set()
    for path in (base / "config" / "settings").glob("*.py"):
        names |= set(
            re.findall(r'env(?:_bool|_int|_list)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text())
        )
    assert "DATABASE_URL" in names
    readme = (base / "README.md").read_text()
    assert sorted(n for n in names if f"`{n}`" not in readme) == []


def test_the_readme_quick_start_is_make_run_and_make_test():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert re.search(r"^make run$", readme, re.MULTILINE)
    assert re.search(r"^make test$", readme, re.MULTILINE)


def test_the_daily_commands_are_in_the_readme_cron_lines_in_both_languages():
    # Reads never write: an ended notice is only recorded by `end_notices`, run daily by cron.
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    cron = re.findall(r"^\d+ \d+ \* \* \*  cd /opt/bangfu && .+ manage\.py (\w+)", readme, re.M)
    assert cron.count("end_notices") == 2
