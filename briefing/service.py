"""Making a briefing: who may have which one, and the one call that gathers, renders and
names it. The ``briefing`` command and the Briefing page both go through here, so the
rights checked, the scope used and the audit row written are the same.

Rights: a briefing is for the region, a county or a township that lies wholly inside the
caller's jurisdiction (``Scope.allows``); a user scoped to departments only has no admin unit
of their own and gets none. The briefing is then computed with the scope of that unit
alone — never the caller's wider one — so a township's briefing holds nothing of its
neighbours whoever asks for it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from briefing.model import FORMATS, MEDIA_TYPES, BriefingData, BriefingRequest
from domain.codes import is_region_code
from queries.filters import Period
from queries.geography import localise_place
from queries.scope import InvalidCode, Scope, unknown_units, validate_unit_code
from settings import get_settings

Progress = Callable[[str, int, int], None]


class BriefingError(ValueError):
    """A request that cannot be served (bad month, unknown unit…); bilingual message."""


class BriefingRefused(PermissionError):
    """A unit outside the caller's jurisdiction; bilingual message."""


@dataclass(frozen=True)
class Briefing:
    content: bytes
    filename: str  # ASCII, for file systems and cron mail
    display_name: str  # in the document's language, for the browser's Save dialog
    media_type: str
    request: BriefingRequest
    unit_name: str
    seconds: float
    timings: dict  # seconds per gathered part, plus "render" (where the time goes)


def parse_month(text: str | None) -> Period:
    """``YYYY-MM`` → the month, or :class:`BriefingError`."""
    raw = (text or "").strip()
    try:
        if len(raw) != 7 or raw[4] != "-":
            raise ValueError
        period = Period.parse_month(raw)
    except ValueError:
        raise BriefingError(f"月份格式应为 YYYY-MM（如 2026-10），收到 {raw[:20]!r} / "
                            f"month must be YYYY-MM (e.g. 2026-10), got {raw[:20]!r}") from None
    if not dt.date(2000, 1, 1) <= period.start <= dt.date(2100, 12, 1):
        raise BriefingError(f"月份超出范围：{raw} / month out of range: {raw}")
    return period


def check_format(fmt: str | None) -> str:
    if fmt not in FORMATS:
        raise BriefingError(f"格式应为 {'/'.join(FORMATS)} / format must be one of "
                            f"{', '.join(FORMATS)}, got {str(fmt)[:10]!r}")
    return fmt


def resolve_unit(caller: Scope, unit: str | None, conn=None) -> str:
    """The briefing unit for ``caller``: ``unit`` checked, or their only jurisdiction.

    Raises :class:`BriefingError` for a malformed, village-level or unknown code and
    :class:`BriefingRefused` for a unit outside the caller's jurisdiction.
    """
    region = get_settings().region_code
    if unit is None or not str(unit).strip():
        if caller.is_region:
            return region
        if len(caller.units) == 1:
            unit = caller.units[0]
        else:
            raise BriefingRefused("请选择一个辖区单位 / choose one unit of your jurisdiction")
    try:
        code = validate_unit_code(str(unit).strip(), levels=(6, 9))
    except InvalidCode as exc:
        raise BriefingError(f"{exc}（简报只针对全市、县（市、区）或乡镇（街道）/ a briefing is"
                            " for the city, a county or a township)") from None
    if not is_region_code(code):
        if conn is None:
            from queries.db import app_connection

            with app_connection() as c:
                missing = unknown_units(c, [code])
        else:
            missing = unknown_units(conn, [code])
        if missing:
            raise BriefingError(f"未知区划代码 {code} / unknown unit code {code}")
    if caller.is_empty or not caller.allows(code):
        raise BriefingRefused(f"区划 {code} 不在您的辖区内 / unit {code} is outside your "
                              "jurisdiction")
    return code


def briefing_scope(code: str) -> Scope:
    """The scope a briefing of ``code`` is computed with: that unit alone, without personal
    data (the briefing never shows any)."""
    if is_region_code(code):
        return Scope.region(personal_data=False)
    return Scope(units=(code,), personal_data=False)


