"""Bangfu runs on an intranet: no template or static file may load anything from another host."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

# A reference that makes a browser fetch something: src/href/action attributes, CSS url() and
# @import, and absolute http(s) URLs of fetchable assets inside scripts.
_REFERENCE = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//[^\s"'>]+)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//[^)"']+)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?(?:https?:)?//[^\s"')]+)"""
    r"""|(?:["'`]https?://[^"'`\s]+\.(?:js|mjs|css|woff2?|ttf|otf|png|jpe?g|gif|svg|json)\b)""",
    re.IGNORECASE,
)
# XML namespaces are identifiers, not downloads.
_ALLOWED = ("http://www.w3.org/", "https://www.w3.org/")
_TEXT_SUFFIXES = {".html", ".htm", ".css", ".js", ".mjs", ".txt", ".svg", ".json", ".xml"}


def outside_references(text: str) -> list[str]:
    found = []
    for match in _REFERENCE.finditer(text):
        ref = match.group(0)
        if not any(allowed in ref for allowed in _ALLOWED):
            found.append(ref[:120])
    return found


def _template_files() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]  # type: ignore[attr-defined]
    dirs += sorted(Path(settings.BASE_DIR, "bangfu").glob("*/templates"))
    return [p for d in dirs for p in d.rglob("*") if p.is_file()]


def _static_files() -> list[Path]:
    files = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["*.map", "*.md", "LICENSE*"]):
            full = Path(storage.path(path))
            if full.suffix.lower() in _TEXT_SUFFIXES:
                files.append(full)
    return files


def test_the_detector_finds_outside_references():
    assert outside_references('<script src="https://cdn.example.com/x.js"></script>')
    assert outside_references("a { background: url(//fonts.example.com/f.woff2) }")
    assert outside_references('@import "https://fonts.googleapis.com/css";')
    assert outside_references('const s = "https://cdn.example.com/lib.min.js";')
    assert not outside_references('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert not outside_references('<script src="/static/vendor/htmx/htmx.min.js"></script>')


def test_no_template_references_an_outside_host():
    files = _template_files()
    assert len(files) >= 3
    problems = {str(f): refs for f in files if (refs := outside_references(f.read_text()))}
    assert problems == {}


def test_no_static_file_references_an_outside_host():
    files = _static_files()
    assert any(f.name == "bootstrap.min.css" for f in files)
    problems = {
        str(f): refs
        for f in files
        if (refs := outside_references(f.read_text(encoding="utf-8", errors="replace")))
    }
    assert problems == {}
