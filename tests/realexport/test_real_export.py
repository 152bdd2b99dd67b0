"""Issue 10 on a realistic office export (``fixtures/``, written by ``make_export.py``): the
importer lands every matter and lists the flaws without personal data, and every KPI of
DESIGN §4 — through ``kpi --json``, the briefing in three formats and the wall's KPI panel —
equals the independent reference (``reference.py``, which reads the files itself and imports
nothing from the product). Month P = 2026-10, as of 2026-11-20 (D = 2026-10-31); the wall is
pinned to 2026-10-31 with ``ATLAS_AS_OF``.

When a value disagrees, the assertion message names the matter or submission numbers the
reference counted, so a product bug can be traced to rows of the export.
"""

from __future__ import annotations

import csv
import shutil
import time

import pytest
from sqlalchemy import text

from tests.realexport import make_export, reference
from tests.realexport.conftest import AS_OF, MONTH, TOWN, WALL_DAY, kpi_json

KPI_KEYS = ("timely_forward_rate", "timely_accept_rate", "on_time_answer_rate",
            "participation_rate", "satisfaction_rate", "repeat_rate", "cross_level_rate",
            "online_share", "collective_visits", "collective_persons", "overdue_open",
            "backlog_open", "backlog_resolution_rate", "first_resolved_rate",
            "irregular_submissions", "irregular_by_level", "unrecorded_clocks", "package_gaps")
RATES = {k for k in KPI_KEYS if k.endswith(("_rate", "_share"))}
#: (numerator, denominator) of each rate in the ``counts`` of ``kpi --json``.
BASIS = {"timely_forward_rate": ("fwd_ok", "fwd_n"), "timely_accept_rate": ("acc_ok", "acc_n"),
         "on_time_answer_rate": ("ans_ok", "ans_n"),
         "participation_rate": ("evaluated", "answered"),
         "satisfaction_rate": ("satisfied", "evaluated"), "repeat_rate": ("repeats", "subs"),
         "cross_level_rate": ("cross_visits", "visits"), "online_share": ("online", "subs"),
         "backlog_resolution_rate": ("backlog_resolved", "backlog_during"),
         "first_resolved_rate": ("fr_ok", "fr_n")}
#: The reference's detail lists behind each count (matter or submission numbers).
DETAIL = {"fwd_ok": "forward_ok", "fwd_n": "forward_n", "acc_ok": "accept_ok",
          "acc_n": "accept_n", "ans_ok": "answer_ok", "ans_n": "answer_n"}
WHO = {"region": None, "town": TOWN}


