"""The work plan's views in headless Chromium on the hand-built world: the first-time and
irregular views show the seeded counts; a national irregular submission imported while a
wall screen is open appears on it within one refresh (snapshots are fresh for ten minutes
here: only the import's invalidation can bring it); ``warnings --week`` writes three files
whose figures equal the Stability page's for that week; the XLSX downloads answer.
"""

from __future__ import annotations

import csv
import re
import time
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import text

from tests.briefing import readers
from tests.dashboard.browser import WebDriverWait, login, make_driver, wait_for, wait_idle
from tests.plan2 import world as W
from tests.plan2.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver():
    d = make_driver(1400, 1000)
    yield d
    d.quit()


def _as(d, base: str, user: str, path: str) -> None:
    d.delete_all_cookies()
    login(d, base, user, PASSWORD, path)
    d.get(base + path)


def _attrs(d, css: str) -> dict:
    return d.execute_script(
        "var e = document.querySelector(arguments[0]); if (!e) return null; var o = {};"
        " for (var a of e.attributes) o[a.name] = a.value; return o;", css)


def test_first_time_views_show_the_seeded_counts(live_server, world, driver):
    july = "period=custom&from=2026-07-01&to=2026-07-31"
    _as(driver, live_server, world.users["officer"], f"/?{july}")
    wait_for(driver, "#ft-summary", timeout=60)
    wait_idle(driver)
    got = _attrs(driver, "#ft-summary")
    assert {k: got[f"data-{k}"] for k in ("registered", "answered", "on_time", "came_back",
                                          "resolved", "watching")} == {
        "registered": "6", "answered": "5", "on_time": "4", "came_back": "2", "resolved": "2",
        "watching": "1"}
    driver.get(f"{live_server}/backlog?tab=first_time&{july}")
    wait_for(driver, "#ft-came-back tr[data-matter]", timeout=60, count=2)
    rows = driver.find_elements(By.CSS_SELECTOR, "#ft-came-back tr[data-matter]")
    assert sorted(r.get_attribute("data-matter") for r in rows) == ["P2-F1", "P2-F4"]
    assert _attrs(driver, "#ft-came-back-count")["data-total"] == "2"
    assert "一次性化解" in driver.find_element(By.ID, "ft-section").text


def test_irregular_views_show_the_seeded_counts(live_server, world, driver):
    _as(driver, live_server, world.users["leader"], "/stability")
    wait_for(driver, "#irr-months tr[data-month='2026-10']", timeout=60)
    cells = driver.execute_script(
        "return Array.from(document.querySelectorAll(\"#irr-months tr[data-month='2026-10']"
        " td\")).map(function (c) { return c.innerText; });")
    # national, province, city, county, township, total
    assert cells == ["1", "1", "2", "3", "0", "7"]
    national = driver.find_elements(By.CSS_SELECTOR, "#irr-national tr[data-submission]")
    assert [r.get_attribute("data-submission") for r in national] == ["P2-I1-2", "P2-I1-1"]
    # The warnings list starts with the national one.
    first = driver.find_element(By.CSS_SELECTOR, "#warnings .md-table tbody tr")
    assert "P2-I1" in first.text and "非访进京" in first.text
    driver.get(f"{live_server}/backlog?tab=ranking&period=custom&from=2026-10-01"
               "&to=2026-10-31")
    wait_for(driver, "#irr-cards tr[data-unit]", timeout=60, count=4)
    cards = {(r.get_attribute("data-kind"), r.get_attribute("data-unit"))
             for r in driver.find_elements(By.CSS_SELECTOR, "#irr-cards tr[data-unit]")}
    assert cards == {("unit", "P2乙局"), ("unit", "P2丙局"), ("township", world.towns["B"]),
                     ("township", world.towns["C"])}
    assert "办理时效黄牌" in driver.find_element(By.ID, "bl-tile-yellow").text
    assert "非访黄牌" in driver.find_element(By.ID, "bl-tile-irr_cards").text


def _download(driver, base: str, path: str) -> bytes:
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    req = urllib.request.Request(base + path, headers={"Cookie": cookies})
    with urllib.request.urlopen(req, timeout=120) as r:
        assert r.status == 200
        return r.read()


def test_xlsx_downloads(live_server, world, driver, tmp_path):
    _as(driver, live_server, world.users["leader"], "/stability")
    data = _download(driver, live_server, "/export/irregular-cards.xlsx?month=2026-10")
    (tmp_path / "cards.xlsx").write_bytes(data)
    sheets = readers.xlsx_values(tmp_path / "cards.xlsx")
    text = readers.xlsx_text(tmp_path / "cards.xlsx")
    assert "P2乙局" in text and "进京非访 1 件次（≥1）" in text and "非访合计 3 件次（≥3）" in text
    assert "非访黄牌" in sheets
    data = _download(driver, live_server, "/export/first-time.xlsx?from=2026-07-01"
                     "&to=2026-07-31&by=unit")
    (tmp_path / "ft.xlsx").write_bytes(data)
    rows = readers.xlsx_values(tmp_path / "ft.xlsx")["初信初访"]
    unit_row = next(r for r in rows if r and r[0] == "P2甲局")
    assert unit_row[1:4] == [6, 5, 4]
    listing = readers.xlsx_text(tmp_path / "ft.xlsx")
    assert "P2-F1" in listing and "P2-F4" in listing and "P2-F2" not in listing


