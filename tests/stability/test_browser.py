"""The wall screen in headless Chromium at 1920×1080 and 3840×2160 (exact viewports through
the DevTools protocol): it fits with no scrollbar and nothing clipped, its smallest visible
text is at least 28 px at 1080p (56 px at 4K), the panels rotate, the data refreshes on its
own, no petitioner's name reaches the page, and it does not grow while it runs. Plus the
Stability page at 1280×800.

Reached like a real screen: ``/wall?token=…`` (a device token), then ``/wall?rotate=2…``.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import text

from tests.dashboard.browser import make_driver, wait_for
from tests.live_server import ROOT
from tests.stability.conftest import PASSWORD

pytestmark = pytest.mark.browser

RESOLUTIONS = [(1920, 1080, 28.0), (3840, 2160, 56.0)]
PANELS = ("map", "kpi", "backlog", "stability", "warnings")

FIT_JS = """
var de = document.scrollingElement, W = window.innerWidth, H = window.innerHeight;
var out = {sw: de.scrollWidth, cw: de.clientWidth, sh: de.scrollHeight, ch: de.clientHeight,
           bodySw: document.body.scrollWidth, bodySh: document.body.scrollHeight,
           W: W, H: H, panels: [], clipped: []};
document.querySelectorAll('.wall-panel').forEach(function (p) {
  var r = p.getBoundingClientRect();
  out.panels.push([p.id, r.left, r.top, r.right, r.bottom]);
});
var active = Array.from(document.querySelectorAll('.wall-panel')).filter(function (p) {
  return getComputedStyle(p).visibility === 'visible'; });
