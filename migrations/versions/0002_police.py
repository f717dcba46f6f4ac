"""Police officers, scopes, API tokens and the audit log (police inbox issue).

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "police_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_officers")),
        sa.UniqueConstraint("username", name=op.f("uq_police_officers_username")),
    )
    op.create_table(
        "police_officer_scopes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["police_officers.id"],
                                name=op.f("fk_police_officer_scopes_officer_id_police_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_officer_scopes")),
        sa.UniqueConstraint("officer_id", "kind", "code", name="uq_police_scope"),
    )
    op.create_index(op.f("ix_police_officer_scopes_officer_id"), "police_officer_scopes", ["officer_id"])
    op.create_table(
        "police_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["officer_id"], ["police_officers.id"],
                                name=op.f("fk_police_tokens_officer_id_police_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_police_tokens_token_hash")),
    )
    op.create_index(op.f("ix_police_tokens_officer_id"), "police_tokens", ["officer_id"])
    op.create_table(
        "police_login_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_police_login_throttle")),
    )
    op.create_table(
        "police_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("filters", sa.Text(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_audit_log")),
    )
    op.create_index("ix_police_audit_at", "police_audit_log", ["at"])
    op.create_index("ix_police_audit_officer_at", "police_audit_log", ["officer_id", "at"])
    op.create_index("ix_police_audit_record", "police_audit_log", ["record_id"])

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # The audit log refuses UPDATE and DELETE at the database too (TRUNCATE by an operator
        # with table rights remains possible: retention is an operator decision, see docs/POLICE.md).
        op.execute("""
            CREATE FUNCTION police_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'police_audit_log is append-only'; END $$""")
        op.execute("""
            CREATE TRIGGER police_audit_append_only BEFORE UPDATE OR DELETE ON police_audit_log
            FOR EACH ROW EXECUTE FUNCTION police_audit_append_only()""")
        # Substring search on the folded name (LIKE '%…%') through a trigram index.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_inbox_name_trgm ON inbox_notifications "
                   "USING gin (name_search gin_trgm_ops)")
    elif bind.dialect.name == "sqlite":
        op.execute("""
            CREATE TRIGGER police_audit_no_update BEFORE UPDATE ON police_audit_log
            BEGIN SELECT RAISE(ABORT, 'police_audit_log is append-only'); END""")
        op.execute("""
            CREATE TRIGGER police_audit_no_delete BEFORE DELETE ON police_audit_log
            BEGIN SELECT RAISE(ABORT, 'police_audit_log is append-only'); END""")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_inbox_name_trgm")
        op.execute("DROP TRIGGER IF EXISTS police_audit_append_only ON police_audit_log")
        op.execute("DROP FUNCTION IF EXISTS police_audit_append_only()")
    op.drop_table("police_audit_log")
    op.drop_table("police_login_throttle")
    op.drop_table("police_tokens")
    op.drop_table("police_officer_scopes")
    op.drop_table("police_officers")
