"""The message of an early warning (:mod:`domain.warnings`) in zh or en, for the wall screen
and the Stability page. One wording with the weekly report: the text function lives below
the UI (``briefing.warning_text``). Areas, units, numbers and dispute titles only: never a
person."""

from __future__ import annotations

from briefing.warning_text import warning_text
from dashboard import strings_stability  # noqa: F401  (registers the strings)

__all__ = ["warning_text"]
