"""Audit actions of the stability features (issue 6).

``queries.audit.record`` refuses actions it does not list. Until these names are added to
``queries.audit.ACTIONS`` (one line for the lead), :func:`register_actions` appends them at
import time of the modules that write; it is idempotent.
"""

from __future__ import annotations

from queries import audit

STABILITY_ACTIONS = (
    "period_create", "period_update",
    "ledger_create", "ledger_update", "ledger_close",
    "daily_report_file", "duty_roster_set",
)


def register_actions() -> None:
    missing = tuple(a for a in STABILITY_ACTIONS if a not in audit.ACTIONS)
    if missing:
        audit.ACTIONS = (*audit.ACTIONS, *missing)
