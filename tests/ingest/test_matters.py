"""Importing matters: every rule of DESIGN §5, against a real PostGIS test database."""

from __future__ import annotations

import datetime as dt
import logging

import openpyxl
import prcoords
import pytest
from sqlalchemy import text

from domain import privacy
from domain.clocks import ClockRules, due_dates_for
from settings import get_settings
from tests.ingest.conftest import (
    COUNTY,
    COUNTY2,
    T1,
    T2,
    T_NOGEOM,
    V1,
    V2,
    ZONE,
    centre,
    fetch,
    id_number,
    matter_row,
    read_rejects,
    write_csv,
    wrong_check,
)

D = dt.date


def _snapshot(engine) -> list[dict]:
    with engine.connect() as c:
        return [dict(r) for r in c.execute(text(
            "SELECT * FROM matter WHERE matter_no LIKE 'IT-%' ORDER BY matter_no")).mappings()]


# --- rejected rows -------------------------------------------------------------------------------

BAD_ROWS = [  # (row, column, key, reason_en) — the row's line is its position + 2
    (matter_row("01"), None, None, None),
    (matter_row("02", matter_no=None), "matter_no", "", "required value missing"),
    (matter_row("03", registered_on=None), "registered_on", "IT-M-03", "required value missing"),
    (matter_row("04", category="pets"), "category", "IT-M-04", "unknown category value: pets"),
    (matter_row("05", registered_on="2024-13-01"), "registered_on", "IT-M-05",
     "not a valid date: 2024-13-01 (expected YYYY-MM-DD)"),
    (matter_row("06", forwarded_on="2024-02-20"), "forwarded_on", "IT-M-06",
     "forwarded_on is before registered_on"),
    (matter_row("07", accepted_on="2024-03-10", answered_on="2024-03-09"), "answered_on",
     "IT-M-07", "answered_on is before accepted_on"),
    (matter_row("08", accepted_on="2024-03-05", extension_days="31"), "extension_days",
     "IT-M-08", "extension_days must be 0–30: 31"),
    (matter_row("09", area_code="430602999999"), "area_code", "IT-M-09",
     "unknown area code: 430602999999"),
    (matter_row("10", area_code=None, lon="112.5", lat="28.5"), "lon", "IT-M-10",
     "point outside the configured region"),
    (matter_row("01", category="other"), "matter_no", "IT-M-01",
     "duplicate matter_no in this file (first on line 2)"),
    # A flaw in an optional field is a warning, and the matter lands (DESIGN §5).
    (matter_row("12", petitioner_id=wrong_check(id_number("43060219900101123"))),
     None, None, None),
    (matter_row("13", area_code=None), "area_code", "IT-M-13",
     "area_code required when lon/lat are not given"),
    (matter_row("14", area_code=None, lon=centre(V2)[0], lat=centre(V2)[1]), None, None, None),
    (matter_row("15", hearing_days="-1"), "hearing_days", "IT-M-15",
     "hearing_days must be 0–365: -1"),
    (matter_row("16", accepted_on="2024-03-05", answered_on="2024-04-01",
                review_requested_on="2024-05-10", review_decided_on="2024-05-01"),
     "review_decided_on", "IT-M-16", "review_decided_on is before review_requested_on"),
    (matter_row("17", satisfaction="happy"), "satisfaction", "IT-M-17",
     "unknown satisfaction value: happy"),
    (matter_row("18", package_level="province"), None, None, None),
    (matter_row("19", backlog_flag="maybe"), "backlog_flag", "IT-M-19",
     "expected yes/no (是/否): maybe"),
    (matter_row("20", accepted_on="2024-02-28"), "accepted_on", "IT-M-20",
     "accepted_on is before registered_on"),
    (matter_row("21", project_zone="ZQ-NONE"), "project_zone", "IT-M-21",
     "unknown project zone: ZQ-NONE"),
    (matter_row("22", area_code="4306020010"), "area_code", "IT-M-22",
     "area_code must be a 9-digit township or 12-digit village code: 4306020010"),
    (matter_row("23", lon="113.06"), "lat", "IT-M-23", "lon given without lat"),
    (matter_row("24", extension_days="2.5"), "extension_days", "IT-M-24",
     "extension_days is not a valid number: 2.5"),
    (matter_row("25", answered_on="2024-04-01", review_requested_on="2024-03-20"),
     "review_requested_on", "IT-M-25", "review_requested_on is before answered_on"),
    (matter_row("26", answered_on="2024-04-01", review_requested_on="2024-05-01",
                review_decided_on="2024-06-10", recheck_requested_on="2024-06-01"),
     "recheck_requested_on", "IT-M-26", "recheck_requested_on is before review_decided_on"),
    (matter_row("27", registered_on="2024-03-01 08:15:00", forwarded_on="2024/3/5"),
     None, None, None),
    (matter_row("28", registered_on="1999-12-31"), "registered_on", "IT-M-28",
     "date outside the supported range 2000-01-01 to 2038-12-31: 1999-12-31"),
    (matter_row("29", lon="east", lat="29.36"), "lon", "IT-M-29",
     "lon is not a valid number: east"),
]
HEADER = ["matter_no", "registered_on", "category", "nature", "route", "area_code", "lon", "lat",
          "project_zone", "forwarded_on", "accepted_on", "extension_days", "answered_on",
          "satisfaction", "review_requested_on", "review_decided_on", "recheck_requested_on",
          "recheck_decided_on", "hearing_days", "package_level", "backlog_flag",
          "petitioner_id"]


