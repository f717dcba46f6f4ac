"""The three INSERTs of a new stay straight through the session's own DBAPI connection.

SQLAlchemy's Core costs about a tenth of a millisecond per `execute` (compiled-cache lookup,
parameter processing, result set-up); a new stay needs three of them, which is a large share of a
small request. Here the same rows go to the driver directly, converted exactly as the column types
would convert them, so what is stored (and read back through the ORM and `views`) is identical:

* SQLite: UTC datetimes as naive text `YYYY-MM-DD HH:MM:SS.ffffff`, dates `YYYY-MM-DD`, booleans
  0/1 (SQLAlchemy's SQLite storage formats).
* PostgreSQL (psycopg 3): aware datetimes converted to UTC, dates and booleans as they are; the
  stay, guests, notifications and the COMMIT go in one pipeline: two round trips (the COMMIT's
  Sync, then the one psycopg sends when leaving pipeline mode) instead of five.

It always uses the session's connection (`db.session.connection()`), never a second one: on SQLite
a second connection in the same thread would wait forever for the write lock the session holds.
The transaction is the session's; `write_new_stay` leaves it for the caller to commit (SQLite) or
commits it itself in the pipeline (PostgreSQL) and says so.

Lines marked `# pragma: postgresql` run only on PostgreSQL: `make coverage` (SQLite) leaves them
out; tests/integration/api/test_fastwrite_postgres.py exercises them.
"""
from datetime import date, datetime, timezone

from sqlalchemy import Boolean, Date

from ..crypto import keyring
from ..models.types import EncryptedText, UTCDateTime
from . import views

UTC = timezone.utc
_TABLES = (views.STAYS, views.GUESTS, views.NOTIFICATIONS)


_last_sqlite_datetime = (None, None)


def _sqlite_datetime(value):
    global _last_sqlite_datetime
    if value is None:
        return None
    # A new stay's rows carry the request's `now` five times per guest: remember the last one (held
    # here, so `is` can never match a different object that reused its id).
    last = _last_sqlite_datetime
    if last[0] is value:
        return last[1]
    if value.tzinfo is None:
        raise ValueError("naive datetime reached the database layer")
    v = value.astimezone(UTC)
    text = "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (v.year, v.month, v.day, v.hour, v.minute, v.second,
                                                   v.microsecond)
    _last_sqlite_datetime = (value, text)
    return text


def _sqlite_date(value):
    if value is None:
        return None
    if not isinstance(value, date):
        raise TypeError("SQLite Date type only accepts Python date objects as input.")
    return "%04d-%02d-%02d" % (value.year, value.month, value.day)


def _bool_as_int(value):
    if value is None:
        return None
    if value not in (True, False):
        raise TypeError(f"Not a boolean value: {value!r}")
    return 1 if value else 0


def _postgres_datetime(value):  # pragma: postgresql
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime reached the database layer")
    return value.astimezone(UTC)


def _postgres_bool(value):  # pragma: postgresql
    if value is not None and value not in (True, False):
        raise TypeError(f"Not a boolean value: {value!r}")
    return value


def _encrypt(value):
    """A personal number as the EncryptedText column stores it (AES-GCM, crypto)."""
    return None if value is None else keyring().encrypt(value)


_CONVERTERS = {
    "sqlite": {UTCDateTime: _sqlite_datetime, Date: _sqlite_date, Boolean: _bool_as_int,
               EncryptedText: _encrypt},
    "postgresql": {UTCDateTime: _postgres_datetime, Boolean: _postgres_bool, EncryptedText: _encrypt},
}


class _Table:
    """One table's INSERT for one dialect: the SQL, and a function from a row dict to a tuple.

    `of_stay`: the row goes in only if its stay exists (`stay_id` is passed once more at the end):
    on PostgreSQL no foreign key ties guests and notifications to stays (migration 0021), so the
    pipeline's rows after a stay INSERT that did nothing must check for themselves."""

    def __init__(self, table, dialect: str, suffix: str = "", of_stay: bool = False):
        names = [c.name for c in table.c]
        marker = "?" if dialect == "sqlite" else "%s"
        if of_stay:  # pragma: postgresql
            values = ", ".join(f"%s::{_postgres_type(c.type).split('(')[0]}" for c in table.c)
            self.sql = (f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {values} "
                        f"WHERE EXISTS (SELECT 1 FROM stays WHERE id = %s)")
        else:
            self.sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
                        f"VALUES ({', '.join([marker] * len(names))}){suffix}")
        converters = _CONVERTERS[dialect]
        plan = []
        for column in table.c:
            convert = next((f for t, f in converters.items() if isinstance(column.type, t)), None)
            plan.append((column.name, convert))
        self._plain = [name for name, convert in plan]
        self._plan = plan
        if all(convert is None for _, convert in plan):
            self.params = self._params_plain
        else:
            self.params = self._params

    def _params_plain(self, row: dict) -> tuple:
        return tuple([row[name] for name in self._plain])

    def _params(self, row: dict) -> tuple:
        return tuple([row[name] if convert is None else convert(row[name]) for name, convert in self._plan])


_STATEMENTS: dict[str, tuple[_Table, _Table, _Table]] = {}


