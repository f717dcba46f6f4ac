"""Monthly partitions on PostgreSQL (docs/PARTITIONS.md): notifications, guests, police inbox rows,
delivery attempts and the police audit log become range-partitioned by month, without data loss.

Each table is rebuilt: its indexes, triggers and outgoing foreign keys are read from the catalog,
the table is renamed, a partitioned table of the same columns takes its name, months are made from
its oldest row to three months ahead (plus the DEFAULT partition `<table>_held`), every row is
copied, the old table dropped, and its indexes, triggers and foreign keys made again on the new one.

The keys are id strings (times first: accommnotify.ids), given the "C" collation so that months are
byte ranges and lookups by id prune to one month. A partitioned table's primary key must hold its
partition key: guests' becomes (id, stay_id), the inbox's (id, notification_id), the audit log's
(id, at). Foreign keys between stays, guests, notifications and portal file rows are dropped here:
the intake service writes a stay's rows in one transaction and purge removes them together, and a
foreign key into a partitioned table would make dropping a month scan the other table (decision in
docs/DECISIONS.md). Foreign keys to small tables (facilities) stay. SQLite keeps plain tables.

Revision ID: 0021
Revises: 0020
"""
from datetime import date, datetime, timezone

from alembic import op
from sqlalchemy import text

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# table, partition key, id prefix (None: a timestamp), primary key on the partitioned table
TABLES = (
    ("notifications", "id", "ntf", ("id",)),
    ("guests", "stay_id", "st", ("id", "stay_id")),
    ("inbox_notifications", "notification_id", "ntf", ("id", "notification_id")),
    ("delivery_attempts", "id", "bat", ("id",)),
    ("police_audit_log", "at", None, ("id", "at")),
)
PARTITIONED = {t[0] for t in TABLES}
# foreign keys whose referenced or referencing side is now partitioned by stay (see above)
DROPPED_LINKS = {"stays", "guests", "notifications"}
AHEAD = 3


def _bound(prefix, month):
    # migrations stand alone: the same arithmetic as accommnotify.ops.partitions, frozen here
    from accommnotify.ids import encode
    start = datetime(month.year, month.month, 1, tzinfo=timezone.utc)
    if prefix is None:
        return start.isoformat()
    return f"{prefix}_{encode(int(start.timestamp() * 1000) << 80)}"


def _next(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _oldest_month(bind, table, key, prefix):
    if prefix is None:
        oldest = bind.execute(text(f'SELECT min("{key}") FROM "{table}"')).scalar()
        return oldest.astimezone(timezone.utc).date().replace(day=1) if oldest else None
    # the first id of this format; its time is the first 10 base32 digits (48 bits of ms)
    first = bind.execute(text(f"SELECT min(\"{key}\" COLLATE \"C\") FROM \"{table}\" "
                              f"WHERE \"{key}\" COLLATE \"C\" >= :lo AND \"{key}\" COLLATE \"C\" < :hi"),
                         {"lo": prefix + "_", "hi": prefix + "`"}).scalar()
    if not first:
        return None
    from accommnotify.ids import _ALPHABET
    digits = first[len(prefix) + 1:len(prefix) + 27]
    value = 0
    for ch in digits:
        value = value * 32 + _ALPHABET.index(ch)
    ms = value >> 80
    return datetime.fromtimestamp(ms / 1000, timezone.utc).date().replace(day=1)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _drop_links(bind)
    now = datetime.now(timezone.utc).date().replace(day=1)
    last = now
    for _ in range(AHEAD):
        last = _next(last)
    for table, key, prefix, pk in TABLES:
        _partition(bind, table, key, prefix, pk, now, last)


def _drop_links(bind):
    rows = bind.execute(text(
        "SELECT conname, conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f'")).all()
    for name, table, referenced in rows:
        if referenced in DROPPED_LINKS or (table in DROPPED_LINKS and referenced in DROPPED_LINKS):
            bind.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))


