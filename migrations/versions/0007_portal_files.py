"""Portal files: the files written for the national declaration portal, and their rows; which card a citizen showed.

A notification written into a file gets status 'awaiting_upload' (no schema change: the column
is a String(16)) until the facility confirms the count the portal showed.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portal_files",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("facility_id", sa.Integer(), sa.ForeignKey("facilities.id"), nullable=False),
        sa.Column("receiver", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("earliest_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("records_shown", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_portal_files_facility_status", "portal_files", ["facility_id", "status", "created_at"])
    op.create_table(
        "portal_file_rows",
        sa.Column("file_id", sa.String(length=32), sa.ForeignKey("portal_files.id"), primary_key=True),
        sa.Column("row", sa.Integer(), primary_key=True),
        sa.Column("notification_id", sa.String(length=32), sa.ForeignKey("notifications.id"), nullable=False),
        sa.UniqueConstraint("notification_id", name="uq_portal_file_rows_notification_id"),
    )


    awaiting = "status = 'awaiting_upload'"
    op.create_index("ix_notifications_awaiting", "notifications", ["receiver", "deadline_at"],
                    postgresql_where=sa.text(awaiting), sqlite_where=sa.text(awaiting))
    # Which card a citizen showed (issue 9 §4): column F of the portal's template
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("document_name", sa.String(length=100), nullable=True))


def downgrade():
    op.drop_index("ix_notifications_awaiting", table_name="notifications")
    with op.batch_alter_table("guests", schema=None) as batch_op:
        batch_op.drop_column("document_name")
        batch_op.drop_column("document_kind")
    op.drop_table("portal_file_rows")
    op.drop_index("ix_portal_files_facility_status", table_name="portal_files")
    op.drop_table("portal_files")
