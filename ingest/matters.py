"""Import of matters and submissions files (DESIGN §5): the orchestration.

``import_file`` streams the file chunk by chunk through reader -> validate -> assign ->
prepare -> load, writes rejects beside the input and records an ``import_run``. Memory stays
bounded by the chunk size plus one set of the keys seen so far (for duplicates in the file).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from ingest import assign, prepare, validate
from ingest.columns import KEYS
from ingest.load import Loader
from ingest.reader import ImportFileError, open_source
from ingest.rejects import (
    RejectsWriter,
    RowErrors,
    RowWarnings,
    rejects_path_for,
    warnings_path_for,
)

log = logging.getLogger(__name__)

#: Rows per chunk: large enough that per-chunk SQL and numpy overheads vanish, small enough
#: that a chunk's frames stay in the tens of MB.
CHUNK_ROWS = 50_000

__all__ = ["ImportFileError", "ImportSummary", "import_file"]


@dataclass
class ImportSummary:
    """Outcome of one import. ``unchanged`` rows were valid and already stored as they are."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warned: int = 0
    rejects_path: Path | None = None
    warnings_path: Path | None = None
    kind: str = "matters"
    rows: int = 0
    run_id: int | None = None
    warnings: list[str] = field(default_factory=list)


def _default_engine() -> Engine:
    from queries.db import get_engine
    from settings import get_settings

    s = get_settings()
    # Imports write: they use the owner role where one is configured.
    return get_engine(getattr(s, "admin_database_url", None) or s.database_url)


def import_file(path: str | Path, kind: str | None = "matters", crs: str = "wgs84",
                engine: Engine | None = None, *, chunk_rows: int = CHUNK_ROWS,
                username: str | None = None, refresh_summaries: bool = True) -> ImportSummary:
    """Import a matters or submissions file (CSV or XLSX) into the store.

    Every row either lands (inserted, updated, or unchanged when its content is already
    stored) or is rejected with its line, column and reason in ``<path>.rejects.csv``; good
    rows land even when others fail. Flaws in optional fields are listed, one line each, in
    ``<path>.warnings.csv`` (same columns, never the value) and the row lands. ``kind`` None:
    recognised by the header (a submission number column means submissions). ``crs`` is the
    coordinate system of ``lon``/``lat`` ("wgs84" or "gcj02"). The summary tables are
    rebuilt afterwards unless ``refresh_summaries`` is false (a caller importing several
    files refreshes once).
    Raises :class:`ImportFileError` when the file as a whole is unusable (unreadable, a
    required column missing).
    """
    from settings import get_settings

    if crs not in ("wgs84", "gcj02"):
        raise ValueError("crs must be wgs84 or gcj02")
    settings = get_settings()
    rules = settings.clock_rules()
    path = Path(path)
    if kind is None:
        kind = detect_kind(path)
    source = open_source(path, kind)
    summary = ImportSummary(kind=kind, warnings=list(source.warnings))
    engine = engine or _default_engine()
    key = KEYS[kind]
    key_columns = [key] if kind == "matters" else [key, "matter_no"]
    writer = RejectsWriter(rejects_path_for(path), key_columns)
    warn_writer = RejectsWriter(warnings_path_for(path), key_columns)
    warn_writer.write(_header_warnings(source, key_columns))
    seen: dict[str, int] = {}
    try:
        # The worker thread stores chunk k while this thread prepares chunk k+1: psycopg2
        # releases the GIL while PostgreSQL works, so both cores are busy. Leaving the pool
        # waits for the chunk in flight before the loader closes.
        with Loader(engine, kind, str(path), username) as loader, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-load") as pool:
            summary.run_id = loader.run_id
            loader.record_rules(rules)
            geography = None
            if kind == "matters":
                geography = assign.load_geography(loader.cursor)
                summary.warnings += geography.warnings
            for warning in summary.warnings:
                log.warning("%s: %s", path.name, warning)
            in_flight = None
            for chunk in source.chunks(chunk_rows):
                errors = RowErrors(chunk.lines, {k: chunk.frame[k] for k in key_columns},
                                   source.headers)
                warns = RowWarnings(chunk.lines, {k: chunk.frame[k] for k in key_columns},
                                    source.headers)
                if kind == "matters":
                    typed = validate.matters(chunk, errors, seen, warns)
                    places = assign.place_matters(typed, errors, geography, crs)
                    good = ~errors.bad
                    rows = prepare.matters(typed[good], places[good], chunk.lines[good], rules,
                                           settings.data_key)
                else:
                    typed = validate.submissions(chunk, errors, seen)
                    good = ~errors.bad
                    rows = prepare.submissions(typed[good], chunk.lines[good])
                if in_flight is not None:
                    _settle(in_flight, writer, summary, path.name, warn_writer, loader, key)
                in_flight = _InFlight(chunk.lines, errors, len(rows),
                                      pool.submit(loader.load, rows), warns)
            if in_flight is not None:
                _settle(in_flight, writer, summary, path.name, warn_writer, loader, key)
            loader.finish(summary.inserted, summary.updated, summary.unchanged,
                          summary.rejected, summary.warned)
    finally:
        summary.rejects_path = writer.close()
        summary.warnings_path = warn_writer.close()
    if refresh_summaries:
        # The dashboard's rollups (migration 0006) are read only while they match the data.
        from queries.summaries_build import refresh_quietly

        refresh_quietly(engine)
    return summary