def shown(key: str, value) -> str:
    """A value as DESIGN §11 writes it: rates with one decimal and %, counts with separators."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if key in RATES else f"{int(value):,}"


def expected(ref, who: str, as_of=AS_OF) -> reference.Result:
    return reference.compute(ref, MONTH, as_of, WHO[who])


def explain(result: reference.Result, key: str) -> str:
    det = result.detail
    names = {"overdue_open": ["overdue_open"], "backlog_open": ["backlog_open"],
             "package_gaps": ["package_gaps"], "unrecorded_clocks": ["unrecorded"],
             "collective_visits": ["collective_visits"]}.get(key, [])
    if key in BASIS:
        names = [DETAIL.get(n, n) for n in BASIS[key]]
    return "; ".join(f"{n}: {det.get(n, [])}" for n in names)


def assert_kpis(got: dict, result: reference.Result, label: str) -> None:
    """Every §4 key but ``irregular_by_level`` (checked on its own below)."""
    wrong = []
    for key in KPI_KEYS:
        if key == "irregular_by_level":
            continue
        want = result.values[key]
        if got.get(key) != want or (want is not None and type(got[key]) is not type(want)):
            wrong.append(f"{key}: expected {want!r}, got {got.get(key)!r} "
                         f"(reference {explain(result, key)})")
    assert not wrong, f"{label}:\n" + "\n".join(wrong)


# --- the fixture is what the issue asks for ----------------------------------------------------

def test_the_export_holds_what_a_real_office_export_holds(ref):
    raw = make_export.MATTERS.read_bytes()
    assert b"\xef\xbb\xbf" not in raw[:3] and b"\r\n" in raw  # Excel's GB18030 CSV, no BOM
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("gb18030").splitlines()[0].split(",")
    assert header[0] == "信访事项编号" and header[1] == "信访人"  # not the contract's order
    assert {"备注", "录入批次"} <= set(header)
    matters = list(ref.values())
    n = len(matters)
    assert n >= 400
    bad = [m for m in matters if m.petitioner_id and not reference.valid_id(m.petitioner_id)]
    assert len(bad) * 3 >= n
    towns = {m.township for m in matters}
    with open(make_export.ROOT / "data" / "yueyang_townships.csv", encoding="utf-8") as fh:
        real = {r["code"] for r in csv.DictReader(fh)}
    assert towns <= real and len(towns) >= 8
    regs = sorted(m.registered for m in matters)
    assert sum(1 for d in regs if "2025-11-01" <= d.isoformat() <= "2026-11-30") > 0.9 * n
    text_ = raw.decode("gb18030")
    assert "2026-10-31T18:00:00Z" in text_ and "+08:00" in text_
    assert sum(1 for m in matters if not m.intake_given and m.intake == "direct") >= 5
    assert sum(1 for m in matters if m.intake_given and m.intake == "direct") >= 20
    assert sum(len(m.unrecorded()) for m in matters) >= 20
    assert sum(1 for m in matters if m.flag and m.flagged_on is None) >= 2
    assert sum(1 for m in matters if m.flag and m.flagged_on) >= 5
    assert sum(1 for m in matters if m.resolutions) >= 10
    subs = [s for m in matters for s in m.submissions]
    assert len(subs) >= 800
    irregular_levels = {s.level for s in subs if s.irregular}
    assert irregular_levels == set(reference.LEVELS)
    assert {s.channel for s in subs} == set(reference.CHANNELS.values())
    # backlog (b) resolved and started again
    again = [m for m in matters
             if [k for _s, _e, k in reference.backlog_intervals(m, AS_OF)].count("b") >= 2]
    assert again


def test_the_reference_reads_the_hand_placed_cases_as_intended(ref):
    """Spot checks of the reference itself on the hand-placed matters (numbers from
    ``make_export.edges``), worked out by hand from DESIGN §3."""
    import datetime as dt
    import random

    why = make_export.edges(make_export.Export(random.Random(0)))
    no = {purpose: n for n, purpose in why.items()}

    def m(prefix):
        return ref[next(n for p, n in no.items() if p.startswith(prefix))]

    d = dt.date.fromisoformat
    ivs = reference.backlog_intervals(m("(b) from 07-05, resolved 09-10"), AS_OF)
    assert ivs == [(d("2026-07-05"), d("2026-09-10"), "b"), (d("2026-10-20"), None, "b")]
    ivs = reference.backlog_intervals(m("(b) resolved 09-01, one on the resolution day"), AS_OF)
    assert ivs == [(d("2026-06-01"), d("2026-09-01"), "b")]
    ivs = reference.backlog_intervals(m("(b) resolved 07-01, then flagged 09-01"), AS_OF)
    assert ivs == [(d("2026-06-01"), d("2026-07-01"), "b"), (d("2026-09-01"), None, "c")]
    ivs = reference.backlog_intervals(m("(c) flagged without date: from registration"), AS_OF)
    assert ivs == [(d("2026-02-10"), None, "c")]
    assert reference.backlog_intervals(m("(a) answer due 08-02"), WALL_DAY) == []
    assert reference.backlog_intervals(m("(a) answer due 08-01"), WALL_DAY) == [
        (d("2026-10-31"), None, "a")]
    t = m("answer 2026-10-31T18:00:00Z")
    assert t.answered == d("2026-11-01")
    assert m("answer 2026-09-30T17:00:00Z").answered == d("2026-10-01")
    assert m("registered 2026-09-30T20:00:00Z").registered == d("2026-10-01")
    direct = m("blank intake, forwarded blank, accepted set")
    assert direct.intake == "direct" and "forward" not in [c.key for c in direct.clocks]
    assert [c.key for c in m("explicit office, forwarded blank").unrecorded()] == [
        "forward", "accept"]
    assert [c.key for c in m("accepted blank, answered in P").unrecorded()] == [
        "accept", "answer"]
    same_day = m("two submissions on 10-12")
    assert [s.no for s in same_day.submissions] == ["XJ99", "XJ100"]
    r = reference.compute(ref, MONTH, AS_OF)
    assert m("answered 07-10").no in r.detail["fr_n"]
    assert m("answered 07-10").no not in r.detail["fr_ok"]
    assert m("answered 07-12").no in r.detail["fr_ok"]
    assert m("answered 08-03").no not in r.detail["fr_n"]
    assert m("six upper-level visits, no leader").no in r.detail["package_gaps"]
    for prefix in ("six upper-level visits, county leader", "five upper-level visits",
                   "six upper-level visits, the first on D - 365",
                   "six upper-level visits, the last on 11-01"):
        assert m(prefix).no not in r.detail["package_gaps"], prefix
    assert m("(b) resolved on D itself").no in r.detail["backlog_resolved"]
    assert m("(b) resolved 10-01").no not in r.detail["backlog_during"]
    assert m("(b) resolved 10-02").no in r.detail["backlog_resolved"]


# --- import ----------------------------------------------------------------------------------

def _summary(output: str, kind: str) -> dict[str, int]:
    line = next(ln for ln in output.splitlines() if ln.startswith(f"{kind}:"))
    out = {}
    for word in ("inserted", "updated", "unchanged", "rejected", "warned"):
        part = line.split(f"{word} ")
        if len(part) > 1:
            out[word] = int(part[1].split(",")[0].strip())
    return out


def test_import_lands_every_matter_and_exits_0(export, ref, engine):
    result = export.matters_result
    assert result.exit_code == 0, result.output
    s = _summary(result.output, "matters")
    warned = reference.expected_warnings(ref)
    assert s["inserted"] == len(ref) and s["rejected"] == 0, result.output
    assert s["warned"] == len(warned), (s, len(warned))
    assert not export.matters.with_name(export.matters.name + ".rejects.csv").exists()
    with engine.connect() as c:
        stored = {r[0] for r in c.execute(text("SELECT matter_no FROM matter"))}
    assert stored == set(ref)


def test_submissions_file_recognised_by_its_header(export, ref, engine):
    result = export.submissions_result
    assert result.exit_code == 0, result.output
    s = _summary(result.output, "submissions")
    total = sum(len(m.submissions) for m in ref.values())
    assert s["inserted"] == total and s["rejected"] == 0, result.output
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM submission")).scalar() == total


def _warnings(export) -> list[dict]:
    path = export.matters.with_name(export.matters.name + ".warnings.csv")
    assert path.exists(), "no warnings file beside the input"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


FLAW_COLUMNS = {"id": {"身份证号"}, "package_level": {"包案级别"}, "flag_date": {"积案交办日期"},
                "unrecorded:forward": {"转送交办日期"},
                "unrecorded:accept": {"受理日期", "转送交办日期"},
                "unrecorded:answer": {"答复日期", "受理日期"},
                "unrecorded:review": {"复查意见日期", "复查申请日期"},
                "unrecorded:recheck": {"复核意见日期", "复核申请日期"}}


def test_warnings_file_one_line_per_flaw(export, ref):
    rows = _warnings(export)
    assert list(rows[0]) == ["line", "column", "matter_no", "reason_zh", "reason_en"]
    header_rows = [r for r in rows if r["line"] == "1"]
    assert sorted(r["column"] for r in header_rows) == ["备注", "录入批次"]
    by_line: dict[int, list[dict]] = {}
    for r in rows:
        if r["line"] != "1":
            by_line.setdefault(int(r["line"]), []).append(r)
    want = reference.expected_warnings(ref)
    by_no = {m.line: m.no for m in ref.values()}
    assert set(by_line) == set(want), (
        "rows warned but without a flaw: "
        f"{sorted(by_no[ln] for ln in set(by_line) - set(want))}; rows with a flaw not "
        f"warned: {sorted(by_no[ln] for ln in set(want) - set(by_line))}")
    wrong = []
    for line, flaws in want.items():
        got = by_line[line]
        cols = sorted(r["column"] for r in got)
        if len(got) != len(flaws) or any(r["matter_no"] != by_no[line] for r in got):
            wrong.append((by_no[line], flaws, cols))
            continue
        remaining = list(cols)
        for flaw in flaws:
            hit = next((c for c in remaining if c in FLAW_COLUMNS[flaw]), None)
            if hit is None:
                wrong.append((by_no[line], flaws, cols))
                break
            remaining.remove(hit)
    assert not wrong, wrong[:10]
    for r in rows:
        assert r["reason_zh"] and r["reason_en"]


def test_warnings_file_carries_no_personal_data(export, ref):
    path = export.matters.with_name(export.matters.name + ".warnings.csv")
    body = path.read_text(encoding="utf-8-sig")
    assert "*" not in body  # not even a masked form
    rows = _warnings(export)
    numbers = set(ref)
    for m in ref.values():
        if m.petitioner_name:
            assert m.petitioner_name not in body
            assert m.petitioner_name[:3] not in body  # 测试甲: no part of a name either
        pid = m.petitioner_id
        if pid:
            assert pid not in body and pid[:17] not in body and pid[-6:] not in body
            for r in rows:  # the last four characters appear in no reason
                assert pid[-4:] not in r["reason_zh"] + r["reason_en"], m.no
    for r in rows:
        assert r["line"].isdigit()
        assert r["matter_no"] in numbers or (r["line"] == "1" and r["matter_no"] == "")
        assert r["column"] in reference.MATTER_HEADERS or r["column"] in ("备注", "录入批次")
    assert "测试摘要" not in body


# --- kpi --json ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", list(WHO))
def test_kpi_command_equals_the_reference(export, runner, ref, who):
    got = kpi_json(runner, WHO[who])
    assert got["month"] == MONTH and got["as_of"] == AS_OF.isoformat()
    assert_kpis(got, expected(ref, who), who)


@pytest.mark.parametrize("who", list(WHO))
def test_kpi_command_prints_irregular_by_level(export, runner, ref, who):
    """DESIGN §4 / issue 10 item 2: ``irregular_submissions`` *with* ``irregular_by_level``
    (a count per received level) in ``kpi --json``."""
    got = kpi_json(runner, WHO[who])
    want = expected(ref, who).values["irregular_by_level"]
    assert got.get("irregular_by_level") == want, (
        f"kpi --json has no irregular_by_level (keys: {sorted(got)}); expected {want}")


@pytest.mark.parametrize("who", list(WHO))
def test_kpi_counts_equal_the_reference(export, runner, ref, who):
    """The numerators and denominators behind the rates (``counts``)."""
    got = kpi_json(runner, WHO[who])["counts"]
    want = expected(ref, who)
    wrong = {k: (v, got.get(k), want.detail.get(DETAIL.get(k, k)))
             for k, v in want.counts.items() if got.get(k) != v}
    assert not wrong, wrong
    # the irregular submissions per received level are there, as counts
    by_level = {lvl: got.get(f"irr_{lvl}") for lvl in reference.LEVELS}
    assert by_level == want.values["irregular_by_level"]


@pytest.mark.parametrize("month", ["2026-09", "2026-11"])
@pytest.mark.parametrize("who", list(WHO))
def test_kpi_command_other_months(export, runner, ref, month, who):
    """The months around P (November stops at the as-of date, 2026-11-20)."""
    got = kpi_json(runner, WHO[who], month=month)
    assert_kpis(got, reference.compute(ref, month, AS_OF, WHO[who]), f"{who} {month}")


@pytest.mark.parametrize("who", list(WHO))
def test_raw_sql_path_and_officer_scope_equal_the_reference(export, ref, who, monkeypatch):
    """``compute_kpis`` without the summary tables (its raw SQL), and a township officer's
    own scope, give the same figures."""
    from queries import summaries
    from queries.filters import MatterFilter, Period
    from queries.kpi import compute_kpis
    from queries.scope import Scope
    from settings import get_settings

    rules = get_settings().clock_rules()
    period = Period.month(2026, 10)
    unit = WHO[who]
    want = expected(ref, who)
    if unit:
        assert_kpis(compute_kpis(Scope(units=(unit,)), period, AS_OF, None, rules), want,
                    f"{who} officer scope")
    monkeypatch.setattr(summaries, "kpi_counts", lambda *a, **k: None)
    got = compute_kpis(Scope.region(), period, AS_OF, MatterFilter(unit=unit) if unit else None,
                       rules)
    assert_kpis(got, want, f"{who} raw SQL")
    assert got["irregular_by_level"] == want.values["irregular_by_level"]


def test_kpi_as_of_the_last_day_of_the_month(export, runner, ref):
    """As of 2026-10-31 (the wall's day) nothing of October changes."""
    for who, unit in WHO.items():
        got = kpi_json(runner, unit, as_of=WALL_DAY)
        assert_kpis(got, expected(ref, who, WALL_DAY), f"{who} as of {WALL_DAY}")


# --- briefing --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def briefings(export, runner, tmp_path_factory):
    folder = tmp_path_factory.mktemp("briefings")
    files = {}
    for who, unit in WHO.items():
        for fmt in ("pdf", "docx", "xlsx"):
            path = folder / f"{who}.{fmt}"
            args = ["briefing", "--month", MONTH, "--format", fmt, "--out", str(path),
                    "--as-of", AS_OF.isoformat()]
            if unit:
                args += ["--unit", unit]
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
            files[(who, fmt)] = path
    return files


def _label(key: str) -> str:
    from briefing.document import kpi_label

    return kpi_label(key, "zh")


BRIEFING_KEYS = [k for k in KPI_KEYS if k != "irregular_by_level"]


@pytest.mark.parametrize("who", list(WHO))
def test_briefing_xlsx_equals_the_reference(briefings, ref, who):
    from tests.briefing import readers

    rows = readers.xlsx_values(briefings[(who, "xlsx")])["主要指标"]
    head_at = next(i for i, r in enumerate(rows) if "指标代码" in r)
    col = {h: j for j, h in enumerate(rows[head_at])}
    data = {r[col["指标代码"]]: r for r in rows[head_at + 1:] if r[col["指标代码"]]}
    want = expected(ref, who)
    wrong = []
    for key in BRIEFING_KEYS:
        got = data[key][col["本月"]] if key in data else "missing"
        # A spreadsheet keeps 15 significant digits: rates agree to 1e-12, counts exactly.
        if got != (want.values[key] if key not in RATES or want.values[key] is None
                   else pytest.approx(want.values[key], rel=1e-12)):
            wrong.append((key, want.values[key], got))
        if key in BASIS and key in data:
            num, den = BASIS[key]
            basis = (data[key][col["计算基数（分子）"]], data[key][col["计算基数（分母）"]])
            if basis != (want.counts[num], want.counts[den]):
                wrong.append((key, (want.counts[num], want.counts[den]), basis))
    assert not wrong, wrong


@pytest.mark.parametrize("who", list(WHO))
def test_briefing_docx_equals_the_reference(briefings, ref, who):
    from tests.briefing import readers

    rows = readers.docx_table(briefings[(who, "docx")], "指标")
    by_label = {r[0]: r for r in rows[1:]}
    want = expected(ref, who)
    wrong = []
    for key in BRIEFING_KEYS:
        r = by_label.get(_label(key))
        if r is None or r[1] != shown(key, want.values[key]):
            wrong.append((key, shown(key, want.values[key]), r and r[1]))
            continue
        if key in BASIS:
            num, den = BASIS[key]
            basis = f"{want.counts[num]:,} / {want.counts[den]:,}"
            if r[2] != basis:
                wrong.append((key, basis, r[2]))
    assert not wrong, wrong


@pytest.mark.parametrize("who", list(WHO))
def test_briefing_pdf_equals_the_reference(briefings, ref, who):
    from tests.briefing import readers

    lines = [ln.split() for ln in readers.pdf_text(briefings[(who, "pdf")]).splitlines()
             if ln.strip()]
    want = expected(ref, who)
    wrong = []
    for key in BRIEFING_KEYS:
        rows = [toks for toks in lines if toks[0] == _label(key)]
        value = shown(key, want.values[key])
        first = [value]
        if key in BASIS:
            num, den = BASIS[key]
            first += [f"{want.counts[num]:,}", "/", f"{want.counts[den]:,}"]
        if not rows or rows[0][1:1 + len(first)] != first:
            wrong.append((key, first, rows[0][1:] if rows else None))
    assert not wrong, wrong


def test_briefing_as_of_from_the_office_clock(export, runner, ref, tmp_path, monkeypatch):
    """Without ``--as-of`` the briefing takes the office's day (``ATLAS_AS_OF``)."""
    from tests.briefing import readers

    monkeypatch.setenv("ATLAS_AS_OF", AS_OF.isoformat())
    path = tmp_path / "city.xlsx"
    result = runner.invoke(args=["briefing", "--month", MONTH, "--format", "xlsx",
                                 "--out", str(path)])
    assert result.exit_code == 0, result.output
    rows = readers.xlsx_values(path)["主要指标"]
    head_at = next(i for i, r in enumerate(rows) if "指标代码" in r)
    col = {h: j for j, h in enumerate(rows[head_at])}
    data = {r[col["指标代码"]]: r[col["本月"]] for r in rows[head_at + 1:] if r[col["指标代码"]]}
    want = expected(ref, "region")
    for key in BRIEFING_KEYS:
        value = want.values[key]
        assert data.get(key) == (pytest.approx(value, rel=1e-12)
                                 if key in RATES and value is not None else value), key


# --- the wall --------------------------------------------------------------------------------

FIT_JS = """
var de = document.scrollingElement, W = window.innerWidth, H = window.innerHeight;
var out = {sw: de.scrollWidth, cw: de.clientWidth, sh: de.scrollHeight, ch: de.clientHeight,
           W: W, H: H, clipped: []};
var p = document.getElementById('wall-panel-kpi'), pr = p.getBoundingClientRect();
out.panel = [pr.left, pr.top, pr.right, pr.bottom];
var g = p.querySelector('.wall-kpi-grid'), gr = g ? g.getBoundingClientRect() : null;
out.grid = gr ? [Math.round(gr.top), Math.round(gr.bottom)] : null;
out.tiles = Array.from(p.querySelectorAll('.wall-kpi')).map(function (t) {
  var r = t.getBoundingClientRect(), v = t.querySelector('[data-kpi]');
  var part = function (css) { var e = t.querySelector(css);
    return e ? Math.round(e.getBoundingClientRect().height) : null; };
  return [v ? v.getAttribute('data-kpi') : '', Math.round(r.top), Math.round(r.height),
          part('.kpi-label'), part('.kpi-value'), part('.kpi-delta'), part('.kpi-foot')];
});
p.querySelectorAll('*').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (!r.width || !r.height) return;
  if (r.left < pr.left - 1 || r.top < pr.top - 1 || r.right > pr.right + 1 ||
      r.bottom > pr.bottom + 1) out.clipped.push([e.tagName, e.className,
        (e.innerText || '').slice(0, 40), Math.round(r.left), Math.round(r.top),
        Math.round(r.right), Math.round(r.bottom)]);
});
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

CARDS_JS = """
var out = {};
document.querySelectorAll('#wall-kpi-body [data-kpi]').forEach(function (e) {
  var card = e.closest('.kpi-card'), foot = card && card.querySelector('.kpi-foot');
  out[e.getAttribute('data-kpi')] = {text: e.innerText, raw: e.getAttribute('data-raw'),
                                     foot: foot ? foot.innerText : ''};
});
return out;
"""


@pytest.fixture(scope="module")
def wall(export, db_url, engine):
    """The application in its own process with the office day pinned to 2026-10-31."""
    import uuid

    from queries.users import create_wall_token
    from tests.live_server import running_server

    with engine.begin() as c:
        _id, token = create_wall_token(c, f"rx-{uuid.uuid4().hex[:6]}")
    with running_server("realexport", {"DATABASE_URL": db_url,
                                       "ATLAS_AS_OF": WALL_DAY.isoformat(),
                                       "WALL_CACHE_TTL": "1", "WALL_CACHE": "on",
                                       "REDIS_URL": None}) as base:
        yield base, token


@pytest.fixture(scope="module")
def wall_page(wall):
    """The wall's KPI panel at 1920×1080 in headless Chromium, as a screen shows it: its
    cards, title, geometry and smallest text."""
    if not shutil.which("chromedriver"):
        pytest.skip("chromedriver not installed")
    from tests.dashboard.browser import make_driver, wait_for

    base, token = wall
    d = make_driver(1920, 1080)
    try:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 1920, "height": 1080, "deviceScaleFactor": 1,
                           "mobile": False})
        d.get(f"{base}/wall?token={token}")
        d.get(f"{base}/wall?hold=kpi")
        wait_for(d, "#wall-root.show-kpi", timeout=60)
        wait_for(d, "#wall-kpi-body .wall-kpi", timeout=90, count=16)
        time.sleep(1.0)  # the fade-in
        return {"cards": d.execute_script(CARDS_JS),
                "title": d.find_element("css selector", "#wall-kpi-body .wall-h2").text,
                "fit": d.execute_script(FIT_JS), "text": d.execute_script(TEXT_JS)}
    finally:
        d.quit()


@pytest.mark.browser
def test_wall_kpi_panel_equals_the_reference(wall_page, runner, ref):
    want = reference.compute(ref, MONTH, WALL_DAY)
    command = kpi_json(runner, None, as_of=WALL_DAY)
    cards = wall_page["cards"]
    assert "2026-10" in wall_page["title"], wall_page["title"]
    wrong = []
    for key in BRIEFING_KEYS:
        value = want.values[key]
        if key == "collective_persons":
            foot = cards["collective_visits"]["foot"]
            if f"{value:,}" not in foot:
                wrong.append((key, value, foot))
            continue
        card = cards.get(key)
        if card is None:
            wrong.append((key, value, "no card"))
            continue
        if card["text"] != shown(key, value):
            wrong.append((key, shown(key, value), card["text"]))
        raw = None if card["raw"] == "" else float(card["raw"])
        if raw != (None if value is None else float(value)):
            wrong.append((key, value, card["raw"]))
        if command[key] != value:
            wrong.append((key, "kpi command", command[key], "reference", value))
    assert not wrong, wrong


@pytest.mark.browser
def test_wall_kpi_panel_fits_1080p_with_large_text(wall_page):
    fit, txt = wall_page["fit"], wall_page["text"]
    assert fit["sw"] <= fit["cw"] and fit["sh"] <= fit["ch"], fit
    assert (fit["W"], fit["H"]) == (1920, 1080)
    left, top, right, bottom = fit["panel"]
    assert left >= 0 and top >= 0 and right <= 1920 and bottom <= 1080, fit
    assert txt["count"] > 20 and txt["min"] >= 28 - 0.01, txt
    # nothing of the panel falls outside it (the tiles: id, top, height, and the heights of
    # label, value, change line and foot, to show which lines wrapped)
    assert not fit["clipped"], {"panel": fit["panel"], "grid": fit["grid"],
                                "outside": fit["clipped"], "tiles": fit["tiles"]}


def test_wall_backlog_panel_by_township_equals_the_reference(export, ref):
    """The wall's backlog panel (``queries.stability.backlog_by_township``, DESIGN §10:
    "backlog and package gaps by township") on D = 2026-10-31: per township, the same
    backlog, overdue and package-gap matters as the reference (and so as ``kpi``)."""
    from queries import stability
    from queries.scope import Scope
    from settings import get_settings

    frame = stability.backlog_by_township(Scope.region(), WALL_DAY,
                                          get_settings().clock_rules())
    want = reference.compute(ref, MONTH, WALL_DAY)
    wrong = []
    for column, key in (("backlog", "backlog_open"), ("overdue", "overdue_open"),
                        ("package_gaps", "package_gaps")):
        per_town: dict[str, list[str]] = {}
        for no in want.detail.get(key, []):
            per_town.setdefault(ref[no].township, []).append(no)
        for code in sorted(set(per_town) | set(frame.index)):
            got = int(frame[column].get(code, 0))
            if got != len(per_town.get(code, [])):
                wrong.append((column, code, "expected", len(per_town.get(code, [])), "got", got,
                              per_town.get(code, [])))
    assert not wrong, wrong


# --- importing the same files again ----------------------------------------------------------

def test_the_same_files_imported_twice_change_nothing(export, runner, ref, engine):
    with engine.connect() as c:
        before = c.execute(text(
            "SELECT (SELECT count(*) FROM matter), (SELECT count(*) FROM submission),"
            " (SELECT count(*) FROM backlog_resolution),"
            " (SELECT count(*) FROM matter_backlog_span)")).one()
    for path, kind in ((export.matters, "matters"), (export.submissions, "submissions")):
        result = runner.invoke(args=["import-cases", str(path)])
        assert result.exit_code == 0, result.output
        s = _summary(result.output, kind)
        assert s["inserted"] == 0 and s["updated"] == 0 and s["rejected"] == 0, result.output
    with engine.connect() as c:
        after = c.execute(text(
            "SELECT (SELECT count(*) FROM matter), (SELECT count(*) FROM submission),"
            " (SELECT count(*) FROM backlog_resolution),"
            " (SELECT count(*) FROM matter_backlog_span)")).one()
    assert tuple(after) == tuple(before)
    for who, unit in WHO.items():
        assert_kpis(kpi_json(runner, unit), expected(ref, who), f"{who} after re-import")
