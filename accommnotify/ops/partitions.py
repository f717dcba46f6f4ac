"""Monthly partitions of the tables that grow with time (PostgreSQL only; docs/PARTITIONS.md).

On PostgreSQL (migration 0021) these tables are range-partitioned by month:

    notifications        by id              (the notification's own month: ids start with their time)
    guests               by stay_id         (the month the stay was declared)
    inbox_notifications  by notification_id (the sender's notification month)
    delivery_attempts    by id              (the batch's month)
    police_audit_log     by at

Ids are time-sortable (accommnotify.ids), so a month of ids is a range of strings, compared with
the "C" collation. Each table has a DEFAULT partition, `<table>_held`, for rows no month holds:
rows of a still-open stay kept when their month is dropped (ops.purge), and any row written
before its month was created (never lost: `ensure` moves them into the month when it is made).
SQLite keeps plain tables; everything here is then a no-op.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import text

from ..ids import encode

UTC = timezone.utc
HELD_SUFFIX = "_held"


@dataclass(frozen=True)
class Partitioned:
    table: str
    key: str
    prefix: str | None  # the id prefix of a string key; None for a timestamp key

    def bound(self, month: date) -> str:
        """The lower bound of `month` as a value of the key."""
        start = month_start_utc(month)
        if self.prefix is None:
            return start.isoformat()
        return id_bound(self.prefix, month)

    def partition(self, month: date) -> str:
        return f"{self.table}_p{month.year:04d}_{month.month:02d}"

    @property
    def held(self) -> str:
        return self.table + HELD_SUFFIX


TABLES = (
    Partitioned("notifications", "id", "ntf"),
    Partitioned("guests", "stay_id", "st"),
    Partitioned("inbox_notifications", "notification_id", "ntf"),
    Partitioned("delivery_attempts", "id", "bat"),
    Partitioned("police_audit_log", "at", None),
)
BY_NAME = {t.table: t for t in TABLES}
# months made ahead of the current one: a dispatcher down for weeks still finds its months there
DEFAULT_AHEAD = 3


def first_of_month(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    return value.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_start_utc(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def id_bound(prefix: str, month: date) -> str:
    """The smallest id with `prefix` made in `month` (UTC): its time part, random bits zero."""
    return id_floor(prefix, month_start_utc(month))


def id_floor(prefix: str, when: datetime) -> str:
    """The smallest id with `prefix` made at `when` or later."""
    return f"{prefix}_{encode(int(when.timestamp() * 1000) << 80)}"


def is_partitioned(conn) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.execute(text(  # pragma: postgresql
        "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass('notifications')")).scalar())


def months(conn, spec: Partitioned) -> dict[date, str]:  # pragma: postgresql
    """The monthly partitions of a table that exist now, by month (the held one excluded)."""
    names = conn.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:t)"), {"t": spec.table}).scalars()
    out = {}
    for name in names:
        suffix = name[len(spec.table) + 2:]
        if name.startswith(spec.table + "_p") and len(suffix) == 7:
            out[date(int(suffix[:4]), int(suffix[5:]), 1)] = name
    return out


def create_month(conn, spec: Partitioned, month: date) -> str:  # pragma: postgresql
    """Makes the partition of `month`, first taking out of the held partition any row of that month
    (CREATE … PARTITION OF refuses while the default partition holds one), then putting them back."""
    name = spec.partition(month)
    lo, hi = spec.bound(month), spec.bound(add_months(month, 1))
    in_month = f'"{spec.key}" >= :lo AND "{spec.key}" < :hi'
    bounds = {"lo": lo, "hi": hi}
    moving = conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{spec.held}" WHERE {in_month})'), bounds).scalar()
    if moving:
        # moved, not removed: the audit log's append-only guard (a trigger) does not apply
        conn.execute(text(f'ALTER TABLE "{spec.held}" DISABLE TRIGGER USER'))
        conn.execute(text(f'CREATE TEMP TABLE _moving ON COMMIT DROP AS WITH m AS ('
                          f'DELETE FROM "{spec.held}" WHERE {in_month} RETURNING *) SELECT * FROM m'), bounds)
        conn.execute(text(f'ALTER TABLE "{spec.held}" ENABLE TRIGGER USER'))
    conn.execute(text(f'CREATE TABLE "{name}" PARTITION OF "{spec.table}" '
                      f"FOR VALUES FROM ('{lo}') TO ('{hi}')"))
    if moving:
        conn.execute(text(f'INSERT INTO "{spec.table}" SELECT * FROM _moving'))
        conn.execute(text("DROP TABLE _moving"))
    return name


def ensure(engine_or_conn=None, *, now: datetime | None = None, ahead: int = DEFAULT_AHEAD,
           since: date | None = None) -> list[str]:
    """Creates every missing month from `since` (default: the current month) to `ahead` months
    after the current one, on every partitioned table. Returns the names made. Each month is its
    own short transaction, with a lock timeout so that a long reader delays it, never the reverse."""
    from ..extensions import db
    from ..timeutil import utcnow
    engine = engine_or_conn if engine_or_conn is not None else db.engine
    current = first_of_month(now or utcnow())
    first = first_of_month(since) if since else current
    last = add_months(current, ahead)
    made = []
    with engine.connect() as conn:
        if not is_partitioned(conn):
            return made
        present = {spec.table: months(conn, spec) for spec in TABLES}  # pragma: postgresql
    for spec in TABLES:  # pragma: postgresql
        month = first
        while month <= last:
            if month not in present[spec.table]:
                with engine.begin() as conn:
                    conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                    # several dispatchers may run this at once: one makes the month, the others see it
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('accommnotify.partitions'))"))
                    if not conn.execute(text("SELECT to_regclass(:n)"), {"n": spec.partition(month)}).scalar():
                        made.append(create_month(conn, spec, month))
            month = add_months(month, 1)
    return made  # pragma: postgresql


def status(engine) -> dict[str, dict]:
    """Per table: its months (first, last, count) and the rows in its held partition."""
    out = {}
    with engine.connect() as conn:
        if not is_partitioned(conn):
            return out
        for spec in TABLES:  # pragma: postgresql
            present = sorted(months(conn, spec))
            held = conn.execute(text(f'SELECT count(*) FROM "{spec.held}"')).scalar()
            out[spec.table] = {"first": present[0] if present else None, "last": present[-1] if present else None,
                               "months": len(present), "held_rows": held}
    return out  # pragma: postgresql


def detach_month(conn, spec: Partitioned, month: date, keep_where: str | None,  # pragma: postgresql
                 params: dict) -> None:
    """Takes the month out of its table and moves back into the table the rows `keep_where` keeps
    (they land in the held partition: no month covers them any more). The detached table, holding
    only what goes, is left for `drop_detached`: releasing its files takes long (the file system's
    work), and a lock on the table in use would make intake or the police pages wait meanwhile."""
    name = spec.partition(month)
    conn.execute(text(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{name}"'))
    if keep_where:
        conn.execute(text("SET LOCAL enable_seqscan = off"))   # the kept rows are few: by index
        conn.execute(text(f'WITH kept AS (DELETE FROM "{name}" WHERE {keep_where} RETURNING *) '
                          f'INSERT INTO "{spec.table}" SELECT * FROM kept'), params)


def detached(conn) -> dict[str, list[str]]:  # pragma: postgresql
    """By table, its month tables no longer attached: detached by a purge and not dropped yet (also
    those of a purge stopped in between: nothing else detaches a month)."""
    names = conn.execute(text(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND NOT relispartition "
        "AND relnamespace = current_schema()::regnamespace AND relname ~ '_p[0-9]{4}_[0-9]{2}$'")).scalars()
    out = {}
    for name in names:
        table = name.rsplit("_p", 1)[0]
        if table in BY_NAME:
            out.setdefault(table, []).append(name)
    return out


def drop_detached(conn, tables: tuple[str, ...]) -> dict[str, int]:  # pragma: postgresql
    """Drops the detached month tables of these tables; returns the rows dropped, by table (0 for
    a table with none)."""
    dropped = dict.fromkeys(tables, 0)
    for table, names in detached(conn).items():
        if table not in dropped:
            continue
        for name in sorted(names):
            dropped[table] += conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar()
            conn.execute(text(f'DROP TABLE "{name}"'))
    return dropped
