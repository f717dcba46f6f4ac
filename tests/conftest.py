"""Shared fixtures (flaskr style): an app on a fresh database per test, a client, a CLI runner,
and the suite's clock.

`app` runs every test on SQLite and, when ACCOMMNOTIFY_TEST_POSTGRES_URL is set, again on
PostgreSQL. Each pytest process gets its own PostgreSQL database (so parallel runs never meet),
migrated once; tables are emptied after each test. SQLite copies a migrated template file.
"""
import os
import secrets
import shutil
import uuid
from datetime import datetime

import pytest
import time_machine
from flask import current_app, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from accommnotify import create_app
from accommnotify.extensions import db
from accommnotify.timeutil import VN_TZ

POSTGRES_URL = os.environ.get("ACCOMMNOTIFY_TEST_POSTGRES_URL")
# Without a PostgreSQL URL the PostgreSQL runs are reported as skipped (never silently absent).
POSTGRES = pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL tests need ACCOMMNOTIFY_TEST_POSTGRES_URL")])
BACKENDS = ["sqlite", POSTGRES]
# For a test that only makes sense on PostgreSQL: @postgres_only
postgres_only = pytest.mark.parametrize("backend", [POSTGRES])
# A fresh random signing key per test session (the app refuses short or published keys).
TEST_SECRET_KEY = secrets.token_urlsafe(32)
# And a data key (encrypts ID / passport numbers at rest), different from the secret key.
TEST_DATA_KEY = secrets.token_urlsafe(32)
# And the key that signs daily proofs (docs/PROOF.md), different again.
TEST_PROOF_KEY = secrets.token_urlsafe(32)


# -- the clock ---------------------------------------------------------------------------------
# Every test runs at one frozen instant, so no result depends on when the suite runs: a Friday
# afternoon in Vietnam, hours before the 23:00 deadline. `clock.move_to()` / `clock.shift()` move it.
FIXED_NOW = datetime(2026, 11, 27, 14, 0, tzinfo=VN_TZ)
# Local times where the deadline rules turn (23:00 cut-off, 08:00 next morning): every test marked
# `deadline_sensitive` runs again at each of them.
DEADLINE_HOURS = ("22:59", "23:01", "23:59", "07:59")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("deadline_sensitive"):
        metafunc.parametrize("clock", ("14:00",) + DEADLINE_HOURS, indirect=True,
                             ids=[f"at-{t.replace(':', '')}" for t in ("14:00",) + DEADLINE_HOURS])


@pytest.fixture(autouse=True)
def clock(request):
    """The frozen clock of this test (a time_machine traveller), or None for a `real_clock` test.

    A `real_clock` test starts other processes (`flask dispatcher run`) that read
    the system clock and check signatures against it; it must assert nothing that depends on the hour.
    """
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    at = FIXED_NOW
    local_time = getattr(request, "param", None)
    if local_time:
        hour, minute = map(int, local_time.split(":"))
        at = at.replace(hour=hour, minute=minute)
    rewind_ids()
    with time_machine.travel(at, tick=False) as traveller:
        yield traveller


def rewind_ids():
    """Ids carry their time, strictly increasing within a process (accommnotify.ids), so after a
    clock moved back they would keep the later time. Each test starts as a new process would, and
    a test that moves the clock back to make old rows calls this too."""
    from accommnotify import ids
    ids._last[:] = [0, 0]


def _migrate(url: str) -> None:
    from flask_migrate import upgrade
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "DATA_KEY": TEST_DATA_KEY,
                      "PROOF_SIGNING_KEY": TEST_PROOF_KEY})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


def _admin_connection(url):
    import psycopg
    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                           dbname="postgres", autocommit=True)


@pytest.fixture(scope="session")
def postgres_database():
    """A database of our own on the test server, dropped at the end of the session."""
    name = f"accommnotify_t_{uuid.uuid4().hex[:10]}"
    with _admin_connection(POSTGRES_URL) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    yield url
    if url in _cleaners:
        _cleaners.pop(url)[0].dispose()
    with _admin_connection(POSTGRES_URL) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_cleaners: dict = {}


def _empty_all_tables(url):
    """Empties every table and restarts its id sequence, as a fresh database would be. DELETE, not
    TRUNCATE: a test leaves a few rows, and TRUNCATE's new files per table cost 20 times as much
    (0.4 s against 0.02 s a test on this machine, minutes over the suite). One engine per process,
    not an app per test: the app's factory would cost more than the cleaning."""
    import accommnotify.models  # noqa: F401 - every table in db.metadata
    from sqlalchemy import create_engine
    if url not in _cleaners:
        engine = create_engine(url, pool_size=1, pool_pre_ping=True)  # a test may end sessions
        with engine.connect() as conn:  # append-only tables refuse DELETE (a trigger): TRUNCATE those
            guarded = set(conn.execute(text("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                                            "WHERE NOT tgisinternal")).scalars())
        _cleaners[url] = engine, guarded
    engine, guarded = _cleaners[url]
    with engine.begin() as conn:
        if guarded:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in sorted(guarded))))
        for table in reversed(db.metadata.sorted_tables):  # children before parents
            if table.name not in guarded:
                conn.execute(table.delete())
        for (sequence,) in conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")):
            conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def database_url(request, backend, tmp_path):
    """The URL of a fresh, migrated database for one test (emptied afterwards on PostgreSQL)."""
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        yield url
        _empty_all_tables(url)


class OwnContextClient(FlaskClient):
    """The test client, refusing a request made while the test holds an app context of its app.

    Flask would run the request in that held context instead of a new one, so `g` -- and
    Flask-Login's cached user -- would leak from one request and one client to the next, which
    never happens in production. Set-up and checks open their own short `with app.app_context():`
    between requests, never around one.
    """

    def open(self, *args, **kwargs):
        self._context_stack.close()  # what a `with client:` block kept of its previous request
        if has_app_context() and current_app._get_current_object() is self.application:
            raise AssertionError("a test request inside a held app context: close the `with "
                                 "app.app_context():` block before the request, so it gets its own")
        return super().open(*args, **kwargs)


def make_app(database_url, **overrides):
    settings = {"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "DATA_KEY": TEST_DATA_KEY,
                "PROOF_SIGNING_KEY": TEST_PROOF_KEY, "RECEIVERS": "config/receivers.toml"}
    settings.update(overrides)
    application = create_app(settings)
    application.test_client_class = OwnContextClient
    return application


@pytest.fixture
def app(database_url):
    application = make_app(database_url)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def facility(app):
    """A registered facility with an API key: (FacilityRef, key)."""
    from accommnotify.intake.facilities import create_facility
    from accommnotify.models import FacilityRef
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        f = create_facility(code="HOTEL-1", name="Khách sạn Sen", kind="tourist_accommodation",
                            ward_code="16681", address="12 Lê Lợi")
        key = create_api_key(f, "test")
        return FacilityRef.of(f), key


class ApiClient:
    """The test client with a facility's bearer key, for the API tests."""

    def __init__(self, client, key):
        self.client, self.key = client, key

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.key}", **(headers or {})}

    def get(self, path, headers=None, **kw):
        return self.client.get("/api/v1" + path, headers=self._headers(headers), **kw)

    def post(self, path, json=None, headers=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(headers), **kw)

    def patch(self, path, json=None, headers=None, **kw):
        return self.client.patch("/api/v1" + path, json=json, headers=self._headers(headers), **kw)


@pytest.fixture
def api(client, facility):
    return ApiClient(client, facility[1])
