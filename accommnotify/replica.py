"""Reads that tolerate a few seconds of lag, from a PostgreSQL streaming replica (docs/REPLICA.md).

Off unless READ_DATABASE_URL is set. Routing is explicit: a view asks for `read(fn)` (or
`read_session()`) for a read that may be a little behind -- the police inbox, its searches'
results, exports, compliance pages, the police API's lists -- and everything else keeps using
`db.session` on the primary (logins and session checks, audit writes, acknowledgements, stored
search texts, the facility side, intake, the dispatcher).

The replica is used only while healthy: a standby (`pg_is_in_recovery()`) whose replay is at most
READ_MAX_LAG_SECONDS behind. The health check is cached per process for READ_CHECK_SECONDS under a
lock; a replica that lags, is down, or fails in the middle of a request (OperationalError) sends
that request to the primary, never a 5xx. After an officer's own write that the pages show
(acknowledging), their reads stay on the primary for a short window (`pin_primary`).
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from flask import current_app, g, has_request_context, session
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from .database import configure_engine, engine_options
from .extensions import db

log = logging.getLogger(__name__)

EXTENSION = "accommnotify.read_replica"
OFF, OK, LAGGING, DOWN = "off", "ok", "lagging", "down"
STATES = (OFF, OK, LAGGING, DOWN)
# Seconds a connection attempt to the replica may take: a replica that black-holes packets must not
# hold a page for the operating system's minutes-long TCP timeout.
CONNECT_TIMEOUT = 3
# The key in the signed session cookie: until this Unix time the officer's reads stay on the primary.
PIN_KEY = "_read_primary_until"

# Is it a standby, and how far behind is its replay? Nothing to replay (received = replayed): 0.
# Otherwise the age of the last transaction replayed (NULL before any was replayed: unknown).
PROBE_SQL = text(
    "SELECT pg_is_in_recovery(), "
    "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END")


class ReplicaConfigError(ValueError):
    """READ_DATABASE_URL cannot be used (the process must not start)."""


@dataclass(frozen=True)
class Health:
    state: str                      # off, ok, lagging, down
    lag_seconds: float | None = None
    reason: str = ""                # why not ok: lag, lag_unknown, not_a_standby, unreachable, error

    def as_json(self) -> dict:
        out = {"state": self.state}
        if self.lag_seconds is not None:
            out["lag_seconds"] = round(self.lag_seconds, 3)
        if self.reason:
            out["reason"] = self.reason
        return out


def judge(in_recovery: bool, lag_seconds: float | None, max_lag: float) -> Health:
    """The state from one probe's answer. A server that is not a standby (promoted, or the primary
    itself) is not used: after a failover the old replica no longer follows this primary, and its
    data would silently stop changing."""
    if not in_recovery:
        return Health(DOWN, None, "not_a_standby")
    if lag_seconds is None:
        return Health(LAGGING, None, "lag_unknown")
    lag = max(0.0, float(lag_seconds))
    if lag > max_lag:
        return Health(LAGGING, lag, "lag")
    return Health(OK, lag)


class ReadReplica:
    """One per app (web worker process): the replica's engine, its cached health, the fallbacks."""

    def __init__(self, url: str, max_lag: float, check_seconds: float, *, keyring=None,
                 probe: Callable[[], tuple[bool, float | None]] | None = None,
                 monotonic: Callable[[], float] = time.monotonic):
        self.url = url or ""
        self.max_lag = float(max_lag)
        self.check_seconds = float(check_seconds)
        self._keyring = keyring
        self._probe = probe or self._probe_database
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._probe_lock = threading.Lock()
        self._engine = None
        self._health: Health | None = None
        self._checked_at = 0.0
        self.fallbacks: Counter = Counter()   # reason (lagging, down, error) -> requests sent to the primary

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    # -- the engine --------------------------------------------------------------------------

    def engine(self):  # pragma: postgresql (a replica needs PostgreSQL: tests/integration/police/test_read_replica.py)
        """Created on first use, with the primary's engine options plus a connect timeout."""
        with self._lock:
            if self._engine is None:
                options = engine_options(self.url)
                options["connect_args"] = {**options.get("connect_args", {}), "connect_timeout": CONNECT_TIMEOUT}
                engine = create_engine(self.url, **options)
                configure_engine(engine)
                # The encrypted columns decrypt with the keyring found on the dialect (models/types.py).
                engine.dialect.accommnotify_keyring = self._keyring
                self._engine = engine
            return self._engine

    def dispose(self) -> None:  # pragma: postgresql
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()

    def _probe_database(self) -> tuple[bool, float | None]:  # pragma: postgresql
        with self.engine().connect() as conn:
            # A server that accepts the connection but does not answer must not hold a page either.
            conn.execute(text(f"SET LOCAL statement_timeout = {CONNECT_TIMEOUT * 1000}"))
            in_recovery, lag = conn.execute(PROBE_SQL).one()
            conn.rollback()
        return bool(in_recovery), (None if lag is None else float(lag))

    # -- health ------------------------------------------------------------------------------

    def health(self) -> Health:
        """The replica's state, probed at most once per READ_CHECK_SECONDS per process. One thread
        probes; the others answer from the last result meanwhile (a probe of a dead replica takes up
        to CONNECT_TIMEOUT, which must not hold every page), and wait only for the very first."""
        if not self.enabled:
            return Health(OFF)
        with self._lock:
            if self._health is not None and self._monotonic() - self._checked_at < self.check_seconds:
                return self._health
            known = self._health
        if not self._probe_lock.acquire(blocking=known is None):
            return known  # another thread is probing
        try:
            with self._lock:  # probed meanwhile by the thread this one waited for
                if self._health is not None and self._monotonic() - self._checked_at < self.check_seconds:
                    return self._health
            try:
                health = judge(*self._probe(), self.max_lag)
            except (SQLAlchemyError, OSError) as exc:
                log.warning("read replica unreachable: %s", type(exc).__name__)
                health = Health(DOWN, None, "unreachable")
            with self._lock:
                self._health, self._checked_at = health, self._monotonic()
            return health
        finally:
            self._probe_lock.release()

    def last_health(self) -> Health:
        """The cached state without probing (off when disabled, unknown = down before any probe)."""
        if not self.enabled:
            return Health(OFF)
        with self._lock:
            return self._health or Health(DOWN, None, "not_checked")

    def mark_down(self, reason: str = "error") -> None:
        """A query on the replica failed: down until the next check (READ_CHECK_SECONDS)."""
        with self._lock:
            self._health, self._checked_at = Health(DOWN, None, reason), self._monotonic()

    def count_fallback(self, reason: str) -> None:
        with self._lock:
            self.fallbacks[reason] += 1

    def fallback_counts(self) -> dict[str, int]:
        with self._lock:
            return {reason: self.fallbacks.get(reason, 0) for reason in (LAGGING, DOWN, "error")}

    # -- a window of pinning ----------------------------------------------------------------

    def pin_seconds(self) -> int:
        """How long an officer's reads stay on the primary after their own write: the longest lag a
        replica in use may have, plus the age of a cached health result, rounded up, plus one."""
        return int(math.ceil(self.max_lag + self.check_seconds)) + 1