def filenames(req: BriefingRequest, unit_name: str, fmt: str) -> tuple[str, str]:
    """(ASCII file name, file name in the document's language)."""
    ascii_name = f"briefing-{req.month_key}-{req.unit}{'-en' if req.lang == 'en' else ''}.{fmt}"
    if req.lang == "en":
        display = f"petition-briefing-{req.month_key}-{req.unit}.{fmt}"
    else:
        kind = {"month": "月度", "half": "半年"}.get(req.month.kind, "阶段")
        display = f"{unit_name}信访工作{kind}简报-{req.month_key}.{fmt}"
    return ascii_name, display


def render(data: BriefingData, fmt: str, lang: str | None = None) -> bytes:
    """``data`` as a file of ``fmt``."""
    from briefing import document

    doc = document.build(data, lang)
    if fmt == "pdf":
        from briefing.pdf import to_pdf

        return to_pdf(doc)
    if fmt == "docx":
        from briefing.docx import to_docx

        return to_docx(doc)
    from briefing.xlsx import to_xlsx

    req = data.request
    facts = [("month", req.month_key), ("unit", req.unit),
             ("unit_name", localise_place(data.jurisdiction.name, lang)),
             ("as_of", req.as_of.isoformat()),
             ("reference_day", req.day.isoformat()), ("generated", doc.generated),
             ("lang", doc.lang)]
    if req.month.kind != "month":
        facts[1:1] = [("period_start", req.month.start.isoformat()),
                      ("period_end", req.month.end.isoformat())]
    return to_xlsx(doc, facts)


def generate(caller: Scope, unit: str | None, month: str | Period, fmt: str, *,
             lang: str = "zh", as_of: dt.date | None = None,
             progress: Progress | None = None, workers: int | None = None) -> Briefing:
    """Check the caller's rights, gather and render one briefing.

    ``progress(step, done, total)`` is called with step ``collect`` (parts read so far),
    ``render`` and ``done``.
    """
    from briefing.collect import WORKERS, collect
    from dashboard.state import today
    from queries.rule_state import rules_current
    from settings import get_settings

    t0 = time.perf_counter()
    period = month if isinstance(month, Period) else parse_month(month)
    fmt = check_format(fmt)
    if not rules_current(get_settings().clock_rules()):
        # DESIGN §3 refresh contract: no figure from due dates computed under other rules.
        raise BriefingError("数据正在按新规则重新计算，请先运行 refresh-summaries / the stored "
                            "due dates follow other rules: run refresh-summaries first")
    lang = lang if lang in ("zh", "en") else "zh"
    code = resolve_unit(caller, unit)
    req = BriefingRequest(month=period, unit=code, as_of=as_of or today(), lang=lang)
    step = progress or (lambda *_a: None)
    data = collect(briefing_scope(code), req, progress=step, workers=workers or WORKERS)
    step("render", 0, 1)
    t1 = time.perf_counter()
    content = render(data, fmt, lang)
    timings = {**data.timings, "render": round(time.perf_counter() - t1, 3)}
    step("done", 1, 1)
    ascii_name, display = filenames(req, data.jurisdiction.name, fmt)
    return Briefing(content=content, filename=ascii_name, display_name=display,
                    media_type=MEDIA_TYPES[fmt], request=req, unit_name=data.jurisdiction.name,
                    seconds=round(time.perf_counter() - t0, 2), timings=timings)


def townships(caller: Scope, unit: str | None = None) -> list[tuple[str, str]]:
    """``(code, name)`` of every township inside ``unit`` (default: the caller's whole
    jurisdiction) that the caller may have a briefing of — the ``--all-units`` list."""
    from queries.backlog import units_in_scope

    frame = units_in_scope(caller)
    frame = frame[frame["level"] == "township"]
    if unit and not is_region_code(unit):
        frame = frame[frame["code"].str.startswith(unit)]
    return [(c, n) for c, n in zip(frame["code"], frame["name"], strict=True)
            if caller.allows(c)]


def audit_detail(b: Briefing, fmt: str) -> dict:
    """The ``export`` audit row's detail (no personal data: codes, dates, sizes)."""
    return {"kind": "briefing", "format": fmt, "month": b.request.month_key,
            "unit": b.request.unit, "lang": b.request.lang,
            "as_of": b.request.as_of.isoformat(), "bytes": len(b.content),
            "seconds": b.seconds}


def audit_target(b: Briefing) -> str:
    return f"briefing {b.request.month_key} {b.request.unit}"