def test_each_bad_row_is_rejected_with_line_column_reason_and_key_while_good_rows_land(
        importer, engine, tmp_path):
    rows = [r for r, *_ in BAD_ROWS]
    # One more row with two faults: both are reported, the row counts once.
    rows.append(matter_row("30", category=None, registered_on="x"))
    s = importer(write_csv(tmp_path / "m.csv", rows, HEADER))

    expected = [(str(i + 2), col, key, reason) for i, (_r, col, key, reason)
                in enumerate(BAD_ROWS) if col]
    last = str(len(BAD_ROWS) + 2)
    expected += [(last, "registered_on", "IT-M-30",
                  "not a valid date: x (expected YYYY-MM-DD)"),
                 (last, "category", "IT-M-30", "required value missing")]
    got = [(r["line"], r["column"], r["matter_no"], r["reason_en"])
           for r in read_rejects(s.rejects_path)]
    assert sorted(got) == sorted(expected)
    assert s.rejects_path == tmp_path / "m.csv.rejects.csv"
    good = [r for r, col, *_ in BAD_ROWS if col is None]
    assert (s.inserted, s.updated, s.unchanged, s.rejected) == (len(good), 0, 0,
                                                               len(rows) - len(good))
    with engine.connect() as c:
        landed = c.execute(text("SELECT matter_no, category FROM matter "
                                "WHERE matter_no LIKE 'IT-%' ORDER BY 1")).all()
        run = c.execute(text("SELECT kind, inserted, updated, unchanged, rejected, "
                             "finished_at IS NOT NULL FROM import_run WHERE id = :i"),
                        {"i": s.run_id}).one()
    # The first of the two IT-M-01 rows is the one that landed.
    assert landed == [("IT-M-01", "labour_wages"), ("IT-M-12", "labour_wages"),
                      ("IT-M-14", "labour_wages"), ("IT-M-18", "labour_wages"),
                      ("IT-M-27", "labour_wages")]
    assert tuple(run) == ("matters", 5, 0, 0, len(rows) - 5, True)
    # The two optional-field flaws are warnings, one line each, never quoting the ID.
    warned = [(r["line"], r["column"], r["matter_no"], r["reason_en"])
              for r in read_rejects(s.warnings_path)]
    assert warned == [
        ("13", "petitioner_id", "IT-M-12",
         "invalid ID number (format or check digit): ID dropped, the matter landed"),
        ("19", "package_level", "IT-M-18", "unknown package_level value: province "
                                           "(value dropped)")]
    assert s.warned == 2
    m12, m18 = fetch(engine, "IT-M-12"), fetch(engine, "IT-M-18")
    assert m12["petitioner_id_hash"] is None and m12["petitioner_id_last4"] is None
    assert m18["package_level"] is None
    m27 = fetch(engine, "IT-M-27")
    assert (m27["registered_on"], m27["forwarded_on"]) == (D(2024, 3, 1), D(2024, 3, 5))


