"""Every string the backlog modules look up exists in zh and en, and no key is shadowed."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard import i18n
from dashboard.strings_backlog import BACKLOG_STRINGS

ROOT = Path(__file__).resolve().parents[2]
FILES = [*ROOT.glob("dashboard/components/backlog_*.py"), ROOT / "dashboard/pages/backlog.py",
         ROOT / "dashboard/pages/agenda.py", ROOT / "dashboard/exports/agenda_xlsx.py"]
PREFIXES = ("bl.status.", "bl.clock.", "bl.reason.", "bl.kind.", "bl.level.", "bl.tab.", "bl.by.",
            "bl.tile.", "bl.saved.")


def test_every_key_is_the_backlog_pages_own():
    # The table is shared with the other pages: every key here carries this page's prefix.
    assert all(k.startswith(("bl.", "ag.", "nav.", "page.")) for k in BACKLOG_STRINGS)


def test_every_key_has_both_languages():
    for key, (zh, en) in BACKLOG_STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert sorted(re.findall(r"{(\w+)}", zh)) == sorted(re.findall(r"{(\w+)}", en)), key
        assert i18n.STRINGS[key] == (zh, en)


def test_every_literal_key_used_exists():
    used = set()
    for path in FILES:
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bt\(\s*"([a-z_.0-9]+)"\s*[,)]', source))
    missing = sorted(k for k in used if k not in i18n.STRINGS)
    assert missing == []
    # Keys built from codes: every status, clock, kind and level the modules can produce.
    from domain.clocks import CLOCKS
    from domain.rules import ASSIGNMENT_STATES, BACKLOG_REASONS, RECEPTION_KINDS

    for key in ([f"bl.status.{s}" for s in (*ASSIGNMENT_STATES, "overdue", "due_soon", "running",
                                         "on_time", "late", "not_started", "window",
                                         "window_closed", "yellow", "gap", "backlog")]
                + [f"bl.clock.{c.key}" for c in CLOCKS]
                + [f"bl.reason.{r}" for r in BACKLOG_REASONS]
                + [f"bl.kind.{k}" for k in RECEPTION_KINDS]
                + ["bl.level.county", "bl.level.township"]):
        assert key in i18n.STRINGS, key
    assert all(any(k.startswith(p) for k in BACKLOG_STRINGS) for p in PREFIXES)
