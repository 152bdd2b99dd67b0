"""The three files, opened as a reader would, hold the headings and the same KPI values the
``kpi --json`` command prints for the month, the previous month and the same month last
year — for the city and for a township; the PDF embeds its fonts and renders to PNG pages."""

from __future__ import annotations

import pytest
from PIL import Image

from dashboard.i18n import fmt_int, fmt_rate
from tests.briefing import readers
from tests.briefing.conftest import MONTH, TOWN, kpi_json

KPI_ORDER = ("timely_forward_rate", "timely_accept_rate", "on_time_answer_rate",
             "participation_rate", "satisfaction_rate", "repeat_rate", "cross_level_rate",
             "online_share", "collective_visits", "collective_persons", "overdue_open",
             "backlog_open", "backlog_resolution_rate", "first_resolved_rate",
             "irregular_submissions", "unrecorded_clocks", "package_gaps")
RATES = {k for k in KPI_ORDER if k.endswith(("_rate", "_share"))}
BASIS = {"timely_forward_rate": ("fwd_ok", ("fwd_n",)),
         "timely_accept_rate": ("acc_ok", ("acc_n",)),
         "on_time_answer_rate": ("ans_ok", ("ans_n",)),
         "participation_rate": ("evaluated", ("answered",)),
         "satisfaction_rate": ("satisfied", ("evaluated",)),
         "repeat_rate": ("repeats", ("subs",)), "cross_level_rate": ("cross_visits", ("visits",)),
         "online_share": ("online", ("subs",)),
         "backlog_resolution_rate": ("backlog_resolved", ("backlog_during",)),
         "first_resolved_rate": ("fr_ok", ("fr_n",))}
HEADINGS = ("一、主要指标", "二、分布情况", "三、趋势与类别", "四、热点区域", "五、超期与积案",
            "六、领导包案", "七、交办件销号", "八、非正常上访", "九、敏感期情况", "十、说明")
WHO = {"city": None, "town": TOWN}


def label(key: str) -> str:
    from briefing.document import kpi_label

    return kpi_label(key, "zh")


def shown(key: str, value) -> str:
    if value is None:
        return "—"
    return fmt_rate(value) if key in RATES else fmt_int(value)


@pytest.fixture(scope="module")
def kpis(run_cli, world):
    """``kpi --json`` of the month, the month before and the same month a year before, for
    the city and the township."""
    out = {}
    for who, unit in WHO.items():
        out[who] = {"cur": kpi_json(run_cli, MONTH, unit),
                    "prev": kpi_json(run_cli, "2026-09", unit),
                    "year": kpi_json(run_cli, "2025-10", unit)}
    return out


def test_the_month_has_data_to_compare(kpis):
    """Guards the other tests: the numbers compared are not all empty."""
    for who in WHO:
        cur = kpis[who]["cur"]
        assert cur["counts"]["subs"] > 0 and cur["counts"]["fwd_n"] > 0, who
        assert cur["timely_forward_rate"] is not None
    assert kpis["city"]["cur"]["counts"]["subs"] > kpis["town"]["cur"]["counts"]["subs"]


def _in_order(tokens: list[str], expected: list[str]) -> bool:
    i = 0
    for tok in tokens:
        if i < len(expected) and tok == expected[i]:
            i += 1
    return i == len(expected)


@pytest.mark.parametrize("who", list(WHO))
def test_pdf_headings_and_kpis_equal_the_kpi_command(outputs, kpis, who):
    text = readers.pdf_text(outputs[(who, "pdf")])
    flat = readers.squeeze(text)
    for heading in HEADINGS:
        assert heading in flat, heading
    assert "第1页，共" in flat and "生成日期" in flat
    lines = [ln.split() for ln in text.splitlines() if ln.strip()]
    k = kpis[who]
    for key in KPI_ORDER:
        rows = [toks for toks in lines if toks[0] == label(key)]
        assert rows, f"no KPI row for {key}"
        expected = [shown(key, k["cur"][key])]
        if key in BASIS:
            num, dens = BASIS[key]
            counts = k["cur"]["counts"]
            expected += [fmt_int(counts[num]), "/", fmt_int(sum(counts[d] for d in dens))]
        expected += [shown(key, k["prev"][key]), shown(key, k["year"][key])]
        assert _in_order(rows[0], expected), (key, rows[0], expected)


@pytest.mark.parametrize("who", list(WHO))
def test_docx_kpi_table_equals_the_kpi_command(outputs, kpis, who):
    rows = readers.docx_table(outputs[(who, "docx")], "指标")
    assert rows[0][:4] == ["指标", "本月", "计算基数", "上月"]
    by_label = {r[0]: r for r in rows[1:]}
    k = kpis[who]
    for key in KPI_ORDER:
        r = by_label[label(key)]
        assert r[1] == shown(key, k["cur"][key]), key
        assert r[3] == shown(key, k["prev"][key]), key
        assert r[5] == shown(key, k["year"][key]), key
        if key in BASIS:
            num, dens = BASIS[key]
            c = k["cur"]["counts"]
            assert r[2] == f"{fmt_int(c[num])} / {fmt_int(sum(c[d] for d in dens))}", key
    text = readers.docx_text(outputs[(who, "docx")])
    for heading in HEADINGS:
        assert heading in text, heading