def _page_figures(driver) -> dict[str, int]:
    return {k: int(v.replace(",", "")) for k, v in driver.execute_script(
        "var o = {}; document.querySelectorAll('#st-wk-figures tr[data-figure]').forEach("
        "function (r) { o[r.getAttribute('data-figure')] = r.querySelector('td').innerText; });"
        " return o;").items()}


def test_weekly_report_files_equal_the_stability_page(live_server, world, driver, run_cli,
                                                      tmp_path):
    from queries.weekly import FIGURE_KEYS

    _as(driver, live_server, world.users["leader"], "/stability")
    wait_for(driver, "#st-wk-figures tr[data-figure]", timeout=60, count=len(FIGURE_KEYS))
    assert W.WEEK in driver.find_element(By.ID, "st-week").text  # the last whole week
    page = _page_figures(driver)
    assert page["warnings_total"] == 5 and page["irregular_national"] == 1
    assert page["submissions"] == 14 and page["reports_missing"] == 1
    labels = {}
    for fmt in ("pdf", "docx", "xlsx"):
        out = tmp_path / f"w45.{fmt}"
        result = run_cli("warnings", "--week", W.WEEK, "--unit", world.county, "--format", fmt,
                         "--out", str(out))
        assert result.exit_code == 0, result.output
    xlsx = readers.xlsx_values(tmp_path / "w45.xlsx")
    summary = xlsx["本周概况"]
    head = summary.index(next(r for r in summary if r and r[0] == "项目"))
    for label, key, value in summary[head + 1:head + 1 + len(FIGURE_KEYS)]:
        assert value == page[key], (key, value, page[key])
        labels[key] = label
    assert set(labels) == set(FIGURE_KEYS)
    docx = readers.docx_table(tmp_path / "w45.docx", "项目")
    assert {row[0]: int(row[1].replace(",", "")) for row in docx[1:]} == {
        labels[k]: page[k] for k in FIGURE_KEYS}
    pdf = readers.pdf_text(tmp_path / "w45.pdf")
    for key in FIGURE_KEYS:
        assert re.search(re.escape(labels[key]) + r"\s+" + f"{page[key]:,}", pdf), key
    assert "2026-11-08 23:59" in pdf and "非访进京" in readers.docx_text(tmp_path / "w45.docx")
    # The page's own download gives the same file kind for the same week.
    data = _download(driver, live_server, f"/export/weekly-warnings.xlsx?week={W.WEEK}"
                     f"&unit={world.county}&lang=zh")
    (tmp_path / "page.xlsx").write_bytes(data)
    again = readers.xlsx_values(tmp_path / "page.xlsx")["本周概况"]
    assert again[head + 1:] == summary[head + 1:]


def test_national_irregular_import_reaches_an_open_wall(live_server, world, engine, tmp_path):
    from ingest.matters import import_file
    from queries.users import create_wall_token

    with engine.begin() as c:
        _id, token = create_wall_token(c, f"p2-{world.tag}", world.county)
    d = make_driver(1920, 1080)
    try:
        d.get(f"{live_server}/wall?token={token}")
        d.get(f"{live_server}/wall?hold=stability&refresh=3")
        wait_for(d, "#wall-irregular", timeout=60)
        before = int(_attrs(d, "#wall-irregular")["data-national"])
        assert before == 1  # November: I1's second submission, 8 November
        assert "alert" in d.find_element(By.ID, "wall-banner").get_attribute("class")
        assert "P2-W1" not in d.find_element(By.ID, "wall-warnings-body").get_attribute(
            "textContent")
        # Imported while the wall is open: a new matter in town C, in Beijing today.
        mpath, spath = tmp_path / "m.csv", tmp_path / "s.csv"
        with open(mpath, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["matter_no", "registered_on", "category", "area_code",
                        "responsible_unit"])
            w.writerow(["P2-W1", W.AS_OF.isoformat(), "labour_wages", world.towns["C"],
                        "P2庚局"])
        with open(spath, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["submission_no", "matter_no", "received_on", "channel",
                        "received_level", "persons", "irregular"])
            w.writerow(["P2-W1-1", "P2-W1", W.AS_OF.isoformat(), "visit", "national", 1,
                        "是"])
        t0 = time.monotonic()
        for path, kind in ((mpath, "matters"), (spath, "submissions")):
            assert import_file(path, kind=kind, engine=engine).rejected == 0
        # Within one refresh (3 s) plus the snapshot's computation.
        WebDriverWait(d, 30).until(
            lambda x: _attrs(x, "#wall-irregular")["data-national"] == str(before + 1))
        assert time.monotonic() - t0 < 30
        assert "P2-W1" in d.find_element(By.ID, "wall-warnings-body").get_attribute(
            "textContent")
        assert "2" in d.find_element(By.ID, "wall-banner").text  # 非访进京 2 件次
        first = d.find_element(By.CSS_SELECTOR, "#wall-warnings-body .wall-warning")
        assert "red" in first.get_attribute("class")
        d.save_screenshot(str(tmp_path / "wall.png"))
    finally:
        d.quit()
        # The other tests count the hand-built world: the matter added here goes again.
        with engine.begin() as c:
            c.execute(text("DELETE FROM matter WHERE matter_no = 'P2-W1'"))