def test_reasons_are_in_chinese_too_and_name_the_header_as_written(importer, tmp_path):
    rows = [matter_row("01", category="宠物"), matter_row("02", extension_days="31")]
    zh = {"matter_no": "信访事项编号", "registered_on": "登记日期", "category": "问题类别",
          "area_code": "问题属地代码", "extension_days": "延期天数"}
    s = importer(write_csv(tmp_path / "m.csv", rows, rename=zh))
    got = [(r["line"], r["column"], r["reason_zh"]) for r in read_rejects(s.rejects_path)]
    assert got == [("2", "问题类别", "不是有效的问题类别：宠物"),
                   ("3", "延期天数", "延期天数应为 0–30：31")]


def test_codes_or_chinese_labels_and_defaults(importer, engine, tmp_path):
    rows = [
        matter_row("L1", category="征地", nature="检举控告", route="政法", satisfaction="基本满意",
                   package_level="县级", backlog_flag="是", package_leader="王某某（副县长）",
                   responsible_unit="县人社局", accepted_on="2024-03-02", extension_days="30",
                   hearing_days="0"),
        matter_row("L2"),
        matter_row("L3", category="OTHER", backlog_flag="No", satisfaction="not_evaluated"),
    ]
    s = importer(write_csv(tmp_path / "m.csv", rows))
    assert (s.inserted, s.rejected) == (3, 0) and s.rejects_path is None
    m = fetch(engine, "IT-M-L1")
    assert (m["category"], m["nature"], m["route"], m["satisfaction"], m["package_level"],
            m["backlog_flag"], m["package_leader"], m["responsible_unit"],
            m["extension_days"]) == ("land_expropriation", "accusation", "political_legal",
                                     "basically_satisfied", "county", True, "王某某（副县长）",
                                     "县人社局", 30)
    m = fetch(engine, "IT-M-L2")
    assert (m["nature"], m["route"], m["extension_days"], m["hearing_days"], m["backlog_flag"],
            m["satisfaction"], m["package_level"]) == ("claim", "ordinary", 0, 0, False, None,
                                                       None)
    m = fetch(engine, "IT-M-L3")
    assert (m["category"], m["backlog_flag"], m["satisfaction"]) == ("other", False,
                                                                    "not_evaluated")


# --- file formats --------------------------------------------------------------------------------

ZH = {"matter_no": "信访事项编号", "registered_on": "登记日期", "category": "问题类别",
      "nature": "信访性质", "area_code": "问题属地代码", "lon": "经度", "lat": "纬度",
      "accepted_on": "受理日期", "backlog_flag": "上级交办积案", "petitioner_name": "信访人"}


def _zh_rows():
    return [matter_row("Z1", category="劳动工资", nature="建议意见", accepted_on="2024-03-04",
                       backlog_flag="否", petitioner_name="测试丙"),
            matter_row("Z2", category="拆迁安置", area_code=None, lon=centre(V2)[0],
                       lat=centre(V2)[1], backlog_flag="是")]


def _write_xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    header = list(ZH)
    ws.append([ZH[h] for h in header])
    for r in rows:
        values = []
        for h in header:
            v = r.get(h)
            if h.endswith("_on") and v:
                v = dt.datetime.fromisoformat(v)  # real date cells, as Excel has them
            elif h == "area_code" and v:
                v = int(v)  # a code typed into Excel becomes a number
            values.append(v)
        ws.append(values)
    wb.save(path)
    return path


@pytest.mark.parametrize("fmt", ["gb18030", "utf-8-sig", "xlsx"])
def test_chinese_headers_in_gb18030_utf8_bom_and_xlsx(importer, engine, tmp_path, fmt):
    if fmt == "xlsx":
        path = _write_xlsx(tmp_path / "m.xlsx", _zh_rows())
    else:
        path = write_csv(tmp_path / "m.csv", _zh_rows(), list(ZH), encoding=fmt, rename=ZH)
    s = importer(path)
    assert (s.inserted, s.rejected, s.warnings) == (2, 0, [])
    z1, z2 = fetch(engine, "IT-M-Z1"), fetch(engine, "IT-M-Z2")
    assert (z1["category"], z1["nature"], z1["accepted_on"], z1["village_code"],
            z1["backlog_flag"]) == ("labour_wages", "suggestion", D(2024, 3, 4), V1, False)
    assert privacy.decrypt_text(z1["petitioner_name_enc"]) == "测试丙"
    assert (z2["category"], z2["village_code"], z2["backlog_flag"]) == ("demolition", V2, True)
    assert (z2["x"], z2["y"]) == pytest.approx(centre(V2), abs=1e-7)


