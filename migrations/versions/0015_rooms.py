"""Rooms board (issue 13 item 4): a facility's rooms (or a hospital's beds by department).

New table only; stays keep their free-text `room`, matched to a room's `name_key` at read time.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rooms",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("name_key", sa.String(150), nullable=False),
        sa.Column("section", sa.String(50)),
        sa.Column("capacity", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("facility_id", "name_key", name="uq_rooms_facility_name_key"),
    )


def downgrade():
    op.drop_table("rooms")
