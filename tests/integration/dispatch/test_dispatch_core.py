"""The dispatcher against the database (SQLite, and PostgreSQL when configured), with an
in-process scripted receiver: batching rules, outcomes, retries, leases, re-routing, operators."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from accommnotify.dispatch import admin
from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.models import DeliveryAttempt, InboxNotification, Notification
from accommnotify.receivers.base import Delivery, Outcome
from accommnotify.timeutil import utcnow
from tests.integration.dispatch.dispatch_support import (ScriptedReceiver, add_stays, make_facility, notification_rows,
                              scripted_receivers_toml, status_counts)
from tests import factories
from tests.conftest import make_app

N = Notification.__table__


@pytest.fixture
def setup(database_url, tmp_path):
    def build(max_batch=500, names=("scripted",), **overrides):
        settings = {"RECEIVERS": scripted_receivers_toml(tmp_path, max_batch=max_batch, names=names),
                    "BATCH_MAX_WAIT": 300, "DEADLINE_MARGIN": 0, "LEASE_SECONDS": 120,
                    # one batch at a time, so batch sizes and order are exact; concurrent lanes
                    # and processes are exercised by the e2e tests
                    "DISPATCH_LANES": 1}
        settings.update(overrides)
        app = make_app(database_url, **settings)
        return app, make_facility(app)
    return build


@pytest.mark.deadline_sensitive
def test_batching_waits_then_sends_full_urgent_and_old_batches(setup):
    app, facility = setup(max_batch=3)
    add_stays(app, facility, 2)  # two residence arrivals: not full, not old, deadline far
    d = Dispatcher(app)
    now = utcnow()
    assert d.run_pass(now=now).totals()["batches"] == 0
    assert status_counts(app) == {"pending": 2}
    # waited BATCH_MAX_WAIT: sent
    assert d.run_pass(now=now + timedelta(seconds=301)).totals()["accepted"] == 2
    # a full batch goes at once, and then the rest of the queue in the same pass (busy, not quiet)
    add_stays(app, facility, 4)
    report = d.run_pass()
    assert report.totals() == {"batches": 2, "accepted": 4, "rejected": 0, "retried": 0, "dead": 0}
    assert status_counts(app) == {"accepted": 6}
    # a quiet remainder waits again ...
    add_stays(app, facility, 1)
    assert d.run_pass().totals()["batches"] == 0
    # ... but a foreigner arrival is never held back
    add_stays(app, facility, 1, guests=lambda: [factories.foreigner()])
    assert d.run_pass().totals()["accepted"] == 2  # the foreigner and the waiting citizen, oldest first
    sent = ScriptedReceiver.SENT["scripted"]
    assert [len(b.notifications) for b in sent] == [2, 3, 1, 2]
    assert status_counts(app) == {"accepted": 8}


@pytest.mark.deadline_sensitive
def test_deadline_margin_sends_and_flush_ignores_waits(setup, clock):
    app, facility = setup(DEADLINE_MARGIN=1800, BATCH_MAX_WAIT=86400)
    add_stays(app, facility, 1)
    d = Dispatcher(app)
    row = notification_rows(app)[0]
    urgent_from = row["deadline_at"] - timedelta(seconds=1800)
    if urgent_from > row["created_at"]:  # at 22:59 the deadline is already within the margin
        clock.move_to(urgent_from - timedelta(seconds=1))
        assert d.run_pass().totals()["batches"] == 0
        clock.move_to(urgent_from + timedelta(seconds=1))
    assert d.run_pass().totals()["accepted"] == 1
    add_stays(app, facility, 1)
    assert Dispatcher(app).run_pass(flush=True).totals()["accepted"] == 1


def test_wire_payload_is_built_from_current_rows(setup):
    app, facility = setup()
    stay = add_stays(app, facility, 1, guests=lambda: [factories.citizen(), factories.foreigner()])[0]
    from accommnotify.intake.changes import amend_stay
    with app.app_context():
        amend_stay(facility, stay["id"], {"room": "909"})
    Dispatcher(app).run_pass(flush=True)
    batch = ScriptedReceiver.SENT["scripted"][0]
    assert batch.sender == app.config["SENDER"]
    by_cat = {n["category"]: n for n in batch.notifications}
    citizen, foreigner = by_cat["residence"], by_cat["foreigner"]
    assert citizen["stay"]["room"] == "909"
    assert citizen["id"] == stay["guests"][0]["notifications"][0]["id"]
    assert citizen["facility"] == {"code": "HOTEL-1", "name": "Khách sạn Sen", "kind": "tourist_accommodation",
                                   "address": "12 Lê Lợi", "ward_code": "16681",
                                   "province_code": facility.province_code}
    assert citizen["person"]["full_name"] == "Nguyễn Văn An" and citizen["person"]["document"] is None
    assert citizen["deadline_at"].endswith("+07:00") and citizen["stay"]["arrived_at"].endswith("+07:00")
    assert foreigner["person"]["document"] == {"type": "passport", "number": "L898902C3"}
    assert foreigner["person"]["visa"]["kind"] == "e_visa" and foreigner["person"]["id_number"] is None
    assert set(citizen) == {"id", "event", "category", "created_at", "deadline_at", "amends", "facility",
                            "stay", "person"}


def test_rejection_reaches_the_facility_api(setup):
    app, facility = setup()
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        from accommnotify.models import Facility
        key = create_api_key(db.session.get(Facility, facility.id), "t")
    stay = add_stays(app, facility, 1, guests=lambda: [factories.citizen(), factories.citizen()])[0]
    bad_id = stay["guests"][1]["notifications"][0]["id"]

    def script(batch):
        return Delivery(outcomes={i: (Outcome.rejected("person.id_number", "Số định danh không khớp")
                                      if i == bad_id else Outcome.accepted("OK-" + i)) for i in batch.ids},
                        http_status=200)
    ScriptedReceiver.SCRIPTS["scripted"] = script
    Dispatcher(app).run_pass(flush=True)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    view = client.get(f"/api/v1/stays/{stay['id']}", headers=headers).get_json()
    notes = [g["notifications"][0] for g in view["guests"]]
    assert notes[0]["status"] == "accepted" and notes[0]["receipt"].startswith("OK-")
    assert notes[1]["status"] == "rejected"
    assert notes[1]["rejection"] == {"code": "person.id_number", "message": "Số định danh không khớp"}
    listed = client.get("/api/v1/notifications?status=rejected", headers=headers).get_json()
    items = listed.get("items", listed.get("notifications", listed))
    assert [n["id"] for n in items] == [bad_id]


def test_retry_schedule_retry_after_dead_and_replay(setup):
    app, facility = setup()
    add_stays(app, facility, 1)
    calls = []

    def failing(batch):
        calls.append(batch.id)
        return Delivery.all(batch, "retry", http_status=503, retry_after=None)
    ScriptedReceiver.SCRIPTS["scripted"] = failing
    d = Dispatcher(app)
    t0 = utcnow()
    d.run_pass(now=t0, flush=True)
    row = notification_rows(app)[0]
    assert row["status"] == "retrying" and row["attempts"] == 1 and row["last_error"] == "HTTP 503"
    assert t0 + timedelta(seconds=27) <= row["next_attempt_at"] <= t0 + timedelta(seconds=33)
    # not before the backoff, even with --flush
    assert d.run_pass(now=t0 + timedelta(seconds=26), flush=True).totals()["batches"] == 0
    d.run_pass(now=t0 + timedelta(seconds=34))
    row = notification_rows(app)[0]
    t1 = t0 + timedelta(seconds=34)
    assert row["attempts"] == 2 and t1 + timedelta(seconds=108) <= row["next_attempt_at"] <= t1 + timedelta(seconds=132)
    # Retry-After longer than the schedule wins
    ScriptedReceiver.SCRIPTS["scripted"] = lambda b: Delivery.all(b, "retry", http_status=429, retry_after=3000)
    t2 = row["next_attempt_at"] + timedelta(seconds=1)
    d.run_pass(now=t2)
    row = notification_rows(app)[0]
    assert row["next_attempt_at"] >= t2 + timedelta(seconds=3000)
    # 72 h after the first attempt: dead
    ScriptedReceiver.SCRIPTS["scripted"] = failing
    d.run_pass(now=t0 + timedelta(hours=72, seconds=1))
    row = notification_rows(app)[0]
    assert row["status"] == "dead"
    with app.app_context():
        status = admin.queue_status(db.session.connection(), utcnow(), ["scripted"])
        db.session.rollback()
    assert status["scripted"]["dead"] == 1
    # replay: dead -> pending, then delivered
    ScriptedReceiver.SCRIPTS.pop("scripted")
    result = app.test_cli_runner().invoke(args=["dispatcher", "replay", "--receiver", "scripted"])
    assert "re-queued 1" in result.output
    row = notification_rows(app)[0]
    assert row["status"] == "pending" and row["attempts"] == 0 and row["first_attempt_at"] is None
    d.run_pass(flush=True)
    assert status_counts(app) == {"accepted": 1}
    with app.app_context():
        attempts = db.session.execute(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).scalars().all()
        assert [a.http_status for a in attempts] == [503, 503, 429, 503, None]
        assert all(a.ended_at is not None for a in attempts)
        assert attempts[-1].accepted == 1 and attempts[0].retried == 1
        db.session.rollback()


@pytest.mark.deadline_sensitive
def test_late_delivery_is_flagged(setup):
    app, facility = setup()
    add_stays(app, facility, 1)
    row = notification_rows(app)[0]
    assert not row["late"]
    Dispatcher(app).run_pass(now=row["deadline_at"] + timedelta(minutes=1), flush=True)
    row = notification_rows(app)[0]
    assert row["status"] == "accepted" and row["late"]


def test_expired_lease_is_reclaimed_and_the_old_owner_cannot_write(setup):
    app, facility = setup(LEASE_SECONDS=60)
    add_stays(app, facility, 3)
    a, b = Dispatcher(app, owner="A"), Dispatcher(app, owner="B")
    receiver = a.config.receivers["scripted"]
    t0 = utcnow()
    claimed_a = a.claim(receiver, t0)  # A claims, then "dies" before recording
    assert len(claimed_a.meta) == 3
    # while the lease runs, nobody else can take them
    assert b.claim(receiver, t0 + timedelta(seconds=59)) is None
    report = b.run_pass(now=t0 + timedelta(seconds=61), flush=True)
    assert report.recovered == 3 and report.totals()["accepted"] == 3
    # A comes back late: its results change nothing
    stats = a.record(claimed_a, Delivery.all(ScriptedReceiver.SENT["scripted"][0], "retry", http_status=500),
                     t0 + timedelta(seconds=62))
    assert stats.get("lost_leases") == 3
    assert status_counts(app) == {"accepted": 3}
    with app.app_context():
        first = db.session.get(DeliveryAttempt, claimed_a.batch_id)
        assert first.error_class == "LeaseExpired" or first.http_status == 500
        db.session.rollback()


def test_two_dispatchers_claim_disjoint_batches(setup):
    app, facility = setup(max_batch=10)
    add_stays(app, facility, 35)
    a, b = Dispatcher(app, owner="A"), Dispatcher(app, owner="B")
    receiver = a.config.receivers["scripted"]
    now = utcnow()
    seen = []
    for _ in range(3):
        for d in (a, b):
            c = d.claim(receiver, now)
            if c:
                seen += list(c.meta)
    assert len(seen) == 35 and len(set(seen)) == 35


def test_disabled_receiver_is_skipped_reported_and_re_enabled(setup):
    app, facility = setup()
    add_stays(app, facility, 2)
    ScriptedReceiver.SCRIPTS["scripted"] = lambda b: Delivery.all(
        b, "retry", http_status=410, disable_receiver=True, alert="receiver answered 410 Gone")
    d = Dispatcher(app)
    d.run_pass(flush=True)
    report = d.run_pass(now=utcnow() + timedelta(hours=1), flush=True)
    assert report.receivers["scripted"].skipped == "disabled"
    assert len(ScriptedReceiver.SENT["scripted"]) == 1
    runner = app.test_cli_runner()
    out = runner.invoke(args=["dispatcher", "status"]).output
    assert "DISABLED" in out and "410" in out
    metrics = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'accommnotify_receiver_disabled{receiver="scripted"} 1' in metrics
    assert 'accommnotify_notifications_queued{receiver="scripted",status="retrying"} 2' in metrics
    ScriptedReceiver.SCRIPTS.pop("scripted")
    assert "scripted" in runner.invoke(args=["dispatcher", "enable", "scripted"]).output
    assert d.run_pass().totals()["accepted"] == 2  # retrying ones were brought forward
    metrics = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'accommnotify_receiver_disabled{receiver="scripted"} 0' in metrics
    assert 'accommnotify_deliveries_total{receiver="scripted",outcome="accepted"} 2' in metrics
    assert 'accommnotify_deliveries_total{receiver="scripted",outcome="retried"} 2' in metrics


def test_orphans_of_a_removed_receiver_are_rerouted(setup, caplog):
    app, facility = setup(names=("scripted", "other"))
    add_stays(app, facility, 2)
    with app.app_context():
        db.session.execute(update(N).values(receiver="removed-receiver"))
        db.session.commit()
    caplog.set_level("WARNING", logger="accommnotify.dispatch")
    report = Dispatcher(app).run_pass(flush=True)
    assert report.rerouted == 2 and report.totals()["accepted"] == 2
    assert {r["receiver"] for r in notification_rows(app)} == {"scripted"}
    assert "removed-receiver" in caplog.text and "Nguyễn" not in caplog.text


def test_adapter_exception_is_a_retry_not_a_crash(setup):
    app, facility = setup()
    add_stays(app, facility, 1)

    def broken(batch):
        raise RuntimeError("bug")
    ScriptedReceiver.SCRIPTS["scripted"] = broken
    Dispatcher(app).run_pass(flush=True)
    row = notification_rows(app)[0]
    assert row["status"] == "retrying" and row["last_error"] == "RuntimeError"


def test_inbox_adapter_stores_dedupes_and_accepts(database_url):
    app = make_app(database_url)  # the default receivers file: everything to the built-in inbox
    facility = make_facility(app)
    stays = add_stays(app, facility, 2, guests=lambda: [factories.citizen(), factories.foreigner()])
    report = Dispatcher(app).run_pass(flush=True)
    assert report.totals()["accepted"] == 4
    with app.app_context():
        rows = db.session.execute(select(InboxNotification).order_by(InboxNotification.id)).scalars().all()
        assert len(rows) == 4
        citizen = next(r for r in rows if r.category == "residence")
        assert citizen.name_search == "nguyen van an" and citizen.full_name == "Nguyễn Văn An"
        assert citizen.stay_id in {s["id"] for s in stays} and citizen.ward_code == "16681"
        receipts = {n.id: n.receipt for n in db.session.execute(select(Notification)).scalars()}
        db.session.rollback()
    # a replay (same ids again, from the same sender) changes nothing and gets the same receipts
    from accommnotify.inbox import store_batch
    from accommnotify.receivers.inbox import InboxReceiver
    from accommnotify.receivers.base import Batch
    from accommnotify.dispatch.wire import batch_query, wire_notification
    with app.app_context():
        wire = [wire_notification(r) for r in db.session.execute(batch_query(list(receipts)))]
        db.session.rollback()
        delivery = InboxReceiver("police-inbox").send(Batch("bat_x", "police-inbox", app.config["SENDER"],
                                                            utcnow(), wire))
        assert {i: o.receipt for i, o in delivery.outcomes.items()} == receipts
        assert db.session.query(InboxNotification).count() == 4
        db.session.rollback()
        results = store_batch([{"id": "ntf_bad"}], source="s")
        assert results[0]["status"] == "rejected" and results[0]["code"].startswith("wire.")
        db.session.rollback()
