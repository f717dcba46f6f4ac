"""Facility user accounts (facility pages issue).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "facility_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facilities.id"],
                                name=op.f("fk_facility_users_facility_id_facilities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_users")),
        sa.UniqueConstraint("email", name=op.f("uq_facility_users_email")),
    )
    with op.batch_alter_table("facility_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_users_facility_id"), ["facility_id"], unique=False)


def downgrade():
    with op.batch_alter_table("facility_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_users_facility_id"))
    op.drop_table("facility_users")
