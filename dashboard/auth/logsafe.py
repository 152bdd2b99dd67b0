"""Logging that cannot carry personal data: a redacting filter and the ``var/log/app.log`` file.

The filter rewrites each record's final message (and any traceback text) through
``queries.audit.redact``: 18-character ID numbers are masked, named petitioner fields,
passwords and tokens (``/wall?token=...`` in access logs) are replaced by ``[redacted]``.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from queries.audit import redact

ROOT = Path(__file__).resolve().parent.parent.parent
_HANDLER_NAME = "atlas-app-log"


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what is there, redacted
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def configure_logging(log_dir: str, level: int = logging.INFO) -> Path:
    """Send the root logger to ``<log_dir>/app.log`` (once per process), all handlers redacted.

    ``WatchedFileHandler``: several gunicorn workers append to one file and logrotate may
    move it.
    """
    path = Path(log_dir)
    if not path.is_absolute():
        path = ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    logfile = path / "app.log"
    root = logging.getLogger()
    if not any(getattr(h, "name", None) == _HANDLER_NAME for h in root.handlers):
        handler = logging.handlers.WatchedFileHandler(logfile, encoding="utf-8")
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s [%(name)s] %(message)s"))
        root.addHandler(handler)
        if root.level > level or root.level == logging.NOTSET:
            root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    return logfile
