"""Text helpers for what people type and paste: width, stray spaces, names in pinyin.

- `to_halfwidth("１２３ＡＢＣ　")` → `"123ABC "`: full-width ASCII (U+FF01–U+FF5E) and the
  ideographic space (U+3000) become their half-width forms; everything else is kept.
- `clean_text(value)` → the text a person meant: `None` → `""`, half-width, zero-width characters
  removed, stripped, internal runs of whitespace collapsed to one space.
- `name_initials("张三")` → `"zs"`, `name_pinyin("张三")` → `"zhangsan"`: lower-case ASCII letters
  only, for search by pinyin. The surname is read as a surname (单 → shan, 曾 → zeng, 区 → ou,
  尉迟 → yuchi), which pypinyin 0.55 does not do by itself: it has no surname mode, so the
  readings of polyphonic and compound surnames are kept in a table here. ü is written `v`
  (吕 → `lv`), as people type it. Latin letters in a name are kept (`"李A"` → `"la"`); other
  characters (digits, `·`, punctuation) are dropped.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_FULLWIDTH_OFFSET = 0xFEE0
_HALFWIDTH_TABLE = {code: code - _FULLWIDTH_OFFSET for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH_TABLE[0x3000] = 0x20

# Zero-width and invisible formatting characters that arrive with text pasted from web pages and
# chat apps; they make two equal-looking names differ.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))
_CLEAN_TABLE = {**_HALFWIDTH_TABLE, **_ZERO_WIDTH}
_TO_CLEAN = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_CLEAN_TABLE)) + "]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")

# Compound surnames, each with its reading as a surname. 单于 is left out on purpose: today a
# name starting 单于 is far more likely 单 (shan) with a given name starting 于.
_COMPOUND_SURNAMES = {
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"),
    "东方": ("dong", "fang"),
    "皇甫": ("huang", "fu"),
    "尉迟": ("yu", "chi"),
    "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"),
    "长孙": ("zhang", "sun"),
    "宇文": ("yu", "wen"),
    "司徒": ("si", "tu"),
    "司空": ("si", "kong"),
    "夏侯": ("xia", "hou"),
    "轩辕": ("xuan", "yuan"),
    "令狐": ("ling", "hu"),
    "澹台": ("tan", "tai"),
    "万俟": ("mo", "qi"),
    "端木": ("duan", "mu"),
    "百里": ("bai", "li"),
    "呼延": ("hu", "yan"),
    "南宫": ("nan", "gong"),
    "西门": ("xi", "men"),
    "申屠": ("shen", "tu"),
    "闻人": ("wen", "ren"),
    "赫连": ("he", "lian"),
    "钟离": ("zhong", "li"),
    "鲜于": ("xian", "yu"),
    "濮阳": ("pu", "yang"),
    "淳于": ("chun", "yu"),
    "太史": ("tai", "shi"),
    "公羊": ("gong", "yang"),
    "拓跋": ("tuo", "ba"),
    "完颜": ("wan", "yan"),
    "乐正": ("yue", "zheng"),
}

# Single-character surnames whose reading as a surname differs from pypinyin's default reading
# of the character (checked against pypinyin 0.55).
_SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "缪": "miao",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "秘": "bi",
    "种": "chong",
    "隗": "wei",
    "召": "shao",
    "折": "she",
    "员": "yun",
    "句": "gou",
    "繁": "po",
    "都": "du",
    "能": "nai",
    "薄": "bo",
    "卜": "bu",
    "长": "chang",
    "藏": "zang",
    "郇": "xun",
    "蕃": "pi",
    "奇": "ji",
    "祭": "zhai",
    "黑": "he",
    "粘": "nian",
}


def to_halfwidth(s: str) -> str:
    """Return `s` with full-width ASCII characters and the ideographic space made half-width."""
    return s.translate(_HALFWIDTH_TABLE)


def clean_text(value: object) -> str:
    """Return the text a person meant to type.

    `None` becomes `""`; other non-text values are converted with `str()`. The result is
    half-width, has no zero-width characters, no leading or trailing whitespace, and single
    spaces between words.
    """
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    # Translated only when it holds a character to translate (none is ASCII): a CJK address
    # looked up each of its characters in the table (2.8 µs; an import cleans 300,000 texts).
    if not text.isascii() and _TO_CLEAN.search(text):
        text = text.translate(_CLEAN_TABLE)
    # str.split() without arguments splits on runs of any Unicode whitespace and drops the ends.
    return " ".join(text.split())


def _syllables(name: str) -> list[str]:
    """Return the name as pinyin syllables (and Latin words), with the surname read as one."""
    surname, given = _split_surname(clean_text(name))
    return [*surname, *_given_syllables(given)]


def _split_surname(name: str) -> tuple[tuple[str, ...], str]:
    """(the surname's syllables, the rest of the name) of a cleaned name."""
    if name[:2] in _COMPOUND_SURNAMES:
        return _COMPOUND_SURNAMES[name[:2]], name[2:]
    if name[:1] in _SURNAME_READINGS:
        return (_SURNAME_READINGS[name[:1]],), name[1:]
    return (), name


# The syllables of names after their surname, kept for names met again: pypinyin takes ~12 µs
# for a two-character name (segmenting it, then converting each reading's style), and given
# names recur across a roster (an import's write reads 33,000 heads' names). A pure function of
# the string; at most `_GIVEN_KEPT` names (a few MB), forgotten all at once when full.
_GIVEN: dict[str, tuple[str, ...]] = {}
_GIVEN_KEPT = 1 << 16


def _given_syllables(name: str) -> tuple[str, ...]:
    known = _GIVEN.get(name)
    if known is None:
        syllables: list[str] = []
        for chunk in lazy_pinyin(name, style=Style.NORMAL, errors="default", v_to_u=False):
            # pypinyin returns each Chinese character as a syllable and other text as it is.
            syllables.extend(word.lower() for word in _LATIN_WORD.findall(chunk))
        known = tuple(syllables)
        _keep_given({name: known})
    return known


def _keep_given(known: dict[str, tuple[str, ...]]) -> None:
    if len(_GIVEN) + len(known) > _GIVEN_KEPT:
        _GIVEN.clear()
    _GIVEN.update(known)


def names_read(names: list[str]) -> dict[str, tuple[str, ...]]:
    """What `name_initials` and `name_pinyin` look up for `names` (each name's syllables after
    its surname), worked out here — in a helper process — for `names_known` to take in the
    process that will read the names (an import's filing: the pinyin of 33,000 new heads was a
    twentieth of its write)."""
    known: dict[str, tuple[str, ...]] = {}
    for name in names:
        given = _split_surname(clean_text(name))[1]
        known[given] = _given_syllables(given)
    return known


def names_known(known: dict[str, tuple[str, ...]]) -> None:
    """Take what `names_read` worked out in a helper this process forked (the same code on the
    same names): the names' pinyin is then not worked out again here."""
    _keep_given(known)


def name_initials(name: str) -> str:
    """Return the pinyin initials of a name, lower-case letters only: 张三 → zs, 欧阳娜娜 → oynn."""
    return "".join(syllable[0] for syllable in _syllables(name))


def name_pinyin(name: str) -> str:
    """Return the full pinyin of a name without tones, lower-case letters only: 张三 → zhangsan."""
    return "".join(_syllables(name))
