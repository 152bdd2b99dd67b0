"""Headless Chromium against the application on a loopback port, users created with the
``create-user`` command and logged in through /login: the Backlog page lists exactly the
overdue matters of the officer's township; the agenda's XLSX download opens in openpyxl with
the expected rows; edits through the page are audited and refused outside the jurisdiction.
The day is pinned to 2026-11-20 (``ATLAS_AS_OF``) on the hand-built data set."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import text

from tests.backlog import handset
from tests.backlog.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROME_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--window-size=1280,800", "--lang=zh-CN")
AS_OF = "2026-11-20"

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not shutil.which("chromedriver"), reason="chromedriver not installed")]


@pytest.fixture(scope="module")
def users(dataset):
    """An officer of 西塘镇 (T1) and an admin, created with the create-user command."""
    from cli import accounts

    server = Flask("backlog-users")
    for command in accounts.COMMANDS:
        server.cli.add_command(command)
    runner = server.test_cli_runner()
    out = {}
    for base, args in (("officer", ["--role", "officer", "--unit", handset.T1]),
                       ("admin", ["--role", "admin"])):
        name = f"blk_{base}_{dataset.tag}"
        result = runner.invoke(args=["create-user", name, *args, "--password-stdin"],
                               input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
        out[base] = name
    yield out
    with dataset.engine.begin() as c:
        c.execute(text("DELETE FROM app_user WHERE username = ANY(:u)"),
                  {"u": list(out.values())})


@pytest.fixture(scope="module")
def live(users, db_url):
    from tests.live_server import running_server

    with running_server("backlog", {"DATABASE_URL": db_url, "ATLAS_AS_OF": AS_OF},
                        module="tests.backlog.serve") as base:
        yield base


@pytest.fixture
def driver(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    if os.path.exists("/usr/bin/chromium"):
        options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    drv.set_page_load_timeout(90)
    drv.download_dir = tmp_path / "downloads"
    drv.download_dir.mkdir()
    drv.execute_cdp_cmd("Page.setDownloadBehavior",
                        {"behavior": "allow", "downloadPath": str(drv.download_dir)})
    yield drv
    drv.quit()


def wait(drv, condition, timeout: float = 90):
    from tests.dashboard.browser import WebDriverWait

    return WebDriverWait(drv, timeout, poll_frequency=0.2).until(condition)


def css(drv, selector: str):
    from selenium.webdriver.common.by import By

    return drv.find_elements(By.CSS_SELECTOR, selector)


def login(drv, base: str, username: str, next_: str) -> None:
    from selenium.webdriver.common.by import By

    drv.get(f"{base}/login?next={quote(next_, safe='/')}")
    drv.find_element(By.ID, "username").send_keys(username)
    drv.find_element(By.ID, "password").send_keys(PASSWORD)
    drv.find_element(By.ID, "login-submit").click()
    wait(drv, lambda d: "/login" not in d.current_url)


def rows(drv, table_id: str) -> list[str]:
    return [e.get_attribute("data-matter") for e in css(drv, f"#{table_id} tbody tr")]


def severe(drv) -> list:
    return [e for e in drv.get_log("browser") if e["level"] == "SEVERE"
            or "Content Security Policy" in e.get("message", "")]


def test_backlog_page_lists_exactly_the_overdue_matters_of_the_township(live, users, driver):
    login(driver, live, users["officer"], "/backlog")
    wait(driver, lambda d: css(d, "#bl-overdue tbody tr"))
    # 西塘镇 on 2026-11-20: M03 (forward due 10-25), M13 (answer due 07-09), M18 (answer due
    # 11-14) — longest overdue first; nothing of 新墙镇.
    assert rows(driver, "bl-overdue") == ["BLK-M13", "BLK-M03", "BLK-M18"]
    assert css(driver, '[data-tile="overdue"]')[0].text == "3"
    assert css(driver, '[data-tile="backlog"]')[0].text == "2"
    assert css(driver, '[data-tile="gaps"]')[0].text == "1"
    m13 = css(driver, '#bl-overdue tr[data-matter="BLK-M13"]')[0].text
    assert "办理答复 134 天" in m13 and "积案" in m13 and handset.LEADER_C1 in m13
    # Status in words as well as colour.
    assert "超期" in css(driver, '#bl-overdue [data-status="overdue"]')[0].get_attribute("title")
    # The matter's timeline, from its number.
    css(driver, '#bl-overdue tr[data-matter="BLK-M13"] a.bl-matter')[0].click()
    wait(driver, lambda d: css(d, '#bl-timeline .tl-row[data-clock="answer"]'))
    answer = css(driver, '#bl-timeline .tl-row[data-clock="answer"]')[0]
    assert answer.get_attribute("data-state") == "overdue"
    assert "2026-07-09" in answer.text
    assert "matter=BLK-M13" in driver.current_url
    driver.save_screenshot(str(ROOT / "var" / "backlog-officer-1280x800.png"))
    assert severe(driver) == []


def test_the_region_admin_sees_every_overdue_matter_and_can_narrow(live, users, driver):
    login(driver, live, users["admin"], "/backlog")
    wait(driver, lambda d: css(d, "#bl-overdue tbody tr"))
    assert set(rows(driver, "bl-overdue")) == {f"BLK-{n}" for n in (
        "M03", "M08", "M13", "M14", "M17", "M18", "M20", "M22")}
    driver.get(f"{live}/backlog?unit={handset.T2}&tab=packages")
    wait(driver, lambda d: css(d, "#bl-gaps tbody tr"))
    assert set(rows(driver, "bl-gaps")) == {"BLK-M14", "BLK-M15", "BLK-M17"}
    assert severe(driver) == []


def test_the_agenda_download_opens_in_openpyxl(live, users, driver, dataset):
    from openpyxl import load_workbook

    login(driver, live, users["officer"], f"/agenda?date={AS_OF}")
    wait(driver, lambda d: css(d, "#ag-backlog tbody tr"))
    assert [e.get_attribute("data-matter") for e in css(driver, "#ag-backlog tbody tr")] == [
        "BLK-M16", "BLK-M13"]
    css(driver, "#ag-download")[0].click()

    def downloaded(_d):  # the UTF-8 name of Content-Disposition: 联席会议议程-2026-11-20.xlsx
        done = [p for p in driver.download_dir.iterdir() if p.suffix == ".xlsx"]
        return done[0] if done and done[0].stat().st_size > 0 else None

    path = wait(driver, downloaded, 60)
    assert path.name == "联席会议议程-2026-11-20.xlsx"
    wb = load_workbook(path)
    assert [r[1] for r in wb["积案"].iter_rows(min_row=2, values_only=True)] == [
        "BLK-M16", "BLK-M13"]
    assert [r[1] for r in wb["久拖超期"].iter_rows(min_row=2, values_only=True)] == [
        "BLK-M13", "BLK-M03", "BLK-M18"]
    assert [r[1] for r in wb["周五跟踪-交办"].iter_rows(min_row=2, values_only=True)] == [
        "BLK-A02", "BLK-A03"]
    with dataset.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM audit_log WHERE action = 'export'"
                              " AND username = :u"), {"u": users["officer"]}).scalar() == 1
    assert severe(driver) == []


def test_edits_are_audited_and_refused_outside_the_township(live, users, driver, dataset):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    login(driver, live, users["officer"], "/backlog?tab=packages")
    wait(driver, lambda d: css(d, "#bl-pk-save"))

    def submit(matter_no: str, leader: str):
        for fid, value in (("bl-pk-matter", matter_no), ("bl-pk-leader", leader),
                           ("bl-pk-title", "副区长")):
            field = driver.find_element(By.ID, fid)
            field.send_keys(Keys.CONTROL, "a")  # (clear() bypasses React's state)
            field.send_keys(Keys.DELETE)
            field.send_keys(value)
        driver.find_element(By.ID, "bl-pk-save").click()

    # Outside the township: refused, audited, nothing written.
    submit("BLK-M15", "越权领导")
    wait(driver, lambda d: "不在您的辖区内" in d.find_element(By.ID, "bl-pk-msg").text)
    # Inside: M16 gets a county leader; the page reloads with the gap closed.
    submit("BLK-M16", "岳阳楼区演示领导09")
    try:
        wait(driver, lambda d: css(d, ".bl-flash") and "matter=BLK-M16" in d.current_url)
    except Exception:
        pytest.fail(f"no flash: {driver.current_url} "
                    f"{[e.text for e in css(driver, '#bl-pk-msg')]}")
    assert "已保存包案领导" in css(driver, ".bl-flash")[0].text
    wait(driver, lambda d: css(d, '[data-tile="gaps"]')[0].text == "0")
    with dataset.engine.connect() as c:
        leaders = c.execute(text(
            "SELECT p.leader_name, p.set_by FROM package_assignment p JOIN matter m"
            " ON m.id = p.matter_id WHERE m.matter_no IN ('BLK-M15', 'BLK-M16')"
            " AND p.level = 'county'")).all()
        audit = c.execute(text(
            "SELECT action, target, remote_addr FROM audit_log WHERE username = :u"
            " AND action IN ('package_leader_set', 'access_denied') ORDER BY id"),
            {"u": users["officer"]}).all()
    assert leaders == [("岳阳楼区演示领导09", users["officer"])]
    assert [(a.action, a.target) for a in audit] == [("access_denied", "BLK-M15"),
                                                     ("package_leader_set", "BLK-M16")]
    assert all(a.remote_addr == "127.0.0.1" for a in audit)
    assert severe(driver) == []


def test_data_quality_tab_counts_per_township_in_both_languages(live, users, driver, engine,
                                                               tmp_path):
    """The 数据质量 tab lists, per township, unrecorded clocks and rows that landed with a
    warning — the numbers SQL finds — in Chinese and English."""
    from ingest.matters import import_file

    path = tmp_path / "dq.csv"
    path.write_text(
        "信访事项编号,登记日期,问题类别,问题属地代码,转送交办日期,受理日期,答复日期,身份证号\n"
        # accepted blank, answered: two unrecorded clocks, one warned row.
        f"BLK-DQ1,2026-09-01,城乡建设,{handset.T1},2026-09-02,,2026-10-20,\n"
        # a mistyped ID: one warned row, no unrecorded clock.
        f"BLK-DQ2,2026-09-03,城乡建设,{handset.T1},2026-09-04,2026-09-05,,"
        "430602199001011230\n", encoding="utf-8")
    summary = import_file(path, engine=engine)
    try:
        assert (summary.inserted, summary.rejected, summary.warned) == (2, 0, 2)
        with engine.connect() as c:
            want = c.execute(text(
                "SELECT sum(m.unrecorded_n), (SELECT count(DISTINCT (w.import_run_id, w.line))"
                " FROM import_warning w JOIN matter x ON x.matter_no = w.matter_no"
                " WHERE x.township_code = :t AND x.registered_on > '2025-11-20')"
                " FROM matter m WHERE m.township_code = :t"
                " AND m.registered_on > '2025-11-20'"), {"t": handset.T1}).one()
        assert tuple(want) == (2, 2)
        login(driver, live, users["admin"], "/backlog?tab=quality&by=township")
        wait(driver, lambda d: css(d, f'#dq-units tr[data-key="{handset.T1}"]'))
        cells = [td.text for td in css(driver, f'#dq-units tr[data-key="{handset.T1}"] td')]
        assert "西塘镇" in cells[0]
        assert (int(cells[2]), int(cells[-1])) == tuple(want)  # unrecorded clocks, warned rows
        driver.save_screenshot(str(ROOT / "var" / "screenshots" / "quality-zh.png"))
        css(driver, "#bl-lang")[0].click()
        wait(driver, lambda d: [th.text for th in css(d, "#dq-units thead th")][:1]
             == ["Township"])
        row = css(driver, f'#dq-units tr[data-key="{handset.T1}"]')[0].text
        assert "西塘" not in row and "Xitang" in row
        driver.save_screenshot(str(ROOT / "var" / "screenshots" / "quality-en.png"))
        assert severe(driver) == []
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM matter WHERE matter_no LIKE 'BLK-DQ%'"))
