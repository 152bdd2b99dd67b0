"""Headless Chromium on the Backlog page's work-plan views (issue 16): county leaders against
their reception day (the hand-built roster of ``test_leaders``; October 2026 is the month
before the pinned day 2026-11-20), its XLSX download, the same view in English with English
place names, and the ranking of a half year."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.backlog.test_browser import (  # noqa: F401  (fixtures)
    css,
    driver,
    live,
    login,
    severe,
    users,
    wait,
)
from tests.backlog.test_leaders import loaded  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
HAN = re.compile(r"[\u3400-\u9fff]")


def _leaders(drv) -> list[tuple[str, str]]:
    return [(e.get_attribute("data-leader"),
             e.find_element("css selector", "[data-status]").get_attribute("data-status"))
            for e in css(drv, "#bl-reception-days tbody tr")]


def test_reception_days_in_zh_and_en_with_download(live, users, driver, loaded,  # noqa: F811
                                                   dataset):
    from openpyxl import load_workbook

    login(driver, live, users["admin"], "/backlog?tab=receptions&period=last_month")
    wait(driver, lambda d: css(d, "#bl-reception-days tbody tr"))
    assert _leaders(driver) == [("丙副县长", "missed"), ("乙副区长", "partly"),
                                ("甲区长", "kept")]
    row = css(driver, '#bl-reception-days tr[data-leader="乙副区长"]')[0].text
    assert "岳阳楼区" in row and "周三" in row and "10-14, 10-28" in row
    summary = css(driver, "#bl-rd-summary")[0].text
    assert "3 名领导" in summary and "纳入包案 2 件" in summary
    driver.save_screenshot("var/plan-reception-days-zh.png")
    css(driver, "#bl-rd-download")[0].click()

    def downloaded(_d):
        done = [p for p in driver.download_dir.iterdir() if p.suffix == ".xlsx"]
        return done[0] if done and done[0].stat().st_size > 0 else None

    path = wait(driver, downloaded, 60)
    assert path.name == "领导接访日-2026-10.xlsx"
    ws = load_workbook(path).active
    assert [ws.cell(r, 1).value for r in (7, 8, 9)] == ["丙副县长", "乙副区长", "甲区长"]
    assert [ws.cell(8, c).value for c in (5, 6, 7)] == [3, 1, 2]
    with dataset.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM audit_log WHERE action = 'export'"
                              " AND target LIKE 'reception-days 2026-10%'")).scalar() >= 1

    # English: the unit is its English name, never a Chinese one.
    with dataset.engine.begin() as c:
        c.execute(text("UPDATE app_user SET lang = 'en' WHERE username = :u"),
                  {"u": users["admin"]})
    try:
        driver.get(f"{live}/backlog?tab=receptions&period=last_month")
        wait(driver, lambda d: css(d, "#bl-reception-days tbody tr")
             and "Reception" in d.page_source)
        units = [e.text for e in css(driver, "#bl-reception-days td.place-name")]
        assert units == ["Yueyang County", "Yueyanglou District", "Yueyanglou District"]
        row = css(driver, '#bl-reception-days tr[data-leader="乙副区长"]')[0].text
        assert "Wednesday" in row and "Missed some days" in row
        assert not any(HAN.search(u) for u in units)
        driver.save_screenshot("var/plan-reception-days-en.png")
    finally:
        with dataset.engine.begin() as c:
            c.execute(text("UPDATE app_user SET lang = 'zh' WHERE username = :u"),
                      {"u": users["admin"]})
    assert severe(driver) == []


def test_ranking_of_a_half_year(live, users, driver, loaded):  # noqa: F811
    login(driver, live, users["admin"], "/backlog?tab=ranking")
    wait(driver, lambda d: css(d, "#bl-rank-periods"))
    css(driver, "#bl-half-2026H2")[0].click()
    wait(driver, lambda d: "half=2026H2" in d.current_url
         and "2026年下半年" in css(d, "#bl-ranking-section h2")[0].text)
    assert "active" in css(driver, "#bl-half-2026H2")[0].get_attribute("class")
    # Every clock of the hand-built set falls due in July–December: the half-year ranking
    # holds both townships' units.
    names = [e.text for e in css(driver, "#bl-ranking-section tbody th")]
    assert len(names) >= 2
    driver.save_screenshot("var/plan-ranking-half.png")
    assert severe(driver) == []