active.forEach(function (p) {
  var pr = p.getBoundingClientRect();
  p.querySelectorAll('*').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (!r.width || !r.height) return;
    if (e.closest('.leaflet-pane, .leaflet-control-container')) return;  // map content
    if (r.left < pr.left - 1 || r.top < pr.top - 1 || r.right > pr.right + 1 ||
        r.bottom > pr.bottom + 1) {
      out.clipped.push([e.tagName, e.className, Math.round(r.bottom), Math.round(pr.bottom)]);
    }
  });
});
out.active = active.map(function (p) { return p.id; });
return out;
"""

TEXT_JS = """
var W = window.innerWidth, H = window.innerHeight, min = 1e9, where = null, n = 0;
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  var node = walker.currentNode;
  if (!node.textContent.trim()) continue;
  var el = node.parentElement;
  if (!el || !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
  var range = document.createRange(); range.selectNodeContents(node);
  var r = range.getBoundingClientRect();
  if (!r.width || !r.height || r.right <= 0 || r.bottom <= 0 || r.left >= W || r.top >= H)
    continue;
  var size = parseFloat(getComputedStyle(el).fontSize);
  n += 1;
  if (size < min) { min = size; where = [el.tagName, el.className, node.textContent.slice(0, 30)]; }
}
return {min: min, where: where, count: n};
"""


def _driver(width: int, height: int):
    d = make_driver(width, height)
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1,
                       "mobile": False})
    return d


def _open_wall(d, base: str, token: str, query: str) -> None:
    d.get(f"{base}/wall?token={token}")
    d.get(f"{base}/wall?{query}")
    wait_for(d, "#wall-kpi-body .wall-kpi", timeout=60, count=13)
    wait_for(d, "#wall-panel-map .leaflet-interactive", timeout=60)


def _shown(d) -> str:
    cls = d.execute_script("return document.getElementById('wall-root').className")
    return [c for c in cls.split() if c.startswith("show-")][0][5:]


def _severe(d) -> list:
    return [e for e in d.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.parametrize("width,height,min_px", RESOLUTIONS, ids=["1080p", "4k"])
def test_wall_fits_and_text_is_large(live_server, wall_token, width, height, min_px):
    d = _driver(width, height)
    try:
        _open_wall(d, live_server, wall_token, "hold=map")
        assert d.execute_script("return [innerWidth, innerHeight]") == [width, height]
        root_px = float(d.execute_script(
            "return getComputedStyle(document.documentElement).fontSize").rstrip("px"))
        assert root_px == pytest.approx(min_px)
        for lang, panel in [(lang, panel) for lang in ("zh", "en") for panel in PANELS]:
            d.get(f"{live_server}/wall?hold={panel}&lang={lang}")
            wait_for(d, f"#wall-root.show-{panel}", timeout=30)
            wait_for(d, "#wall-kpi-body .wall-kpi", timeout=60, count=16)
            time.sleep(1.0)  # the fade-in (0.6 s)
            if panel in ("kpi", "stability"):
                shots = ROOT / "var" / "screenshots"
                shots.mkdir(parents=True, exist_ok=True)
                d.save_screenshot(str(shots / f"wall-{panel}-{lang}-{width}.png"))
            fit = d.execute_script(FIT_JS)
            assert fit["sw"] <= fit["cw"] and fit["sh"] <= fit["ch"], (panel, fit)
            assert fit["bodySw"] <= width and fit["bodySh"] <= height, (panel, fit)
            assert (fit["W"], fit["H"]) == (width, height)
            for pid, left, top, right, bottom in fit["panels"]:
                assert left >= 0 and top >= 0 and right <= width and bottom <= height, pid
            assert fit["active"] == [f"wall-panel-{panel}"]
            assert not fit["clipped"], (lang, panel, fit["clipped"][:5])
            txt = d.execute_script(TEXT_JS)
            assert txt["count"] > 10, panel
            assert txt["min"] >= min_px - 0.01, (lang, panel, txt)
        assert not _severe(d)
    finally:
        d.quit()


def test_wall_rotates_on_its_own(live_server, wall_token):
    d = _driver(1920, 1080)
    try:
        _open_wall(d, live_server, wall_token, "rotate=2&refresh=60")
        seen = [_shown(d)]
        deadline = time.time() + 14
        while time.time() < deadline and len(set(seen)) < 4:
            time.sleep(0.5)
            seen.append(_shown(d))
        order = list(dict.fromkeys(seen))
        assert len(order) >= 4, seen
        assert order[:4] == list(PANELS[:4])  # no sensitive period: the map first
    finally:
        d.quit()


def _personal(engine) -> list[str]:
    from domain.privacy import decrypt_text

    with engine.connect() as c:
        rows = c.execute(text("SELECT petitioner_name_enc, petitioner_name_masked FROM matter"
                              " WHERE petitioner_name_enc IS NOT NULL")).all()
    names = sorted({decrypt_text(r[0]) for r in rows} | {r[1] for r in rows})
    assert len(names) > 10
    return names


def test_wall_refreshes_itself_and_shows_no_names(live_server, wall_token, world, engine):
    from queries import ledger
    from queries.scope import Scope

    names = _personal(engine)
    d = _driver(1920, 1080)
    title = f"墙测刷新纠纷{world.tag}"
    try:
        _open_wall(d, live_server, wall_token, "hold=stability&refresh=2")
        first = d.find_element("id", "wall-asof").text
        assert title not in d.page_source
        for panel in PANELS:  # every panel's DOM, as rendered
            d.get(f"{live_server}/wall?hold={panel}&refresh=2")
            wait_for(d, "#wall-kpi-body .wall-kpi", timeout=60, count=13)
            html_now = d.page_source
            text_now = d.execute_script("return document.body.innerText")
            for name in names:
                assert name not in html_now and name not in text_now, (panel, name)
        d.get(f"{live_server}/wall?hold=stability&refresh=2")
        wait_for(d, "#wall-kpi-body .wall-kpi", timeout=60, count=13)
        inp = ledger.LedgerInput(title=title, risk_level="high", opened_on=world.day,
                                 township_code=world.towns["A"], people_involved=99,
                                 resolve_by=world.day + dt.timedelta(days=1))
        ledger.create_entry(Scope.region(), inp, user=world.admin, ledger_no=f"WS-R{world.tag}")
        deadline = time.time() + 30
        while time.time() < deadline and title not in d.page_source:
            time.sleep(0.5)
        assert title in d.page_source, "the new dispute appeared without a reload"
        assert d.find_element("id", "wall-asof").text != first
        assert d.execute_script("return performance.getEntriesByType('navigation').length") \
            == 1
        assert not _severe(d)
    finally:
        d.quit()
        with engine.begin() as c:
            c.execute(text("DELETE FROM unstable_factor WHERE ledger_no = :n"),
                      {"n": f"WS-R{world.tag}"})


def test_wall_does_not_grow_while_running(live_server, wall_token):
    """Refreshes and rotations replace the panels: the DOM does not grow."""
    d = _driver(1920, 1080)
    try:
        _open_wall(d, live_server, wall_token, "rotate=1&refresh=1")
        time.sleep(6)
        counts = []
        for _ in range(4):
            time.sleep(4)
            counts.append(d.execute_script("return document.getElementsByTagName('*').length"))
        assert max(counts) - min(counts) <= 40, counts
        assert max(counts) <= counts[0] * 1.05, counts
    finally:
        d.quit()


def test_stability_page_at_1280(live_server, world):
    from tests.dashboard.browser import login

    d = _driver(1280, 800)
    try:
        login(d, live_server, world.users["leader"], PASSWORD, "/stability")
        wait_for(d, "#st-influx .md-table table", timeout=60)
        wait_for(d, "#st-ledger-list .md-table table", timeout=60)
        time.sleep(1)
        body = d.execute_script("return document.body.innerText")
        assert "显著上升" in body and "WS-L1" in body and "WS-L3" not in body
        sw, cw = d.execute_script("return [document.scrollingElement.scrollWidth,"
                                  " document.scrollingElement.clientWidth]")
        assert sw <= cw  # nothing requires horizontal scrolling at 1280 px
        assert not _severe(d)
    finally:
        d.quit()
