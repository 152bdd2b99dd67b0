"""Reads of protected personal data (DESIGN §1.2); callers audit every use."""

from __future__ import annotations

from sqlalchemy import text

from queries.db import scoped
from queries.scope import require_rows


def petitioner_name_ciphertext(scope, matter_no: str) -> tuple[bool, str | None]:
    """``(found, ciphertext)`` of the petitioner's name of one matter inside ``scope``.

    ``found`` is False when the matter does not exist in the scope (row-level security hides
    it); the ciphertext is None when the matter has no stored name.
    """
    require_rows(scope, "petitioner_name_ciphertext")
    with scoped(scope) as conn:
        row = conn.execute(text("SELECT petitioner_name_enc FROM matter WHERE matter_no = :n"),
                           {"n": matter_no}).first()
    return (False, None) if row is None else (True, row.petitioner_name_enc)


def masked_identity(scope, matter_no: str) -> tuple[str | None, str | None] | None:
    """``(masked name, last four of the ID)`` of one matter inside ``scope`` — what a matter's
    detail shows without a reveal (DESIGN §1.2) — or None when the matter is not in it."""
    require_rows(scope, "masked_identity")
    with scoped(scope) as conn:
        row = conn.execute(text("SELECT petitioner_name_masked, petitioner_id_last4"
                                " FROM matter WHERE matter_no = :n"), {"n": matter_no}).first()
    return None if row is None else (row.petitioner_name_masked, row.petitioner_id_last4)
