"""The ``import_run`` record of a ledger import: closed once with the import's counts."""

from __future__ import annotations

from sqlalchemy import text


def close_run(conn, run_id: int, summary) -> None:
    """Stamp ``finished_at`` and the inserted/updated/unchanged/rejected counts of ``summary``
    on the import run ``run_id`` (a SQLAlchemy connection inside a transaction)."""
    conn.execute(text(
        "UPDATE import_run SET finished_at = now(), inserted = :i, updated = :u,"
        " unchanged = :n, rejected = :r WHERE id = :id"),
        {"i": summary.inserted, "u": summary.updated, "n": summary.unchanged,
         "r": summary.rejected, "id": run_id})
