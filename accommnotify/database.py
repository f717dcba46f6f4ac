"""Engine settings per database.

SQLite: WAL, foreign keys, a busy timeout, and every transaction begun IMMEDIATE. A deferred
transaction that reads and then writes fails at once with SQLITE_BUSY when another process wrote
in between; taking the write lock up front makes it wait its turn (busy_timeout) instead. Code
that only reads says so with `read_only()` and then shares the database with writers (WAL).
"""
import fcntl
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

_read_only = ContextVar("sqlite_read_only", default=False)


@contextmanager
def read_only():
    """Transactions begun inside only read: on SQLite they take no write lock (plain BEGIN)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


class _WriteLock:
    """One SQLite writer at a time across processes, queued by the kernel (flock) rather than by
    SQLite's busy handler, which polls with sleeps of up to 100 ms and wastes a busy second.

    Re-entrant within a thread (a nested writer then meets SQLite's own busy timeout, as it would
    without this lock); threads of one process queue on the RLock; processes on the flock.
    """

    def __init__(self, database_path: str):
        self._path = database_path + "-writelock"
        self._pid = None
        self._fd = None
        self._thread_lock = threading.RLock()
        self._depth = 0

    def acquire(self):
        self._thread_lock.acquire()
        self._depth += 1
        if self._depth == 1:
            if self._pid != os.getpid():  # never share an open file description with a forked parent
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self):
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()


def _locking_connection_class(write_lock: _WriteLock):
    class LockingConnection(sqlite3.Connection):
        """Releases the write lock once COMMIT or ROLLBACK has really happened."""
        holds_lock = False
        lock = write_lock

        def commit(self):
            try:
                super().commit()
            finally:
                self._release()

        def rollback(self):
            try:
                super().rollback()
            finally:
                self._release()

        def close(self):
            try:
                super().close()
            finally:
                self._release()

        def _release(self):
            if self.holds_lock:
                self.holds_lock = False
                self.lock.release()

    return LockingConnection


# A pooled connection is checked with a round trip (SELECT 1) only when it has sat unused this long.
# SQLAlchemy's pool_pre_ping pings at every checkout: one extra round trip per request, a fifth of
# a small write's time on PostgreSQL. A connection used a moment ago is almost surely alive; if the
# server restarted meanwhile, that one request fails (500) and its connection is discarded.
IDLE_PING_SECONDS = 5.0


def _ping_idle_connections(engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - whatever the driver raises, the connection is unusable
            raise DisconnectionError(f"idle connection failed its ping: {exc}") from exc
        if not alive:
            raise DisconnectionError("idle connection failed its ping")


def configure_engine(engine) -> None:
    if engine.dialect.name != "sqlite":
        _ping_idle_connections(engine)
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
        if _read_only.get():
            conn.exec_driver_sql("BEGIN")
            return
        dbapi_connection = conn.connection.dbapi_connection
        if getattr(dbapi_connection, "holds_lock", None) is False:
            dbapi_connection.lock.acquire()
            dbapi_connection.holds_lock = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_LOCKS: dict[str, _WriteLock] = {}


def private_sqlite_file(url: str) -> None:
    """Creates a SQLite database file that does not exist yet with mode 0600 (SQLite itself would
    make it 0644 under the usual umask); its -wal and -shm files take the same mode from it."""
    if not url.startswith("sqlite"):
        return
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:") or os.path.exists(path):
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        args = {"timeout": 30, "check_same_thread": False}
        path = make_url(url).database
        if path and path != ":memory:":
            lock = _LOCKS.setdefault(path, _WriteLock(path))
            args["factory"] = _locking_connection_class(lock)
        return {"connect_args": args, "hide_parameters": True}
    # hide_parameters (both databases): bound values (names, ID numbers) never reach a log, not
    # even in the message of a failed statement.
    # No pool_pre_ping: configure_engine pings only connections that sat idle (IDLE_PING_SECONDS).
    return {"pool_pre_ping": False, "pool_size": 5, "max_overflow": 5, "hide_parameters": True}
