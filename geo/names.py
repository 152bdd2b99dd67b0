"""English names of administrative units (issue 16, item 7).

A unit's English name is the pinyin of its proper part, written as one word with a capital,
followed by its suffix translated: 岳阳楼区 → Yueyanglou District, 郭亮社区 → Guoliang
Community, 长安街道 → Chang'an Subdistrict. Suffixes are tried longest first, so 村民委员会
wins over 村 and 社区 over 区 ("…社区" is a Community, never "…she District"); 区 and 市 are
translated only for county-level units (and the prefecture), since at village level they
belong to the proper name (…渔场生活区 is a place called that, not a district). A name with no
known suffix is pinyin throughout.

Established forms that the rule does not give (屈原管理区) come from the ``name_en`` column of
the reference CSV, and win over the rule. Names are computed once, when the geography is
loaded (``ingest.geography``), and stored in ``admin_unit.name_en``.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

#: (suffix, English, levels it applies to); longest first within overlapping suffixes.
SUFFIXES: tuple[tuple[str, str, frozenset[str]], ...] = tuple(
    (zh, en, frozenset(levels)) for zh, en, levels in sorted((
        ("村民委员会", "Village", ("village",)),
        ("居民委员会", "Community", ("village",)),
        ("街道办事处", "Subdistrict", ("township",)),
        ("村委会", "Village", ("village",)),
        ("居委会", "Community", ("village",)),
        ("公务中心", "Service Centre", ("township",)),
        ("管理处", "Administration", ("township",)),
        ("社区", "Community", ("village",)),
        ("街道", "Subdistrict", ("township",)),
        ("村", "Village", ("village",)),
        ("镇", "Town", ("township",)),
        ("乡", "Township", ("township",)),
        ("县", "County", ("county",)),
        ("区", "District", ("county", "prefecture")),
        ("市", "City", ("county", "prefecture")),
    ), key=lambda s: -len(s[0])))

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOTE = re.compile(r"[（(]([^（()）]*)[)）]\s*$")
_VOWEL_START = re.compile(r"^[aoeāáǎàōóǒòēéěè]")


def has_han(text: str | None) -> bool:
    """True when ``text`` holds a Chinese (Han) character."""
    return bool(text) and _HAN.search(text) is not None


def split_suffix(name: str, level: str) -> tuple[str, str | None]:
    """``(proper part, English suffix or None)`` of ``name`` at ``level`` (prefecture,
    county, township, village); the longest matching suffix allowed at that level wins, and
    a suffix that would leave nothing of the name is not one."""
    for zh, en, levels in SUFFIXES:
        if name.endswith(zh) and len(name) > len(zh):
            if level in levels:
                return name[: -len(zh)], en
            if len(zh) > 1:
                # A longer suffix of another level (…社区 at county level) still stops the
                # shorter one (区) from splitting it: "…she District" is never right.
                return name, None
    return name, None


def romanise(text: str) -> str:
    """Pinyin of ``text`` as one capitalised word, syllables joined, with an apostrophe
    before a syllable starting with a, o or e (Chang'an, Xi'an). Non-Han characters (digits,
    Latin letters) are kept as they are."""
    text = re.sub(r"[（()）\s]", "", text)
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="default")
    word = ""
    for s in syllables:
        s = s.strip()
        if not s:
            continue
        if word and _VOWEL_START.match(s) and word[-1].isalpha():
            word += "'"
        word += s
    return word[:1].upper() + word[1:]


def english_name(name: str, level: str, override: str | None = None) -> str:
    """The English name of a unit called ``name`` at ``level``: ``override`` when given (an
    established form from the reference CSV), else the pinyin of the proper part with the
    suffix translated."""
    if override is not None and str(override).strip():
        return str(override).strip()
    name = name.strip()
    # A trailing remark in brackets (…街道（办公室）) is not part of the suffix.
    note = _NOTE.search(name)
    tail = ""
    if note:
        name, tail = name[:note.start()].strip(), f" ({romanise(note.group(1))})"
    proper, suffix = split_suffix(name, level)
    word = romanise(proper)
    return (f"{word} {suffix}" if suffix else word) + tail


_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def translate_places(text: str, names: dict[str, str]) -> str:
    """``text`` with the place names of ``names`` (Chinese → English) put into English: the
    whole text when it is one name, else every run of Chinese characters that is one
    (西塘镇（岳阳楼区） → Xitang Town (Yueyanglou District)); other text is left as it is."""
    if not text:
        return text
    hit = names.get(text.strip())
    if hit:
        return hit
    out = _HAN_RUN.sub(lambda m: names.get(m.group(0), m.group(0)), text)
    if out != text:
        out = out.replace("（", " (").replace("）", ")").replace("、", ", ").replace("  ", " ")
    return out
