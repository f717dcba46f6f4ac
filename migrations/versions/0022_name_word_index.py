"""Police name search by whole words (docs/POLICE.md): on PostgreSQL a GIN index of the folded name's
words replaces the trigram index.

A trigram index costs every common trigram's posting list on every search ("nguyen", "van", "thi"
make most of them common): at a province's year (issue 14) a name search read ~20 ms per monthly
partition. A name's words are three or four index entries, and an AND of whole words reads a few ms.
SQLite has neither index; the search's own filter is the same on both.

Revision ID: 0022
Revises: 0021
"""
from alembic import op


revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

WORDS = ("CREATE INDEX IF NOT EXISTS ix_inbox_name_words ON inbox_notifications "
         "USING gin (to_tsvector('simple'::regconfig, name_search))")
TRIGRAMS = ("CREATE INDEX IF NOT EXISTS ix_inbox_name_trgm ON inbox_notifications "
            "USING gin (name_search gin_trgm_ops)")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(WORDS)
    op.execute("DROP INDEX IF EXISTS ix_inbox_name_trgm")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(TRIGRAMS)
    op.execute("DROP INDEX IF EXISTS ix_inbox_name_words")
