"""The rules the stored due dates and backlog spans were computed with, and their recomputation
(the refresh contract of DESIGN §3).

Due dates (``matter.*_due``) and the (b)/(c) backlog spans are derived at import with the rules
of the settings. When the settings change (the day rule, a limit, the resubmission count), the
stored values are stale: :func:`is_current` says so, pages show "figures being recomputed"
instead of figures, and :func:`recompute` (run by ``refresh-summaries``) derives everything
again from the stored stage dates in one transaction — readers see the old consistent state
until it commits, never a mix.
"""

from __future__ import annotations

import io
import json
import logging
import time

import numpy as np
import pandas as pd
from sqlalchemy import text

from domain.clocks import DUE_COLUMNS, STAGE_ORDER, ClockRules, compute_due_dates, rule_values

log = logging.getLogger(__name__)

#: Matters read and rewritten per step of a recomputation.
CHUNK = 100_000


def stored_fingerprint(conn) -> str | None:
    """The fingerprint recorded for the stored data, or None when nothing is recorded."""
    return conn.execute(text("SELECT fingerprint FROM rule_state WHERE id = 1")).scalar()


def is_current(conn, rules: ClockRules) -> bool:
    """Whether the stored due dates and spans were computed with ``rules``. A store with no
    matter holds nothing computed under other rules, so it is current."""
    stored = stored_fingerprint(conn)
    if stored is not None:
        return stored == rules.stored_fingerprint()
    return conn.execute(text("SELECT NOT EXISTS (SELECT 1 FROM matter)")).scalar_one()


def rules_current(rules: ClockRules) -> bool:
    """:func:`is_current` on the web application's engine (a page's one question)."""
    from queries.db import get_engine

    with get_engine().connect() as conn:
        return is_current(conn, rules)


def _record(conn, rules: ClockRules) -> None:
    conn.execute(text("""
        INSERT INTO rule_state (id, fingerprint, rules, updated_at)
        VALUES (1, :fp, CAST(:rules AS jsonb), now())
        ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
          rules = EXCLUDED.rules, updated_at = EXCLUDED.updated_at"""),
        {"fp": rules.stored_fingerprint(), "rules": json.dumps(rule_values(rules))})


def recompute(engine, rules: ClockRules) -> dict:
    """Recompute every matter's due dates and backlog spans under ``rules`` and record them,
    in one transaction. Intake and unrecorded clocks depend on the dates alone and stay.
    Returns the matters rewritten and the seconds taken."""
    started = time.perf_counter()
    stages = [*STAGE_ORDER, "extension_days", "hearing_days", "intake"]
    changed = 0
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('atlas_rule_recompute'))"))
        conn.execute(text(f"""
            CREATE TEMP TABLE rule_due (id bigint PRIMARY KEY,
              {', '.join(f'{c} date' for c in DUE_COLUMNS)}) ON COMMIT DROP"""))
        last = 0
        raw = conn.connection.dbapi_connection
        while True:
            frame = pd.read_sql_query(text(
                f"SELECT id, {', '.join(stages)} FROM matter WHERE id > :last"
                " ORDER BY id LIMIT :n"), conn, params={"last": last, "n": CHUNK})
            if frame.empty:
                break
            last = int(frame["id"].iloc[-1])
            due = compute_due_dates(frame, rules)
            # COPY text of ids and dates (no export: nothing here a person typed).
            columns = [frame["id"].astype(str).to_numpy()]
            for c in DUE_COLUMNS:
                values = np.datetime_as_string(due[c].to_numpy(dtype="datetime64[D]"), unit="D")
                columns.append(np.where(due[c].isna(), "\\N", values))
            buf = io.StringIO("".join("\t".join(row) + "\n"
                                      for row in zip(*columns, strict=True)))
            with raw.cursor() as cur:
                cur.copy_expert(f"COPY rule_due (id, {', '.join(DUE_COLUMNS)}) FROM STDIN", buf)
        sets = ", ".join(f"{c} = r.{c}" for c in DUE_COLUMNS)
        differs = " OR ".join(f"m.{c} IS DISTINCT FROM r.{c}" for c in DUE_COLUMNS)
        changed = conn.execute(text(
            f"UPDATE matter m SET {sets} FROM rule_due r WHERE m.id = r.id AND ({differs})"
        )).rowcount
        _record(conn, rules)
        # The spans read the resubmission count from rule_state: recorded just above.
        conn.execute(text("SELECT atlas_derive_backlog(NULL)"))
    seconds = round(time.perf_counter() - started, 2)
    log.info("due dates recomputed under %s: %d matters changed in %.1f s",
             rules.stored_fingerprint(), changed, seconds)
    return {"changed": changed, "seconds": seconds}


def ensure_current(engine, rules: ClockRules) -> dict | None:
    """:func:`recompute` when the stored rules are not ``rules``; None when they are."""
    with engine.connect() as conn:
        if is_current(conn, rules):
            stored = stored_fingerprint(conn)
            if stored is None:  # an empty store: record the rules it starts under
                with conn.begin():
                    _record(conn, rules)
            return None
    return recompute(engine, rules)
