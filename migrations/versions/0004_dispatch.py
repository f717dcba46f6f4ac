"""Dispatch: partial indexes for claiming due notifications and recovering expired leases.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

QUEUED = "status IN ('pending', 'retrying')"
SENDING = "status = 'sending'"
DEAD = "status = 'dead'"
LATE = "late"


def upgrade():
    # The claim reads "due work of one receiver, oldest first"; a partial index keeps that an
    # index range scan of the queue only, not of every notification ever delivered.
    op.create_index("ix_notifications_due", "notifications", ["receiver", "next_attempt_at", "id"],
                    postgresql_where=sa.text(QUEUED), sqlite_where=sa.text(QUEUED))
    op.create_index("ix_notifications_lease", "notifications", ["lease_expires_at"],
                    postgresql_where=sa.text(SENDING), sqlite_where=sa.text(SENDING))
    # Operators' views (dispatcher status, /metrics) count dead and late notifications per receiver.
    op.create_index("ix_notifications_dead", "notifications", ["receiver"],
                    postgresql_where=sa.text(DEAD), sqlite_where=sa.text(DEAD))
    op.create_index("ix_notifications_late", "notifications", ["receiver"],
                    postgresql_where=sa.text(LATE), sqlite_where=sa.text(LATE))


def downgrade():
    op.drop_index("ix_notifications_late", table_name="notifications")
    op.drop_index("ix_notifications_dead", table_name="notifications")
    op.drop_index("ix_notifications_lease", table_name="notifications")
    op.drop_index("ix_notifications_due", table_name="notifications")
