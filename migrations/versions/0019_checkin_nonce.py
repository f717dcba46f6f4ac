"""Guest self check-in: the form's one-time value (nonce) on each entry, unique, so a double tap or
a retry of the same form is stored once.

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkin_submissions") as batch:
        batch.add_column(sa.Column("nonce", sa.String(48)))
        batch.create_unique_constraint("uq_checkin_submissions_nonce", ["nonce"])


def downgrade():
    with op.batch_alter_table("checkin_submissions") as batch:
        batch.drop_constraint("uq_checkin_submissions_nonce", type_="unique")
        batch.drop_column("nonce")
