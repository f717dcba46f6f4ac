"""Reads from a real PostgreSQL streaming replica (docs/REPLICA.md).

The module starts its own primary cluster (initdb, a free port, 127.0.0.1 only) and a hot standby
made from it with `pg_basebackup -R`, once for all its tests, and stops both at the end. A lag is
made deterministic by pausing the standby's replay (`pg_wal_replay_pause()`): what is written on the
primary after that is not on the standby, so a page that does not show it read the standby.
Waiting for the standby polls `pg_last_wal_replay_lsn()` against the primary's current position.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy.engine import make_url

from accommnotify import replica as read_replica
from accommnotify.extensions import db
from accommnotify.models.inbox import InboxNotification
from tests.conftest import _cleaners, _empty_all_tables, _migrate, make_app, postgres_only

from .helpers import FAST_HASH, WARD_A, add_notification, add_officer, audit_rows, in_app, login, search

PG_BIN = "/usr/lib/postgresql/15/bin"
DBNAME = "accommnotify"
WAIT_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*cmd):
    """A PostgreSQL program, as the postgres user when we are root (initdb and postgres refuse root)."""
    argv = [os.path.join(PG_BIN, cmd[0]), *cmd[1:]]
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    subprocess.run(argv, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)


class Cluster:
    def __init__(self, datadir: str, port: int, sockdir: str):
        self.datadir, self.port, self.sockdir = datadir, port, sockdir

    def start(self):
        _run("pg_ctl", "-D", self.datadir, "-l", self.datadir + ".log", "-w", "-t", "60", "-o",
             f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.sockdir} "
             "-c fsync=off -c full_page_writes=off -c max_connections=40", "start")

    def stop(self):
        _run("pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop")

    def url(self, dbname=DBNAME) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname=DBNAME):
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True)


@pytest.fixture(scope="module")
def clusters():
    """(primary, standby): a cluster of our own and a streaming replica of it, for this module."""
    base = tempfile.mkdtemp(prefix="accommnotify-replica-")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary = Cluster(os.path.join(base, "primary"), _free_port(), base)
    standby = Cluster(os.path.join(base, "standby"), _free_port(), base)
    started = []
    try:
        _run("initdb", "-D", primary.datadir, "-A", "trust", "-U", "postgres", "--no-sync")
        primary.start()
        started.append(primary)
        with primary.connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{DBNAME}"')
        _migrate(primary.url())
        _run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
             "-D", standby.datadir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
        standby.start()
        started.append(standby)
        with standby.connect() as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] is True
        yield primary, standby
    finally:
        for cluster in reversed(started):
            try:
                cluster.stop()
            except subprocess.CalledProcessError:
                pass  # already stopped by a test
        shutil.rmtree(base, ignore_errors=True)


def wait_for_replay(primary, standby, position="pg_last_wal_replay_lsn()"):
    """Until the standby has replayed everything the primary has written so far (bounded)."""
    with primary.connect() as p:
        target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with standby.connect() as s:
        deadline = time.monotonic() + WAIT_SECONDS
        while not s.execute(f"SELECT {position} >= %s::pg_lsn", (target,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.01)  # between two checks of the condition, not instead of one


def wait_for_receive(primary, standby):
    """Until the standby has received (not necessarily replayed) all the primary wrote: with replay
    paused, it is then measurably behind."""
    wait_for_replay(primary, standby, position="pg_last_wal_receive_lsn()")


@contextmanager
def replay_paused(standby):
    """The standby stops replaying (it keeps receiving): whatever the primary writes meanwhile is
    not visible there until the block ends."""
    with standby.connect() as s:
        s.execute("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + WAIT_SECONDS
        while s.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
            assert time.monotonic() < deadline, "replay did not pause"
            time.sleep(0.01)
        try:
            yield
        finally:
            s.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def cluster_app(clusters):
    """make(**overrides) -> an app on the test primary reading from the standby. Tables are emptied
    afterwards and the standby caught up."""
    primary, standby = clusters
    apps = []

    def make(**overrides):
        settings = {"READ_DATABASE_URL": standby.url(), "READ_MAX_LAG_SECONDS": 300, "READ_CHECK_SECONDS": 0,
                    "WTF_CSRF_ENABLED": False, "POLICE_API_SETTLE_SECONDS": 0,
                    "POLICE_FACILITY_CACHE_SECONDS": 0, **FAST_HASH}
        settings.update(overrides)
        application = make_app(primary.url(), **settings)
        apps.append(application)
        return application

    yield make
    for application in apps:
        read_replica.current(application).dispose()
        with application.app_context():
            db.engine.dispose()
    _empty_all_tables(primary.url())
    _cleaners.pop(primary.url())[0].dispose()  # its cluster stops with the module
    wait_for_replay(primary, standby)


def _standby_row(standby, nid):
    with standby.connect() as s:
        return s.execute("SELECT acknowledged_at FROM inbox_notifications WHERE id = %s", (nid,)).fetchone()


def _metrics(app) -> dict[str, float]:
    body = app.test_client().get("/metrics").get_data(as_text=True)
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in body.splitlines() if line and not line.startswith("#")}


def _setup(app, primary, standby, username="o"):
    with in_app(app):
        add_officer(username, f"ward:{WARD_A}")
        seen = add_notification(WARD_A, full_name="Nguyễn Văn An")
    wait_for_replay(primary, standby)
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client, seen


@postgres_only
def test_the_inbox_shows_what_the_standby_has_and_falls_back_when_it_lags(backend, clusters, cluster_app):
    primary, standby = clusters
    app = cluster_app()
    strict = cluster_app(READ_MAX_LAG_SECONDS=0)  # the same databases, no lag allowed
    client, seen = _setup(app, primary, standby)
    with replay_paused(standby):
        with in_app(app):
            fresh = add_notification(WARD_A, full_name="Trần Thị Bình")
        wait_for_receive(primary, standby)
        page = client.get("/police/").get_data(as_text=True)
        assert seen in page and fresh not in page  # read on the standby, within the allowed lag
        detail = client.get(f"/police/n/{seen}")
        assert detail.status_code == 200 and "Nguyễn Văn An" in detail.get_data(as_text=True)
        # A row not replayed yet is still found (the primary has the last word on a 404).
        assert client.get(f"/police/n/{fresh}").status_code == 200
        ready = app.test_client().get("/readyz").get_json()
        assert ready["status"] == "ok" and ready["read_replica"]["state"] == "ok"

        strict_client = strict.test_client()
        assert login(strict_client, "o").status_code == 302
        page = strict_client.get("/police/").get_data(as_text=True)
        assert seen in page and fresh in page  # lagging: answered from the primary
        r = strict.test_client().get("/readyz")
        assert r.status_code == 200
        assert r.get_json()["status"] == "degraded" and r.get_json()["read_replica"]["state"] == "lagging"
        assert r.get_json()["read_replica"]["lag_seconds"] > 0
        m = _metrics(strict)
        assert m["accommnotify_read_replica_up"] == 0
        assert m['accommnotify_read_replica_state{state="lagging"}'] == 1
        assert m['accommnotify_read_replica_fallbacks_total{reason="lagging"}'] >= 1
        tolerant = _metrics(app)
        assert tolerant["accommnotify_read_replica_up"] == 1
        assert 0 < tolerant["accommnotify_read_replica_lag_seconds"] <= 300
        # The reads' audit entries were written on the primary while the standby replayed nothing.
        assert [e.action for e in audit_rows(app)].count("list") == 2
    wait_for_replay(primary, standby)
    assert fresh in client.get("/police/").get_data(as_text=True)  # replay resumed: the standby has it


@postgres_only
def test_an_acknowledgement_is_written_on_the_primary_and_read_back_there(backend, clusters, cluster_app, clock):
    primary, standby = clusters
    app = cluster_app()
    client, seen = _setup(app, primary, standby)
    with replay_paused(standby):
        r = client.post(f"/police/n/{seen}/acknowledge")
        assert r.status_code == 302
        with in_app(app) as session:
            assert session.get(InboxNotification, seen).acknowledged_at is not None
        assert _standby_row(standby, seen)[0] is None  # not replayed: the standby does not have it yet
        # The officer's next pages read the primary: the row shows acknowledged, not "new".
        assert f"sel-{seen}" not in client.get("/police/").get_data(as_text=True)
        # After the pin window (READ_MAX_LAG_SECONDS + READ_CHECK_SECONDS + 1) reads go to the standby again.
        clock.shift(read_replica.current(app).pin_seconds() + 1)
        assert f"sel-{seen}" in client.get("/police/").get_data(as_text=True)
        assert [e.action for e in audit_rows(app)].count("acknowledge") == 1
    wait_for_replay(primary, standby)
    assert _standby_row(standby, seen)[0] is not None
    assert f"sel-{seen}" not in client.get("/police/").get_data(as_text=True)


@postgres_only
def test_a_revoked_session_stops_at_once_though_the_standby_lags(backend, clusters, cluster_app):
    primary, standby = clusters
    app = cluster_app()
    client, _seen = _setup(app, primary, standby)
    assert client.get("/police/").status_code == 200
    with replay_paused(standby):
        result = app.test_cli_runner().invoke(args=["officer", "deactivate", "o"])
        assert result.exit_code == 0, result.output
        assert client.get("/police/").status_code == 302  # to the login page: checked on the primary


@postgres_only
def test_search_then_inbox_and_export_and_api_while_the_standby_lags(backend, clusters, cluster_app):
    primary, standby = clusters
    app = cluster_app()
    client, seen = _setup(app, primary, standby)
    from accommnotify.police.accounts import create_token
    with in_app(app):
        known = add_notification(WARD_A, full_name="Đỗ Thị Hoa", id_number="079090005678")
        from accommnotify.models.police import Officer
        token = create_token(db.session.scalar(db.select(Officer).where(Officer.username == "o")))
    wait_for_replay(primary, standby)
    with replay_paused(standby):
        with in_app(app):
            fresh = add_notification(WARD_A, full_name="Lê Văn Cường", id_number="079090001234")
        # The search text is stored on the primary and read back from it on the next request.
        page = search(client, q="nguyen van an")
        assert page.status_code == 200
        assert seen in page.get_data(as_text=True)
        assert "Nguyễn Văn An" in page.get_data(as_text=True)
        # The results come from the standby: the row written after the pause is not found yet.
        page = search(client, q="le van cuong").get_data(as_text=True)
        assert fresh not in page
        # ID-number searches (the blind index) likewise: the replayed row is found, the other not yet.
        assert known in search(client, q="079090005678").get_data(as_text=True)
        assert fresh not in search(client, q="079090001234").get_data(as_text=True)
        export = client.post("/police/export", data={"date_from": "2026-11-27", "date_to": "2026-11-27"})
        assert export.status_code == 200
        csv = export.get_data(as_text=True)
        assert "Nguyễn Văn An" in csv and "Lê Văn Cường" not in csv
        bearer = {"Authorization": f"Bearer {token}"}
        api = app.test_client().get("/police/api/v1/notifications", headers=bearer)
        assert api.status_code == 200
        assert sorted(n["id"] for n in api.get_json()["notifications"]) == sorted([seen, known])
        api = app.test_client().post("/police/api/v1/notifications/search", json={"q": "le van cuong"}, headers=bearer)
        assert api.status_code == 200 and api.get_json()["notifications"] == []
        # One notification by id: not replayed yet, so asked again on the primary (never a false 404).
        api = app.test_client().get(f"/police/api/v1/notifications/{fresh}", headers=bearer)
        assert api.status_code == 200 and api.get_json()["id"] == fresh
        actions = [e.action for e in audit_rows(app)]
        assert actions.count("search") == 4 and "export" in actions and "api_list" in actions


@postgres_only
def test_a_server_that_is_not_a_standby_is_not_used(backend, clusters, cluster_app):
    """READ_DATABASE_URL naming a primary (or a promoted replica that no longer follows) is down."""
    primary, standby = clusters
    app = cluster_app(READ_DATABASE_URL=primary.url())
    client, seen = _setup(app, primary, standby)
    assert seen in client.get("/police/").get_data(as_text=True)
    assert app.test_client().get("/readyz").get_json()["read_replica"] == {"state": "down", "reason": "not_a_standby"}
    assert read_replica.current(app).fallback_counts()["down"] == 1


@postgres_only
def test_the_api_settle_window_grows_by_the_allowed_lag_on_the_standby(backend, clusters, cluster_app, clock):
    """A row received 60 s ago is past a 5 s settle window on the primary, but not past 5 s plus the
    lag the standby may have (300 s allowed here)."""
    primary, standby = clusters
    tolerant = cluster_app(POLICE_API_SETTLE_SECONDS=5)
    on_primary = cluster_app(POLICE_API_SETTLE_SECONDS=5, READ_DATABASE_URL="")
    from datetime import timedelta

    from accommnotify.police.accounts import create_token
    from accommnotify.timeutil import utcnow
    with in_app(tolerant):
        add_officer("sys", f"ward:{WARD_A}", kind="system")
        from accommnotify.models.police import Officer
        token = create_token(db.session.scalar(db.select(Officer).where(Officer.username == "sys")))
        nid = add_notification(WARD_A, received_at=utcnow() - timedelta(seconds=60))
    wait_for_replay(primary, standby)
    bearer = {"Authorization": f"Bearer {token}"}

    def listed(app):
        r = app.test_client().get("/police/api/v1/notifications", headers=bearer)
        assert r.status_code == 200
        return [n["id"] for n in r.get_json()["notifications"]]

    assert listed(on_primary) == [nid]
    assert listed(tolerant) == []
    clock.shift(read_replica.current(tolerant).pin_seconds())
    assert listed(tolerant) == [nid]


@postgres_only
def test_a_stopped_standby_sends_every_read_to_the_primary(backend, clusters, cluster_app):
    """Last in this module: it stops the standby (and starts it again)."""
    primary, standby = clusters
    cached = cluster_app(READ_CHECK_SECONDS=3600)   # the check says ok for an hour: fails mid-request
    checking = cluster_app(READ_CHECK_SECONDS=0)     # checks before each request: sees it down
    client, seen = _setup(cached, primary, standby)
    other = checking.test_client()
    assert login(other, "o").status_code == 302
    assert seen in client.get("/police/").get_data(as_text=True)  # on the standby (a pooled connection)
    standby.stop()
    try:
        with in_app(cached):
            after = add_notification(WARD_A, full_name="Phạm Thị Dung")
        r = client.get("/police/")
        assert r.status_code == 200 and after in r.get_data(as_text=True)
        assert read_replica.current(cached).fallback_counts()["error"] == 1
        assert cached.test_client().get("/readyz").get_json()["read_replica"]["state"] == "down"

        for path in ("/police/", f"/police/n/{after}", "/police/compliance", "/police/compliance/silent",
                     "/police/compliance/late"):
            r = other.get(path)
            assert r.status_code == 200, path
        assert after in other.get("/police/").get_data(as_text=True)
        assert other.post("/police/export", data={}).status_code == 200
        r = checking.test_client().get("/readyz")
        assert r.status_code == 200
        assert r.get_json()["status"] == "degraded"
        assert r.get_json()["read_replica"] == {"state": "down", "reason": "unreachable"}
        m = _metrics(checking)
        assert m["accommnotify_read_replica_up"] == 0
        assert m['accommnotify_read_replica_state{state="down"}'] == 1
        assert m['accommnotify_read_replica_fallbacks_total{reason="down"}'] >= 7
        assert "accommnotify_read_replica_lag_seconds" not in m
        with in_app(checking) as session:
            assert session.get(InboxNotification, after) is not None
    finally:
        standby.start()
    wait_for_replay(primary, standby)
    assert checking.test_client().get("/readyz").get_json()["read_replica"]["state"] == "ok"


def test_sqlite_with_a_read_database_url_is_refused_at_start(tmp_path):
    from accommnotify import StartupError
    with pytest.raises(StartupError, match="READ_DATABASE_URL needs PostgreSQL"):
        make_app(f"sqlite:///{tmp_path}/a.db", READ_DATABASE_URL=f"sqlite:///{tmp_path}/b.db")
    with pytest.raises(StartupError, match="READ_DATABASE_URL needs PostgreSQL"):
        make_app(f"sqlite:///{tmp_path}/a.db", READ_DATABASE_URL="postgresql+psycopg://reader@127.0.0.1:1/x")


@postgres_only
def test_a_read_database_url_that_cannot_work_is_refused_at_start(backend, database_url):
    from accommnotify import StartupError
    for url in ("mysql://reader@replica/x", "postgresql+nosuchdriver://reader:s3cret@replica/x"):
        with pytest.raises(StartupError, match="READ_DATABASE_URL") as refused:
            make_app(database_url, READ_DATABASE_URL=url)
        assert "s3cret" not in str(refused.value)


def test_without_a_replica_nothing_says_replica(app):
    """Off (the default): every read on the primary, no replica in /readyz or /metrics."""
    assert read_replica.current(app).health().state == read_replica.OFF
    ready = app.test_client().get("/readyz").get_json()
    assert ready["status"] == "ok" and "read_replica" not in ready
    assert "accommnotify_read_replica" not in app.test_client().get("/metrics").get_data(as_text=True)
