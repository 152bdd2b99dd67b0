"""Field rules of the import contract (DESIGN §5), vectorised over a chunk.

Each function turns text columns into typed ones and records every violation in a
:class:`~ingest.rejects.RowErrors` (line, column, reason). Rules that need the stored geography
(area codes, zones, the region) are in :mod:`ingest.assign`; the matter numbers a submission
refers to are checked against the database in :mod:`ingest.load`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain import enums, privacy
from domain.clocks import DUTY_CLOCKS, infer_intake, unrecorded_frame
from ingest.columns import MATTER_DATE_ORDER, Column, by_name
from ingest.reader import Chunk
from ingest.rejects import RowErrors, RowWarnings

# The working-day calendar (domain.calendar) covers 2000–2040; the longest clock (re-review:
# 30 + up to MAX_HEARING_DAYS days) must end inside it, so dates stop two years earlier.
MIN_DATE = pd.Timestamp("2000-01-01")
MAX_DATE = pd.Timestamp("2038-12-31")
_RANGE = (MIN_DATE.date().isoformat(), MAX_DATE.date().isoformat())
MAX_EXTENSION_DAYS = 30
MAX_HEARING_DAYS = 365
# A sanity bound (the column is a 32-bit integer); the largest gatherings are in the hundreds.
MAX_PERSONS = 100_000

_DATE_RX = (r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
            r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$")
_AREA_RX = r"^(?:\d{9}|\d{12})$"


# --- typed parsing -------------------------------------------------------------------------------

def parse_dates(s: pd.Series, tz: str = "Asia/Shanghai") -> tuple[pd.Series, pd.Series]:
    """``YYYY-MM-DD`` (also ``/`` or ``.`` separators, one-digit month/day as Excel writes
    them, an optional time part) -> (datetime64 series of days, bad mask).

    A time with an offset (``Z``, ``+08:00``, ``-0500``) is converted to the office's time
    zone ``tz`` before its day is taken (DESIGN §3: ``2026-10-31T18:00:00Z`` is 1 November in
    Yueyang); a time without an offset is already local and is dropped.
    """
    # Fast path in C for the usual exact form; only the rest goes through the regex.
    dates = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
    retry = s.notna() & dates.isna()
    if retry.any():
        parts = s[retry].str.extract(_DATE_RX)
        ymd = parts[[0, 1, 2]].astype("float64")
        dates[retry] = pd.to_datetime({"year": ymd[0], "month": ymd[1], "day": ymd[2]},
                                      errors="coerce")
        offset = parts[6].notna() & dates[retry].notna()
        if offset.any():
            p = parts[offset]
            stamp = (ymd.loc[offset, 0].astype(int).astype(str) + "-"
                     + ymd.loc[offset, 1].astype(int).astype(str).str.zfill(2) + "-"
                     + ymd.loc[offset, 2].astype(int).astype(str).str.zfill(2) + "T"
                     + p[3].str.zfill(2) + ":" + p[4] + ":" + p[5].fillna("00")
                     + p[6].str.replace("Z", "+00:00"))
            local = pd.to_datetime(stamp, utc=True, errors="coerce", format="ISO8601"
                                   ).dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
            dates[local.index] = local.astype("datetime64[s]")
    return dates, s.notna() & dates.isna()


def _map_values(s: pd.Series, lookup) -> pd.Series:
    # Factorise first: the lookup runs once per distinct value, not once per row.
    codes, uniques = pd.factorize(s)
    mapped = np.array([lookup(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index)  # code -1 (missing) -> the None at the end


def parse_enum(s: pd.Series, enum: dict) -> tuple[pd.Series, pd.Series]:
    """Code or Chinese label (``domain.enums.lookup``) -> (code series, bad mask)."""
    codes = _map_values(s, lambda v: enums.lookup(enum, v) or enums.lookup(enum, v.lower()))
    codes = codes.astype("str")
    return codes, s.notna() & codes.isna()


def parse_yes_no(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """yes/no, 是/否, true/false, 1/0 -> (object series of bool or None, bad mask)."""
    values = _map_values(s, lambda v: enums.YES_NO.get(v.lower()))
    return values, s.notna() & values.isna()


def parse_number(s: pd.Series, integer: bool) -> tuple[pd.Series, pd.Series]:
    """Decimal text -> (float series, bad mask); ``integer`` also rejects fractions."""
    n = pd.to_numeric(s, errors="coerce").astype("float64")
    finite = np.isfinite(n)  # NaN (not a number, or empty) is not finite
    bad = s.notna() & ~finite
    if integer:
        bad |= finite & (n != np.round(n))
    return n, bad


# --- shared checks -------------------------------------------------------------------------------

def _parse_columns(frame: pd.DataFrame, columns: dict[str, Column], errors: RowErrors,
                   warnings: RowWarnings | None = None) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for name, col in columns.items():
        if col.warn_only and col.kind == "enum" and warnings is not None:
            codes, bad = parse_enum(frame[name], col.enum)
            warnings.add(bad, name, f"不是有效的{col.zh}：{{value}}（已忽略此值）",
                         f"unknown {name} value: {{value}} (value dropped)", frame[name],
                         code="dropped")
            out[name] = codes.where(~bad, None)
            continue
        s = frame[name]
        if col.required:
            errors.add(s.isna(), name, "必填项为空", "required value missing")
        if col.kind == "date":
            out[name], bad = parse_dates(s)
            errors.add(bad, name, "日期无效：{value}（应为 YYYY-MM-DD）",
                       "not a valid date: {value} (expected YYYY-MM-DD)", s)
            outside = out[name].notna() & ((out[name] < MIN_DATE) | (out[name] > MAX_DATE))
            errors.add(outside, name, f"日期超出支持范围 {_RANGE[0]} 至 {_RANGE[1]}：{{value}}",
                       f"date outside the supported range {_RANGE[0]} to {_RANGE[1]}: {{value}}",
                       s)
        elif col.kind == "enum":
            codes, bad = parse_enum(s, col.enum)
            errors.add(bad, name, f"不是有效的{col.zh}：{{value}}",
                       f"unknown {name} value: {{value}}", s)
            out[name] = codes.fillna(col.default) if col.default is not None else codes
        elif col.kind == "yesno":
            values, bad = parse_yes_no(s)
            errors.add(bad, name, "应为 是/否（yes/no）：{value}",
                       "expected yes/no (是/否): {value}", s)
            out[name] = values.where(values.notna(), bool(col.default)).astype(bool)
        elif col.kind in ("int", "float"):
            values, bad = parse_number(s, integer=col.kind == "int")
            errors.add(bad, name, f"{col.zh}不是有效的数字：{{value}}",
                       f"{name} is not a valid number: {{value}}", s)
            out[name] = values if col.default is None else values.fillna(col.default)
        else:
            out[name] = s
        if col.max_len:
            errors.add(s.str.len() > col.max_len, name, f"超过 {col.max_len} 个字符",
                       f"longer than {col.max_len} characters")
    return out


def check_duplicates(keys: pd.Series, lines: np.ndarray, seen: dict[str, int],
                     errors: RowErrors, column: Column) -> None:
    """Reject every later occurrence of a key within one import (``seen`` spans chunks).

    The first occurrence keeps the key even if it is rejected for another reason: which of
    two rows with the same number the office meant is not the importer's guess.
    """
    values = keys.to_numpy(dtype=object, na_value=None)
    first: dict[str, int] = {}
    first_line = np.zeros(len(values), dtype=np.int64)
    for i, (k, line) in enumerate(zip(values, lines, strict=True)):
        if k is None:
            continue
        earlier = seen.get(k) or first.get(k)
        if earlier is None:
            first[k] = int(line)
        else:
            first_line[i] = earlier
    seen.update(first)
    errors.add(first_line > 0, column.name,
               f"{column.zh}在本文件中重复（首次出现在第 {{value}} 行）",
               f"duplicate {column.name} in this file (first on line {{value}})",
               pd.Series(first_line))


# --- matters -------------------------------------------------------------------------------------

def matters(chunk: Chunk, errors: RowErrors, seen: dict[str, int],
            warnings: RowWarnings | None = None) -> pd.DataFrame:
    """Typed matter rows of ``chunk``; violations of the field rules go to ``errors``, flaws
    in optional fields to ``warnings`` (the row lands; DESIGN §5).

    Rejects: required values, dates, enumerations (code or Chinese label), numbers,
    stage-date order, extension 0–30, hearing days ≥ 0, lon/lat given together and valid,
    area code shape and presence (unless a point is given), keys unique in the file.
    Warnings: ID number format or check digit (dropped), unknown package level (dropped), a
    backlog flag without its date, unrecorded clocks (DESIGN §3). Returns every row (rejected
    ones too); ``errors.bad`` tells them apart.
    """
    cols = by_name("matters")
    frame = chunk.frame
    warnings = warnings if warnings is not None else RowWarnings(
        chunk.lines, {}, {})
    errors.add(chunk.overflow, "(row)", "本行的值多于表头列数",
               "row has more values than the header has columns")
    out = _parse_columns(frame, cols, errors, warnings)
    _check_date_order(out, errors, cols)

    ext = out["extension_days"]
    errors.add((ext < 0) | (ext > MAX_EXTENSION_DAYS), "extension_days",
               "延期天数应为 0–30：{value}", "extension_days must be 0–30: {value}",
               frame["extension_days"])
    hearing = out["hearing_days"]
    errors.add((hearing < 0) | (hearing > MAX_HEARING_DAYS), "hearing_days",
               "听证天数应为 0–365：{value}", "hearing_days must be 0–365: {value}",
               frame["hearing_days"])

    lon, lat = out["lon"], out["lat"]
    errors.add(lon.isna() & frame["lon"].isna() & lat.notna(), "lon",
               "已填纬度但经度为空", "lat given without lon")
    errors.add(lat.isna() & frame["lat"].isna() & lon.notna(), "lat",
               "已填经度但纬度为空", "lon given without lat")
    errors.add(lon.notna() & ((lon < -180) | (lon > 180)), "lon", "经度超出范围：{value}",
               "lon out of range: {value}", frame["lon"])
    errors.add(lat.notna() & ((lat < -90) | (lat > 90)), "lat", "纬度超出范围：{value}",
               "lat out of range: {value}", frame["lat"])

    area = out["area_code"]
    # Any coordinate text counts as "given": a bad one has its own reason above.
    has_point = frame["lon"].notna() | frame["lat"].notna()
    errors.add(area.isna() & ~has_point, "area_code", "问题属地代码为空且未提供经纬度",
               "area_code required when lon/lat are not given")
    errors.add(area.notna() & ~area.str.match(_AREA_RX).fillna(False).astype(bool),
               "area_code", "问题属地代码应为 9 位乡镇或 12 位村（社区）代码：{value}",
               "area_code must be a 9-digit township or 12-digit village code: {value}", area)

    ids = out["petitioner_id"].str.upper()
    present = ids.notna()
    valid = np.zeros(len(ids), dtype=bool)
    valid[present.to_numpy()] = privacy.valid_id_numbers(ids[present].tolist())
    # Never quote the value: it is personal data. A mistyped ID loses the ID, not the matter.
    bad_id = present.to_numpy() & ~valid
    warnings.add(bad_id, "petitioner_id",
                 "身份证号格式或校验位错误（已舍弃身份证号，事项照常导入）",
                 "invalid ID number (format or check digit): ID dropped, the matter landed",
                 code="id_dropped")
    out["petitioner_id"] = ids.where(~bad_id, None)

    flag_without_date = out["backlog_flag"] & out["backlog_flagged_on"].isna()
    warnings.add(flag_without_date, "backlog_flagged_on",
                 "上级交办积案未填积案交办日期：按登记日期计",
                 "backlog flag without its date: the registration date is used",
                 code="flag_date_missing")
    _warn_unrecorded(out, warnings)

    check_duplicates(out["matter_no"], chunk.lines, seen, errors, cols["matter_no"])
    return out


# The column a warning about an unrecorded clock names: the blank one (stage, else start).
_UNRECORDED_COLUMN = {"forward": ("forwarded_on", "forwarded_on"),
                      "accept": ("accepted_on", "forwarded_on"),
                      "answer": ("answered_on", "accepted_on"),
                      "review": ("review_decided_on", "review_requested_on"),
                      "recheck": ("recheck_decided_on", "recheck_requested_on")}


def _warn_unrecorded(out: pd.DataFrame, warnings: RowWarnings) -> None:
    """One warning per unrecorded clock (DESIGN §3): it lands, and counts nowhere."""
    stages = {name: out[name] for name in MATTER_DATE_ORDER}
    intake = infer_intake(out["intake"].where(out["intake"].notna(), None).astype(object),
                          out["forwarded_on"], out["accepted_on"])
    flags = unrecorded_frame(stages, pd.Series(intake == "direct", index=out.index))
    cols = by_name("matters")
    for clock in DUTY_CLOCKS:
        stage_col, start_col = _UNRECORDED_COLUMN[clock.key]
        hit = flags[clock.key]
        blank_stage = hit & out[stage_col].isna()
        for mask, col in ((blank_stage, stage_col), (hit & ~blank_stage, start_col)):
            warnings.add(mask, col,
                         f"{clock.zh}时限未记录：{cols[col].zh}为空而其他环节已有日期，"
                         "该时限不计入统计",
                         f"{clock.en} clock unrecorded: {col} is blank while another stage "
                         "has a date; the clock counts nowhere", code="unrecorded")


def _check_date_order(out: pd.DataFrame, errors: RowErrors, cols: dict[str, Column]) -> None:
    # Each stage must not precede the latest earlier stage present: accepted_on is compared
    # with forwarded_on, or with registered_on when nothing was forwarded (DESIGN §5).
    latest = out[MATTER_DATE_ORDER[0]]
    latest_name = pd.Series(MATTER_DATE_ORDER[0], index=out.index, dtype=object)
    for name in MATTER_DATE_ORDER[1:]:
        cur = out[name]
        early = cur.notna() & latest.notna() & (cur < latest)
        for prev in pd.unique(latest_name[early]):
            errors.add(early & (latest_name == prev), name,
                       f"{cols[name].zh}早于{cols[prev].zh}", f"{name} is before {prev}")
        has = cur.notna()
        latest = cur.where(has, latest)
        latest_name = latest_name.where(~has, name)


# --- submissions ---------------------------------------------------------------------------------

def submissions(chunk: Chunk, errors: RowErrors, seen: dict[str, int]) -> pd.DataFrame:
    """Typed submission rows of ``chunk``; violations of the field rules go to ``errors``.

    Checks: required values, date, channel and level enumerations, persons an integer ≥ 1,
    irregular yes/no, submission numbers unique in the file. Whether the matter exists is
    checked against the database at load time.
    """
    cols = by_name("submissions")
    errors.add(chunk.overflow, "(row)", "本行的值多于表头列数",
               "row has more values than the header has columns")
    out = _parse_columns(chunk.frame, cols, errors)
    persons = out["persons"]
    errors.add((persons < 1) | (persons > MAX_PERSONS), "persons",
               f"人数应为 1–{MAX_PERSONS} 的整数：{{value}}",
               f"persons must be an integer 1–{MAX_PERSONS}: {{value}}", chunk.frame["persons"])
    check_duplicates(out["submission_no"], chunk.lines, seen, errors, cols["submission_no"])
    return out