def test_unknown_columns_are_ignored_with_a_warning(importer, engine, tmp_path, caplog):
    rows = [matter_row("U1", remarks="anything", 备注="其他")]
    with caplog.at_level(logging.WARNING):
        s = importer(write_csv(tmp_path / "m.csv", rows))
    assert s.warnings == ["已忽略未知列 ignored unknown columns: remarks, 备注"]
    assert "remarks, 备注" in caplog.text
    assert (s.inserted, s.rejected) == (1, 0)


# --- idempotence and updates ---------------------------------------------------------------------

def _mixed_rows():
    return [
        matter_row("R1", petitioner_name="测试甲", petitioner_id=id_number("43060219800101001"),
                   summary="拖欠工资三个月"),
        matter_row("R2", area_code=None, lon=centre(V2)[0], lat=centre(V2)[1],
                   accepted_on="2024-03-03", extension_days="5"),
        matter_row("R3", area_code=T1, forwarded_on="2024-03-02", accepted_on="2024-03-04",
                   answered_on="2024-04-20", satisfaction="满意"),
        matter_row("R4", area_code=None, lon="113.125", lat="29.325"),
        matter_row("R5", project_zone=ZONE, responsible_unit="区住建局"),
    ]


def test_reimporting_the_same_file_changes_nothing(importer, engine, tmp_path):
    path = write_csv(tmp_path / "m.csv", _mixed_rows())
    first = importer(path)
    assert (first.inserted, first.updated, first.unchanged, first.rejected) == (5, 0, 0, 0)
    before = _snapshot(engine)
    again = importer(path)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 5, 0)
    assert _snapshot(engine) == before  # updated_at, ciphertexts, import_run_id included
    with engine.connect() as c:
        assert c.execute(text("SELECT unchanged FROM import_run WHERE id = :i"),
                         {"i": again.run_id}).scalar() == 5


def test_an_edited_row_counts_as_updated(importer, engine, tmp_path):
    rows = _mixed_rows()
    importer(write_csv(tmp_path / "m.csv", rows))
    before = {r["matter_no"]: r for r in _snapshot(engine)}
    rows[2]["answered_on"] = "2024-04-25"
    rows.append(matter_row("R6"))
    s = importer(write_csv(tmp_path / "m2.csv", rows))
    assert (s.inserted, s.updated, s.unchanged, s.rejected) == (1, 1, 4, 0)
    after = {r["matter_no"]: r for r in _snapshot(engine)}
    r3, old = after["IT-M-R3"], before["IT-M-R3"]
    assert r3["answered_on"] == D(2024, 4, 25)
    assert (r3["id"], r3["created_at"]) == (old["id"], old["created_at"])
    assert r3["updated_at"] > old["updated_at"] and r3["import_run_id"] == s.run_id
    assert r3["row_hash"] != old["row_hash"]
    for no in ("IT-M-R1", "IT-M-R2", "IT-M-R4", "IT-M-R5"):
        assert after[no] == before[no]


# --- due dates -----------------------------------------------------------------------------------

STAGES = dict(registered_on="2024-03-01", forwarded_on="2024-03-05", accepted_on="2024-03-10",
              extension_days="10", answered_on="2024-05-01", review_requested_on="2024-06-01",
              review_decided_on="2024-06-20", recheck_requested_on="2024-07-10",
              hearing_days="5")
DUE = ("forward_due", "accept_due", "objection_due", "answer_due", "review_due", "recheck_due")


