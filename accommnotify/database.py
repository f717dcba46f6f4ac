"""Engine settings per database.

SQLite: WAL, foreign keys, a busy timeout, and every transaction begun IMMEDIATE. A deferred
transaction that reads and then writes fails at once with SQLITE_BUSY when another process wrote
in between; taking the write lock up front makes it wait its turn (busy_timeout) instead. Code
that only reads says so with `read_only()` and then shares the database with writers (WAL).
"""
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event

_read_only = ContextVar("sqlite_read_only", default=False)


@contextmanager
def read_only():
    """Transactions begun inside only read: on SQLite they take no write lock (plain BEGIN)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def configure_engine(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}