def _statements(dialect: str):
    statements = _STATEMENTS.get(dialect)
    if statements is None:
        stays, guests, notes = _TABLES
        statements = _STATEMENTS[dialect] = (
            _Table(stays, dialect, " ON CONFLICT (facility_id, external_ref) DO NOTHING RETURNING id"),
            _Table(guests, dialect), _Table(notes, dialect))
    return statements


_OF_STAY: tuple | None = None


def _statements_of_stay():  # pragma: postgresql
    """The PostgreSQL pipeline's guest and notification INSERTs, each guarded by its stay."""
    global _OF_STAY
    if _OF_STAY is None:
        _stays, guests, notes = _TABLES
        _OF_STAY = (_Table(guests, "postgresql", of_stay=True), _Table(notes, "postgresql", of_stay=True))
    return _OF_STAY


def supported(connection) -> bool:
    return connection.dialect.name in _CONVERTERS and (
        connection.dialect.name != "postgresql" or connection.dialect.driver == "psycopg")


class StayExists(Exception):
    """The facility already has a stay with this external_ref: nothing was written."""


def write_new_stay(connection, stay: dict, guests: list[dict], notes: list[dict]) -> bool:
    """Inserts one new stay with its guests and notifications in the session's transaction.

    Returns True when the transaction was committed here (PostgreSQL pipeline), False when the
    caller still has to commit (SQLite). Raises StayExists, with nothing written, when the
    external_ref is taken; the caller must then roll back before reading the existing stay.
    """
    dialect = connection.dialect.name
    stay_sql, guest_sql, note_sql = _statements(dialect)
    dbapi = connection.connection.dbapi_connection
    if dialect == "sqlite":
        cursor = dbapi.cursor()
        try:
            cursor.execute(stay_sql.sql, stay_sql.params(stay))
            if cursor.fetchone() is None:
                raise StayExists()
            cursor.executemany(guest_sql.sql, [guest_sql.params(g) for g in guests])
            cursor.executemany(note_sql.sql, [note_sql.params(n) for n in notes])
        finally:
            cursor.close()
        return False
    try:  # pragma: postgresql
        return _write_postgres_pipeline(dbapi, stay_sql, stay, guests, notes)
    except Exception as exc:  # pragma: postgresql
        if dbapi.closed or dbapi.broken:
            # SQLAlchemy never saw this error: tell the pool, which would otherwise hand the dead
            # connection out again (a server restart; see database.IDLE_PING_SECONDS).
            connection.invalidate(exc)
        raise


def write_new_stays(connection, stays: list[dict], guests: list[dict], notes: list[dict]) -> None:
    """Plain INSERTs of many new stays (bulk) in the session's transaction, which the caller commits.

    SQLite: one executemany per table. PostgreSQL: one COPY per table (the rows are parsed and
    checked by the server exactly like INSERTs: constraints, foreign keys, types). A taken ref
    raises sqlalchemy's IntegrityError, as the Core path would.
    """
    from sqlalchemy.exc import IntegrityError

    dialect = connection.dialect.name
    dbapi = connection.connection.dbapi_connection
    cursor = dbapi.cursor()
    sql = None
    try:
        for bulk, plan, rows in zip(_bulk_tables(dialect), _statements(dialect), (stays, guests, notes)):
            if not rows:
                continue
            sql = bulk.sql
            if dialect == "sqlite":
                cursor.executemany(sql, [plan.params(r) for r in rows])
            else:  # pragma: postgresql
                with cursor.copy(sql) as copy:
                    copy.set_types(bulk.types)
                    for row in rows:
                        copy.write_row(plan.params(row))
    except _integrity_error(dialect) as exc:
        raise IntegrityError(sql, None, exc) from exc
    except Exception as exc:
        if dialect != "sqlite" and (dbapi.closed or dbapi.broken):
            connection.invalidate(exc)  # pragma: postgresql
        raise
    finally:
        cursor.close()


class _BulkTable:
    def __init__(self, table, dialect: str):
        names = ", ".join(c.name for c in table.c)
        self.types = None
        if dialect == "sqlite":
            self.sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join(['?'] * len(table.c))})"
        else:  # pragma: postgresql
            # Binary: no text to format here or to parse there (eleven timestamps per stay).
            self.sql = f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)"
            self.types = [_postgres_type(c.type).split("(")[0].lower() for c in table.c]


def _postgres_type(column_type) -> str:  # pragma: postgresql
    """The column's type as PostgreSQL spells it, e.g. `VARCHAR(32)`."""
    from sqlalchemy.dialects import postgresql
    return column_type.compile(dialect=postgresql.dialect())


_BULK: dict[str, tuple] = {}


def _bulk_tables(dialect: str):
    if dialect not in _BULK:
        _BULK[dialect] = tuple(_BulkTable(t, dialect) for t in _TABLES)
    return _BULK[dialect]


def _integrity_error(dialect: str):
    if dialect == "sqlite":
        import sqlite3
        return sqlite3.IntegrityError
    import psycopg  # pragma: postgresql
    return psycopg.IntegrityError  # pragma: postgresql


