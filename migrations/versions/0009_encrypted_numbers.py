"""Personal numbers at rest (issue 10 item 12).

* guests.id_number / passport_number / document_number / document_mrz and
  inbox_notifications.id_number / document_number hold AES-GCM ciphertext (accommnotify.crypto,
  key ACCOMMNOTIFY_DATA_KEY): widened to VARCHAR(255) on PostgreSQL (SQLite does not enforce
  lengths) and every existing plain value encrypted in place.
* inbox_notifications gets id_number_bidx / document_number_bidx (keyed HMAC-SHA256 blind indexes)
  for the exact-number search; the indexes on the plain numbers go, indexes on the blind ones come.
* police_searches: the inbox search text, server-side (encrypted) under a random handle, instead
  of the signed session cookie.
* police_audit_log.filters: a number searched for is replaced by its blind index. The log is
  append-only; this migration alone lifts its UPDATE guard (triggers) for that rewrite and puts it
  back in the same transaction.

On SQLite the rewritten pages are zeroed (secure_delete), so the old plain values do not linger
in free space of the file.

Revision ID: 0009
Revises: 0006 (re-chained by the integrator after other branches' 0007/0008)
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

GUEST_COLUMNS = ("id_number", "passport_number", "document_number", "document_mrz")
INBOX_COLUMNS = ("id_number", "document_number")
CHUNK = 2000


def _keyring():
    from flask import current_app
    from accommnotify.crypto import EXTENSION
    return current_app.extensions[EXTENSION]


def _plain(value) -> bool:
    return value is not None and not str(value).startswith("e1.")


def _encrypt_table(bind, keys, table: str, columns, with_index: bool) -> None:
    last = ""
    cols = ", ".join(columns)
    sets = ", ".join(f"{c} = :{c}" for c in columns)
    if with_index:
        sets += ", id_number_bidx = :id_number_bidx, document_number_bidx = :document_number_bidx"
    update = sa.text(f"UPDATE {table} SET {sets} WHERE id = :id")
    while True:
        rows = bind.execute(sa.text(f"SELECT id, {cols} FROM {table} WHERE id > :last ORDER BY id LIMIT {CHUNK}"),
                            {"last": last}).all()
        if not rows:
            return
        last = rows[-1][0]
        params = []
        for row in rows:
            values = dict(zip(columns, row[1:]))
            if not any(_plain(v) for v in values.values()):
                continue
            out = {"id": row[0]}
            for c, v in values.items():
                out[c] = keys.encrypt(v) if _plain(v) else v
            if with_index:
                out["id_number_bidx"] = keys.blind_index(values["id_number"]) if _plain(values["id_number"]) else None
                number = values["document_number"]
                out["document_number_bidx"] = keys.blind_index(number.upper()) if _plain(number) else None
            params.append(out)
        if params:
            bind.execute(update, params)


def _audit_filters(bind, keys) -> None:
    from accommnotify.crypto import redact_search as audit_search
    rows = bind.execute(sa.text("SELECT id, filters FROM police_audit_log WHERE filters IS NOT NULL")).all()
    changed = []
    for id_, raw in rows:
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("q"), str):
            continue
        new = audit_search(data, keys)
        if new != data:
            changed.append({"id": id_, "filters": json.dumps(new, ensure_ascii=False, sort_keys=True)})
    if not changed:
        return
    pg = bind.dialect.name == "postgresql"
    if pg:
        op.execute("ALTER TABLE police_audit_log DISABLE TRIGGER police_audit_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS police_audit_no_update")
    bind.execute(sa.text("UPDATE police_audit_log SET filters = :filters WHERE id = :id"), changed)
    if pg:
        op.execute("ALTER TABLE police_audit_log ENABLE TRIGGER police_audit_append_only")
    else:
        op.execute("""
            CREATE TRIGGER police_audit_no_update BEFORE UPDATE ON police_audit_log
            BEGIN SELECT RAISE(ABORT, 'police_audit_log is append-only'); END""")


def upgrade():
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    if not pg:
        op.execute("PRAGMA secure_delete = ON")
    if pg:
        for column in GUEST_COLUMNS:
            op.execute(f"ALTER TABLE guests ALTER COLUMN {column} TYPE VARCHAR(255)")
        for column in INBOX_COLUMNS:
            op.execute(f"ALTER TABLE inbox_notifications ALTER COLUMN {column} TYPE VARCHAR(255)")
    op.drop_index("ix_inbox_id_number", table_name="inbox_notifications")
    op.drop_index("ix_inbox_document_number", table_name="inbox_notifications")
    op.add_column("inbox_notifications", sa.Column("id_number_bidx", sa.String(32)))
    op.add_column("inbox_notifications", sa.Column("document_number_bidx", sa.String(32)))
    op.create_table(
        "police_searches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handle", sa.String(22), nullable=False, unique=True),
        sa.Column("owner", sa.String(43), nullable=False),
        sa.Column("text", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_police_searches_owner", "police_searches", ["owner", "id"])
    op.create_index("ix_police_searches_created", "police_searches", ["created_at"])

    keys = _keyring()
    _encrypt_table(bind, keys, "guests", GUEST_COLUMNS, with_index=False)
    _encrypt_table(bind, keys, "inbox_notifications", INBOX_COLUMNS, with_index=True)
    _audit_filters(bind, keys)
    op.create_index("ix_inbox_id_number_bidx", "inbox_notifications", ["id_number_bidx"])
    op.create_index("ix_inbox_document_number_bidx", "inbox_notifications", ["document_number_bidx"])


def downgrade():
    raise RuntimeError("0009 encrypts personal numbers; going back would write them in plain text again. "
                       "Restore a backup taken before the upgrade instead.")
