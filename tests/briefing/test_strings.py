"""Every string of the briefing documents and page exists in zh-CN and en with the same
placeholders, and every key the briefing code asks for exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from briefing.strings import BRIEFING_STRINGS, month_label, section_number
from dashboard.i18n import STRINGS
from dashboard.strings_briefing import BRIEFING_PAGE_STRINGS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "briefing").glob("*.py")), ROOT / "dashboard/pages/briefing.py"]


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_both_languages_same_placeholders():
    for key, (zh, en) in {**BRIEFING_STRINGS, **BRIEFING_PAGE_STRINGS}.items():
        assert zh.strip() and en.strip(), key
        assert re.search(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]", zh), key
        assert _fields(zh) == _fields(en), key
        assert not re.search(r"[\u4e00-\u9fff]", en.replace("高德", "")), key


def test_every_key_used_is_defined():
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r"""\bt\(\s*f?["']([a-z0-9_.]+)["']""", path.read_text()))
    assert len(used) > 50
    assert sorted(k for k in used if k not in STRINGS) == []


def test_labels():
    assert month_label(2026, 10, "zh") == "2026年10月"
    assert month_label(2026, 10, "en") == "October 2026"
    assert section_number(3, "zh") == "三、" and section_number(3, "en") == "3. "
