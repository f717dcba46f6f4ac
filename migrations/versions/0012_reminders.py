"""Reminders to facility users (issue 12 item 2): their choices, and the ledger of sent reminders.

`reminder_settings`: one row per facility user who changed the defaults (language, which kinds,
channel, phone for the HTTP channel). `sent_reminders`: one row per (user, kind, subject), unique:
claimed before sending, so no reminder goes twice.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_settings",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("facility_users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("problems", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("facility_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.UniqueConstraint("user_id", "kind", "subject", name="uq_sent_reminders_user_kind_subject"),
    )
    op.create_index("ix_sent_reminders_claimed", "sent_reminders", ["claimed_at"])


def downgrade():
    op.drop_index("ix_sent_reminders_claimed", table_name="sent_reminders")
    op.drop_table("sent_reminders")
    op.drop_table("reminder_settings")