def _write_postgres_pipeline(dbapi, stay_sql, stay, guests, notes) -> bool:  # pragma: postgresql
    import psycopg

    guest_sql, note_sql = _statements_of_stay()
    stay_params = stay_sql.params(stay)
    guest_params = [guest_sql.params(g) + (g["stay_id"],) for g in guests]
    note_params = [note_sql.params(n) + (n["stay_id"],) for n in notes]
    stay_cursor = dbapi.cursor()
    cursor = dbapi.cursor()
    try:
        with dbapi.pipeline() as pipeline:
            try:
                stay_cursor.execute(stay_sql.sql, stay_params)
                # If the ref was taken, the stay INSERT did nothing, and so do the guests' and
                # notifications' (each checks its stay): the COMMIT below writes nothing.
                for params in guest_params:
                    cursor.execute(guest_sql.sql, params)
                for params in note_params:
                    cursor.execute(note_sql.sql, params)
                dbapi.commit()
            except psycopg.Error:
                _drain(dbapi, pipeline, psycopg)
                raise
            inserted = stay_cursor.fetchone()
    finally:
        stay_cursor.close()
        cursor.close()
    if inserted is None:  # the ref was taken: the commit wrote nothing
        raise StayExists()
    return True


def _drain(dbapi, pipeline, psycopg) -> None:  # pragma: postgresql
    """After an error, collect every queued result up to a Sync. Each statement the server skipped
    raises PipelineAborted and the first error may surface before all of them were read; once
    drained, the transaction is simply failed and the caller's rollback ends it."""
    for _ in range(5):
        try:
            pipeline.sync()
            return
        except psycopg.Error:
            if dbapi.closed or dbapi.broken:
                return  # the connection is gone: nothing left to read


# --- PostgreSQL, nothing else in the transaction: one statement, one round trip ----------------
# Data-modifying CTEs insert the stay, its guests and their notifications in ONE statement, sent in
# autocommit mode: the statement is its own transaction (all or nothing, foreign keys checked at
# its end) and costs one round trip and one driver call, where the pipeline needed two round trips
# and a dozen driver calls. If the ref is taken, the stay INSERT does nothing and neither do the
# others (they only insert when the stay row came back).

_SINGLE: dict[int, str] = {}


def _values(table, rows: int, first: int) -> str:  # pragma: postgresql
    """`($1::type, …), (…)` numbered from `first`: PostgreSQL's own placeholders, so the driver sends
    the text as it is (psycopg re-parses `%s` queries of more than 50 parameters on every call).
    Casts name the type without its length: `'…'::VARCHAR(64)` would silently cut a longer value,
    where the INSERT into the column refuses it, as every other write path does."""
    types = [_postgres_type(c.type).split("(")[0] for c in table.c]
    groups = []
    for row in range(rows):
        start = first + row * len(types)
        groups.append("(" + ", ".join(f"${start + i}::{t}" for i, t in enumerate(types)) + ")")
    return ", ".join(groups)


def _single_sql(guest_count: int) -> str:  # pragma: postgresql
    sql = _SINGLE.get(guest_count)
    if sql is None:
        stays, guests, notes = _TABLES
        names = {t: ", ".join(c.name for c in t.c) for t in _TABLES}
        guests_at = 1 + len(stays.c)
        notes_at = guests_at + guest_count * len(guests.c)
        sql = _SINGLE[guest_count] = (
            f"WITH s AS (INSERT INTO stays ({names[stays]}) VALUES {_values(stays, 1, 1)} "
            f"ON CONFLICT (facility_id, external_ref) DO NOTHING RETURNING id), "
            f"g AS (INSERT INTO guests ({names[guests]}) SELECT * FROM "
            f"(VALUES {_values(guests, guest_count, guests_at)}) v "
            f"WHERE EXISTS (SELECT 1 FROM s) RETURNING 1), "
            f"n AS (INSERT INTO notifications ({names[notes]}) SELECT * FROM "
            f"(VALUES {_values(notes, guest_count, notes_at)}) v WHERE EXISTS (SELECT 1 FROM s) RETURNING 1) "
            f"SELECT id FROM s")
    return sql


def write_new_stay_autocommit(connection, stay: dict, guests: list[dict], notes: list[dict]) -> None:  # pragma: postgresql
    """PostgreSQL, on a connection with no transaction open: the stay is committed when this
    returns; raises StayExists (nothing written) when the facility already has the ref."""
    stay_sql, guest_sql, note_sql = _statements("postgresql")
    params = list(stay_sql.params(stay))
    for g in guests:
        params.extend(guest_sql.params(g))
    for n in notes:
        params.extend(note_sql.params(n))
    import psycopg

    dbapi = connection.connection.dbapi_connection
    dbapi.autocommit = True
    try:
        with psycopg.RawCursor(dbapi) as cursor:
            cursor.execute(_single_sql(len(guests)), params, prepare=True)
            inserted = cursor.fetchone()
    except Exception as exc:
        if dbapi.closed or dbapi.broken:
            connection.invalidate(exc)
        raise
    finally:
        if not dbapi.closed:
            dbapi.autocommit = False
    if inserted is None:
        raise StayExists()
