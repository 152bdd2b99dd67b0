"""The Briefing page in headless Chromium against the application served on a loopback port:
a township officer generates the month's briefing, sees the progress steps and gets the
file; a unit slipped into the page's dropdown from the browser (not one it offers) is refused
by the server and audited; nothing is downloaded for it."""

from __future__ import annotations

import shutil
import time

import pytest
from sqlalchemy import text

from tests.briefing import readers
from tests.briefing.conftest import AS_OF, OTHER_TOWN, PASSWORD, TOWN

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not shutil.which("chromedriver"), reason="chromedriver not installed")]

RECORD_STATES = """
window.__states = [];
var el = document.getElementById('brf-step');
new MutationObserver(function () {
  window.__states.push(el.getAttribute('data-state') + '|' + el.innerText);
}).observe(el, {attributes: true, childList: true, subtree: true, characterData: true});
"""


@pytest.fixture(scope="module")
def live(world, users, db_url, tmp_path_factory):
    from tests.live_server import running_server

    jobs = tmp_path_factory.mktemp("briefing-jobs")
    with running_server("briefing", {"DATABASE_URL": db_url, "ATLAS_AS_OF": AS_OF.isoformat(),
                                     "ATLAS_BRIEFING_JOBS": str(jobs)}) as base:
        yield base


@pytest.fixture
def driver(tmp_path):
    from tests.dashboard.browser import make_driver

    drv = make_driver(1280, 900)
    drv.download_dir = tmp_path / "downloads"
    drv.download_dir.mkdir()
    drv.execute_cdp_cmd("Page.setDownloadBehavior",
                        {"behavior": "allow", "downloadPath": str(drv.download_dir)})
    yield drv
    drv.quit()


def _state(drv) -> str:
    return drv.execute_script(
        "var e = document.getElementById('brf-step'); return e && e.getAttribute('data-state');")


def _downloads(folder):
    return [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]


def test_officer_generates_and_downloads_with_progress(live, driver, users, world, engine):
    from tests.dashboard.browser import WebDriverWait, login, wait_for

    login(driver, live, users["officer"], PASSWORD, "/briefing")
    wait_for(driver, "#brf-go", timeout=60)
    # the jurisdiction offered is the officer's township only
    options = driver.execute_script(
        "return Array.from(document.querySelectorAll('#brf-unit')).map(e => e.innerText);")
    assert world["towns"][TOWN] in " ".join(options)
    assert _state(driver) == "idle"
    driver.execute_script(RECORD_STATES)
    driver.find_element("css selector", "#brf-go").click()
    WebDriverWait(driver, 180).until(lambda d: _state(d) in ("done", "failed", "refused"))
    assert _state(driver) == "done", driver.find_element("css selector", "#brf-step").text
    seen = driver.execute_script("return window.__states;")
    assert any(s.startswith(("queued|", "running|")) for s in seen), seen
    assert driver.find_element("css selector", "#brf-bar").get_attribute("value") == "100"
    WebDriverWait(driver, 60).until(lambda d: _downloads(driver.download_dir))
    files = _downloads(driver.download_dir)
    assert len(files) == 1 and files[0].suffix == ".pdf", files
    content = readers.squeeze(readers.pdf_text(files[0]))
    assert f"{world['towns'][TOWN]}信访工作月度简报" in content
    with engine.connect() as c:
        n = c.execute(text(
            "SELECT count(*) FROM audit_log WHERE action = 'export' AND username = :u"
            " AND target LIKE :t"), {"u": users["officer"], "t": f"briefing % {TOWN}"}).scalar()
    assert n >= 1


def test_township_officer_cannot_get_another_townships_briefing(live, driver, users, engine):
    from tests.dashboard.browser import WebDriverWait, login, wait_for

    login(driver, live, users["officer"], PASSWORD, "/briefing")
    wait_for(driver, "#brf-go", timeout=60)
    # What a user could do from the browser console: put another unit into the dropdown.
    driver.execute_script(
        "window.dash_clientside.set_props('brf-unit', {value: arguments[0]});", OTHER_TOWN)
    time.sleep(0.5)
    driver.find_element("css selector", "#brf-go").click()
    WebDriverWait(driver, 60).until(lambda d: _state(d) in ("refused", "done", "queued"))
    assert _state(driver) == "refused"
    time.sleep(2)
    assert _downloads(driver.download_dir) == []
    with engine.connect() as c:
        denied = c.execute(text(
            "SELECT count(*) FROM audit_log WHERE action = 'access_denied' AND username = :u"
            " AND target = :t"), {"u": users["officer"], "t": f"briefing {OTHER_TOWN}"}).scalar()
        made = c.execute(text(
            "SELECT count(*) FROM audit_log WHERE action = 'export' AND target LIKE :t"),
            {"t": f"briefing % {OTHER_TOWN}"}).scalar()
    assert denied >= 1 and made == 0
