"""One login throttle for officers and facility staff.

Failed facility logins are now counted per submitted e-mail in police_login_throttle (key
"facility:<e-mail>"), like officers' per username, so the delay no longer hints which e-mails have
an account. The key column grows to hold an e-mail, and the per-user counters of facility_users go.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("police_login_throttle", schema=None) as batch_op:
        batch_op.alter_column("username", existing_type=sa.String(length=64), type_=sa.String(length=300),
                              existing_nullable=False)
    with op.batch_alter_table("facility_users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("last_failed_at")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("facility_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    # Throttle rows are transient: the facility ones (and any key too long for the old column) go.
    op.execute("DELETE FROM police_login_throttle WHERE username LIKE 'facility:%' OR length(username) > 64")
    with op.batch_alter_table("police_login_throttle", schema=None) as batch_op:
        batch_op.alter_column("username", existing_type=sa.String(length=300), type_=sa.String(length=64),
                              existing_nullable=False)
