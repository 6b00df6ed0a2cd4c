"""The English catalog is complete: every Chinese source string has an English translation.

`make messages` (run by CI before the tests) adds new source strings to the catalog with an
empty translation, which this test then reports.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_source_string_has_an_english_translation():
    catalog = polib.pofile(str(PO))
    missing = [e.msgid for e in catalog if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalog if "fuzzy" in e.flags]
    assert len(catalog) > 100
    assert (missing, fuzzy) == ([], [])


def test_the_compiled_catalog_matches_the_source():
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(PO)) if e.translated()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(PO.with_suffix(".mo")))}
    assert {k: v for k, v in source.items() if compiled.get(k) != v} == {}


def test_english_is_served_from_the_catalog():
    with translation.override("en"):
        assert translation.gettext("工作台") == "Worklist"
    with translation.override("zh-hans"):
        assert translation.gettext("工作台") == "工作台"
