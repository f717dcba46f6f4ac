"""Reception displays for self check-in (docs/SELF_CHECKIN.md): a facility's display generation.

A display link names the facility and a generation; "stop all reception displays" adds 1, so every
link made before stops working. A new table (no facility row has a generation until staff first
make a display link: no row = generation 0).

Revision ID: 0020
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "checkin_displays",
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True)),
    )


def downgrade():
    op.drop_table("checkin_displays")