def init_app(app) -> None:
    from .crypto import EXTENSION as KEYRING
    url = (app.config.get("READ_DATABASE_URL") or "").strip()
    if url:  # pragma: postgresql
        primary = app.config.get("DATABASE_URL") or ""
        if url.startswith("sqlite") or primary.startswith("sqlite"):
            raise ReplicaConfigError(
                "READ_DATABASE_URL needs PostgreSQL for both DATABASE_URL and READ_DATABASE_URL (a "
                "streaming replica); with SQLite leave ACCOMMNOTIFY_READ_DATABASE_URL empty")
        if not url.startswith("postgresql"):
            raise ReplicaConfigError("READ_DATABASE_URL must be a postgresql+psycopg:// URL")
        try:  # a typing mistake or a missing driver stops the start, not a page later (never echoes the URL)
            make_url(url).get_dialect().import_dbapi()
        except Exception as exc:  # noqa: BLE001 - whatever SQLAlchemy raises for a bad URL or driver
            raise ReplicaConfigError(f"READ_DATABASE_URL is not a usable PostgreSQL URL ({type(exc).__name__}); "
                                     "use postgresql+psycopg://user@host:5432/dbname") from None
    app.extensions[EXTENSION] = ReadReplica(
        url, float(app.config.get("READ_MAX_LAG_SECONDS", 10)), float(app.config.get("READ_CHECK_SECONDS", 2)),
        keyring=app.extensions.get(KEYRING))
    app.teardown_appcontext(_close_request_session)


