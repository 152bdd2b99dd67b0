"""Storing prepared rows: COPY into a temporary staging table, then one set-based upsert.

Each chunk is one transaction: COPY, ``INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ...
WHERE row_hash IS DISTINCT FROM excluded.row_hash``, commit. Rows whose hash is unchanged are
not touched at all (no new tuple, ``updated_at`` stays), which is what makes a re-import of the
same file a no-op; ``RETURNING (xmax = 0)`` tells inserted rows from updated ones.

The staging tables only ever hold protected personal data (ciphertext, keyed hashes, masks),
so even a database error message quoting a COPY line cannot leak it.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from domain.clocks import rule_values
from ingest.prepare import CROSS_LEVELS, MATTER_STAGE, SUBMISSION_STAGE, nulls

log = logging.getLogger(__name__)

_TYPES = {
    "line": "bigint", "lon": "double precision", "lat": "double precision",
    "extension_days": "smallint", "hearing_days": "smallint", "persons": "integer",
    "unrecorded_mask": "smallint", "unrecorded_n": "smallint",
    "backlog_flag": "boolean", "irregular": "boolean",
}
_DATES = {"registered_on", "forwarded_on", "accepted_on", "answered_on", "review_requested_on",
          "review_decided_on", "recheck_requested_on", "recheck_decided_on", "forward_due",
          "accept_due", "objection_due", "answer_due", "review_due", "recheck_due",
          "received_on", "backlog_flagged_on", "backlog_resolved_on"}


def _stage_ddl(table: str, columns: tuple[str, ...], extra: str = "") -> str:
    cols = ", ".join(f"{c} {_TYPES.get(c, 'date' if c in _DATES else 'text')}" for c in columns)
    cols += extra
    # ON COMMIT DELETE ROWS: each chunk's commit empties the stage for the next chunk.
    return f"CREATE TEMP TABLE {table} ({cols}) ON COMMIT DELETE ROWS"


_MATTER_TARGET = [c for c in MATTER_STAGE if c not in ("line", "lon", "lat")]
_MATTER_UPSERT = f"""
WITH up AS (
    INSERT INTO matter AS m ({", ".join(_MATTER_TARGET)}, geom, import_run_id)
    SELECT {", ".join(_MATTER_TARGET)},
           CASE WHEN lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END,
           %(run)s
    FROM ingest_stage_matter
    ON CONFLICT (matter_no) DO UPDATE SET
        {", ".join(f"{c} = EXCLUDED.{c}" for c in _MATTER_TARGET if c != "matter_no")},
        geom = EXCLUDED.geom, import_run_id = EXCLUDED.import_run_id, updated_at = now()
    WHERE m.row_hash IS DISTINCT FROM EXCLUDED.row_hash
    RETURNING (xmax = 0) AS inserted, m.id
), touched AS (  -- answer, flag or dates may have moved: re-derive the backlog spans
    INSERT INTO ingest_affected (matter_id) SELECT id FROM up
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
"""

# Every distinct backlog resolution date ever imported is kept (DESIGN §3): a re-import adds
# one, never erases one, so past months keep their answer.
_RESOLUTIONS = """
WITH added AS (
    INSERT INTO backlog_resolution (matter_id, resolved_on, import_run_id)
    SELECT m.id, st.backlog_resolved_on, %(run)s
    FROM ingest_stage_matter st JOIN matter m ON m.matter_no = st.matter_no
    WHERE st.backlog_resolved_on IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING matter_id
)
INSERT INTO ingest_affected (matter_id) SELECT matter_id FROM added
"""

# Resolve each staged submission's matter, and the matter a changed submission had before
# (it may move: the old matter needs its flags re-derived too). Correlated subqueries run as
# one unique-index probe per staged row; a join would let the planner hash the whole matter
# and submission tables again for every chunk.
_SUBMISSION_RESOLVE = """
UPDATE ingest_stage_submission st SET
    matter_id = (SELECT m.id FROM matter m WHERE m.matter_no = st.matter_no),
    old_matter_id = (SELECT s.matter_id FROM submission s
                     WHERE s.submission_no = st.submission_no
                       AND s.row_hash IS DISTINCT FROM st.row_hash)
"""
_SUBMISSION_MISSING = "SELECT line FROM ingest_stage_submission WHERE matter_id IS NULL"
_SUBMISSION_OLD_MATTERS = """
INSERT INTO ingest_affected (matter_id)
SELECT old_matter_id FROM ingest_stage_submission WHERE old_matter_id IS NOT NULL
"""
_SUB_COLS = ["received_on", "channel", "received_level", "persons", "irregular", "row_hash"]
# Copies of the matter's area, so row-level security on submissions is a column check
# (migration 0005); a trigger on matter keeps them in step afterwards.
_AREA_COLS = ["county_code", "township_code", "responsible_unit"]
_SUBMISSION_UPSERT = f"""
WITH up AS (
    INSERT INTO submission AS s (submission_no, matter_id, {", ".join(_SUB_COLS)},
                                 {", ".join(_AREA_COLS)}, import_run_id)
    SELECT st.submission_no, st.matter_id, {", ".join(f"st.{c}" for c in _SUB_COLS)},
           {", ".join(f"m.{c}" for c in _AREA_COLS)}, %(run)s
    FROM ingest_stage_submission st JOIN matter m ON m.id = st.matter_id
    ON CONFLICT (submission_no) DO UPDATE SET
        matter_id = EXCLUDED.matter_id,
        {", ".join(f"{c} = EXCLUDED.{c}" for c in _SUB_COLS + _AREA_COLS)},
        import_run_id = EXCLUDED.import_run_id
    WHERE s.row_hash IS DISTINCT FROM EXCLUDED.row_hash
    RETURNING (xmax = 0) AS inserted, matter_id
), touched AS (
    INSERT INTO ingest_affected (matter_id) SELECT matter_id FROM up
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
"""
# Repeat: the matter already had a submission (earlier received date; on the same day a
# lower number — shorter first, so S9 < S10, then character order). Cross-level: received two
# or more levels above the competent level. Only rows whose flags change are written.
_DERIVE_FLAGS = """
UPDATE submission s SET is_repeat = d.is_repeat, is_cross_level = d.is_cross_level
FROM (
    SELECT id,
           row_number() OVER (PARTITION BY matter_id
                              ORDER BY received_on, length(submission_no),
                                       submission_no COLLATE "C") > 1 AS is_repeat,
           received_level = ANY(%(cross)s) AS is_cross_level
    FROM submission
    WHERE matter_id IN (SELECT matter_id FROM ingest_affected)
) d
WHERE s.id = d.id
  AND (s.is_repeat <> d.is_repeat OR s.is_cross_level <> d.is_cross_level)
"""


# Backlog rules (b) and (c) of DESIGN §3 as dated spans, and the first return after the
# answer, for the matters this import touched (migration 0007's function).
_DERIVE_BACKLOG = """
SELECT atlas_derive_backlog(ARRAY(SELECT DISTINCT matter_id FROM ingest_affected))
"""
# A store with no matters yet holds nothing computed under other rules: record the rules
# this import computes with (DESIGN §3 refresh contract; queries.rule_state reads it).
_RECORD_RULES = """
INSERT INTO rule_state (id, fingerprint, rules)
SELECT 1, %(fp)s, CAST(%(rules)s AS jsonb)
WHERE NOT EXISTS (SELECT 1 FROM rule_state) AND NOT EXISTS (SELECT 1 FROM matter)
"""
_WARNING_INSERT = """
INSERT INTO import_warning (import_run_id, line, column_name, record_key, matter_no, code,
                            reason_zh, reason_en) VALUES %s
"""


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def copy_text(frame: pd.DataFrame) -> io.StringIO:
    """``frame`` (text or None values) in COPY's text format: tab-separated, ``\\N`` for NULL.

    Backslashes, tabs and line breaks are escaped in the columns that hold any: each column
    is tested once, as one joined string, so the usual column of codes or dates costs nothing.
    """
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy(dtype=object)
        null = nulls(values)
        values = np.where(null, "", values)
        if _COPY_SPECIAL.search("".join(values)):
            values = np.array([_escape(v) for v in values], dtype=object)
        values[null] = "\\N"
        columns.append(values)
    lines = map("\t".join, zip(*columns, strict=True))
    return io.StringIO("\n".join(lines) + "\n")


@dataclass
class LoadResult:
    """What one chunk did to the store."""

    inserted: int
    updated: int
    missing_lines: np.ndarray  # submissions whose matter does not exist (not loaded)


class Loader:
    """One import's database session: the import_run row, staging, per-chunk upserts."""

    def __init__(self, engine: Engine, kind: str, file_name: str, username: str | None):
        self.engine = engine
        self.kind = kind
        self.file_name = file_name
        self.username = username
        self.run_id: int | None = None
        self._raw = None
        self.cursor = None

    def __enter__(self) -> Loader:
        self._raw = self.engine.raw_connection()
        self.cursor = self._raw.cursor()
        cur = self.cursor
        cur.execute("INSERT INTO import_run (file_name, kind, username) VALUES (%s, %s, %s) "
                    "RETURNING id", (self.file_name, self.kind, self.username))
        self.run_id = cur.fetchone()[0]
        if self.kind == "matters":
            cur.execute(_stage_ddl("ingest_stage_matter", MATTER_STAGE))
        else:
            cur.execute(_stage_ddl("ingest_stage_submission", SUBMISSION_STAGE,
                                   ", matter_id bigint, old_matter_id bigint"))
        cur.execute("CREATE TEMP TABLE ingest_affected (matter_id bigint)")
        # Committed at once: a run that dies half-way is visible (finished_at stays NULL)
        # along with the chunks it did commit.
        self._raw.commit()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._raw.rollback()
            self.cursor.execute("DROP TABLE IF EXISTS ingest_stage_matter, "
                                "ingest_stage_submission, ingest_affected")
            self._raw.commit()
        finally:
            self._raw.close()

    def _copy(self, table: str, frame: pd.DataFrame) -> None:
        self.cursor.copy_expert(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN",
                                copy_text(frame))

    def load(self, frame: pd.DataFrame) -> LoadResult:
        """Upsert one chunk of prepared rows and commit."""
        if frame.empty:
            return LoadResult(0, 0, np.empty(0, dtype=np.int64))
        cur = self.cursor
        missing = np.empty(0, dtype=np.int64)
        if self.kind == "matters":
            self._copy("ingest_stage_matter", frame)
            cur.execute(_MATTER_UPSERT, {"run": self.run_id})
            counts = cur.fetchone()
            cur.execute(_RESOLUTIONS, {"run": self.run_id})
        else:
            self._copy("ingest_stage_submission", frame)
            cur.execute(_SUBMISSION_RESOLVE)
            cur.execute(_SUBMISSION_MISSING)
            missing = np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
            cur.execute(_SUBMISSION_OLD_MATTERS)
            cur.execute(_SUBMISSION_UPSERT, {"run": self.run_id})
            counts = cur.fetchone()
        inserted, updated = counts
        self._raw.commit()
        return LoadResult(int(inserted), int(updated), missing)

    def warn(self, warnings: pd.DataFrame, key: str) -> None:
        """Store the warnings of rows that landed (the data-quality view reads them)."""
        if warnings.empty:
            return
        from psycopg2.extras import execute_values

        matter_no = warnings["matter_no"] if "matter_no" in warnings else warnings[key]
        rows = list(zip(
            [self.run_id] * len(warnings), warnings["line"].astype(int).tolist(),
            warnings["field"].tolist(), warnings[key].tolist(), matter_no.tolist(),
            warnings["code"].tolist(), warnings["reason_zh"].tolist(),
            warnings["reason_en"].tolist(), strict=True))
        execute_values(self.cursor, _WARNING_INSERT, rows, page_size=1000)
        self._raw.commit()

    def record_rules(self, rules) -> None:
        """Record ``rules`` as those of the stored data when nothing is stored yet."""
        import json

        self.cursor.execute(_RECORD_RULES, {"fp": rules.stored_fingerprint(),
                                            "rules": json.dumps(rule_values(rules))})
        self._raw.commit()

    def finish(self, inserted: int, updated: int, unchanged: int, rejected: int,
               warned: int = 0) -> None:
        """Derive submission flags for the matters this import touched; close the run."""
        cur = self.cursor
        cur.execute("ANALYZE ingest_affected")
        if self.kind == "submissions":
            cur.execute(_DERIVE_FLAGS, {"cross": list(CROSS_LEVELS)})
            log.info("submission flags re-derived on %d rows", cur.rowcount)
        cur.execute(_DERIVE_BACKLOG)
        cur.execute("TRUNCATE ingest_affected")
        cur.execute("UPDATE import_run SET finished_at = now(), inserted = %s, updated = %s, "
                    "unchanged = %s, rejected = %s, warned = %s WHERE id = %s",
                    (inserted, updated, unchanged, rejected, warned, self.run_id))
        self._raw.commit()
