"""Chains (issue 13, item 3): organisations, their facilities and API keys; facility memberships.

New tables only; nothing existing changes. A facility belongs to at most one organisation. A
membership gives a facility user a role ("staff" or "manager") at a facility; a user's own
facility (facility_users.facility_id) counts as "manager" unless a membership says otherwise.

Revision ID: 0014
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "organisation_facilities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False, unique=True),
    )
    op.create_index("ix_organisation_facilities_organisation_id", "organisation_facilities", ["organisation_id"])
    op.create_table(
        "organisation_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("label", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_organisation_keys_organisation_id", "organisation_keys", ["organisation_id"])
    op.create_table(
        "facility_memberships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("facility_users.id"), nullable=False),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "facility_id", name="uq_membership_user_facility"),
    )
    op.create_index("ix_facility_memberships_user_id", "facility_memberships", ["user_id"])


def downgrade():
    op.drop_table("facility_memberships")
    op.drop_table("organisation_keys")
    op.drop_table("organisation_facilities")
    op.drop_table("organisations")
