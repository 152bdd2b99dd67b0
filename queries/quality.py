"""Data quality of the imported exports, per unit and per import (issue 10): unrecorded clocks
(DESIGN §3) and rows that landed with warnings (DESIGN §5), so an office can fix its source
data instead of being misled by it. No personal data: warnings never hold the value.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from domain.clocks import DUTY_CLOCKS
from queries.backlog import group_sql
from queries.clock_sql import unrecorded_window_start
from queries.db import scoped
from queries.filters import MatterFilter, matter_conditions
from queries.scope import require_rows


def _unrecorded_columns(alias: str = "m") -> str:
    return ", ".join(
        f"count(*) FILTER (WHERE ({alias}.unrecorded_mask & {c.bit}) <> 0) AS unrec_{c.key}"
        for c in DUTY_CLOCKS)


def quality_by_unit(scope, day: dt.date, flt: MatterFilter | None = None, by: str = "unit"
                    ) -> pd.DataFrame:
    """Per group (responsible unit, township or county) of the matters registered in the 12
    months up to ``day``: ``matters``, ``unrecorded`` (clocks, the KPI
    ``unrecorded_clocks``), ``unrecorded_matters``, ``unrec_<clock>`` per clock, and
    ``warned`` (their rows that landed with a warning, over all imports); worst first."""
    where, params = matter_conditions(scope, flt or MatterFilter(), alias="m")
    key, name, join = group_sql(by)
    params.update(first=unrecorded_window_start(day), d=day)
    sql = f"""
    WITH w AS (SELECT matter_no, count(DISTINCT (import_run_id, line)) AS n
               FROM import_warning GROUP BY matter_no)
    SELECT {key} AS key, {name} AS name, count(*) AS matters,
           coalesce(sum(m.unrecorded_n), 0) AS unrecorded,
           count(*) FILTER (WHERE m.unrecorded_n > 0) AS unrecorded_matters,
           {_unrecorded_columns()},
           coalesce(sum(w.n), 0) AS warned
    FROM matter m {join}
    LEFT JOIN w ON w.matter_no = m.matter_no
    WHERE {where} AND m.registered_on BETWEEN :first AND :d
    GROUP BY 1, 2
    HAVING coalesce(sum(m.unrecorded_n), 0) > 0 OR coalesce(sum(w.n), 0) > 0
    ORDER BY 4 DESC, 7 DESC, 2"""
    with scoped(scope) as conn:
        df = pd.read_sql_query(text(sql), conn, params=params)
    for col in df.columns:
        if col not in ("key", "name"):
            df[col] = df[col].astype(int)
    return df


def quality_by_import(scope, limit: int = 20) -> pd.DataFrame:
    """The latest imports of matters and submissions: ``run_id``, ``file_name``, ``kind``,
    ``finished_at``, ``inserted``, ``updated``, ``rejected`` (whole file), ``warned`` (rows of
    the scope's matters that landed with a warning) and ``by_code`` (rows per kind of flaw,
    as ``code: n`` text; a row with two kinds counts in both). A scope below the region sees
    only imports that touched its matters, with its own warnings counted."""
    # A row with two flaws is one warned row (as the importer counts), and a row in each of
    # its two kinds of flaw.
    sql = """
    WITH mine AS (
      SELECT w.import_run_id, w.code, w.line
      FROM import_warning w JOIN matter m ON m.matter_no = w.matter_no
      WHERE {where}),
    kinds AS (SELECT import_run_id, code, count(DISTINCT line) AS n FROM mine GROUP BY 1, 2),
    per AS (SELECT k.import_run_id,
                   (SELECT count(DISTINCT x.line) FROM mine x
                    WHERE x.import_run_id = k.import_run_id) AS warned,
                   string_agg(k.code || ': ' || k.n, ', ' ORDER BY k.n DESC, k.code) AS by_code
            FROM kinds k GROUP BY 1)
    SELECT r.id AS run_id, r.file_name, r.kind, r.finished_at, r.inserted, r.updated,
           r.rejected, coalesce(p.warned, 0) AS warned, coalesce(p.by_code, '') AS by_code
    FROM import_run r LEFT JOIN per p ON p.import_run_id = r.id
    WHERE r.kind IN ('matters', 'submissions') AND ({visible})
    ORDER BY r.id DESC LIMIT :limit"""
    require_rows(scope, "import runs")
    where, params = matter_conditions(scope, MatterFilter(), alias="m")
    # The region sees every import; a narrower scope the ones that touched its matters.
    visible = "TRUE" if scope.is_region else (
        "p.import_run_id IS NOT NULL OR EXISTS (SELECT 1 FROM matter m"
        f" WHERE m.import_run_id = r.id AND {where})")
    params["limit"] = int(limit)
    with scoped(scope) as conn:
        df = pd.read_sql_query(text(sql.format(where=where, visible=visible)), conn,
                               params=params)
    for col in ("inserted", "updated", "rejected", "warned"):
        df[col] = df[col].astype(int)
    return df


def demo_export_counts(start: dt.date, end: dt.date, run_id: int | None
                       ) -> tuple[dict, dict, dict]:
    """What the demo data (``DEMO-`` matters registered in ``[start, end]``) holds of a real
    export, counted in the store after its import (owner role; the ``demo-data`` command):
    matters (direct intake, unrecorded clocks, IDs, flags, resolutions, returns after one),
    visits at city level and above (irregular ones), and the bad IDs the import ``run_id``
    dropped."""
    from queries.db import admin_engine

    scope = {"start": start, "end": end}
    demo_matters = "m.matter_no LIKE 'DEMO-%' AND m.registered_on BETWEEN :start AND :end"
    with admin_engine().connect() as conn:
        m = conn.execute(text(f"""
            SELECT count(*) AS n,
                   count(*) FILTER (WHERE m.intake = 'direct') AS direct,
                   count(*) FILTER (WHERE m.unrecorded_n > 0) AS gaps,
                   coalesce(sum(m.unrecorded_n), 0) AS clocks,
                   count(*) FILTER (WHERE m.petitioner_id_last4 IS NOT NULL) AS ids,
                   count(*) FILTER (WHERE m.backlog_flag) AS flagged,
                   count(*) FILTER (WHERE m.backlog_flag
                                    AND m.backlog_resolved_on IS NOT NULL) AS flagged_resolved,
                   count(*) FILTER (WHERE m.backlog_resolved_on IS NOT NULL) AS resolved,
                   count(*) FILTER (WHERE m.backlog_resolved_on IS NOT NULL AND EXISTS (
                       SELECT 1 FROM submission s WHERE s.matter_id = m.id
                       AND s.received_on > m.backlog_resolved_on)) AS came_back
            FROM matter m WHERE {demo_matters}"""), scope).mappings().one()
        v = conn.execute(text(f"""
            SELECT count(*) AS visits, count(*) FILTER (WHERE s.irregular) AS irregular
            FROM submission s JOIN matter m ON m.id = s.matter_id
            WHERE {demo_matters} AND s.channel = 'visit'
              AND s.received_level IN ('city', 'province', 'national')"""),
            scope).mappings().one()
        w = conn.execute(text(
            "SELECT count(*) FILTER (WHERE code = 'id_dropped') AS bad_ids "
            "FROM import_warning WHERE import_run_id = :run"), {"run": run_id}
        ).mappings().one()
    return dict(m), dict(v), dict(w)
