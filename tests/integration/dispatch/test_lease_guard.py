"""The guard on the dispatcher's result write (dispatch/core.py `_RESULT_SQLITE` / `_RESULT_PG`):

    notifications.status = 'sending' AND last_batch_id = :batch AND lease_owner = :owner

Each test makes a state where exactly one of the three conditions is what keeps a late or foreign
result out, so dropping that one condition fails it (issue 15). Runs on SQLite and PostgreSQL.
Times are given to the dispatcher explicitly, on the suite's frozen clock.
"""
from datetime import timedelta

import pytest
from sqlalchemy import update

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.models import Notification
from accommnotify.receivers.base import Delivery, Outcome
from accommnotify.timeutil import utcnow
from tests.conftest import make_app
from tests.integration.dispatch.dispatch_support import (add_stays, make_facility, notification_rows,
                                                         scripted_receivers_toml)

N = Notification.__table__
LEASE = 60


@pytest.fixture
def setup(database_url, tmp_path):
    """(app, receiver) with three queued notifications for the in-process scripted receiver."""
    app = make_app(database_url, RECEIVERS=scripted_receivers_toml(tmp_path), BATCH_MAX_WAIT=300,
                   DEADLINE_MARGIN=0, LEASE_SECONDS=LEASE, DISPATCH_LANES=1)
    add_stays(app, make_facility(app), 3)
    receiver = Dispatcher(app, owner="probe").config.receivers["scripted"]
    return app, receiver


def rejected_all(claimed, code="late-result"):
    return Delivery(outcomes={nid: Outcome.rejected(code, "a result that must not be written")
                              for nid in claimed.meta})


def accepted_all(claimed, receipt):
    return Delivery(outcomes={nid: Outcome.accepted(receipt) for nid in claimed.meta})


def rows_by_id(app):
    return {r["id"]: r for r in notification_rows(app)}


def test_same_owner_reclaiming_after_recovery_ignores_its_old_batchs_late_results(setup):
    """Same owner, different batch: only `last_batch_id = :batch` tells the two claims apart."""
    app, receiver = setup
    d = Dispatcher(app, owner="A")
    t0 = utcnow()
    old = d.claim(receiver, t0)
    assert len(old.meta) == 3
    # the lease runs out (the send hung); the same dispatcher recovers and claims the rows again
    t1 = t0 + timedelta(seconds=LEASE + 1)
    assert d.recover_expired_leases(t1) == 3
    new = d.claim(receiver, t1)
    assert set(new.meta) == set(old.meta) and new.batch_id != old.batch_id

    # the old batch's answer arrives late: nothing of it is written
    stats = d.record(old, rejected_all(old), t1 + timedelta(seconds=1))
    assert stats.get("lost_leases") == 3 and stats["rejected"] == 3
    for row in rows_by_id(app).values():
        assert (row["status"], row["last_batch_id"], row["lease_owner"]) == ("sending", new.batch_id, "A")
        assert row["rejection_code"] is None

    # the new batch's own results are written
    stats = d.record(new, accepted_all(new, "receipt-new"), t1 + timedelta(seconds=2))
    assert not stats.get("lost_leases")
    assert {(r["status"], r["receipt"]) for r in rows_by_id(app).values()} == {("accepted", "receipt-new")}


def test_another_dispatcher_cannot_record_a_batch_it_does_not_hold(setup):
    """Same batch id, another owner: only `lease_owner = :owner` keeps its results out."""
    app, receiver = setup
    holder, other = Dispatcher(app, owner="A"), Dispatcher(app, owner="B")
    t0 = utcnow()
    claimed = holder.claim(receiver, t0)
    assert len(claimed.meta) == 3

    stats = other.record(claimed, rejected_all(claimed), t0 + timedelta(seconds=1))
    assert stats.get("lost_leases") == 3
    for row in rows_by_id(app).values():
        assert (row["status"], row["lease_owner"], row["last_batch_id"]) == ("sending", "A", claimed.batch_id)
        assert row["rejection_code"] is None

    stats = holder.record(claimed, accepted_all(claimed, "receipt-a"), t0 + timedelta(seconds=2))
    assert not stats.get("lost_leases")
    assert {(r["status"], r["receipt"]) for r in rows_by_id(app).values()} == {("accepted", "receipt-a")}


def test_results_never_overwrite_a_row_that_is_no_longer_sending(setup):
    """Same batch, same owner, but the row has left 'sending': `status = 'sending'` keeps it.

    Every path out of 'sending' in the code today also clears the lease owner, so this state is
    made directly: the condition is the last line of defence should one path ever forget to.
    """
    app, receiver = setup
    d = Dispatcher(app, owner="A")
    t0 = utcnow()
    claimed = d.claim(receiver, t0)
    finished = sorted(claimed.meta)[0]
    with app.app_context():
        db.session.execute(update(N).where(N.c.id == finished)
                           .values(status="accepted", receipt="receipt-first", delivered_at=t0))
        db.session.commit()

    stats = d.record(claimed, rejected_all(claimed), t0 + timedelta(seconds=1))
    assert stats.get("lost_leases") == 1 and stats["rejected"] == 3
    rows = rows_by_id(app)
    assert (rows[finished]["status"], rows[finished]["receipt"], rows[finished]["rejection_code"]) == \
        ("accepted", "receipt-first", None)
    assert {rows[i]["status"] for i in claimed.meta if i != finished} == {"rejected"}


def test_late_record_cannot_overwrite_rows_another_dispatcher_already_recorded(setup):
    """Dispatcher A hangs mid-send; B recovers the rows, sends them and records them accepted;
    A's late answer changes nothing (the rows are no longer 'sending', not of A's batch, not A's)."""
    app, receiver = setup
    a, b = Dispatcher(app, owner="A"), Dispatcher(app, owner="B")
    t0 = utcnow()
    claimed_a = a.claim(receiver, t0)
    assert len(claimed_a.meta) == 3
    assert b.claim(receiver, t0 + timedelta(seconds=LEASE - 1)) is None  # the lease still runs

    report = b.run_pass(now=t0 + timedelta(seconds=LEASE + 1), flush=True)
    assert report.recovered == 3 and report.totals()["accepted"] == 3
    before = rows_by_id(app)
    assert {r["status"] for r in before.values()} == {"accepted"}

    stats = a.record(claimed_a, rejected_all(claimed_a), t0 + timedelta(seconds=LEASE + 2))
    assert stats.get("lost_leases") == 3
    assert rows_by_id(app) == before
