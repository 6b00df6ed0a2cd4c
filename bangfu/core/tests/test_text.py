"""Text helpers: width, stray spaces and invisible characters, names in pinyin."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


_CLEANED_CHARACTERS = [chr(code) for code in range(0xFF01, 0xFF5F)] + list(
    "\u3000\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
)


@given(
    st.lists(
        st.one_of(
            st.sampled_from(_CLEANED_CHARACTERS),
            st.sampled_from(list("张三丰湖南 \t\n\xa0ab1-:")),
            st.characters(),
        ),
        max_size=30,
    ).map("".join)
)
def test_clean_text_is_the_translated_text_with_its_spaces_collapsed(text):
    # The reference: every character of the table translated, whitespace runs made one space.
    from bangfu.core.text import _CLEAN_TABLE

    assert clean_text(text) == " ".join(text.translate(_CLEAN_TABLE).split())


def test_clean_text_of_other_values_is_their_text_cleaned():
    class Name(str):
        pass

    assert clean_text(Name("\u3000张三\u200b ")) == "张三"
    assert clean_text(12.5) == "12.5"
    assert clean_text("") == ""


def test_names_read_elsewhere_are_not_read_again(monkeypatch):
    # given: names read by a helper (here: this process, before its memory is forgotten)
    from bangfu.core import text

    names = ["欧阳娜娜", "单雄信", "张三", "李A", "职工12345"]
    expected = [(name_initials(n), name_pinyin(n)) for n in names]
    monkeypatch.setattr(text, "_GIVEN", {})
    read = text.names_read(names)
    monkeypatch.setattr(text, "_GIVEN", {})

    # when: taken by a process that has read none of them, whose pypinyin is not to be used
    text.names_known(read)

    def refused(*_args, **_kwargs):
        raise AssertionError("read again")

    monkeypatch.setattr(text, "lazy_pinyin", refused)

    # then: the same initials and pinyin, none read again
    assert [(name_initials(n), name_pinyin(n)) for n in names] == expected


def test_the_names_kept_are_bounded(monkeypatch):
    from bangfu.core import text

    monkeypatch.setattr(text, "_GIVEN", {})
    monkeypatch.setattr(text, "_GIVEN_KEPT", 3)
    for name in ["张一", "张二", "张三"]:
        name_initials(name)
    assert len(text._GIVEN) == 3
    name_initials("张四")  # full: forgotten at once, then kept
    assert len(text._GIVEN) == 1
    text.names_known(text.names_read(["张五", "张六", "张七"]))
    assert len(text._GIVEN) == 3 and name_initials("张五") == "zw"
