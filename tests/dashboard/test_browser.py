"""The Overview and Map pages in headless Chromium against the running application and the
real test database: log in, count county polygons, drill into a county and check the KPI
cards against this test's own SQL, walk back with the breadcrumb, reopen a shared URL, make
no request outside 127.0.0.1, and pass axe-core without critical or serious violations."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from sqlalchemy import text

from domain.enums import CATEGORIES
from tests.dashboard.browser import (
    By,
    WebDriverWait,
    foreign,
    login,
    make_driver,
    requested_urls,
    texts_by_attr,
    wait_for,
    wait_idle,
)
from tests.dashboard.conftest import LEADER_COUNTY, PASSWORD

pytestmark = pytest.mark.browser
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-4.10.3.min.js"

CHORO = ".leaflet-atlas-choropleth-pane path.leaflet-interactive"
DUTY = (("forward_due", "forwarded_on"), ("accept_due", "accepted_on"),
        ("answer_due", "answered_on"), ("review_due", "review_decided_on"),
        ("recheck_due", "recheck_decided_on"))


@pytest.fixture(scope="module")
def driver(live_server, world):
    d = make_driver(1280, 800)
    d.requests_seen = []
    login(d, live_server, world["users"]["admin"], PASSWORD, "/")
    yield d
    d.quit()


def _note_requests(d):
    d.requests_seen.extend(requested_urls(d))


def _cards(d) -> dict[str, str]:
    return texts_by_attr(d, "[data-kpi]", "data-kpi")


def _wait_cards_change(d, before: dict, timeout: float = 30):
    WebDriverWait(d, timeout).until(lambda d: _cards(d) and _cards(d) != before)
    wait_idle(d)


def _title(d) -> str | None:
    return d.execute_script(
        "var e = document.querySelector('.page-title'); return e && e.textContent;")


def _first_code(d) -> str | None:
    """The code of the first area drawn (read in one step: the layer may be redrawn)."""
    return d.execute_script(
        "var e = document.querySelector(arguments[0]); return e && e.getAttribute('data-code');",
        CHORO + "[data-code]")


def _own_sql(engine, county: str | None) -> dict[str, str]:
    """A few KPIs of this month as of today, computed here without queries.kpi."""
    from dashboard.state import today as office_today

    today = office_today()  # the cards' "today" is the office's (Asia/Shanghai), not UTC's
    start = today.replace(day=1)
    where = "m.county_code = :c" if county else "TRUE"
    overdue = " OR ".join(f"(m.{due} < :d AND (m.{done} IS NULL OR m.{done} > :d))"
                          for due, done in DUTY)
    with engine.connect() as c:
        subs = c.execute(text(f"""
            SELECT count(*), count(*) FILTER (WHERE s.channel = 'online'),
                   count(*) FILTER (WHERE s.channel = 'visit' AND s.persons >= 5)
            FROM submission s JOIN matter m ON m.id = s.matter_id
            WHERE s.received_on BETWEEN :s AND :d AND {where}"""),
            {"s": start, "d": today, "c": county}).one()
        late = c.execute(text(f"SELECT count(*) FROM matter m WHERE ({overdue}) AND {where}"),
                         {"d": today, "c": county}).scalar()
    return {
        "online_share": f"{subs[1] / subs[0] * 100:.1f}%" if subs[0] else "—",
        "collective_visits": f"{subs[2]:,}",
        "overdue_open": f"{late:,}",
    }


def test_overview_drill_down_and_back(driver, live_server, world, engine):
    d = driver
    d.get(live_server + "/")
    wait_for(d, CHORO, count=9)
    wait_idle(d)
    with engine.connect() as c:
        counties = c.execute(text("SELECT count(*) FROM admin_unit WHERE level = 'county'"
                                  " AND coalesce(geom_simple, geom) IS NOT NULL")).scalar()
    assert len(d.find_elements(By.CSS_SELECTOR, CHORO)) == counties == 9
    expected = _own_sql(engine, None)
    WebDriverWait(d, 30).until(lambda d: set(expected) <= set(_cards(d)))
    wait_idle(d)
    region_cards = _cards(d)
    for key, value in expected.items():
        assert region_cards[key] == value, key

    # Click the county polygon on the map: its townships are drawn, the cards follow.
    d.find_element(By.CSS_SELECTOR, f"{CHORO}[data-code='{LEADER_COUNTY}']").click()
    WebDriverWait(d, 30).until(lambda d: f"unit={LEADER_COUNTY}" in d.current_url)
    with engine.connect() as c:
        towns = c.execute(text("SELECT count(*) FROM admin_unit WHERE level = 'township'"
                               " AND parent_code = :p"), {"p": LEADER_COUNTY}).scalar()
    WebDriverWait(d, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, CHORO)) == towns)
    _wait_cards_change(d, region_cards)
    county_cards = _cards(d)
    for key, value in _own_sql(engine, LEADER_COUNTY).items():
        assert county_cards[key] == value, key
    crumbs = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".crumbs .crumb")]
    assert crumbs == ["岳阳市", "平江县"]

    # A township, then a village: its matter list appears.
    town = _first_code(d)
    d.find_element(By.CSS_SELECTOR, f"{CHORO}[data-code='{town}']").click()
    WebDriverWait(d, 30).until(lambda d: f"unit={town}" in d.current_url)
    wait_idle(d)
    WebDriverWait(d, 30).until(lambda d: len(_first_code(d) or "") == 12)
    village = _first_code(d)
    assert village.startswith(town) and len(village) == 12
    d.find_element(By.CSS_SELECTOR, f"{CHORO}[data-code='{village}']").click()
    WebDriverWait(d, 30).until(lambda d: f"unit={village}" in d.current_url)
    wait_for(d, ".matter-list table, .matter-list .empty")
    wait_idle(d)
    assert len(d.find_elements(By.CSS_SELECTOR, ".crumbs .crumb")) == 4

    # The breadcrumb walks back to the city.
    d.find_element(By.CSS_SELECTOR, ".crumbs button.crumb").click()
    WebDriverWait(d, 30).until(lambda d: "unit=" not in d.current_url)
    WebDriverWait(d, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, CHORO)) == 9)
    wait_idle(d)
    assert _cards(d) == region_cards
    _note_requests(d)
    assert not d.find_elements(By.CSS_SELECTOR, ".alert")


def test_shared_url_reopens_the_view(driver, live_server, world):
    d = driver
    shared = f"/map?unit={LEADER_COUNTY}&period=last_12m&cat=land_expropriation&measure=open"
    d.get(live_server + shared)
    wait_for(d, CHORO)
    wait_idle(d)
    crumbs = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".crumbs .crumb")]
    assert crumbs == ["岳阳市", "平江县"]
    page_text = d.find_element(By.CSS_SELECTOR, ".filter-bar").text
    assert "近12个月" in page_text and "征地" in page_text
    assert "未办结事项" in d.find_element(By.CSS_SELECTOR, ".measure-field").text
    ranking = d.find_element(By.CSS_SELECTOR, ".panel-table").text
    assert "乡镇" in ranking and "未办结事项" in ranking

    # The same link in a fresh browser (another user of the same county) shows the same.
    other = make_driver(1280, 800)
    try:
        login(other, live_server, world["users"]["leader"], PASSWORD, shared)
        wait_for(other, CHORO)
        wait_idle(other)
        assert other.find_element(By.CSS_SELECTOR, ".panel-table").text == ranking
        other_requests = requested_urls(other)
    finally:
        other.quit()
    assert not foreign(other_requests)
    _note_requests(d)


def _list_numbers(d) -> list[str]:
    return d.execute_script(
        "return Array.from(document.querySelectorAll('.matter-list tbody tr td:first-child'))"
        ".map(function (e) { return e.textContent; });")


def test_matter_list_pages_through_a_township(driver, live_server, engine):
    """A township's list comes 25 rows at a time, worst clock first; the pager walks it and
    a new view starts again at the first page."""
    from queries.maps import matter_list
    from queries.scope import Scope

    with engine.connect() as c:
        town = c.execute(text(
            "SELECT township_code FROM matter WHERE township_code LIKE :c || '%'"
            " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"), {"c": LEADER_COUNTY}).scalar()
    d = driver
    d.get(f"{live_server}/map?unit={town}&period=last_12m")
    wait_for(d, ".matter-list tbody tr")
    wait_idle(d)
    first = _list_numbers(d)
    assert len(first) == 25
    rng = d.find_element(By.ID, "mp-list-range").text
    total = int(rng.split("共 ")[1].split(" 件")[0].replace(",", ""))
    assert rng.startswith("第 1–25 件") and total > 25
    # The same rows, in the same order, as the query itself.
    from dashboard.state import ViewState, resolve_period, today
    from queries.filters import MatterFilter

    day = today()
    period = resolve_period(ViewState(unit=town, period="last_12m"), day)
    frame, n = matter_list(Scope.region(), period, day, MatterFilter(unit=town), limit=50)
    assert n == total and first == list(frame["matter_no"][:25])
    d.find_element(By.ID, "mp-list-next").click()
    WebDriverWait(d, 30).until(lambda d: _list_numbers(d) and _list_numbers(d) != first)
    wait_idle(d)
    second = _list_numbers(d)
    assert second == list(frame["matter_no"][25:50])
    assert d.find_element(By.ID, "mp-list-range").text.startswith("第 26–")
    assert d.find_element(By.ID, "mp-list-prev").is_enabled()
    d.find_element(By.ID, "mp-list-prev").click()
    WebDriverWait(d, 30).until(lambda d: _list_numbers(d) == first)
    assert not d.find_element(By.ID, "mp-list-prev").is_enabled()
    _note_requests(d)


def test_chart_click_filters_the_map(driver, live_server):
    d = driver
    d.get(live_server + "/?period=last_12m")
    wait_for(d, "#ov-chart-categories .bars path, #ov-chart-categories .point path")
    wait_idle(d)
    bar = d.find_elements(By.CSS_SELECTOR, "#ov-chart-categories .point path")[-1]
    # Plotly listens on its drag layer above the bars: click where the top bar is drawn.
    ActionChains(d).move_to_element(bar).click().perform()
    WebDriverWait(d, 30).until(lambda d: "cat=" in d.current_url)
    wait_idle(d)
    code = d.current_url.split("cat=")[1].split("&")[0]
    assert code in CATEGORIES
    assert CATEGORIES[code][0] in d.find_element(By.CSS_SELECTOR, ".filter-bar").text
    _note_requests(d)


def test_language_switch_is_remembered(driver, live_server, world, engine):
    d = driver
    d.get(live_server + "/map")
    wait_for(d, "#mp-lang")
    d.find_element(By.CSS_SELECTOR, "#mp-lang").click()
    WebDriverWait(d, 30).until(lambda d: _title(d) == "Petition map")
    with engine.connect() as c:
        lang = c.execute(text("SELECT lang FROM app_user WHERE username = :u"),
                         {"u": world["users"]["admin"]}).scalar()
    assert lang == "en"
    wait_for(d, "#mp-lang")
    d.find_element(By.CSS_SELECTOR, "#mp-lang").click()
    WebDriverWait(d, 30).until(lambda d: _title(d) == "信访地图")
    _note_requests(d)


@pytest.mark.parametrize("path", ["/", "/map?unit=430626101"])
def test_accessibility(driver, live_server, path):
    from axe_selenium_python import Axe

    d = driver
    d.get(live_server + path)
    wait_for(d, CHORO)
    wait_idle(d)
    # axe-core 4.10.3 (npm, MPL-2.0) vendored beside this test, injected from the file: no
    # download. axe-selenium-python's own bundle is axe 3.1 (2018), which wrongly flags
    # autocomplete on <input type="date"> as serious.
    axe = Axe(d, script_url=str(AXE_JS))
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v["impact"] in ("critical", "serious")]
    assert not bad, axe.report(bad)
    _note_requests(d)


def test_no_request_left_127_0_0_1(driver):
    _note_requests(driver)
    assert driver.requests_seen, "the performance log recorded the requests"
    assert not foreign(driver.requests_seen)