@dataclass
class _InFlight:
    """A chunk whose rows are being stored; its rejects are written once the store answers."""

    lines: np.ndarray
    errors: RowErrors
    prepared: int
    result: Future
    warnings: RowWarnings


def _settle(chunk: _InFlight, writer: RejectsWriter, summary: ImportSummary, name: str,
            warn_writer: RejectsWriter, loader: Loader, key: str) -> None:
    result = chunk.result.result()
    if len(result.missing_lines):
        chunk.errors.add(np.isin(chunk.lines, result.missing_lines), "matter_no",
                         "信访事项编号不存在（请先导入该事项）",
                         "matter_no not found (import the matter first)")
    writer.write(chunk.errors.frame())
    # Warnings count for the rows that landed; a rejected row's flaws are in its reject.
    landed = chunk.warnings.bad & ~chunk.errors.bad
    warned = chunk.warnings.frame()
    if not warned.empty:
        warned = warned[np.isin(warned["line"], chunk.lines[landed])]
        warn_writer.write(warned)
        loader.warn(warned, key)
    summary.warned += int(landed.sum())
    landed_n = chunk.prepared - len(result.missing_lines)
    summary.rows += len(chunk.lines)
    summary.inserted += result.inserted
    summary.updated += result.updated
    summary.unchanged += landed_n - result.inserted - result.updated
    summary.rejected += chunk.errors.count
    log.info("%s: %d rows read (last line %d), %d rejected so far", name, summary.rows,
             int(chunk.lines[-1]), summary.rejected)


def detect_kind(path: str | Path) -> str:
    """``submissions`` when the header has a submission number (信访件编号/submission_no),
    else ``matters`` (DESIGN §5: the importer recognises a submissions file by its header)."""
    from ingest.reader import read_header

    header = {h.replace("\ufeff", "").strip().lower() for h in read_header(Path(path))}
    return "submissions" if header & {"信访件编号", "submission_no"} else "matters"


def _header_warnings(source, key_columns: list[str]):
    """The reader's warnings about the header (unknown or repeated columns) as warning rows
    of line ``source.header_line``."""
    import pandas as pd

    rows = []
    for kind, names in source.header_notes:
        zh, en = (("已忽略未知列", "unknown column ignored") if kind == "unknown"
                  else ("已忽略重复列", "repeated column ignored"))
        for name in names:
            rows.append({"line": source.header_line, "column": name, "field": name,
                         "code": f"{kind}_column", **{k: "" for k in key_columns},
                         "reason_zh": zh, "reason_en": en})
    return pd.DataFrame(rows)
