"""Personal data for pages (DESIGN §1.2): masked by default, revealed on an explicit action by
roles allowed to, every reveal (and every refused one) written to the audit log."""

from __future__ import annotations

import re

from domain.privacy import decrypt_text
from queries import audit
from queries.personal import petitioner_name_ciphertext
from queries.scope import Scope

_MATTER_NO_RE = re.compile(r"[\w./-]{1,64}")


class RevealRefused(PermissionError):
    """The role may not reveal, or the matter is not in the user's scope."""


def masked_name(scope: Scope, masked: str | None) -> str | None:
    """What a list shows in the name column: the masked form, or nothing at all for scopes
    without personal data (wall screens, auditors)."""
    return masked if scope.personal_data else None


def reveal_petitioner_name(matter_no: str, *, scope: Scope, user,
                           remote_addr: str | None = None) -> str | None:
    """The petitioner's full name of one matter, for a user who pressed "reveal".

    Refused (and audited as ``reveal_refused``) when the scope may not reveal or the matter
    is outside it; a matter without a stored name returns None (still audited). ``user`` is
    the account revealing (username and role go to the audit row; the name never does).
    """
    if not isinstance(matter_no, str) or not _MATTER_NO_RE.fullmatch(matter_no):
        raise ValueError("invalid matter number / 信访事项编号无效")
    if not (scope.can_reveal and scope.personal_data):
        audit.record("reveal_refused", matter_no, {"field": "petitioner_name",
                                                   "reason": "role"},
                     user=user, remote_addr=remote_addr)
        raise RevealRefused("your role may not reveal personal data / 您的角色无权查看个人信息")
    found, ciphertext = petitioner_name_ciphertext(scope, matter_no)
    if not found:
        audit.record("reveal_refused", matter_no, {"field": "petitioner_name",
                                                   "reason": "not_in_scope"},
                     user=user, remote_addr=remote_addr)
        raise RevealRefused("matter not found in your jurisdiction / 辖区内无此事项")
    audit.record("reveal", matter_no, {"field": "petitioner_name"}, user=user,
                 remote_addr=remote_addr)
    return decrypt_text(ciphertext) if ciphertext else None
