"""A guest accompanying another guest of the same stay (issue 13, item 1: hospitals).

guests.accompanies_guest_id: the id of the guest (the patient) this person accompanies, or NULL.
Not a foreign key (docs/HOSPITALS.md): a stay's guests are inserted in one multi-row statement in any
order, and the intake service only links guests of the same stay.

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accompanies_guest_id", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.drop_column("accompanies_guest_id")
