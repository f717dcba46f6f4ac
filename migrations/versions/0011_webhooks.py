"""Webhooks to the facility's software: subscriptions, the message outbox, the attempt log.

Revision ID: 0011
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

QUEUED = "status IN ('pending', 'retrying')"
SENDING = "status = 'sending'"
DEAD = "status = 'dead'"


def upgrade():
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_webhook_subscriptions_facility_id", "webhook_subscriptions", ["facility_id"])
    op.create_table(
        "webhook_messages",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("subscription_id", sa.String(length=32), sa.ForeignKey("webhook_subscriptions.id"),
                  nullable=False),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_id", sa.String(length=32), nullable=True),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_webhook_messages_due", "webhook_messages", ["next_attempt_at", "id"],
                    postgresql_where=sa.text(QUEUED), sqlite_where=sa.text(QUEUED))
    op.create_index("ix_webhook_messages_lease", "webhook_messages", ["lease_expires_at"],
                    postgresql_where=sa.text(SENDING), sqlite_where=sa.text(SENDING))
    op.create_index("ix_webhook_messages_dead", "webhook_messages", ["subscription_id"],
                    postgresql_where=sa.text(DEAD), sqlite_where=sa.text(DEAD))
    op.create_index("ix_webhook_messages_subscription", "webhook_messages", ["subscription_id", "created_at"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("message_id", sa.String(length=32), sa.ForeignKey("webhook_messages.id"), nullable=False),
        sa.Column("subscription_id", sa.String(length=32), nullable=False),
        sa.Column("dispatcher", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error_class", sa.String(length=100), nullable=True),
        sa.Column("excerpt", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_webhook_attempts_message_id", "webhook_attempts", ["message_id"])


def downgrade():
    op.drop_index("ix_webhook_attempts_message_id", table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_messages_subscription", table_name="webhook_messages")
    op.drop_index("ix_webhook_messages_dead", table_name="webhook_messages")
    op.drop_index("ix_webhook_messages_lease", table_name="webhook_messages")
    op.drop_index("ix_webhook_messages_due", table_name="webhook_messages")
    op.drop_table("webhook_messages")
    op.drop_index("ix_webhook_subscriptions_facility_id", table_name="webhook_subscriptions")
    op.drop_table("webhook_subscriptions")
