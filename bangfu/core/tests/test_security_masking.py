"""Masking numbers that a person typed into free text (file names, quoted spreadsheet cells)."""

from __future__ import annotations

import pytest

from bangfu.core.masking import mask_numbers_in_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证430302197506150011.png", "身份证430302********0011.png"),
        ("43030219750615001X", "430302********001X"),
        ("430302750615001", "430302*****5001"),
        ("“13912345678”不是可选的值", "“139****5678”不是可选的值"),
        ("6222020200112233445", "622202*********3445"),
        ("卡号 6222 0202 0011 2345 678", "卡号 622202*********5678"),
        ("１３９１２３４５６７８", "１３９****５６７８"),
        ("第 12 行:金额 1234.50,日期 20260301,4.30302E+17", None),
        ("", ""),
    ],
)
def test_long_numbers_in_text_are_masked_and_nothing_else(text, masked):
    assert mask_numbers_in_text(text) == (text if masked is None else masked)
