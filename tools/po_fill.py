"""Fill English translations into the catalog: `python tools/po_fill.py '中文=English' …`,
or with no arguments list the entries still untranslated or fuzzy. (A developer's helper for
merging branches; `make messages` compiles afterwards.)"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main(pairs: list[str]) -> int:
    catalog = polib.pofile(str(PO))
    wanted = dict(pair.split("=", 1) for pair in pairs)
    for entry in catalog:
        if entry.obsolete:
            continue
        if entry.msgid in wanted:
            text = wanted.pop(entry.msgid)
            if entry.msgid_plural:
                entry.msgstr_plural = {0: text, 1: text}
            else:
                entry.msgstr = text
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not pairs and (not entry.translated() or "fuzzy" in entry.flags):
            print(f"{entry.msgid!r} | {entry.msgstr!r}")
    catalog.save()
    for missing in wanted:
        print(f"not in the catalog: {missing!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