@pytest.mark.parametrize("who", list(WHO))
def test_xlsx_holds_the_same_numbers_as_numbers(outputs, kpis, who):
    sheets = readers.xlsx_values(outputs[(who, "xlsx")])
    rows = sheets["主要指标"]
    head_at = next(i for i, r in enumerate(rows) if "指标代码" in r)
    head = rows[head_at]
    col = {h: j for j, h in enumerate(head)}
    data = {r[col["指标代码"]]: r for r in rows[head_at + 1:] if r[col["指标代码"]]}
    k = kpis[who]
    assert set(data) == set(KPI_ORDER)
    for key in KPI_ORDER:
        r = data[key]
        for column, which in (("本月", "cur"), ("上月", "prev"), ("去年同月", "year")):
            want = k[which][key]
            got = r[col[column]]
            if want is None:
                assert got is None, (key, column)
            else:
                assert isinstance(got, int | float), (key, column, got)
                assert got == pytest.approx(want, abs=1e-12), (key, column)
        if key in BASIS:
            num, dens = BASIS[key]
            c = k["cur"]["counts"]
            assert r[col["计算基数（分子）"]] == c[num]
            assert r[col["计算基数（分母）"]] == sum(c[d] for d in dens)
    summary = {r[0]: r[1] for r in sheets["概览"] if r and r[0]}
    assert summary["month"] == MONTH and summary["unit"] == (WHO[who] or "430600")
    # one sheet per table, numbers as numbers
    for name in ("分区域", "超期与积案", "领导包案", "包案缺口", "交办销号", "各月信访件", "图表"):
        assert name in sheets, name
    board = sheets["超期与积案"]
    head_at = next(i for i, r in enumerate(board) if r and r[0] == "责任单位")
    numbers = [v for r in board[head_at + 1:] for v in r[1:] if v is not None]
    assert numbers and all(isinstance(v, int | float) for v in numbers)


def test_pdf_fonts_are_embedded_cjk(outputs):
    for who in WHO:
        fonts = readers.pdf_fonts(outputs[(who, "pdf")])
        assert fonts, "no fonts listed"
        assert all(f["emb"] for f in fonts), [f["line"] for f in fonts if not f["emb"]]
        assert any("Noto-Sans-CJK-SC" in f["name"] for f in fonts)


def test_pdf_pages_render_to_png(outputs, tmp_path):
    pages = readers.pdf_pages_to_png(outputs[("city", "pdf")], tmp_path / "png")
    assert len(pages) >= 4
    for page in pages:
        assert page.stat().st_size > 3_000, page
        with Image.open(page) as im:
            w, h = im.size
            assert 380 <= w <= 450 and 1.35 < h / w < 1.48, (page, im.size)  # A4 at 50 dpi
            # not blank: some dark pixels
            lo, _hi = im.convert("L").getextrema()
            assert lo < 100, page


def test_pdf_has_the_map_and_charts_as_images(outputs):
    import subprocess

    out = subprocess.run(["pdfimages", "-list", str(outputs[("city", "pdf")])], check=True,
                         capture_output=True, text=True).stdout.splitlines()[2:]
    # the map, three charts and the backlog-age chart
    assert len(out) >= 5, out


def test_sensitive_period_section_only_when_one_fell_in_the_month(outputs):
    city = readers.squeeze(readers.pdf_text(outputs[("city", "pdf")]))
    assert "国庆节前后敏感期" in city and "陆城镇专项整治敏感期" in city
    town = readers.squeeze(readers.pdf_text(outputs[("town", "pdf")]))
    assert "国庆节前后敏感期" in town
    assert "陆城镇专项整治敏感期" not in town


def test_english_briefing(run_cli, world, tmp_path, kpis):
    path = tmp_path / "town-en.pdf"
    result = run_cli("briefing", "--month", MONTH, "--unit", TOWN, "--format", "pdf",
                     "--lang", "en", "--out", str(path), "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    text = readers.squeeze(readers.pdf_text(path))
    for heading in ("1.Keyindicators", "Notesonmethod", "Page1of", "Monthlypetitionbriefing"):
        assert heading in text, heading
    assert readers.squeeze(fmt_rate(kpis["town"]["cur"]["timely_forward_rate"])) in text


def test_docx_styles_name_chinese_fonts(outputs):
    """python-docx sets only the Latin font; every style used must carry w:eastAsia too."""
    from docx import Document
    from docx.oxml.ns import qn

    d = Document(str(outputs[("town", "docx")]))
    used = {p.style.name for p in d.paragraphs} | {"Normal", "Table Grid"}
    for name in used:
        fonts = d.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")) in ("宋体", "黑体"), name
    # header rows repeat on each page; rows do not split
    xml = d.tables[0]._tbl.xml
    assert "w:tblHeader" in xml and "w:cantSplit" in xml
    footer = d.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_long_tables_repeat_their_header_on_every_page(outputs):
    """The package-gap list of the city runs over a page break: each page holding some of
    its rows (matter numbers) also holds its header row."""
    import re
    import subprocess

    path = outputs[("city", "pdf")]
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout).group(1))
    with_rows = []
    for n in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path),
                               "-"], check=True, capture_output=True, text=True).stdout
        if re.search(r"\bTB\d{7}\b", text):
            with_rows.append(n)
            assert "事项编号" in text.replace(" ", ""), f"page {n}: rows without a header"
    assert len(with_rows) >= 2, with_rows  # the list does cross a page boundary
