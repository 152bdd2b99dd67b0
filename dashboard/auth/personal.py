"""Personal data for pages (DESIGN §1.2): masked by default, revealed on an explicit action by
roles allowed to, with a reason, at most ``REVEAL_LIMIT_PER_HOUR`` times per user and hour;
every reveal (with its reason) and every refused one is written to the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.privacy import decrypt_text
from queries import audit
from queries.personal import petitioner_name_ciphertext
from queries.scope import Scope

_MATTER_NO_RE = re.compile(r"[\w./-]{1,64}")


MAX_REASON = 200
MIN_REASON = 2


class RevealRefused(PermissionError):
    """The role may not reveal, no reason was given, the hourly limit is reached, or the
    matter is not in the user's scope. ``code`` says which (role, no_reason, rate_limit,
    not_in_scope)."""

    def __init__(self, message: str, code: str = "role"):
        super().__init__(message)
        self.code = code


def masked_id(last4: str | None) -> str | None:
    """``**************1234``: only the last four of an 18-character ID are kept."""
    return "*" * 14 + last4 if last4 else None


def masked_name(scope: Scope, masked: str | None) -> str | None:
    """What a list shows in the name column: the masked form, or nothing at all for scopes
    without personal data (wall screens, auditors)."""
    return masked if scope.personal_data else None


def _refuse(matter_no: str, code: str, message: str, user, remote_addr):
    audit.record("reveal_refused", matter_no, {"field": "petitioner_name", "reason": code},
                 user=user, remote_addr=remote_addr)
    raise RevealRefused(message, code)


def reveal_petitioner_name(matter_no: str, *, scope: Scope, user, reason: str | None = None,
                           remote_addr: str | None = None,
                           allow: Callable[[], bool] | None = None) -> str | None:
    """The petitioner's full name of one matter, for a user who pressed "reveal" and said why.

    Refused (and audited as ``reveal_refused``) when the scope may not reveal, ``reason`` is
    missing, ``allow`` (the hourly limit; counted before the scope check, so probing costs
    the same) says no, or the matter is outside the scope. A matter without a stored name
    returns None (still audited). ``user`` is the account revealing; the audit row carries
    its name, the matter number and the reason, never the name revealed.
    """
    if not isinstance(matter_no, str) or not _MATTER_NO_RE.fullmatch(matter_no):
        raise ValueError("invalid matter number / 信访事项编号无效")
    if not (scope.can_reveal and scope.personal_data):
        _refuse(matter_no, "role", "your role may not reveal personal data"
                " / 您的角色无权查看个人信息", user, remote_addr)
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        _refuse(matter_no, "no_reason", "give the reason for viewing the name"
                " / 请填写查看原因", user, remote_addr)
    if allow is not None and not allow():
        _refuse(matter_no, "rate_limit", "too many reveals this hour; try later"
                " / 本小时查看次数已达上限", user, remote_addr)
    found, ciphertext = petitioner_name_ciphertext(scope, matter_no)
    if not found:
        _refuse(matter_no, "not_in_scope", "matter not found in your jurisdiction"
                " / 辖区内无此事项", user, remote_addr)
    audit.record("reveal", matter_no, {"field": "petitioner_name",
                                       "reason": reason[:MAX_REASON]},
                 user=user, remote_addr=remote_addr)
    return decrypt_text(ciphertext) if ciphertext else None
