"""Headless Chromium: the login form, a Dash page with a Plotly graph and a dash-leaflet map
rendering under the Content-Security-Policy without console errors, and a callback passing
the CSRF check (the renderer echoes the ``_csrf_token`` cookie as ``X-CSRFToken``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.security.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROME_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--window-size=1280,900")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not shutil.which("chromedriver"), reason="chromedriver not installed")]


@pytest.fixture(scope="module")
def live_url(db_url, app_role_url):
    """The app as deployed: connecting as the application role (the owner URL is derived)."""
    from tests.live_server import running_server

    with running_server("security", {"DATABASE_URL": app_role_url},
                        module="tests.security.browser_app") as url:
        yield url


@pytest.fixture
def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    if os.path.exists("/usr/bin/chromium"):
        options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(options=options)
    yield drv
    drv.quit()


def _wait(drv, css: str, timeout: float = 30):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    from tests.dashboard.browser import WebDriverWait

    return WebDriverWait(drv, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR,
                                                                              css)))


def test_dash_page_renders_under_csp_after_login(live_url, driver, world):
    from selenium.webdriver.common.by import By

    from tests.dashboard.browser import WebDriverWait

    driver.get(live_url + "/probe")
    assert "/login?next=" in driver.current_url  # anonymous: the login form, no Dash
    assert not driver.find_elements(By.ID, "react-entry-point")
    driver.find_element(By.ID, "username").send_keys(world.users["officer_a"])
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()

    _wait(driver, "#probe-graph .main-svg")
    _wait(driver, "#probe-map.leaflet-container, #probe-map .leaflet-pane, .leaflet-container")
    _wait(driver, ".leaflet-overlay-pane svg path, .leaflet-overlay-pane canvas")
    assert driver.current_url == live_url + "/probe"

    driver.find_element(By.ID, "probe-btn").click()
    WebDriverWait(driver, 20).until(
        lambda d: d.find_element(By.ID, "probe-out").text == "clicked 1")

    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    csp_reports = [e for e in driver.get_log("browser") if "Content Security Policy" in
                   e.get("message", "")]
    assert csp_reports == []


def test_wrong_password_in_browser(live_url, driver, world):
    from selenium.webdriver.common.by import By

    driver.get(live_url + "/login")
    driver.find_element(By.ID, "username").send_keys(world.users["officer_b"])
    driver.find_element(By.ID, "password").send_keys("not the password")
    driver.find_element(By.ID, "login-submit").click()
    assert "Wrong user name or password" in driver.find_element(By.CSS_SELECTOR,
                                                                 ".message").text
    assert [e for e in driver.get_log("browser") if "Content Security Policy" in
            e.get("message", "")] == []


SHOTS = ROOT / "var" / "screenshots"


def _login(driver, live_url, username, next_):
    from selenium.webdriver.common.by import By

    driver.get(f"{live_url}/login?next={next_}")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()


def _text(driver, css, expected, timeout=30):
    from selenium.webdriver.common.by import By

    from tests.dashboard.browser import WebDriverWait

    WebDriverWait(driver, timeout).until(
        lambda d: expected in d.find_element(By.CSS_SELECTOR, css).text)


def test_reveal_with_a_reason_and_logout_in_browser(live_url, driver, world, engine):
    """Finding 8 in a real browser: the masked name, the reason prompt, the reveal; then the
    header's logout form (finding 6) ends the session."""
    from selenium.webdriver.common.by import By

    from tests.security.conftest import audit_rows

    SHOTS.mkdir(parents=True, exist_ok=True)
    _login(driver, live_url, world.users["officer_a"], "/backlog?matter=SEC-A-1")
    _text(driver, "#bl-pet-name", "测**")
    driver.find_element(By.ID, "bl-reveal-open").click()
    driver.find_element(By.ID, "bl-reveal-go").click()
    _text(driver, "#bl-reveal-out", "请填写查看原因")
    assert driver.find_element(By.ID, "bl-pet-name").text == "测**"
    driver.find_element(By.ID, "bl-reveal-reason").send_keys("接访登记核对身份")
    driver.find_element(By.ID, "bl-reveal-go").click()
    _text(driver, "#bl-pet-name", "测试甲")
    driver.execute_script("document.getElementById('bl-timeline').scrollIntoView()")
    driver.save_screenshot(str(SHOTS / "reveal-zh.png"))
    row = audit_rows(engine, "reveal", "SEC-A-1")[-1]
    assert row["detail"]["reason"] == "接访登记核对身份" and row["remote_addr"] == "127.0.0.1"

    driver.find_element(By.ID, "bl-lang").click()  # English, the name masked again
    _text(driver, "#bl-timeline", "Petitioner")
    driver.find_element(By.ID, "bl-reveal-open").click()
    driver.execute_script("document.getElementById('bl-timeline').scrollIntoView()")
    driver.save_screenshot(str(SHOTS / "reveal-en.png"))
    driver.find_element(By.ID, "bl-lang").click()  # back to Chinese for the other tests
    _text(driver, "#bl-timeline", "信访人")

    driver.find_element(By.ID, "bl-logout").click()
    _text(driver, "body", "登录")
    assert "/login" in driver.current_url
    driver.get(live_url + "/backlog")
    assert "/login?next=" in driver.current_url
    assert [e for e in driver.get_log("browser") if "Content Security Policy" in
            e.get("message", "")] == []


def test_audit_page_in_browser_both_languages(live_url, driver, world):
    from selenium.webdriver.common.by import By

    SHOTS.mkdir(parents=True, exist_ok=True)
    _login(driver, live_url, world.users["auditor"], "/audit")
    _wait(driver, "#audit-table")
    _text(driver, "#audit-table thead", "时间")
    assert "Time" not in driver.find_element(By.CSS_SELECTOR, "#audit-table thead").text
    driver.save_screenshot(str(SHOTS / "audit-zh.png"))
    driver.find_element(By.ID, "au-lang").click()
    _text(driver, "#audit-table thead", "Time")
    assert "时间" not in driver.find_element(By.CSS_SELECTOR, "#audit-table thead").text
    driver.save_screenshot(str(SHOTS / "audit-en.png"))
    driver.find_element(By.ID, "au-lang").click()
    _text(driver, "#audit-table thead", "时间")
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
