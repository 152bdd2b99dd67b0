"""Scope and privacy: a township's briefing holds nothing of another township, whoever makes
it; no file holds a petitioner's name, ID number or summary; units outside the caller's
rights are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.briefing import readers
from tests.briefing.conftest import AS_OF, COUNTY, MONTH, OTHER_TOWN, TOWN

FORMATS = ("pdf", "docx", "xlsx")


def _text(path) -> str:
    if path.suffix == ".pdf":
        return readers.squeeze(readers.pdf_text(path, layout=False))
    if path.suffix == ".docx":
        return readers.squeeze(readers.docx_text(path))
    return readers.squeeze(readers.xlsx_text(path))


@pytest.mark.parametrize("fmt", FORMATS)
def test_township_briefing_names_no_other_township(outputs, world, fmt):
    towns, villages = world["towns"], world["villages"]
    own = towns[TOWN]
    allowed = [own, world["counties"][COUNTY], "岳阳市",
               *[n for c, n in villages.items() if c.startswith(TOWN)]]
    others = {n for c, n in towns.items() if c != TOWN and n != own}
    checkable = {n for n in others if not any(n in a for a in allowed)}
    assert len(checkable) > 100  # the check is not vacuous
    content = _text(outputs[("town", fmt)])
    assert own in content  # extraction works: the township's own name is there
    leaked = sorted(n for n in checkable if n in content)
    assert not leaked, leaked
    # the city's briefing, by contrast, names many townships
    city = _text(outputs[("city", fmt)])
    assert sum(1 for n in checkable if n in city) >= 3


@pytest.mark.parametrize("who", ("city", "town"))
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_in_any_file(outputs, world, who, fmt):
    content = _text(outputs[(who, fmt)])
    personal = world["personal"]
    found = [n for n in personal["names"] if n in content]
    assert not found, found[:5]
    assert not [i for i in personal["ids"] if i in content]
    assert not [i for i in personal["ids"] if f"{i[:4]}{'*' * 10}{i[-4:]}" in content]
    assert "测试摘要" not in content
    assert not [m for m in world["masked"] if m in content]


def test_township_data_model_holds_only_the_township(world, engine):
    """Below the text: every area, map unit, hotspot and listed matter is the township's."""
    from briefing.collect import collect
    from briefing.map_image import features, zones_inside
    from briefing.model import BriefingRequest
    from briefing.service import briefing_scope
    from queries.filters import Period

    req = BriefingRequest(month=Period.parse_month(MONTH), unit=TOWN, as_of=AS_OF)
    data = collect(briefing_scope(TOWN), req)
    assert data.jurisdiction.name == world["towns"][TOWN]
    units = features(data.map.units)
    assert units and all(p["code"].startswith(TOWN) for p, _g in units)
    assert [p["code"] for p, _g in features(data.map.outline)] == [TOWN]
    assert all(c.startswith(TOWN) for c in data.areas.index)
    assert len(data.hotspots) and all(c.startswith(TOWN) for c in data.hotspots["code"])
    outline = features(data.map.outline)[0][1]
    assert zones_inside(data.map.zones, outline) == []  # the test zone lies in 岳阳楼区
    with engine.connect() as c:
        own = set(c.execute(text("SELECT matter_no FROM matter WHERE township_code = :t"),
                            {"t": TOWN}).scalars())
        leaders = set(c.execute(text(
            "SELECT p.leader_name FROM package_assignment p JOIN matter m ON m.id = p.matter_id"
            " WHERE m.township_code = :t"), {"t": TOWN}).scalars())
    assert len(data.gaps) and set(data.gaps["matter_no"]) <= own
    assert len(data.packages) and set(data.packages["leader"]) <= leaders
    assert data.kpis.values["counts"]["subs"] > 0


def test_rights_are_checked_in_code():
    from briefing.service import BriefingError, BriefingRefused, generate, resolve_unit
    from queries.scope import Scope

    officer = Scope(units=(TOWN,))
    assert resolve_unit(officer, None) == TOWN
    assert resolve_unit(officer, TOWN) == TOWN
    for refused in (OTHER_TOWN, COUNTY, "430600"):
        with pytest.raises(BriefingRefused):
            resolve_unit(officer, refused)
    leader = Scope(units=(COUNTY,))
    assert resolve_unit(leader, TOWN) == TOWN
    with pytest.raises(BriefingRefused):
        resolve_unit(leader, OTHER_TOWN)
    department = Scope(departments=("住建局",))
    for unit in (None, TOWN):
        with pytest.raises(BriefingRefused):
            resolve_unit(department, unit)
    region = Scope.region()
    assert resolve_unit(region, None) == "430600"
    for bad in ("430626999", "430626001001", "4306260", "x' OR 1=1", "440300"):
        with pytest.raises(BriefingError):
            resolve_unit(region, bad)
    with pytest.raises(BriefingRefused):
        generate(officer, OTHER_TOWN, MONTH, "pdf", as_of=AS_OF)


def test_cli_user_option_refuses_a_unit_outside_the_account(run_cli, users, tmp_path):
    out = tmp_path / "x.pdf"
    result = run_cli("briefing", "--month", MONTH, "--unit", OTHER_TOWN, "--format", "pdf",
                     "--out", str(out), "--user", users["officer"])
    assert result.exit_code != 0
    assert "outside your jurisdiction" in result.output and not out.exists()
    ok = run_cli("briefing", "--month", MONTH, "--format", "xlsx", "--out", str(tmp_path / "y"),
                 "--user", users["officer"], "--as-of", AS_OF.isoformat())
    assert ok.exit_code == 0, ok.output
    assert TOWN in ok.output  # the officer's own township, by default


def test_every_generation_is_audited(outputs, engine, users):
    with engine.connect() as c:
        rows = c.execute(text(
            "SELECT username, target, detail FROM audit_log WHERE action = 'export'"
            " AND detail->>'kind' = 'briefing' ORDER BY id")).all()
    targets = [r.target for r in rows]
    assert targets.count(f"briefing {MONTH} {TOWN}") >= 3  # pdf, docx, xlsx
    assert targets.count(f"briefing {MONTH} 430600") >= 3
    formats = {r.detail["format"] for r in rows if r.target == f"briefing {MONTH} {TOWN}"}
    assert formats >= {"pdf", "docx", "xlsx"}
    assert all(r.username and r.username.startswith(("cli", "brf_")) for r in rows)


def test_a_township_briefing_is_the_same_whoever_makes_it(world, tmp_path):
    """The county leader's, the city's and the township officer's briefing of the township
    hold the same figures: it is computed with the township's scope, not the caller's."""
    from briefing.service import generate
    from queries.scope import Scope

    sheets = []
    for caller in (Scope(units=(TOWN,)), Scope(units=(COUNTY,)), Scope.region()):
        b = generate(caller, TOWN, MONTH, "xlsx", as_of=AS_OF)
        path = tmp_path / f"{len(sheets)}.xlsx"
        path.write_bytes(b.content)
        values = readers.xlsx_values(path)
        values.pop("图表", None)
        values.pop("概览", None)  # holds the generation date
        sheets.append(values)
    assert sheets[0] == sheets[1] == sheets[2]
    assert len(sheets[0]) >= 10
