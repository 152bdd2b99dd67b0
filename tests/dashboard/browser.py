"""Headless Chromium helpers for the dashboard's browser tests, screenshots and benchmark.

Debian's chromium and chromedriver; no network but 127.0.0.1 (background networking and
component updates off). Performance logging is on, so tests can list every request made.
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote, urlsplit

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait as _SeleniumWait

CHROME_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-default-apps", "--no-first-run",
               "--disable-features=Translate,OptimizationHints,MediaRouter",
               "--lang=zh-CN")


class WebDriverWait(_SeleniumWait):
    """Selenium's wait, retrying when Dash re-renders an element between find and read."""

    def __init__(self, driver, timeout: float, poll_frequency: float = 0.2, ignored_exceptions=()):
        super().__init__(driver, timeout, poll_frequency,
                         (StaleElementReferenceException, *ignored_exceptions))


def texts_by_attr(driver, css: str, attr: str) -> dict[str, str]:
    """``{attribute: visible text}`` of every element matching ``css``, read in one script so a
    re-render between finding an element and reading it cannot leave a stale reference."""
    return driver.execute_script(
        "var out = {}, attr = arguments[1];"
        " document.querySelectorAll(arguments[0]).forEach(function (e) {"
        " out[e.getAttribute(attr)] = e.innerText; }); return out;", css, attr)


def make_driver(width: int = 1280, height: int = 800) -> webdriver.Chrome:
    opts = Options()
    for arg in CHROME_ARGS:
        opts.add_argument(arg)
    opts.add_argument(f"--window-size={width},{height}")
    opts.binary_location = "/usr/bin/chromium"
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(60)
    return driver


def login(driver, base: str, username: str, password: str, next_: str = "/") -> None:
    driver.get(f"{base}/login?next={quote(next_, safe='/')}")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button, form [type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: "/login" not in d.current_url)


def wait_for(driver, css: str, timeout: float = 30, count: int = 1):
    """Wait until at least ``count`` elements match ``css``; return them."""
    WebDriverWait(driver, timeout).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, css)) >= count)
    return driver.find_elements(By.CSS_SELECTOR, css)


def wait_idle(driver, timeout: float = 30) -> None:
    """Wait until Dash has no callback in flight (no loading markers) for a moment."""
    end = time.time() + timeout
    quiet_since = None
    while time.time() < end:
        busy = driver.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length")
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 0.6:
            return
        time.sleep(0.1)


def requested_urls(driver) -> list[str]:
    """Every URL the page asked the network for since the last call (performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def response_sizes(driver) -> list[tuple[str, int]]:
    """(url, encoded bytes received) of every finished request since the last call."""
    urls: dict[str, str] = {}
    out = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif method == "Network.loadingFinished":
            out.append((urls.get(params["requestId"], "?"),
                        int(params.get("encodedDataLength", 0))))
    return out


def foreign(urls, host: str = "127.0.0.1") -> list[str]:
    """URLs that leave ``host`` (data: and blob: URLs stay in the page)."""
    out = []
    for u in urls:
        parts = urlsplit(u)
        if parts.scheme in ("data", "blob", "about", "chrome", "devtools"):
            continue
        if parts.hostname not in (host, "localhost"):
            out.append(u)
    return out


def screenshot(driver, path: str) -> None:
    driver.save_screenshot(path)


__all__ = ["WebDriverWait", "make_driver", "login", "wait_for", "wait_idle", "requested_urls",
           "response_sizes", "foreign", "screenshot", "EC", "By"]
