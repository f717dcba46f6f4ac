"""Revocable sessions, a login throttle per address, inbox de-duplicated per sender (issue 10, items 5-7).

`session_version` on officers and facility users: bumped on logout, password change and disabling,
and checked on every request, so a session made before is refused.

The login throttle's keys change from "<name>" / "facility:<e-mail>" (one lock per account, which a
stranger could hold) to "[facility:]pair:<address>|<digest of the name>" and
"[facility:]addr:<address>": the old rows, transient counters, are deleted both ways.

The police inbox knows a notification by (source = its sender, notification_id): a new column
`notification_id` (filled from `id` for the rows there), a unique index on (source,
notification_id), and `body_hash` (SHA-256 of the stored content; NULL for the rows there, which
are then taken as the same). Downgrading drops them; rows whose id was derived because another
sender had used the notification id keep that id.

Revision ID: 0008
Revises: 0006 (re-chained after 0007 at merge)
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM police_login_throttle")
    for table in ("police_officers", "facility_users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("inbox_notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notification_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("body_hash", sa.String(length=64), nullable=True))
    op.execute("UPDATE inbox_notifications SET notification_id = id")
    with op.batch_alter_table("inbox_notifications", schema=None) as batch_op:
        batch_op.alter_column("notification_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index("uq_inbox_source_notification", ["source", "notification_id"], unique=True)


def downgrade():
    with op.batch_alter_table("inbox_notifications", schema=None) as batch_op:
        batch_op.drop_index("uq_inbox_source_notification")
        batch_op.drop_column("body_hash")
        batch_op.drop_column("notification_id")
    op.execute("DELETE FROM police_login_throttle")
    for table in ("facility_users", "police_officers"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("session_version")
