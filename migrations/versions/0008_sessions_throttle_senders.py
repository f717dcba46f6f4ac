"""Revocable sessions, a login throttle per address (issue 10, items 5 and 6).

`session_version` on officers and facility users: bumped on logout, password change and disabling,
and checked on every request, so a session made before is refused.

The login throttle's keys change from "<name>" / "facility:<e-mail>" (one lock per account, which a
stranger could hold) to "[facility:]pair:<address>|<digest of the name>" and
"[facility:]addr:<address>": the old rows, transient counters, are deleted both ways.

Revision ID: 0008
Revises: 0006 (re-chained after 0007 at merge)
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM police_login_throttle")
    for table in ("police_officers", "facility_users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    op.execute("DELETE FROM police_login_throttle")
    for table in ("facility_users", "police_officers"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("session_version")
