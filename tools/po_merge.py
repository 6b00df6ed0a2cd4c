"""Merge the English catalog after `git merge BRANCH`: take our catalog, collect the source
strings again (`make messages`), then fill every empty translation from ours or the branch's.
Usage: `python tools/po_merge.py BRANCH` during or after a merge; then `tools/po_fill.py` lists
what is still missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import polib

ROOT = Path(__file__).resolve().parents[1]
PO = "locale/en/LC_MESSAGES/django.po"


def _catalog(revision: str) -> dict[tuple[str | None, str], Any]:
    text = subprocess.run(
        ["git", "show", f"{revision}:{PO}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return {
        (e.msgctxt, e.msgid): dict(e.msgstr_plural) if e.msgid_plural else e.msgstr
        for e in polib.pofile(text)
        if e.translated()
    }


def main(branch: str) -> int:
    known = {**_catalog(branch), **_catalog("HEAD")}
    subprocess.run(["git", "checkout", "HEAD", "--", PO], cwd=ROOT, check=True)
    subprocess.run(["make", "messages"], cwd=ROOT, check=True, capture_output=True)
    catalog = polib.pofile(str(ROOT / PO))
    for entry in catalog:
        if entry.obsolete:
            continue
        if not entry.translated() or "fuzzy" in entry.flags:
            text = known.get((entry.msgctxt, entry.msgid))
            if isinstance(text, dict) and entry.msgid_plural:
                entry.msgstr_plural = text
            elif isinstance(text, str) and text:
                entry.msgstr = text
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
    catalog.save()
    subprocess.run(["make", "messages"], cwd=ROOT, check=True, capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
