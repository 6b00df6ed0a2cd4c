"""The canonical JSON a hash covers: the fast writer for plain values (`canonical_json_plain`,
used by the audit's bulk COPY) gives exactly the text of `canonical_json`, or a stored event's
hash would not verify."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bangfu.core.audit import plain
from bangfu.core.chain import canonical_json, canonical_json_plain

# Text over the whole of Unicode but the surrogates (every control character, quote and
# backslash included), integers well past 64 bits: what `plain` can hand over.
_text = st.text(st.characters(codec="utf-8"), max_size=12)
_plain = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_plain)
def test_plain_values_give_the_same_text(value):
    assert canonical_json_plain(value) == canonical_json(value)


def test_every_character_is_written_as_the_standard_writer_writes_it():
    for start in range(0, sys.maxunicode + 1, 4096):
        chars = "".join(
            chr(cp) for cp in range(start, min(start + 4096, sys.maxunicode + 1))
            if not 0xD800 <= cp <= 0xDFFF
        )  # fmt: skip
        value = {chars: [chars, {"k": chars}]}
        assert canonical_json_plain(value) == canonical_json(value)


@pytest.mark.parametrize(
    "value",
    [
        {"n": 2**64},  # past orjson's integers
        {"n": -(2**63) - 1},
        {"s": "\ud800"},  # a lone surrogate
        {1: "a key that is not text"},
        {"nested": [{"deep": [2**100, "x"]}]},
    ],
)
def test_what_the_fast_writer_refuses_is_written_by_the_standard_one(value):
    assert canonical_json_plain(value) == canonical_json(value)


def test_what_neither_writes_is_refused_as_before():
    for value in ({"b": 1, 2: "mixed keys"}, {"d": object()}):
        with pytest.raises(TypeError):
            canonical_json(value)
        with pytest.raises(TypeError):
            canonical_json_plain(value)


def test_values_made_plain_round_trip_through_the_stored_json():
    """A stored event's changes are read back from JSON and hashed again by the verifier."""
    from datetime import date, datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    changes = plain(
        {
            "amount": [Decimal("1200.50"), Decimal("-0.00")],
            "born": [None, date(1970, 1, 2)],
            "at": datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
            "ratio": 0.1,
            "tags": {"b", "a"},
            "名字": '引号"与\\反斜杠\n换行\u2028',
        }
    )
    text = canonical_json_plain(changes)
    assert text == canonical_json(changes)
    assert canonical_json_plain(json.loads(text)) == text