def _catalog(bind, table):
    indexes = bind.execute(text(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = to_regclass(:t) "
        "AND NOT i.indisprimary"), {"t": table}).scalars().all()
    triggers = bind.execute(text(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(:t) AND NOT tgisinternal"),
        {"t": table}).scalars().all()
    fkeys = bind.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass(:t) "
        "AND contype = 'f'"), {"t": table}).all()
    return indexes, triggers, fkeys


def _partition(bind, table, key, prefix, pk, first_month, last_month):
    indexes, triggers, fkeys = _catalog(bind, table)
    oldest = _oldest_month(bind, table, key, prefix)
    if oldest and oldest < first_month:
        first_month = oldest
    if prefix is not None:
        bind.execute(text(f'ALTER TABLE "{table}" ALTER COLUMN "{key}" TYPE varchar(32) COLLATE "C"'))
    old = f"{table}_unpartitioned"
    bind.execute(text(f'ALTER TABLE "{table}" RENAME TO "{old}"'))
    bind.execute(text(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
                      f'PARTITION BY RANGE ("{key}")'))
    bind.execute(text(f'ALTER TABLE "{table}" ADD PRIMARY KEY ({", ".join(pk)})'))
    # the audit log's id sequence belongs to its column: move it before the old table goes
    for (sequence,) in bind.execute(text(
            "SELECT s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "WHERE d.refobjid = to_regclass(:t) AND d.deptype IN ('a', 'i')"), {"t": old}):
        bind.execute(text(f'ALTER SEQUENCE "{sequence}" OWNED BY "{table}".id'))
    month = first_month
    while month <= last_month:
        after = _next(month)
        bind.execute(text(
            f'CREATE TABLE "{table}_p{month.year:04d}_{month.month:02d}" PARTITION OF "{table}" '
            f"FOR VALUES FROM ('{_bound(prefix, month)}') TO ('{_bound(prefix, after)}')"))
        month = after
    bind.execute(text(f'CREATE TABLE "{table}_held" PARTITION OF "{table}" DEFAULT'))
    bind.execute(text(f'INSERT INTO "{table}" SELECT * FROM "{old}"'))
    bind.execute(text(f'DROP TABLE "{old}"'))
    for statement in indexes + triggers:
        bind.execute(text(statement))
    for name, definition in fkeys:  # the links among DROPPED_LINKS are gone already (_drop_links)
        bind.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, key, prefix, _pk in TABLES:
        indexes, triggers, fkeys = _catalog(bind, table)
        old = f"{table}_partitioned"
        bind.execute(text(f'ALTER TABLE "{table}" RENAME TO "{old}"'))
        bind.execute(text(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'))
        bind.execute(text(f'ALTER TABLE "{table}" ADD PRIMARY KEY (id)'))
        for (sequence,) in bind.execute(text(
                "SELECT s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
                "WHERE d.refobjid = to_regclass(:t) AND d.deptype IN ('a', 'i')"), {"t": old}):
            bind.execute(text(f'ALTER SEQUENCE "{sequence}" OWNED BY "{table}".id'))
        bind.execute(text(f'INSERT INTO "{table}" SELECT * FROM "{old}"'))
        bind.execute(text(f'DROP TABLE "{old}" CASCADE'))
        for statement in indexes + triggers:
            bind.execute(text(statement.replace(" ON ONLY ", " ON ")))
        for name, definition in fkeys:
            bind.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
        if prefix is not None:
            bind.execute(text(f'ALTER TABLE "{table}" ALTER COLUMN "{key}" TYPE varchar(32) COLLATE "default"'))
    for table, column, referenced in (("guests", "stay_id", "stays"), ("notifications", "stay_id", "stays"),
                                      ("notifications", "guest_id", "guests"), ("term_stays", "stay_id", "stays"),
                                      ("portal_file_rows", "notification_id", "notifications")):
        bind.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_{column}_fkey" '
                          f'FOREIGN KEY ("{column}") REFERENCES "{referenced}" (id)'))
