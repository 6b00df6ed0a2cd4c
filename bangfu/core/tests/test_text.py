"""Text helpers: width, stray spaces and invisible characters, names in pinyin."""

from __future__ import annotations

import pytest

from bangfu.core.text import clean_text, name_initials, name_pinyin, to_halfwidth


def test_to_halfwidth_converts_fullwidth_ascii_and_the_ideographic_space():
    assert to_halfwidth("４３０３０２１９８００１０１１２３Ｘ") == "43030219800101123X"
    assert to_halfwidth("ＡＢｃ！＠（１）\u3000，：") == "ABc!@(1) ,:"


def test_to_halfwidth_keeps_chinese_and_halfwidth_text():
    assert to_halfwidth("张三 abc 123。、") == "张三 abc 123。、"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  张三  ", "张三"),
        ("\u3000张\u3000\u3000三\t\n", "张 三"),
        ("张\u200b三\ufeff", "张三"),
        ("响水乡   困难职工\n花名册", "响水乡 困难职工 花名册"),
        ("\u00a0１３８ ００１３ ８０００\u00a0", "138 0013 8000"),
        (12, "12"),
    ],
)
def test_clean_text(value, expected):
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("name", "initials", "pinyin"),
    [
        ("张三", "zs", "zhangsan"),
        ("欧阳娜娜", "oynn", "ouyangnana"),
        ("诸葛亮", "zgl", "zhugeliang"),
        ("尉迟敬德", "ycjd", "yuchijingde"),
        ("长孙无忌", "zswj", "zhangsunwuji"),
        # polyphonic surnames read as surnames, not by the character's usual reading
        ("单田芳", "stf", "shantianfang"),
        ("曾国藩", "zgf", "zengguofan"),
        ("区志强", "ozq", "ouzhiqiang"),
        ("仇英", "qy", "qiuying"),
        ("解缙", "xj", "xiejin"),
        ("查良镛", "zly", "zhaliangyong"),
        ("朴树", "ps", "piaoshu"),
        # the same character elsewhere in a name keeps its usual reading
        ("王单", "wd", "wangdan"),
        ("吕布", "lb", "lvbu"),
        ("阿依古丽·买买提", "ayglmmt", "ayigulimaimaiti"),
        ("　张　三 ", "zs", "zhangsan"),
        ("李A", "la", "lia"),
        ("", "", ""),
    ],
)
def test_name_initials_and_pinyin(name, initials, pinyin):
    assert (name_initials(name), name_pinyin(name)) == (initials, pinyin)
