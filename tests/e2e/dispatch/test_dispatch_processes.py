"""Real `flask dispatcher run` processes against a real signature-checking HTTP receiver."""
import os
import signal
import subprocess

import pytest
from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.models import DeliveryAttempt
from tests.integration.dispatch.dispatch_support import (FLASK, ROOT, PoliceServer, add_stays, dispatcher_env, http_receivers_toml,
                              make_facility, notification_rows, start_dispatcher, status_counts, stop, wait_for)
from tests.conftest import make_app

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]  # other processes read the system clock


def test_kill_9_mid_batch_then_restart_delivers_everything(database_url, tmp_path):
    with PoliceServer() as police:
        receivers = http_receivers_toml(tmp_path, police.url, max_batch=40, read_timeout=2)
        app = make_app(database_url, RECEIVERS=receivers)
        add_stays(app, make_facility(app), 100)
        police.script = ["block"]  # the first batch hangs until the test has killed the dispatcher
        settings = dict(DISPATCH_INTERVAL=1, LEASE_SECONDS=3, BATCH_MAX_WAIT=0)
        first = start_dispatcher(database_url, receivers, tmp_path / "d1.log", **settings)
        try:
            assert police.seen.wait(30), (tmp_path / "d1.log").read_text()
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        killed_batch = police.requests[0]["payload"]["batch_id"]
        killed_ids = {n["id"] for n in police.requests[0]["payload"]["notifications"]}
        # the blocked batch, and maybe the other lane's batch caught between send and record
        in_flight = [r for r in notification_rows(app) if r["status"] == "sending"]
        assert killed_ids <= {r["id"] for r in in_flight} and len(killed_ids) == 40
        police.release.set()

        second = start_dispatcher(database_url, receivers, tmp_path / "d2.log", **settings)
        try:
            wait_for(lambda: status_counts(app) == {"accepted": 100}, timeout=40,
                     message="every notification accepted after the restart")
        finally:
            assert stop(second) == 0, (tmp_path / "d2.log").read_text()
        assert set(police.counts) == {r["id"] for r in notification_rows(app)}
        # only what was in flight at the kill went twice, and the blocked batch certainly did
        twice = {i for i, c in police.counts.items() if c > 1}
        assert killed_ids <= twice <= {r["id"] for r in in_flight}
        with app.app_context():
            attempt = db.session.get(DeliveryAttempt, killed_batch)
            assert attempt.error_class == "LeaseExpired" and attempt.ended_at is not None
            db.session.rollback()
        assert "dispatcher" in (tmp_path / "d2.log").read_text()
        assert "Nguyễn" not in (tmp_path / "d2.log").read_text()


def test_two_dispatchers_at_once_deliver_all_none_twice(database_url, tmp_path):
    with PoliceServer(delay=0.01) as police:
        receivers = http_receivers_toml(tmp_path, police.url, max_batch=25)
        app = make_app(database_url, RECEIVERS=receivers)
        add_stays(app, make_facility(app), 1000)
        police.gate = (2, 20)  # hold the first request until the other dispatcher sends one too
        settings = dict(DISPATCH_INTERVAL=1, LEASE_SECONDS=60, BATCH_MAX_WAIT=0)
        procs = [start_dispatcher(database_url, receivers, tmp_path / f"d{i}.log", **settings) for i in (1, 2)]
        try:
            wait_for(lambda: status_counts(app) == {"accepted": 1000}, timeout=60, message="all accepted")
        finally:
            codes = [stop(p) for p in procs]
        assert codes == [0, 0]
        assert len(police.counts) == 1000 and set(police.counts.values()) == {1}
        assert police.max_in_flight >= 2  # both sent at the same time, disjoint batches
        with app.app_context():
            owners = set(db.session.execute(select(DeliveryAttempt.dispatcher)).scalars())
            db.session.rollback()
        assert len(owners) == 2


def test_a_bad_receivers_file_stops_dispatcher_run_at_start(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[receivers.x]\nadapter = "http"\n\n[[routes]]\ncategory = "residence"\nreceiver = "x"\n')
    env = dispatcher_env(f"sqlite:///{tmp_path / 'x.db'}", str(bad), DISPATCH_INTERVAL=1)
    result = subprocess.run([FLASK, "--app", "wsgi", "dispatcher", "run"], cwd=str(ROOT), env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "cannot start (web server, dispatcher or command)" in result.stderr
    assert "missing required option 'url'" in result.stderr
    assert "no route serves category 'foreigner'" in result.stderr
