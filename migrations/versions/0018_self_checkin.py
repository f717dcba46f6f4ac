"""Guest self check-in (issue 13 item 5): per-booking links and submissions waiting for staff.

New tables only. A submission's guests are stored encrypted (one AES-GCM value); a link's token as
its SHA-256.

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "checkin_links",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("booking_ref", sa.String(64)),
        sa.Column("uses_left", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_checkin_links_facility_id", "checkin_links", ["facility_id"])
    op.create_table(
        "checkin_submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("link_id", sa.String(32)),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("guest_count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("stay_id", sa.String(32)),
        sa.Column("reject_reason", sa.String(200)),
    )
    op.create_index("ix_checkin_submissions_facility_id", "checkin_submissions", ["facility_id"])
    op.create_index("ix_checkin_submissions_expires_at", "checkin_submissions", ["expires_at"])


def downgrade():
    op.drop_table("checkin_submissions")
    op.drop_table("checkin_links")
