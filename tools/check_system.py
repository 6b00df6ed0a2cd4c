#!/usr/bin/env python3
"""Say which system packages are missing, and how to install them, before anything runs.

`make test` runs this first (with the system's python3, before the virtual environment
exists) and stops when something the tests need is missing; `make run` runs it to warn about
what only some features need (PDF output). Only the standard library is used. The checks look
for what is used, not for package names, so they hold on any distribution; the command shown
is Debian's / Ubuntu's.

    python3 tools/check_system.py test   # exit 1 when a package the tests need is missing
    python3 tools/check_system.py run    # warn only
"""

from __future__ import annotations

import ctypes.util
import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    packages: tuple[str, ...]  # Debian / Ubuntu package names
    what: str  # what it is for, Chinese / English
    present: Callable[[], bool]
    for_run: bool  # also needed (warned about) for `make run`


def _chromium() -> bool:
    path = os.environ.get("BANGFU_CHROMIUM", "/usr/bin/chromium")
    return os.path.exists(path) or shutil.which(path) is not None


def _cjk_font() -> bool:
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=zh", "family"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        if "Noto Sans CJK" in out or "Noto Serif CJK" in out:
            return True
    return bool(glob.glob("/usr/share/fonts/**/NotoSansCJK*", recursive=True))


def _pango() -> bool:
    return all(ctypes.util.find_library(name) for name in ("pango-1.0", "pangoft2-1.0"))


NEEDS = (
    Need(
        ("libpango-1.0-0", "libpangoft2-1.0-0"),
        "生成 PDF(WeasyPrint)/ PDF output",
        _pango,
        True,
    ),
    Need(
        ("fonts-noto-cjk",),
        "PDF 中的中文字体(缺少时 PDF 里是空白方框)/ Chinese in PDFs",
        _cjk_font,
        True,
    ),
    Need(
        ("poppler-utils",),
        "检查 PDF 内嵌字体的测试(pdffonts)/ the PDF font test",
        lambda: shutil.which("pdffonts") is not None,
        False,
    ),
    Need(
        ("chromium",),
        "浏览器测试 / browser tests",
        _chromium,
        False,
    ),
)


def missing(purpose: str) -> list[Need]:
    return [need for need in NEEDS if (purpose == "test" or need.for_run) and not need.present()]


def report(purpose: str, gaps: list[Need]) -> str:
    packages = " ".join(p for need in gaps for p in need.packages)
    lines = [
        "缺少以下系统软件包 / missing system packages:",
        *(f"  - {' '.join(need.packages)}:{need.what}" for need in gaps),
        "",
        "安装 / install (Debian, Ubuntu):",
        f"  sudo apt-get update && sudo apt-get install -y {packages}",
    ]
    if purpose == "test":
        lines += [
            "",
            "装好后再运行 make test。确需跳过此检查:make test SYSTEM_CHECK=0"
            "(相关测试会失败或跳过)。",
            "Then run make test again. To skip this check: make test SYSTEM_CHECK=0"
            " (the tests that need them fail or skip).",
        ]
    else:
        lines += ["", "系统照常启动,只是上述功能不可用。/ Bangfu starts without these features."]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    purpose = argv[1] if len(argv) > 1 else "test"
    if purpose not in ("test", "run"):
        print("usage: check_system.py test|run", file=sys.stderr)
        return 2
    gaps = missing(purpose)
    if not gaps:
        return 0
    print(report(purpose, gaps), file=sys.stderr)
    return 1 if purpose == "test" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