def current(app=None) -> ReadReplica:
    return (app or current_app).extensions[EXTENSION]


# -- per request -------------------------------------------------------------------------------

_G_SESSION = "_read_session"


def _pinned() -> bool:
    if not has_request_context():
        return False
    until = session.get(PIN_KEY)
    if not isinstance(until, int):
        return False
    from .timeutil import utcnow
    return utcnow().timestamp() < until


def pin_primary() -> None:
    """After the officer's own write (an acknowledgement): their next reads, for `pin_seconds`, go
    to the primary, so the page they are sent to shows what they just did. Kept in the signed
    session cookie, so it holds whichever web worker answers next."""
    replica = current()
    if not replica.enabled or not has_request_context():
        return
    _pin(replica)


def _pin(replica) -> None:  # pragma: postgresql
    from .timeutil import utcnow
    session[PIN_KEY] = int(utcnow().timestamp()) + replica.pin_seconds()


def read_session():
    """The session for this request's lag-tolerant reads: one on the replica when it is healthy
    and the officer is not pinned to the primary, else `db.session`. Decided once per request."""
    chosen = g.get(_G_SESSION)
    if chosen is not None:
        return chosen
    chosen = db.session
    replica = current()
    if replica.enabled and not _pinned():  # pragma: postgresql
        health = replica.health()
        if health.state == OK:
            chosen = Session(bind=replica.engine(), expire_on_commit=False, autoflush=False)
        else:
            replica.count_fallback(health.state)
    setattr(g, _G_SESSION, chosen)
    return chosen


def on_replica(sess) -> bool:
    return sess is not db.session


def read(fn: Callable):
    """`fn(session)` on the read session; when the replica fails in the middle (connection lost,
    a recovery conflict), the replica is marked down and `fn` runs again on the primary."""
    sess = read_session()
    if not on_replica(sess):
        return fn(sess)
    return _read_on_replica(fn, sess)


def _read_on_replica(fn: Callable, sess):  # pragma: postgresql
    try:
        return fn(sess)
    except (OperationalError, InterfaceError) as exc:
        log.warning("read replica failed during a request, answered from the primary: %s", type(exc).__name__)
        try:
            sess.close()
        except SQLAlchemyError:
            pass
        replica = current()
        replica.mark_down("error")
        replica.count_fallback("error")
        setattr(g, _G_SESSION, db.session)
        return fn(db.session)


def extra_settle_seconds(sess) -> int:
    """The police API holds back rows received in the last POLICE_API_SETTLE_SECONDS (a row stamped
    earlier but committed later must not fall behind a cursor). On the replica, whose snapshot is up
    to the allowed lag old, that window grows by the lag it may have."""
    return current().pin_seconds() if on_replica(sess) else 0


def _close_request_session(_exc=None):
    sess = g.pop(_G_SESSION, None)
    if sess is not None and on_replica(sess):  # pragma: postgresql
        try:
            sess.close()
        except SQLAlchemyError:
            pass
