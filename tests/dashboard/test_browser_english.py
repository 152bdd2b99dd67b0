"""The English Overview shows no Chinese place name (issue 16, item 7): region, county,
township and village views in headless Chromium — breadcrumb, area table, matter list title,
map tooltips and the whole page text — hold English names (``admin_unit.name_en``) only."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from sqlalchemy import text

from tests.dashboard.browser import By, WebDriverWait, login, make_driver, wait_for, wait_idle
from tests.dashboard.conftest import LEADER_COUNTY, PASSWORD
from tests.dashboard.world import UNITS

pytestmark = pytest.mark.browser
CHORO = ".leaflet-atlas-choropleth-pane path.leaflet-interactive"
HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
# Han text an English page may show that is no place: the button back to Chinese, the logo
# character, and responsible units (departments are not places; their names are as filed).
ALLOWED = {"中文", "信", *UNITS}


@pytest.fixture(scope="module")
def english(live_server, world, engine):
    user = world["users"]["admin"]
    with engine.begin() as c:
        c.execute(text("UPDATE app_user SET lang = 'en' WHERE username = :u"), {"u": user})
        names = dict(c.execute(text("SELECT name, name_en FROM admin_unit")).all())
    d = make_driver(1280, 900)
    login(d, live_server, user, PASSWORD, "/")
    yield d, names
    d.quit()
    with engine.begin() as c:
        c.execute(text("UPDATE app_user SET lang = 'zh' WHERE username = :u"), {"u": user})


def _han(d) -> set[str]:
    body = d.execute_script("return document.body.innerText;")
    return set(HAN_RUN.findall(body))


def _places(d) -> list[str]:
    return [e.text for e in d.find_elements(By.CSS_SELECTOR, ".place-name, .crumb")
            if e.text.strip()]


def _tooltip(d, code: str) -> str:
    el = d.find_element(By.CSS_SELECTOR, f"{CHORO}[data-code='{code}']")
    ActionChains(d).move_to_element(el).perform()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".atlas-tip"))
    return d.find_element(By.CSS_SELECTOR, ".atlas-tip").text


@pytest.mark.parametrize("unit, level", [(None, "county"), (LEADER_COUNTY, "township"),
                                         (LEADER_COUNTY + "101", "village")])
def test_english_overview_has_no_han_place_names(english, live_server, unit, level):
    d, names = english
    d.get(live_server + ("/" if unit is None else f"/?unit={unit}"))
    wait_for(d, CHORO)
    WebDriverWait(d, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".place-name"))
    wait_idle(d)
    assert "Petition overview" in d.page_source
    places = _places(d)
    assert len(places) >= 3
    for p in places:
        assert not HAN_RUN.search(p), p
    # Every Han run left on the page is allowed UI text, and none is a place name.
    leftover = _han(d)
    assert not (leftover & set(names)), leftover & set(names)
    assert leftover <= ALLOWED, leftover
    # The map's tooltip names the area in English.
    code = d.execute_script("var e = document.querySelector(arguments[0]);"
                            " return e && e.getAttribute('data-code');", CHORO + "[data-code]")
    tip = _tooltip(d, code)
    assert not HAN_RUN.search(tip.split("\n")[0]), tip
    expected = {"county": "Pingjiang County", "township": "Pingjiang County",
                "village": "Pingjiang County"}[level]
    crumbs = " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, ".crumb"))
    assert ("Yueyang City" in crumbs) if unit is None else (expected in crumbs), crumbs
    d.save_screenshot(f"var/plan-overview-en-{level}.png")