def test_due_dates_are_stored_as_the_clock_rules_say(importer, engine, tmp_path):
    rows = [matter_row("D1", **STAGES),
            matter_row("D2", accepted_on="2024-03-04")]  # accepted with no forwarding
    importer(write_csv(tmp_path / "m.csv", rows))
    d1, d2 = fetch(engine, "IT-M-D1"), fetch(engine, "IT-M-D2")
    # Calendar days; the objection window is 5 working days (Tue 5 March -> Tue 12 March).
    assert [d1[c] for c in DUE] == [D(2024, 3, 16), D(2024, 3, 20), D(2024, 3, 12),
                                    D(2024, 5, 19), D(2024, 7, 1), D(2024, 8, 14)]
    # D2 was received directly (no forwarding, accepted: DESIGN §3 infers "direct"): no
    # forward clock, the acceptance clock from registration (1 March + 15).
    assert [d2[c] for c in DUE] == [None, D(2024, 3, 16), None, D(2024, 5, 3), None, None]
    assert (d1["intake"], d2["intake"]) == ("office", "direct")


def test_due_dates_follow_the_configured_day_rule(importer, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CLOCK_DAY_RULE", "working")
    get_settings.cache_clear()
    try:
        importer(write_csv(tmp_path / "m.csv", [matter_row("W1", **STAGES)]))
    finally:
        monkeypatch.delenv("CLOCK_DAY_RULE")
        get_settings.cache_clear()
    stages = {k: (int(v) if k.endswith("_days") else dt.date.fromisoformat(v))
              for k, v in STAGES.items()}
    expected = due_dates_for(ClockRules(day_rule="working"), **stages)
    w1 = fetch(engine, "IT-M-W1")
    assert {c: w1[c] for c in DUE} == expected
    # 15 working days from Fri 1 March 2024 (no holiday in March): Fri 22 March.
    assert w1["forward_due"] == D(2024, 3, 22)


# --- places --------------------------------------------------------------------------------------

def test_admin_codes_and_zone_from_codes_or_points(importer, engine, tmp_path):
    zx0, zy0, zx1, zy1 = (113.12, 29.32, 113.13, 29.33)  # the zone's box
    rows = [
        matter_row("P1", area_code=None, lon=centre(V1)[0], lat=centre(V1)[1]),
        matter_row("P2", area_code=None, lon="113.19", lat="29.44"),  # in T2, no village
        matter_row("P3", area_code=None, lon="113.25", lat="29.40"),  # county 2 only
        matter_row("P4", area_code=None, lon="113.02", lat="29.32"),  # county, no township
        matter_row("P5", area_code=T1, lon=centre(V2)[0], lat=centre(V2)[1]),  # code wins
        matter_row("P6", area_code=V2),  # code only: no point invented
        matter_row("P7", area_code=T_NOGEOM),  # a township without a polygon
        matter_row("P8", area_code=None, lon="113.10", lat="29.37"),  # on the T1/T2 edge
        matter_row("Z1", area_code=None, lon="113.125", lat="29.325"),  # inside the zone
        matter_row("Z2", area_code=None, lon=zx1 + 0.005, lat="29.325"),  # ~485 m east
        matter_row("Z3", area_code=None, lon=zx0 + 0.5 * (zx1 - zx0), lat=zy0 - 0.008),  # ~890 m S
        matter_row("Z4", area_code=None, lon=zx1 + 0.021, lat="29.325"),  # ~2 km east
        matter_row("Z5", area_code=T2, project_zone=ZONE),  # zone given, no point
        matter_row("Z6", area_code=T2, lon="113.125", lat=zy1 + 0.02),  # ~2.2 km N: none
    ]
    s = importer(write_csv(tmp_path / "m.csv", rows))
    assert (s.inserted, s.rejected) == (len(rows), 0)

    def placed(no):
        m = fetch(engine, f"IT-M-{no}")
        return (m["county_code"], m["township_code"], m["village_code"], m["zone_code"])

    assert placed("P1") == (COUNTY, T1, V1, None)
    assert placed("P2") == (COUNTY, T2, None, None)
    assert placed("P3") == (COUNTY2, None, None, None)
    assert placed("P4") == (COUNTY, None, None, None)
    assert placed("P5") == (COUNTY, T1, None, None)
    p5 = fetch(engine, "IT-M-P5")
    assert (p5["x"], p5["y"]) == pytest.approx(centre(V2), abs=1e-7)  # kept for the map
    assert placed("P6") == (COUNTY, T2, V2, None)
    assert fetch(engine, "IT-M-P6")["geom"] is None
    assert placed("P7") == (COUNTY, T_NOGEOM, None, None)
    assert placed("P8") == (COUNTY, T1, None, None)  # shared edge: the lower code
    assert placed("Z1") == (COUNTY, T2, None, ZONE)
    assert placed("Z2") == (COUNTY, T2, None, ZONE)
    assert placed("Z3") == (COUNTY, T2, None, ZONE)
    assert placed("Z4")[3] is None
    assert placed("Z5") == (COUNTY, T2, None, ZONE)
    assert placed("Z6")[3] is None
    with engine.connect() as c:  # the distances the assertions rely on, measured by PostGIS
        dist = dict(c.execute(text(
            "SELECT m.matter_no, ST_Distance(m.geom::geography, z.geom::geography) "
            "FROM matter m, project_zone z WHERE m.matter_no IN "
            "('IT-M-Z2', 'IT-M-Z3', 'IT-M-Z4', 'IT-M-Z6')")).all())
    assert 400 < dist["IT-M-Z2"] < 600 and 800 < dist["IT-M-Z3"] < 1000
    assert dist["IT-M-Z4"] > 1500 and dist["IT-M-Z6"] > 1500


def test_gcj02_points_are_converted_before_the_region_test_and_assignment(
        importer, engine, tmp_path):
    # A WGS84 point inside village V1, close to its edge on the side GCJ-02 shifts towards:
    # its GCJ-02 coordinates lie outside V1 (~600 m off), so only a converted point lands in V1.
    x1 = 113.075 - 0.001
    wgs = (x1, 29.3625)
    g = prcoords.wgs_gcj(prcoords.Coords(wgs[1], wgs[0]))
    assert g.lon > 113.075  # the precondition: the raw GCJ-02 point is outside V1
    row = matter_row("G1", area_code=None, lon=f"{g.lon:.9f}", lat=f"{g.lat:.9f}")
    s = importer(write_csv(tmp_path / "gcj.csv", [row]), crs="gcj02")
    assert (s.inserted, s.rejected) == (1, 0)
    m = fetch(engine, "IT-M-G1")
    assert (m["x"], m["y"]) == pytest.approx(wgs, abs=1e-6)  # ~0.1 m
    assert (m["township_code"], m["village_code"]) == (T1, V1)

    # The same numbers declared WGS84 are taken as they are: outside V1.
    row["matter_no"] = "IT-M-G2"
    importer(write_csv(tmp_path / "wgs.csv", [row]))
    m = fetch(engine, "IT-M-G2")
    assert (m["township_code"], m["village_code"]) == (T1, None)


# --- personal data -------------------------------------------------------------------------------

NAME, OTHER_NAME = "测试甲乙", "测试丙丁"
ID = id_number("43060219851231002")
SUMMARY = "测试摘要：拖欠工资三个月，涉及工人十二名"


def test_personal_data_is_stored_protected_and_never_echoed(importer, engine, tmp_path,
                                                           capfd, caplog):
    rows = [
        matter_row("S1", petitioner_name=NAME, petitioner_id=ID.lower(), summary=SUMMARY),
        matter_row("S2", petitioner_name=OTHER_NAME, petitioner_id=wrong_check(ID),
                   summary=SUMMARY),
        matter_row("S3", category="pets", petitioner_name=OTHER_NAME, petitioner_id=ID,
                   summary=SUMMARY),
    ]
    caplog.set_level(logging.DEBUG)
    s = importer(write_csv(tmp_path / "m.csv", rows))
    # S2's mistyped ID is dropped with a warning; the matter lands (DESIGN §5).
    assert (s.inserted, s.rejected, s.warned) == (2, 1, 1)

    secrets = [NAME, OTHER_NAME, ID, ID[:14], ID.lower(), wrong_check(ID), SUMMARY,
               SUMMARY[:8]]
    rejects_text = s.rejects_path.read_text(encoding="utf-8-sig")
    warnings_text = s.warnings_path.read_text(encoding="utf-8-sig")
    out, err = capfd.readouterr()
    for secret in secrets:
        assert secret not in rejects_text and secret not in warnings_text
        assert secret not in out and secret not in err
        assert secret not in caplog.text
    assert [(r["line"], r["column"]) for r in read_rejects(s.rejects_path)] == [
        ("4", "category")]
    assert [(r["line"], r["column"]) for r in read_rejects(s.warnings_path)] == [
        ("3", "petitioner_id")]
    with engine.connect() as c:
        stored = c.execute(text("SELECT column_name, reason_en FROM import_warning"
                                " WHERE import_run_id = :r"), {"r": s.run_id}).all()
    assert [col for col, _ in stored] == ["petitioner_id"]
    assert all(secret not in reason for _c, reason in stored for secret in secrets)

    key = get_settings().data_key
    m = fetch(engine, "IT-M-S1")
    assert privacy.decrypt_text(m["petitioner_name_enc"], key) == NAME
    assert privacy.decrypt_text(m["summary_enc"], key) == SUMMARY
    assert m["petitioner_name_masked"] == "测**"
    assert m["petitioner_id_hash"] == privacy.hash_id_number(ID, key)
    assert m["petitioner_id_last4"] == ID[-4:]
    with engine.connect() as c:
        stored = c.execute(text("SELECT m::text FROM matter m WHERE matter_no = 'IT-M-S1'")
                           ).scalar()
    for secret in secrets:
        assert secret not in stored


def test_small_chunks_give_the_same_answer_and_stale_rejects_are_removed(
        importer, engine, tmp_path):
    rows = [matter_row(f"K{i}") for i in range(7)]
    rows.append(matter_row("K1", category="other"))  # line 9, duplicate of line 3
    rows.append(matter_row("K8", category="pets"))  # line 10
    path = write_csv(tmp_path / "m.csv", rows)
    s = importer(path, chunk_rows=3)
    assert (s.rows, s.inserted, s.rejected) == (9, 7, 2)
    assert [(r["line"], r["column"], r["reason_en"]) for r in read_rejects(s.rejects_path)] == [
        ("9", "matter_no", "duplicate matter_no in this file (first on line 3)"),
        ("10", "category", "unknown category value: pets")]
    assert fetch(engine, "IT-M-K1")["category"] == "labour_wages"

    fixed = write_csv(path, rows[:7])
    again = importer(fixed, chunk_rows=3)
    assert (again.inserted, again.unchanged, again.rejected) == (0, 7, 0)
    assert again.rejects_path is None and not (tmp_path / "m.csv.rejects.csv").exists()


def test_a_row_with_more_values_than_the_header_is_rejected(importer, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("matter_no,registered_on,category,area_code\n"
                    f"IT-M-X1,2024-03-01,other,{V1}\n"
                    f"IT-M-X2,2024-03-01,other,{V1},surplus\n"
                    f"IT-M-X3,2024-03-01,other,{V1},,\n", encoding="utf-8")  # empty: fine
    s = importer(path)
    assert (s.inserted, s.rejected) == (2, 1)
    assert [(r["line"], r["column"], r["matter_no"], r["reason_en"])
            for r in read_rejects(s.rejects_path)] == [
        ("3", "(row)", "IT-M-X2", "row has more values than the header has columns")]


def test_odd_values_land_exactly_or_are_rejected_never_crash(importer, engine, tmp_path):
    awkward = 'A\tB\\C\n"D", 第二行'
    rows = [
        matter_row("O1", responsible_unit=awkward, package_leader="\\N", extension_days="1.0",
                   accepted_on="2024-03-02"),
        matter_row("O2", area_code=None, lon="nan", lat="29.36"),
        matter_row("O3", area_code=None, lon="inf", lat="29.36"),
        matter_row("O4", registered_on="2024-02-30"),
        matter_row("O5", registered_on="0000-00-00"),
        matter_row("O" + "9" * 63),  # 65 characters
        matter_row("O7", lon="1e400", lat="29.36"),
    ]
    s = importer(write_csv(tmp_path / "m.csv", rows))
    assert (s.inserted, s.rejected) == (1, 6)
    o1 = fetch(engine, "IT-M-O1")
    assert (o1["responsible_unit"], o1["package_leader"], o1["extension_days"]) == (
        awkward, "\\N", 1)
    got = {(r["matter_no"][:7], r["column"]) for r in read_rejects(s.rejects_path)}
    assert got == {("IT-M-O2", "lon"), ("IT-M-O3", "lon"), ("IT-M-O4", "registered_on"),
                   ("IT-M-O5", "registered_on"), ("IT-M-O9", "matter_no"),
                   ("IT-M-O7", "lon")}
