"""Student dormitories (issue 13, item 2): terms and the stays on each term's roster.

New tables only; nothing existing changes (the stays table and the intake service's writes stay as
they are: a roster's stays are linked after the bulk write, in term_stays).

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "terms",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("facility_id", "name", name="uq_terms_facility_name"),
    )
    op.create_index("ix_terms_facility_id", "terms", ["facility_id"])
    op.create_table(
        "term_stays",
        sa.Column("stay_id", sa.String(32), sa.ForeignKey("stays.id"), primary_key=True),
        sa.Column("term_id", sa.String(32), sa.ForeignKey("terms.id"), nullable=False),
    )
    op.create_index("ix_term_stays_term_id", "term_stays", ["term_id"])


def downgrade():
    op.drop_table("term_stays")
    op.drop_table("terms")
