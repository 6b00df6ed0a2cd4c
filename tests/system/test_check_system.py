"""`make test` on a machine without the Debian packages says which are missing and how to install
them before running anything (tools/check_system.py, run by the Makefile before `install`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("check_system", ROOT / "tools/check_system.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_system"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def check() -> Iterator[Any]:
    module = _module()
    yield module
    sys.modules.pop("check_system", None)


def _without(check: Any, monkeypatch: pytest.MonkeyPatch, *packages: str) -> None:
    needs = tuple(
        check.Need(n.packages, n.what, (lambda: False), n.for_run)
        if set(n.packages) & set(packages)
        else check.Need(n.packages, n.what, (lambda: True), n.for_run)
        for n in check.NEEDS
    )
    monkeypatch.setattr(check, "NEEDS", needs)


def test_nothing_missing_says_nothing(check: Any, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    _without(check, monkeypatch)

    assert check.main(["check_system.py", "test"]) == 0
    assert capsys.readouterr().err == ""


def test_missing_packages_stop_the_tests_with_the_command_to_install_them(
    check: Any, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _without(check, monkeypatch, "chromium", "fonts-noto-cjk", "poppler-utils", "libpango-1.0-0")

    code = check.main(["check_system.py", "test"])

    err = capsys.readouterr().err
    assert code == 1
    assert "  - chromium:浏览器测试 / browser tests" in err
    assert "  - fonts-noto-cjk:PDF 中的中文字体" in err
    assert "  - poppler-utils:检查 PDF 内嵌字体的测试" in err
    assert (
        "sudo apt-get update && sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 "
        "fonts-noto-cjk poppler-utils chromium"
    ) in err
    assert "make test SYSTEM_CHECK=0" in err


def test_make_run_only_warns_and_only_about_what_running_needs(
    check: Any, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _without(check, monkeypatch, "chromium", "fonts-noto-cjk")

    code = check.main(["check_system.py", "run"])

    err = capsys.readouterr().err
    assert code == 0
    assert "fonts-noto-cjk" in err
    assert "chromium" not in err


def test_the_makefile_checks_before_installing_or_testing() -> None:
    makefile = (ROOT / "Makefile").read_text()

    assert "\ntest: check-system install\n" in makefile
    assert "tools/check_system.py test" in makefile
    assert "tools/check_system.py run" in makefile


def test_the_script_runs_with_the_standard_library_alone() -> None:
    # The system's python3 runs it before the virtual environment exists: -S -I keeps out
    # site-packages and the environment.
    result = subprocess.run(
        [sys.executable, "-S", "-I", str(ROOT / "tools/check_system.py"), "run"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
