"""`flask --app wsgi keys rotate`: every stored personal number re-encrypted with the current data
key, and the inbox's blind indexes recomputed with its index key.

Procedure: make a new key the current one (ACCOMMNOTIFY_DATA_KEY) and list the previous one in
ACCOMMNOTIFY_DATA_KEYS_OLD; restart (both keys read, only the new one writes); run `keys rotate`;
then drop the old key. Rows are rewritten in short transactions of CHUNK rows, so web workers and
the dispatcher keep running meanwhile; running it again resumes where it stopped. The audit log is
append-only: a number searched for before the rotation keeps its old key's index (with its key id).
"""
from __future__ import annotations

from sqlalchemy import text

from ..crypto import Keyring, keyring
from ..extensions import db

CHUNK = 1000
# table -> (key column, encrypted columns, blind-indexed (column, index column, normalise))
TABLES = {
    "guests": ("id", ("id_number", "passport_number", "document_number", "document_mrz"), ()),
    "inbox_notifications": ("id", ("id_number", "document_number"),
                            (("id_number", "id_number_bidx", False), ("document_number", "document_number_bidx", True))),
    "police_searches": ("id", ("text",), ()),
    "webhook_subscriptions": ("id", ("secret",), ()),  # the whsec_… signing secrets
    # guests' self check-in entries waiting for staff (the payload is emptied once decided)
    "checkin_submissions": ("id", ("payload",), ()),
}
# Every column of type EncryptedText must be listed above (tests/integration/ops/test_data_keys.py
# checks it), and so must any column encrypted by hand with the keyring (checkin_submissions.payload).


def _stale(columns, current: str) -> str:
    # '' is no ciphertext (a decided check-in entry's emptied payload): nothing to re-encrypt
    return " OR ".join(f"({c} IS NOT NULL AND {c} <> '' AND {c} NOT LIKE 'e1.{current}.%')" for c in columns)


def rotate(keys: Keyring | None = None) -> dict[str, int]:
    """Re-encrypts every value not written with the current key; {table: rows rewritten}."""
    keys = keys or keyring()
    done = {}
    for table, (pk, columns, indexed) in TABLES.items():
        done[table] = 0
        sets = [f"{c} = :{c}" for c in columns] + [f"{ix} = :{ix}" for _, ix, _ in indexed]
        update = text(f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = :pk")
        select = text(f"SELECT {pk}, {', '.join(columns)} FROM {table} WHERE {pk} > :after "
                      f"AND ({_stale(columns, keys.current_id)}) ORDER BY {pk} LIMIT {CHUNK}")
        after = "" if table != "police_searches" else 0
        while True:
            with db.engine.begin() as conn:
                rows = conn.execute(select, {"after": after}).all()
                if not rows:
                    break
                params = []
                for row in rows:
                    plain = {c: keys.decrypt(v) if v else v for c, v in zip(columns, row[1:])}
                    p = {"pk": row[0], **{c: keys.encrypt(v) if v else v for c, v in plain.items()}}
                    for column, index, upper in indexed:
                        value = plain[column]
                        p[index] = keys.blind_index(value.upper() if upper else value) if value else None
                    params.append(p)
                conn.execute(update, params)
                after = rows[-1][0]
                done[table] += len(rows)
    return done


def stale_counts(keys: Keyring | None = None) -> dict[str, int]:
    """Rows per table still holding a value of an older key."""
    keys = keys or keyring()
    with db.engine.connect() as conn:
        return {table: conn.execute(text(f"SELECT count(*) FROM {table} WHERE {_stale(columns, keys.current_id)}")).scalar()
                for table, (_, columns, _) in TABLES.items()}
