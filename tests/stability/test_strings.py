"""Every string of the stability features exists in zh and en with the same placeholders, and
every key the pages and components use literally is defined."""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("dashboard/pages/stability.py", "dashboard/pages/periods.py",
           "dashboard/pages/wall.py", "dashboard/components/banner.py",
           "dashboard/components/wall_panels.py", "dashboard/components/warnings.py")


def _fields(s: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in Formatter().parse(s) if name}


def test_both_languages_same_placeholders():
    from dashboard.strings_stability import STABILITY_STRINGS

    for key, (zh, en) in STABILITY_STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key
        assert re.search(r"[\u4e00-\u9fff]", zh) or not re.search(r"[A-Za-z]{4}", zh), key


def test_every_key_used_is_defined():
    import dashboard.strings_plan  # noqa: F401  (the wall panels use its keys too)
    import dashboard.strings_stability  # noqa: F401
    from dashboard.i18n import STRINGS

    for module in MODULES:
        src = (ROOT / module).read_text(encoding="utf-8")
        for key in re.findall(r'(?<![A-Za-z_.])t\("([a-z0-9_.]+)"', src):
            assert key in STRINGS, (module, key)
        for prefix in re.findall(r'(?<![A-Za-z_.])t\(f"([a-z0-9_.]+)\{', src):
            assert any(k.startswith(prefix) for k in STRINGS), (module, prefix)
