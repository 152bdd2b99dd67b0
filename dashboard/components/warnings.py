"""The message of an early warning (:mod:`domain.warnings`) in zh or en, for the wall screen
and the Stability page. Areas, units, numbers and dispute titles only: never a person."""

from __future__ import annotations

from dashboard import (
    i18n,
    strings_stability,  # noqa: F401  (registers the strings)
)
from dashboard.i18n import t


def warning_text(w: dict, lang: str) -> str:
    """The message of one warning (no person: areas, units, numbers, dispute titles)."""
    p = w["params"]
    kind = w["kind"]
    area = i18n.place(w.get("area_name"), lang)
    if kind == "collective_visit":
        return t("warn.collective_visit", lang, area=area, persons=p["persons"],
                 category=i18n.category(p.get("category"), lang), day=p["day"])
    if kind == "influx":
        pv = f"{p['p']:.3f}" if p["p"] >= 0.001 else "<0.001"
        if p.get("ratio") is None:
            return t("warn.influx.new", lang, area=area, current=p["current"], p=pv)
        return t("warn.influx", lang, area=area, current=p["current"],
                 baseline=p["baseline"], ratio=f"{p['ratio']:.1f}", p=pv)
    if kind in ("ledger_overdue", "ledger_due_soon"):
        return t(f"warn.{kind}", lang, days=p["days"], title=p.get("title") or "",
                 area=area, people=p.get("people", 0))
    if kind == "report_missing":
        return t("warn.report_missing", lang, unit=p["unit"], cutoff=p["cutoff"])
    return kind
