"""The ``dispatcher`` commands in-process, through Flask's CLI runner (SQLite, and PostgreSQL when
configured): run (one pass, then SIGTERM from inside the batch in flight), once, once --flush,
status (table and --json), replay, enable, disable, and a bad receivers file."""
import json
import logging
import signal
from datetime import timedelta

import pytest

from accommnotify.receivers.base import Delivery
from accommnotify.timeutil import utcnow
from tests import factories
from tests.conftest import make_app
from tests.integration.dispatch.dispatch_support import (SECRET, ScriptedReceiver, add_stays, make_facility,
                                                         notification_rows, run_dispatcher_until,
                                                         scripted_receivers_toml, status_counts)
from tests.integration.dispatch.dispatch_support import sigterm_main_thread as _sigterm


@pytest.fixture
def setup(database_url, tmp_path):
    def build(**overrides):
        settings = {"RECEIVERS": scripted_receivers_toml(tmp_path), "BATCH_MAX_WAIT": 300,
                    "DEADLINE_MARGIN": 0, "LEASE_SECONDS": 120, "DISPATCH_LANES": 1}
        settings.update(overrides)
        app = make_app(database_url, **settings)
        return app, make_facility(app), app.test_cli_runner()
    return build


def _dispatch(runner, *args):
    result = runner.invoke(args=["dispatcher", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _make_dead(app, facility, count=1):
    """``count`` notifications retried for 72 h by a receiver that keeps answering 503: dead."""
    from accommnotify.dispatch.core import Dispatcher
    add_stays(app, facility, count)
    ScriptedReceiver.SCRIPTS["scripted"] = lambda b: Delivery.all(b, "retry", http_status=503)
    d = Dispatcher(app)
    t0 = utcnow()
    d.run_pass(now=t0, flush=True)
    d.run_pass(now=t0 + timedelta(hours=72, seconds=1))
    ScriptedReceiver.SCRIPTS.pop("scripted")
    assert status_counts(app) == {"dead": count}


# -- run -----------------------------------------------------------------------------------------

def test_run_delivers_and_sigterm_lets_the_batch_in_flight_finish(setup, caplog):
    """`dispatcher run` passes at once; a SIGTERM arriving while a batch is with the receiver stops
    the scheduler, but that batch's results are still recorded before the command returns."""
    app, facility, runner = setup(BATCH_MAX_WAIT=0)
    add_stays(app, facility, 3)
    in_flight = []

    def terminate_mid_send(batch):
        in_flight.append(len(batch.notifications))
        _sigterm()
        return Delivery.all(batch, "accepted", receipt="r-" + batch.id)
    ScriptedReceiver.SCRIPTS["scripted"] = terminate_mid_send
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    caplog.set_level(logging.INFO, logger="accommnotify.dispatch")

    result = _dispatch(runner, "run")

    assert result.exit_code == 0, result.output
    assert in_flight == [3]
    assert status_counts(app) == {"accepted": 3}
    assert {r["receipt"] for r in notification_rows(app)} == {"r-" + ScriptedReceiver.SENT["scripted"][0].id}
    messages = [r.getMessage() for r in caplog.records if r.name == "accommnotify.dispatch"]
    assert any("started: every 60" in m and "receivers scripted" in m for m in messages)
    assert any(f"signal {signal.SIGTERM}" in m for m in messages)
    assert any(m.endswith("stopped") for m in messages)
    # the caller's own handlers are back (here: pytest's)
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_run_survives_a_failed_pass_and_a_second_sigterm(tmp_path, caplog):
    """The database is away: the pass fails, is logged with its error class (no traceback, no data),
    and the dispatcher keeps running until told to stop; a second SIGTERM while stopping is harmless."""
    app = make_app(f"sqlite:///{tmp_path}/not-mounted/app.db", RECEIVERS=scripted_receivers_toml(tmp_path))

    stops = []

    def stop_when(message):
        """Reads the log as an operator would: stops the dispatcher after the failed pass, twice."""
        if len(stops) < 2 and (message.startswith("dispatcher pass failed")
                               or "finishing the batch in flight" in message):
            stops.append(message)
            return True
        return False

    result, messages = run_dispatcher_until(app, caplog, stop_when)
    assert result.exit_code == 0, result.output
    assert "dispatcher pass failed: OperationalError; next try in 60.0s" in messages
    assert sum("finishing the batch in flight" in m for m in messages) == 2
    assert messages[-1].endswith("stopped")


def test_run_warns_when_a_receiver_can_outlast_the_lease(setup, tmp_path, caplog):
    receivers = tmp_path / "receivers-slow.toml"
    receivers.write_text(f"""
[receivers.scripted]
adapter = "tests.integration.dispatch.dispatch_support:ScriptedReceiver"

[receivers.slow-police]
adapter = "http"
url = "http://127.0.0.1:9/police/api/v1/batches"
secret = "{SECRET}"
connect_timeout = 5
read_timeout = 30

[[routes]]
category = "residence"
receiver = "scripted"

[[routes]]
category = "foreigner"
receiver = "slow-police"
""", encoding="utf-8")
    app, facility, runner = setup(RECEIVERS=str(receivers), LEASE_SECONDS=30, BATCH_MAX_WAIT=0)
    add_stays(app, facility, 1)
    ScriptedReceiver.SCRIPTS["scripted"] = lambda b: (_sigterm(), Delivery.all(b, "accepted"))[1]
    caplog.set_level(logging.INFO, logger="accommnotify.dispatch")
    assert _dispatch(runner, "run").exit_code == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'slow-police'" in w and "35s" in w and "LEASE_SECONDS (30s)" in w for w in warnings), warnings
    assert not any("'scripted'" in w for w in warnings)
    assert status_counts(app) == {"accepted": 1}


def test_a_bad_receivers_file_stops_the_dispatcher_before_it_starts(database_url, tmp_path):
    """Checked when the process starts (create_app), so `dispatcher run` never runs half-configured."""
    from accommnotify import StartupError
    bad = tmp_path / "receivers-bad.toml"
    bad.write_text('[receivers.x]\nadapter = "no-such-adapter"\n', encoding="utf-8")
    with pytest.raises(StartupError) as info:
        make_app(database_url, RECEIVERS=str(bad))
    assert "unknown adapter 'no-such-adapter'" in str(info.value)


# -- once ----------------------------------------------------------------------------------------

def test_once_respects_batch_waits_and_flush_sends_them(setup):
    app, facility, runner = setup()
    add_stays(app, facility, 2)  # residence arrivals, deadline hours away: they wait to be batched
    out = _dispatch(runner, "once").output
    assert out.startswith("batches 0, accepted 0, rejected 0, retrying 0, dead 0")
    assert status_counts(app) == {"pending": 2}
    out = _dispatch(runner, "once", "--flush").output
    assert out.startswith("batches 1, accepted 2, rejected 0, retrying 0, dead 0")
    assert status_counts(app) == {"accepted": 2}


def test_once_sends_a_foreigner_arrival_without_flush(setup):
    app, facility, runner = setup()
    add_stays(app, facility, 1, guests=lambda: [factories.foreigner()])
    assert _dispatch(runner, "once", "--verbose").output.startswith("batches 1, accepted 1,")
    assert status_counts(app) == {"accepted": 1}


def test_once_reports_retries_and_a_disabled_receiver(setup):
    app, facility, runner = setup()
    add_stays(app, facility, 2)
    ScriptedReceiver.SCRIPTS["scripted"] = lambda b: Delivery.all(
        b, "retry", http_status=410, disable_receiver=True, alert="receiver answered 410 Gone")
    assert "retrying 2" in _dispatch(runner, "once", "--flush").output
    out = _dispatch(runner, "once", "--flush").output
    assert "receiver scripted: skipped (disabled); re-enable with `dispatcher enable scripted`" in out
    assert len(ScriptedReceiver.SENT["scripted"]) == 1  # nothing sent to a disabled receiver


# -- status --------------------------------------------------------------------------------------

def test_status_table_and_json(setup, clock):
    app, facility, runner = setup()
    add_stays(app, facility, 2)
    clock.shift(timedelta(minutes=5))
    rows = notification_rows(app)
    nearest = min(r["deadline_at"] for r in rows)

    out = _dispatch(runner, "status").output.splitlines()
    assert out[0].split()[:7] == ["receiver", "pending", "sending", "retrying", "dead", "late", "oldest"]
    line = next(l for l in out if l.startswith("scripted"))
    # pending 2, sending 0, retrying 0, dead 0, late 0, oldest 5 minutes, nearest deadline (VN time)
    assert line.split()[1:7] == ["2", "0", "0", "0", "0", "5m"]
    assert "+07:00" in line and "DISABLED" not in line

    status = json.loads(_dispatch(runner, "status", "--json").output)
    assert status["scripted"]["pending"] == 2 and status["scripted"]["dead"] == 0
    assert status["scripted"]["oldest_pending_seconds"] == 300
    from datetime import datetime
    assert datetime.fromisoformat(status["scripted"]["nearest_deadline"]) == nearest
    assert status["scripted"]["disabled"] is False and status["scripted"]["alert"] is None


def test_status_ages_read_in_seconds_minutes_and_hours(setup, clock):
    app, facility, runner = setup(BATCH_MAX_WAIT=86400)
    add_stays(app, facility, 1)
    ages = []
    for shift in (timedelta(seconds=90), timedelta(minutes=30), timedelta(hours=3)):
        clock.shift(shift)
        line = next(l for l in _dispatch(runner, "status").output.splitlines() if l.startswith("scripted"))
        ages.append(line.split()[6])
    assert ages == ["90s", "31m", "3h"]


def test_status_shows_a_configured_receiver_with_nothing_queued(setup):
    _app, _facility, runner = setup()
    line = next(l for l in _dispatch(runner, "status").output.splitlines() if l.startswith("scripted"))
    assert line.split()[1:7] == ["0", "0", "0", "0", "0", "-"] and line.rstrip().endswith("-")


# -- replay, enable, disable ---------------------------------------------------------------------

def test_replay_by_receiver_requeues_dead_and_re_enables(setup):
    app, facility, runner = setup()
    _make_dead(app, facility, 2)
    _dispatch(runner, "disable", "scripted")
    out = _dispatch(runner, "replay", "--receiver", "scripted").output
    assert "re-queued 2 dead notification(s)" in out and "re-enabled receiver scripted" in out
    assert status_counts(app) == {"pending": 2}
    assert all(r["attempts"] == 0 and r["first_attempt_at"] is None for r in notification_rows(app))
    assert _dispatch(runner, "once", "--flush").output.startswith("batches 1, accepted 2,")


def test_replay_by_id_requeues_only_those(setup):
    app, facility, runner = setup()
    _make_dead(app, facility, 3)
    ids = sorted(r["id"] for r in notification_rows(app))
    out = _dispatch(runner, "replay", "--id", ids[0], "--id", ids[2]).output
    assert "re-queued 2 dead notification(s)" in out and "re-enabled" not in out
    assert {r["id"]: r["status"] for r in notification_rows(app)} == {
        ids[0]: "pending", ids[1]: "dead", ids[2]: "pending"}
    # replay of everything takes the rest
    assert "re-queued 1 dead" in _dispatch(runner, "replay").output


def test_disable_holds_notifications_and_enable_releases_them(setup):
    app, facility, runner = setup()
    add_stays(app, facility, 1)
    assert _dispatch(runner, "disable", "scripted").output.strip() == "disabled receiver scripted"
    assert "DISABLED" in _dispatch(runner, "status").output
    assert "skipped (disabled)" in _dispatch(runner, "once", "--flush").output
    assert status_counts(app) == {"pending": 1}  # held, not lost
    assert "scripted" not in ScriptedReceiver.SENT

    assert _dispatch(runner, "enable", "scripted").output.strip() == "re-enabled: scripted"
    assert _dispatch(runner, "enable", "--all").output.strip() == "re-enabled: nothing was disabled"
    assert _dispatch(runner, "once", "--flush").output.startswith("batches 1, accepted 1,")


def test_enable_needs_a_name_or_all(setup):
    _app, _facility, runner = setup()
    result = runner.invoke(args=["dispatcher", "enable"])
    assert result.exit_code == 2 and "give a receiver NAME or --all" in result.output
    _dispatch(runner, "disable", "scripted")
    _dispatch(runner, "disable", "other")
    out = _dispatch(runner, "enable", "--all").output.strip()
    assert out.startswith("re-enabled: ") and sorted(out[len("re-enabled: "):].split(", ")) == ["other", "scripted"]
