"""English place names (issue 16, item 7): the suffix rules on hand-written names, every name
of the reference data, and the stored ``admin_unit.name_en`` after init-geo and
load-boundaries."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from geo.names import english_name, has_han, romanise, split_suffix
from ingest.geography import COUNTIES_CSV, TOWNSHIPS_CSV, VILLAGES_CSV, english_overrides
from queries.geography import units_frame, zones_frame

# Expected values written by hand, one per rule.
CASES = [
    # village level: 村民委员会 / 村委会 / 村 → Village; 居民委员会 / 居委会 / 社区 → Community
    ("白杨村民委员会", "village", "Baiyang Village"),
    ("白杨村委会", "village", "Baiyang Village"),
    ("白杨村", "village", "Baiyang Village"),
    ("郭亮社区", "village", "Guoliang Community"),
    ("郭亮居民委员会", "village", "Guoliang Community"),
    ("郭亮居委会", "village", "Guoliang Community"),
    # township level: 街道办事处 / 街道, 管理处, 公务中心, 镇, 乡
    ("岳阳楼街道办事处", "township", "Yueyanglou Subdistrict"),
    ("岳阳楼街道", "township", "Yueyanglou Subdistrict"),
    ("金凤桥管理处", "township", "Jinfengqiao Administration"),
    ("营田公务中心", "township", "Yingtian Service Centre"),
    ("新墙镇", "township", "Xinqiang Town"),
    ("三塘乡", "township", "Santang Township"),
    # county level: 县, 区, 市
    ("平江县", "county", "Pingjiang County"),
    ("君山区", "county", "Junshan District"),
    ("临湘市", "county", "Linxiang City"),
    ("岳阳市", "prefecture", "Yueyang City"),
    # 区 and 市 only at county level: a village's 区 is part of its name
    ("原种场生活区", "village", "Yuanzhongchangshenghuoqu"),
    ("新市村", "village", "Xinshi Village"),
    # …社区 is a Community, never "…she District"
    ("东湖社区", "village", "Donghu Community"),
    ("东湖社区", "county", "Donghushequ"),
    # apostrophe before a, o, e; ü kept
    ("长安街道", "township", "Chang'an Subdistrict"),
    ("吕仙亭街道", "township", "Lüxianting Subdistrict"),
    # a name that is only a suffix is not split
    ("镇", "township", "Zhen"),
    # a trailing remark in brackets
    ("岳阳楼街道（办公室）", "township", "Yueyanglou Subdistrict (Bangongshi)"),
]


@pytest.mark.parametrize("name,level,expected", CASES)
def test_rules(name, level, expected):
    assert english_name(name, level) == expected


def test_longest_suffix_first():
    assert split_suffix("白杨村民委员会", "village") == ("白杨", "Village")
    assert split_suffix("郭亮居民委员会", "village") == ("郭亮", "Community")
    assert split_suffix("岳阳楼街道办事处", "township") == ("岳阳楼", "Subdistrict")
    assert split_suffix("东湖社区", "county") == ("东湖社区", None)


def test_override_wins():
    assert english_name("岳阳楼区", "county", "Yueyanglou District") == "Yueyanglou District"
    assert english_name("屈原管理区", "county", "Quyuan Administrative District") \
        == "Quyuan Administrative District"
    assert english_name("屈原管理区", "county", "  ") == "Quyuanguanli District"


def test_romanise():
    assert romanise("汨罗") == "Miluo"
    assert romanise("西安") == "Xi'an"
    assert romanise("A区") == "Aqu"


def test_overrides_come_from_the_reference_csvs():
    over = english_overrides()
    assert over["430602"] == "Yueyanglou District"
    assert over["430671"] == "Quyuan Administrative District"
    assert over["430621500"] == "East Dongting Lake Administration"
    assert "430602001" not in over  # blank: computed


_SUFFIX_EN = {"村": "Village", "社区": "Community", "居委会": "Community",
              "村民委员会": "Village", "居民委员会": "Community",
              "村委会": "Village", "街道": "Subdistrict", "镇": "Town", "乡": "Township",
              "管理处": "Administration", "公务中心": "Service Centre", "县": "County"}


def test_every_reference_name():
    """Every county, township and village of data/: no Han character, ASCII letters (and ü,
    ' , spaces, brackets) only, and the suffix its Chinese name ends with."""
    over = english_overrides()
    frames = [(pd.read_csv(COUNTIES_CSV, dtype=str), None),
              (pd.read_csv(TOWNSHIPS_CSV, dtype=str), "township"),
              (pd.read_csv(VILLAGES_CSV, dtype=str), "village")]
    seen = 0
    for frame, level in frames:
        for code, name in zip(frame["code"], frame["name"], strict=True):
            lvl = level or ("prefecture" if code == "430600" else "county")
            en = english_name(name, lvl, over.get(code))
            seen += 1
            assert not has_han(en), (code, name, en)
            assert re.fullmatch(r"[A-Za-zü' ()]+", en), (code, name, en)
            assert en[0].isupper()
            if code in over:
                continue
            for zh, suffix in sorted(_SUFFIX_EN.items(), key=lambda kv: -len(kv[0])):
                if name.endswith(zh):
                    assert en.endswith(" " + suffix), (name, en)
                    break
            else:
                if lvl == "village":  # 生活区 and the like: one word, no suffix
                    assert " " not in en, (name, en)
            assert "she District" not in en and "She District" not in en
    assert seen == 11 + 138 + 1899


def test_stored_after_init_geo(engine, geography):
    got = {}
    for level in ("prefecture", "county", "township", "village"):
        frame = units_frame(engine, level)
        assert frame["name_en"].notna().all(), level
        assert not frame["name_en"].map(has_han).any(), level
        got.update(zip(frame["code"], frame["name_en"], strict=True))
    assert got["430600"] == "Yueyang City"
    assert got["430602"] == "Yueyanglou District"
    assert got["430626"] == "Pingjiang County"
    assert got["430681"] == "Miluo City"
    assert got["430671"] == "Quyuan Administrative District"
    assert got["430602001"] == "Yueyanglou Subdistrict"
    assert got["430602001001"] == "Guoliang Community"
    assert got["430681403"] == "Yingtian Service Centre"
    zones = zones_frame(engine)
    assert zones["name_en"].notna().all() and not zones["name_en"].map(has_han).any()


def test_load_boundaries_renames_in_english(engine, geography, tmp_path, restore_geography):
    from cli.geography import load_boundaries

    code = "430602002"  # 三眼桥街道
    cell = units_frame(engine, "township", codes=[code]).geometry.iloc[0]
    path = tmp_path / "renamed.geojson"
    gpd.GeoDataFrame({"XZQDM": [code], "XZQMC": ["桃花山街道"]}, geometry=[cell],
                     crs="EPSG:4326").to_file(path)
    result = CliRunner().invoke(load_boundaries, [str(path), "--level", "township",
                                                  "--code-field", "XZQDM",
                                                  "--name-field", "XZQMC"])
    assert result.exit_code == 0, result.output
    row = units_frame(engine, "township", codes=[code]).iloc[0]
    assert (row["name"], row["name_en"]) == ("桃花山街道", "Taohuashan Subdistrict")
