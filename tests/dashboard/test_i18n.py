"""Every user-facing string exists in zh-CN and en, with the same placeholders, and every key
the dashboard code asks for exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.components.kpi_cards import CARDS
from dashboard.i18n import LANGS, MEASURE_UNITS, STRINGS, t
from domain.enums import ADMIN_LEVELS, CATEGORIES, CHANNELS, ROUTES, ZONE_TYPES
from geo.hotspots import CLASSES
from queries.areas import MEASURES
from queries.filters import CLOCK_FILTERS
from queries.maps import STAGES

ROOT = Path(__file__).resolve().parents[2]
# The Overview and Map pages' modules (other pages keep their own string tables).
SOURCES = [ROOT / p for p in (
    "dashboard/workspace.py", "dashboard/geojson.py", "dashboard/state.py",
    "dashboard/context.py", "dashboard/data.py", "dashboard/pages/overview.py",
    "dashboard/pages/map.py", "dashboard/components/charts.py",
    "dashboard/components/kpi_cards.py", "dashboard/components/legend.py",
    "dashboard/components/map.py", "dashboard/components/shell.py",
    "dashboard/components/tables.py", "cli/reports.py")]


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_key_has_zh_and_en_with_the_same_placeholders(key):
    zh, en = STRINGS[key]
    assert zh.strip() and en.strip(), key
    # Chinese characters, or Chinese (full-width) punctuation for separators such as "："
    assert re.search(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]", zh) \
        or key in {"lang.switch"}, f"{key}: zh not Chinese"
    assert _fields(zh) == _fields(en), key


def test_enumerations_have_both_languages():
    for enum in (CATEGORIES, CHANNELS, ROUTES, ZONE_TYPES, ADMIN_LEVELS, MEASURES,
                 MEASURE_UNITS):
        for code, pair in enum.items():
            assert len(pair) == 2 and all(p.strip() for p in pair), code
    assert set(MEASURE_UNITS) == set(MEASURES)


def test_keys_used_in_the_code_exist():
    used: set[str] = set()
    for path in SOURCES:
        for match in re.finditer(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", path.read_text()):
            used.add(match.group(1))
    assert used, "the scan found the t() calls"
    missing = sorted(k for k in used if k not in STRINGS)
    assert not missing, missing


def test_keys_built_at_run_time_exist():
    families = {
        "kpi": [c.key for c in CARDS],
        "clock": list(CLOCK_FILTERS),
        "stage": [*STAGES, "evaluated"],
        "hot": [c for c in CLASSES],
        "period": ["this_month", "last_month", "this_year", "last_12m", "custom"],
        "nav": ["overview", "map"],
        "map.layers": ["choropleth", "zones", "points", "hotspots"],
        "map.hot.weights": ["queen", "rook"],
        "hot.measure": ["per_10k", "matters"],
    }
    missing = [f"{fam}.{k}" for fam, keys in families.items() for k in keys
               if f"{fam}.{k}" not in STRINGS]
    assert not missing, missing
    for chart in ("trend", "cat", "funnel", "ageing", "top", "repeat"):
        assert f"chart.{chart}.title" in STRINGS and f"chart.{chart}.empty" in STRINGS


def test_lookup_and_default_language():
    assert t("nav.map") == "地图" and t("nav.map", "en") == "Map"
    assert t("nav.map", "fr") == "地图"  # unknown language: zh-CN
    assert i18n.category("demolition", "en") == "Demolition and resettlement"
    assert set(LANGS) == {"zh", "en"}


@pytest.mark.parametrize("fn, value, expected", [
    (i18n.fmt_int, 1234567, "1,234,567"),
    (i18n.fmt_int, None, "—"),
    (i18n.fmt_rate, 0.93215, "93.2%"),
    (i18n.fmt_rate, 1, "100.0%"),
    (i18n.fmt_rate, float("nan"), "—"),
    (i18n.fmt_num, 12.345, "12.3"),
    (i18n.fmt_num, 12000.0, "12,000"),
    (i18n.fmt_delta, -56, "−56"),
    (i18n.fmt_delta, 1234, "+1,234"),
])
def test_number_formats(fn, value, expected):
    assert fn(value) == expected


def test_percentage_points():
    assert i18n.fmt_pp(0.0123, "en") == "+1.2 pp"
    assert i18n.fmt_pp(-0.005, "zh") == "-0.5 个百分点"
