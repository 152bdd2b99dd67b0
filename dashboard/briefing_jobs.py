"""Briefing generation for the web page: a job per request, run in a background thread,
its progress and file kept on disk under ``var/briefing_jobs/<id>/``.

Why not a Dash background callback: those run in another process without the request, so
the user's scope would have to travel through the browser; here the scope is computed from
the session when the job starts and never leaves the server. On disk rather than in memory
so that with several gunicorn workers the poll may land on any of them. One briefing is
generated at a time per process (two cores: a second would only slow both down); others
wait in state ``queued``.

A job belongs to the account that started it: :func:`status` and :func:`result` return
None for anyone else, so a guessed job id yields nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import threading
import time
from pathlib import Path

from briefing.service import Briefing, audit_detail, audit_target, generate
from queries import audit

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
JOB_DIR = Path(os.environ.get("ATLAS_BRIEFING_JOBS", ROOT / "var" / "briefing_jobs"))
KEEP_SECONDS = 3600
_ID_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_running = threading.BoundedSemaphore(1)


def _owner(account) -> str:
    return f"{getattr(account, 'kind', 'user')}:{getattr(account, 'id', '')}"


def _folder(job_id: str) -> Path | None:
    if not isinstance(job_id, str) or not 10 <= len(job_id) <= 64 or \
            not set(job_id) <= _ID_CHARS:
        return None
    return JOB_DIR / job_id


def _write(folder: Path, state: dict) -> None:
    tmp = folder / "status.json.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, folder / "status.json")  # atomic: a poll never reads half a file


def _read(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cleanup() -> None:
    """Remove jobs older than :data:`KEEP_SECONDS` (the files hold no personal data, but a
    briefing should not linger on the server)."""
    if not JOB_DIR.exists():
        return
    cutoff = time.time() - KEEP_SECONDS
    for folder in JOB_DIR.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def start(*, account, scope, unit: str, month: str, fmt: str, lang: str, as_of: dt.date,
          remote_addr: str | None = None) -> str:
    """Start a briefing job for ``account`` (whose ``scope`` the unit was checked against
    by the caller, and is checked again by :func:`briefing.service.generate`); returns its
    id."""
    _cleanup()
    job_id = secrets.token_urlsafe(18)
    folder = JOB_DIR / job_id
    folder.mkdir(parents=True, exist_ok=False)
    state = {"id": job_id, "owner": _owner(account), "state": "queued", "step": "queued",
             "done": 0, "total": 1, "unit": unit, "month": month, "format": fmt, "lang": lang,
             "started": time.time(), "error": None}
    _write(folder, state)

    def progress(step: str, done: int, total: int) -> None:
        state.update(state="running", step=step, done=done, total=max(total, 1))
        _write(folder, state)

    def run() -> None:
        with _running:
            state.update(state="running", step="collect")
            _write(folder, state)
            try:
                b: Briefing = generate(scope, unit, month, fmt, lang=lang, as_of=as_of,
                                       progress=progress)
            except Exception as exc:  # shown to the user; details go to the log
                log.exception("briefing job %s failed", job_id)
                state.update(state="failed", error=type(exc).__name__,
                             message=str(exc)[:300] if isinstance(
                                 exc, ValueError | PermissionError) else None)
                _write(folder, state)
                return
            (folder / "result.bin").write_bytes(b.content)
            audit.record("export", audit_target(b), audit_detail(b, fmt), user=account,
                         remote_addr=remote_addr)
            state.update(state="done", step="done", done=1, total=1,
                         filename=b.filename, display_name=b.display_name,
                         media_type=b.media_type, bytes=len(b.content), seconds=b.seconds)
            _write(folder, state)

    threading.Thread(target=run, name=f"briefing-{job_id[:6]}", daemon=True).start()
    return job_id


def status(job_id: str, account) -> dict | None:
    """The job's state for its owner (None for anyone else or an unknown id)."""
    folder = _folder(job_id)
    if folder is None:
        return None
    state = _read(folder)
    if state is None or state.get("owner") != _owner(account):
        return None
    return state


def result(job_id: str, account) -> tuple[dict, bytes] | None:
    """``(state, file bytes)`` of a finished job, for its owner only."""
    state = status(job_id, account)
    if state is None or state.get("state") != "done":
        return None
    folder = _folder(job_id)
    try:
        return state, (folder / "result.bin").read_bytes()
    except OSError:
        return None
