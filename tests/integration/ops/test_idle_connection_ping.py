"""database._ping_idle_connections (installed on PostgreSQL engines): a pooled connection that sat
idle is pinged at checkout and, if the server side is gone, replaced before the request uses it; one
used a moment ago is not pinged (the documented trade-off). Shown on a SQLite pool, where a
connection can be killed under the pool without a server."""
import pytest
from sqlalchemy import create_engine, exc, text
from sqlalchemy.pool import QueuePool

from accommnotify import database


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'ping.db'}", poolclass=QueuePool, pool_size=1, max_overflow=0)
    database._ping_idle_connections(engine)
    yield engine
    engine.dispose()


def _kill_the_pooled_connection(engine):
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        raw = conn.connection.dbapi_connection
    raw.close()  # what a server restart does to the other end of a pooled connection
    return raw


def test_an_idle_connection_that_died_is_replaced_at_checkout(engine, monkeypatch):
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    dead = _kill_the_pooled_connection(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not dead


def test_a_live_idle_connection_is_pinged_and_kept(engine, monkeypatch):
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is first


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, monkeypatch):
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 3600.0)
    _kill_the_pooled_connection(engine)
    with pytest.raises(exc.ProgrammingError):  # this one request fails ...
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    with engine.connect() as conn:  # ... its connection is discarded, the next one works
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_postgresql_pools_ping_only_idle_connections():
    options = database.engine_options("postgresql+psycopg://u@127.0.0.1:5432/db")
    assert options["pool_pre_ping"] is False and options["pool_size"] == 5
