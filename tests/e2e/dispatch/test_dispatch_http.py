"""The dispatcher with the http adapter against a real HTTP receiver on loopback: transient
failures retried on the §4 schedule (the clock is passed in, nothing sleeps), Retry-After,
timeouts, 410, per-item rejections."""
from datetime import timedelta

import pytest

from accommnotify.dispatch.core import Dispatcher
from accommnotify.timeutil import utcnow
from tests.integration.dispatch.dispatch_support import (PoliceServer, add_stays, http_receivers_toml, make_facility, notification_rows,
                              status_counts)
from tests.conftest import make_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def police():
    with PoliceServer() as server:
        yield server


def _app(database_url, tmp_path, police, **kw):
    app = make_app(database_url, RECEIVERS=http_receivers_toml(tmp_path, police.url, **kw), BATCH_MAX_WAIT=0)
    add_stays(app, make_facility(app), 3)
    return app


def test_503_then_recovery_is_retried_on_schedule(database_url, tmp_path, police):
    app = _app(database_url, tmp_path, police)
    police.script = [(503, {}, b"down"), (503, {}, b"down")]
    d = Dispatcher(app)
    t0 = utcnow()
    d.run_pass(now=t0)
    rows = notification_rows(app)
    assert {r["status"] for r in rows} == {"retrying"}
    assert all(t0 + timedelta(seconds=27) <= r["next_attempt_at"] <= t0 + timedelta(seconds=33) for r in rows)
    assert d.run_pass(now=t0 + timedelta(seconds=20)).totals()["batches"] == 0  # backoff respected
    assert len(police.requests) == 1
    t1 = t0 + timedelta(seconds=34)
    d.run_pass(now=t1)  # second 503: the next step of the schedule, 2 min
    rows = notification_rows(app)
    assert all(t1 + timedelta(seconds=108) <= r["next_attempt_at"] <= t1 + timedelta(seconds=132) for r in rows)
    d.run_pass(now=t1 + timedelta(seconds=133))
    assert status_counts(app) == {"accepted": 3}
    assert all(r["receipt"] == "P-" + r["id"] and r["attempts"] == 3 for r in notification_rows(app))
    assert [len(r["payload"]["notifications"]) for r in police.requests] == [3, 3, 3]
    assert not police.refused


def test_429_retry_after_is_honoured(database_url, tmp_path, police):
    app = _app(database_url, tmp_path, police)
    police.script = [(429, {"Retry-After": "600"}, b"slow down")]
    d = Dispatcher(app)
    t0 = utcnow()
    d.run_pass(now=t0)
    rows = notification_rows(app)
    assert all(r["next_attempt_at"] >= t0 + timedelta(seconds=600) for r in rows)
    assert d.run_pass(now=t0 + timedelta(seconds=599)).totals()["batches"] == 0
    d.run_pass(now=t0 + timedelta(seconds=601))
    assert status_counts(app) == {"accepted": 3}


def test_a_hanging_receiver_times_out_and_is_retried(database_url, tmp_path, police):
    app = _app(database_url, tmp_path, police, read_timeout=0.5)
    police.script = ["hang"]
    d = Dispatcher(app)
    t0 = utcnow()
    d.run_pass(now=t0)
    rows = notification_rows(app)
    assert {r["status"] for r in rows} == {"retrying"} and {r["last_error"] for r in rows} == {"ReadTimeout"}
    d.run_pass(now=t0 + timedelta(seconds=40))
    assert status_counts(app) == {"accepted": 3}


def test_410_disables_the_receiver_and_is_reported(database_url, tmp_path, police):
    app = _app(database_url, tmp_path, police)
    police.script = [(410, {}, b"gone")]
    d = Dispatcher(app)
    d.run_pass()
    report = d.run_pass(now=utcnow() + timedelta(hours=1))
    assert report.receivers["ward-police"].skipped == "disabled" and len(police.requests) == 1
    status = app.test_cli_runner().invoke(args=["dispatcher", "status"]).output
    assert "DISABLED" in status and "410" in status
    assert 'accommnotify_receiver_disabled{receiver="ward-police"} 1' in app.test_client().get("/metrics").get_data(as_text=True)
    out = app.test_cli_runner().invoke(args=["dispatcher", "replay", "--receiver", "ward-police"]).output
    assert "re-enabled receiver ward-police" in out
    d.run_pass()
    assert status_counts(app) == {"accepted": 3}


def test_per_item_rejection_over_http(database_url, tmp_path, police):
    app = _app(database_url, tmp_path, police)

    def answer(payload):
        ids = [n["id"] for n in payload["notifications"]]
        import json
        return (422, {}, json.dumps({"results": [{"id": ids[0], "status": "rejected", "code": "person.bad",
                                                   "message": "kiểm tra lại"}]
                                     + [{"id": i, "status": "accepted", "receipt": "R"} for i in ids[1:]]}).encode())
    police.script = [answer]
    Dispatcher(app).run_pass()
    assert status_counts(app) == {"accepted": 2, "rejected": 1}
    rejected = next(r for r in notification_rows(app) if r["status"] == "rejected")
    assert (rejected["rejection_code"], rejected["rejection_message"]) == ("person.bad", "kiểm tra lại")
