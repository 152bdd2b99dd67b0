"""Write generated demo data as the CSV files of DESIGN §5 (English headers, UTF-8 with BOM).

Rows are formatted chunk by chunk from lookup tables (dates, enumerations, names), so a million
matters take a few seconds and memory stays flat. Values never contain a comma, quote or line
break (checked on the lookup tables), so no quoting is needed and the bytes depend on the data
only. Files are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from demodata.generate import (
    CATEGORIES,
    CHANNELS,
    INTAKES,
    LEVELS,
    MATTER_DATE_COLUMNS,
    NA,
    NATURES,
    PACKAGE_LEVELS,
    PETITIONER_NAMES,
    ROUTES,
    SATISFACTION,
    Demo,
)

MATTER_COLUMNS: tuple[str, ...] = (
    "matter_no", "registered_on", "category", "nature", "route", "area_code", "lon", "lat",
    "responsible_unit", "forwarded_on", "accepted_on", "extension_days", "answered_on",
    "satisfaction", "review_requested_on", "review_decided_on", "recheck_requested_on",
    "recheck_decided_on", "hearing_days", "package_leader", "package_level", "backlog_flag",
    "backlog_flagged_on", "backlog_resolved_on", "intake",
    "summary", "petitioner_name", "petitioner_id",
)
SUBMISSION_COLUMNS: tuple[str, ...] = (
    "submission_no", "matter_no", "received_on", "channel", "received_level", "persons",
    "irregular",
)
MATTERS_FILE = "matters.csv"
SUBMISSIONS_FILE = "submissions.csv"
CHUNK_ROWS = 25_000


def matter_numbers(year: np.ndarray, seq: np.ndarray) -> list[str]:
    """DEMO-<year>-<7-digit sequence in registration order>."""
    return [f"DEMO-{y}-{s:07d}" for y, s in zip(year.tolist(), seq.tolist(), strict=True)]


def submission_numbers(matter_nos: list[str], seq: np.ndarray) -> list[str]:
    """<matter_no>-<2-digit sequence within the matter, in order received>."""
    return [f"{m}-{s:02d}" for m, s in zip(matter_nos, seq.tolist(), strict=True)]


class _Table:
    """Index → string lookup with -1 (or NA) mapping to the empty string."""

    def __init__(self, values, base: int = 0):
        vals = [str(v) for v in values]
        for v in vals:
            if any(ch in v for ch in ',"\r\n'):
                raise ValueError(f"value needs CSV quoting: {v!r}")
        self.values = np.array(vals + [""], dtype=object)
        self.base = base

    def __call__(self, idx: np.ndarray) -> list[str]:
        i = np.asarray(idx, dtype=np.int64)
        j = np.where(i < 0, len(self.values) - 1, i - self.base)
        return self.values[j].tolist()


def _date_table(demo: Demo) -> _Table:
    lo = int(np.datetime64(demo.start, "D").astype(np.int64)) - 1
    hi = int(np.datetime64(demo.end, "D").astype(np.int64))
    days = np.arange(lo, hi + 1).astype("datetime64[D]")
    return _Table(np.datetime_as_string(days, unit="D"), base=lo)


#: Asia/Shanghai has kept UTC+8 all year since 1991, so a fixed offset is exact for the demo.
_OFFSET_S = 8 * 3600


def _stamped(days: np.ndarray, secs: np.ndarray, utc: np.ndarray) -> list[str]:
    """Date-times with an offset for local ``days`` at ``secs`` after local midnight: in UTC
    (``…Z``, the previous UTC day before 08:00 local) or local with ``+08:00``."""
    local = days.astype(np.int64) * 86_400 + secs.astype(np.int64)
    shown = np.where(utc, local - _OFFSET_S, local).astype("datetime64[s]")
    text = np.datetime_as_string(shown, unit="s")
    return [t + ("Z" if u else "+08:00") for t, u in zip(text.tolist(), utc.tolist(),
                                                           strict=True)]


def _with_stamps(cells: list[str], days: np.ndarray, which: np.ndarray, secs: np.ndarray,
                 utc: np.ndarray) -> list[str]:
    idx = np.flatnonzero(which)
    for i, t in zip(idx.tolist(), _stamped(days[idx], secs[idx], utc[idx]), strict=True):
        cells[i] = t
    return cells


def _coords(values: np.ndarray) -> list[str]:
    return [f"{v:.6f}" for v in values.tolist()]


class _Formatter:
    """Formats rows of matters and submissions with the lookup tables of one :class:`Demo`."""

    def __init__(self, demo: Demo):
        lk = demo.lookups
        self.date = _date_table(demo)
        self.cat, self.nat, self.route = _Table(CATEGORIES), _Table(NATURES), _Table(ROUTES)
        self.sat, self.pkg = _Table(SATISFACTION), _Table(PACKAGE_LEVELS)
        self.num = _Table(range(100))
        self.area, self.unit = _Table(lk.village_codes), _Table(lk.unit_names)
        self.leader, self.summary = _Table(lk.leader_names), _Table(lk.summaries)
        self.name, self.id = _Table(PETITIONER_NAMES), _Table(lk.id_numbers)
        self.ch, self.lv = _Table(CHANNELS), _Table(LEVELS)
        self.intake = _Table(INTAKES)
        self.yes_no = np.array(["no", "yes"], dtype=object)

    def matters(self, m: dict, s: slice) -> list[list[str]]:
        stamp_col, secs, utc = m["stamp_col"][s], m["stamp_sec"][s], m["stamp_utc"][s]

        def date(name: str) -> list[str]:
            days = m[name][s]
            return _with_stamps(self.date(days), days,
                                stamp_col == MATTER_DATE_COLUMNS.index(name), secs, utc)

        return [
            matter_numbers(m["year"][s], m["seq"][s]),
            date("registered_on"),
            self.cat(m["category"][s]), self.nat(m["nature"][s]), self.route(m["route"][s]),
            self.area(m["village"][s]), _coords(m["lon"][s]), _coords(m["lat"][s]),
            self.unit(m["unit"][s]),
            date("forwarded_on"), date("accepted_on"),
            self.num(m["extension_days"][s]), date("answered_on"),
            self.sat(m["satisfaction"][s]),
            date("review_requested_on"), date("review_decided_on"),
            date("recheck_requested_on"), date("recheck_decided_on"),
            self.num(m["hearing_days"][s]),
            self.leader(m["leader"][s]), self.pkg(m["leader_level"][s]),
            self.yes_no[m["backlog_flag"][s].astype(np.int64)].tolist(),
            date("backlog_flagged_on"), date("backlog_resolved_on"),
            self.intake(m["intake_written"][s]),
            self.summary(m["summary"][s]), self.name(m["name"][s]), self.id(m["id"][s]),
        ]

    def submissions(self, m: dict, sub: dict, s: slice) -> list[list[str]]:
        mi = sub["matter"][s]
        mnos = matter_numbers(m["year"][mi], m["seq"][mi])
        persons = sub["persons"][s]
        days, secs = sub["received_on"][s], sub["stamp_sec"][s]
        received = _with_stamps(self.date(days), days, secs >= 0, secs, sub["stamp_utc"][s])
        return [
            submission_numbers(mnos, sub["seq"][s]), mnos, received,
            self.ch(sub["channel"][s]), self.lv(sub["received_level"][s]),
            [str(x) for x in persons.tolist()],
            self.yes_no[sub["irregular"][s].astype(np.int64)].tolist(),
        ]


def _rows(cols: list[list[str]]) -> str:
    return "\n".join(map(",".join, zip(*cols, strict=True))) + "\n"


def write_demo(demo: Demo, out_dir: Path, chunk_rows: int = CHUNK_ROWS,
               tally: dict[str, int] | None = None) -> tuple[Path, Path]:
    """Write matters.csv and submissions.csv into ``out_dir``, block by block.

    Returns their paths. Files are complete when they appear (written as ``*.part``, then
    renamed). ``tally``, when given, receives ``date_cells`` (non-empty dates in both files)
    and ``offset_times`` (those written as a date-time with an offset), which the files alone
    show only after parsing.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = out / MATTERS_FILE, out / SUBMISSIONS_FILE
    tmps = [p.with_name(p.name + ".part") for p in paths]
    fmt = _Formatter(demo)
    with open(tmps[0], "w", encoding="utf-8-sig", newline="") as fm, \
            open(tmps[1], "w", encoding="utf-8-sig", newline="") as fs:
        fm.write(",".join(MATTER_COLUMNS) + "\n")
        fs.write(",".join(SUBMISSION_COLUMNS) + "\n")
        for _offset, m, sub in demo.blocks():
            if tally is not None:
                cells = sum(int((m[c] != NA).sum()) for c in MATTER_DATE_COLUMNS)
                tally["date_cells"] = tally.get("date_cells", 0) + cells + len(sub["matter"])
                tally["offset_times"] = (tally.get("offset_times", 0)
                                         + int((m["stamp_col"] >= 0).sum())
                                         + int((sub["stamp_sec"] >= 0).sum()))
            for lo in range(0, len(m["registered_on"]), chunk_rows):
                fm.write(_rows(fmt.matters(m, slice(lo, lo + chunk_rows))))
            for lo in range(0, len(sub["matter"]), chunk_rows):
                fs.write(_rows(fmt.submissions(m, sub, slice(lo, lo + chunk_rows))))
    for tmp, path in zip(tmps, paths, strict=True):
        os.replace(tmp, path)
    return paths


assert NA == -1  # the lookup tables map every negative index to the empty string
