"""Drop two notification indexes every status change had to maintain and no query uses.

The partial queue index of 0004 serves claiming (replacing ix_notifications_claim); nothing
looks notifications up by guest (ix_notifications_guest_id).

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_notifications_claim", table_name="notifications")
    op.drop_index("ix_notifications_guest_id", table_name="notifications")


def downgrade():
    op.create_index("ix_notifications_guest_id", "notifications", ["guest_id"])
    op.create_index("ix_notifications_claim", "notifications", ["receiver", "status", "next_attempt_at"])
