"""irregular submissions: a partial index for the 非访 views (issue 16, items 2–4)

The irregular submissions are a few per cent of the visits at city level and above; the
stability page, the wall, the yellow cards and the weekly report read them by receipt day.
Without this index each of those reads scans every submission of its period.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_submission_irregular ON submission (received_on)"
               " WHERE irregular")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_submission_irregular")
