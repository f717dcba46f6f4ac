"""A guest removed from a stay by a correction (issue 11, item 11).

guests.removed_at: when the facility said this person was entered by mistake. The row stays (its
notifications refer to it, and the facility sees what was sent); a removed guest is no longer in
house, counted, checked by the stay rules, departed or corrected.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
