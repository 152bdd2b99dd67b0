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

from ingest.prepare import CROSS_LEVELS, MATTER_STAGE, SUBMISSION_STAGE, nulls
from settings import get_settings

log = logging.getLogger(__name__)

_TYPES = {
    "line": "bigint", "lon": "double precision", "lat": "double precision",
    "extension_days": "smallint", "hearing_days": "smallint", "persons": "integer",
    "backlog_flag": "boolean", "irregular": "boolean",
}
_DATES = {"registered_on", "forwarded_on", "accepted_on", "answered_on", "review_requested_on",
          "review_decided_on", "recheck_requested_on", "recheck_decided_on", "forward_due",
          "accept_due", "objection_due", "answer_due", "review_due", "recheck_due",
          "received_on"}


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
), touched AS (  -- an updated matter's answer date may have moved: re-derive resubmitted_on
    INSERT INTO ingest_affected (matter_id) SELECT id FROM up WHERE NOT inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
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


# Backlog rule (b) of DESIGN §3: the day a matter received its k-th submission after its
# answer date (k = ClockRules.backlog_submissions_after_answer when the import ran). Stored so
# that backlog questions need not rank every submission of every answered matter.
_DERIVE_RESUBMITTED = """
UPDATE matter m SET resubmitted_on = d.k_on
FROM (
    SELECT a.matter_id,
           (SELECT s.received_on FROM submission s
            WHERE s.matter_id = a.matter_id AND s.received_on > am.answered_on
            ORDER BY s.received_on, length(s.submission_no), s.submission_no COLLATE "C"
            OFFSET %(k)s - 1 LIMIT 1) AS k_on
    FROM (SELECT DISTINCT matter_id FROM ingest_affected) a
    JOIN matter am ON am.id = a.matter_id
) d
WHERE m.id = d.matter_id AND m.resubmitted_on IS DISTINCT FROM d.k_on
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
        else:
            self._copy("ingest_stage_submission", frame)
            cur.execute(_SUBMISSION_RESOLVE)
            cur.execute(_SUBMISSION_MISSING)
            missing = np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
            cur.execute(_SUBMISSION_OLD_MATTERS)
            cur.execute(_SUBMISSION_UPSERT, {"run": self.run_id})
        inserted, updated = cur.fetchone()
        self._raw.commit()
        return LoadResult(int(inserted), int(updated), missing)

    def finish(self, inserted: int, updated: int, unchanged: int, rejected: int) -> None:
        """Derive submission flags for the matters this import touched; close the run."""
        cur = self.cursor
        cur.execute("ANALYZE ingest_affected")
        if self.kind == "submissions":
            cur.execute(_DERIVE_FLAGS, {"cross": list(CROSS_LEVELS)})
            log.info("submission flags re-derived on %d rows", cur.rowcount)
        cur.execute(_DERIVE_RESUBMITTED,
                    {"k": get_settings().clock_rules().backlog_submissions_after_answer})
        cur.execute("TRUNCATE ingest_affected")
        cur.execute("UPDATE import_run SET finished_at = now(), inserted = %s, updated = %s, "
                    "unchanged = %s, rejected = %s WHERE id = %s",
                    (inserted, updated, unchanged, rejected, self.run_id))
        self._raw.commit()
