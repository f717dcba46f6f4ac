"""Webhook events are written in the transaction of the state change they report, and delivered by
the dispatcher's pass: signed (checked by the reference library), retried, disabled by a 410.

The facility's software is a real HTTP server on loopback (tests/integration/webhooks/support.py);
police receivers are the in-process scripted receiver of the dispatch tests."""
from datetime import timedelta

import orjson
import pytest
from sqlalchemy import func, select, update

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.intake.service import create_stay, create_stays_bulk
from accommnotify.models import Notification, WebhookAttempt, WebhookMessage, WebhookSubscription
from accommnotify.receivers.base import Delivery, Outcome
from accommnotify.timeutil import utcnow
from accommnotify.webhooks import subscriptions
from accommnotify.webhooks.events import EVENTS
from tests import factories
from tests.conftest import make_app
from tests.integration.dispatch.dispatch_support import (ScriptedReceiver, add_stays, make_facility,
                                                         scripted_receivers_toml, status_counts)
from tests.integration.webhooks.support import FacilitySoftware

MSG, N = WebhookMessage.__table__, Notification.__table__


@pytest.fixture
def software():
    with FacilitySoftware() as server:
        yield server


@pytest.fixture
def setup(database_url, tmp_path, software):
    app = make_app(database_url, RECEIVERS=scripted_receivers_toml(tmp_path), WEBHOOK_ALLOW_INSECURE=True,
                   BATCH_MAX_WAIT=0, DEADLINE_MARGIN=0, DISPATCH_LANES=1, LEASE_SECONDS=120)
    facility = make_facility(app)
    return app, facility


def subscribe(app, facility, software, events=EVENTS):
    with app.app_context():
        created = subscriptions.create(facility.id, software.url, list(events))
    software.secret = created["secret"]
    return created


def messages(app):
    with app.app_context():
        rows = db.session.execute(select(MSG).order_by(MSG.c.created_at, MSG.c.id)).mappings().all()
        db.session.rollback()
    return [{**r, "body": orjson.loads(r["payload"])} for r in rows]


def late_stay():
    # arrived two days ago: its deadline passed before it was reported, so it is late
    return factories.stay(arrived_at=(factories.local_now() - timedelta(days=2)).isoformat())


def test_outcomes_become_signed_events_without_personal_data(setup, software):
    app, facility = setup
    sub = subscribe(app, facility, software)
    with app.app_context():
        stays = create_stays_bulk(facility, {"stays": [factories.stay(), factories.stay(), late_stay()]})
    ids = [s["stay"]["guests"][0]["notifications"][0]["id"] for s in stays]
    bad = ids[1]
    ScriptedReceiver.SCRIPTS["scripted"] = lambda batch: Delivery(outcomes={
        i: Outcome.rejected("person.id_number", "Số định danh không khớp") if i == bad else Outcome.accepted("R-" + i)
        for i in batch.ids})
    assert messages(app) == []  # API stays: the caller knows already, no stay.created
    d = Dispatcher(app)
    d.run_pass()
    queued = messages(app)
    assert sorted((m["event_type"], m["body"]["data"]["notification_id"]) for m in queued) == sorted([
        ("notification.accepted", ids[0]), ("notification.rejected", bad), ("notification.accepted", ids[2]),
        ("notification.late", ids[2])])
    d.run_pass()
    assert {m["status"] for m in messages(app)} == {"delivered"}
    assert software.refused == [] and len(software.events) == 4 and set(software.counts.values()) == {1}
    rejected = software.of_type("notification.rejected")[0]
    assert rejected["data"] == {
        "notification_id": bad, "stay_id": stays[1]["stay"]["id"], "facility_code": "HOTEL-1", "event": "arrival",
        "status": "rejected", "late": False, "deadline_at": rejected["data"]["deadline_at"], "delivered_at": None,
        "receipt": None, "rejection_code": "person.id_number"}
    assert rejected["timestamp"].endswith("+07:00")
    late = software.of_type("notification.late")[0]["data"]
    assert late["notification_id"] == ids[2] and late["late"] and late["receipt"] == "R-" + ids[2]
    # webhook-id is the message id, the receiver's idempotency key
    assert {h["webhook-id"] for h in software.headers} == {m["id"] for m in queued}
    everything = b"".join(m["payload"].encode() for m in messages(app)).decode()
    assert "Nguyễn" not in everything and stays[0]["stay"]["guests"][0]["id_number"] not in everything
    assert sub["id"] in {m["subscription_id"] for m in queued}


def test_only_the_events_subscribed_and_only_enabled_subscriptions(setup, software):
    app, facility = setup
    subscribe(app, facility, software, events=["notification.rejected"])
    other = make_facility(app, code="HOTEL-2")
    with app.app_context():
        subscriptions.create(other.id, software.url, list(EVENTS))
    add_stays(app, facility, 2)
    Dispatcher(app).run_pass()
    assert status_counts(app) == {"accepted": 2}
    assert messages(app) == []  # accepted is not wanted; HOTEL-2's subscription sees nothing of HOTEL-1


def test_dead_after_72_hours_of_retries(setup, software, clock):
    app, facility = setup
    subscribe(app, facility, software, events=["notification.dead"])
    add_stays(app, facility, 1)
    ScriptedReceiver.SCRIPTS["scripted"] = lambda batch: Delivery.all(batch, "retry", error_class="ConnectTimeout")
    d = Dispatcher(app)
    d.run_pass()
    assert messages(app) == []
    clock.shift(timedelta(hours=73))
    d.run_pass()
    assert status_counts(app) == {"dead": 1}
    [dead] = messages(app)
    assert dead["event_type"] == "notification.dead" and dead["body"]["data"]["status"] == "dead"


def test_a_dispatcher_that_lost_its_lease_enqueues_nothing(setup, software, clock):
    app, facility = setup
    subscribe(app, facility, software)
    add_stays(app, facility, 2)
    slow, fast = Dispatcher(app, owner="slow"), Dispatcher(app, owner="fast")
    receiver = slow.config.receivers["scripted"]
    claimed = slow.claim(receiver, utcnow())
    delivery = slow.send(receiver, claimed)
    clock.shift(timedelta(seconds=121))  # the lease expired; another dispatcher takes the batch back
    fast.run_pass()
    assert status_counts(app) == {"accepted": 2}
    before = messages(app)
    assert len([m for m in before if m["event_type"] == "notification.accepted"]) == 2
    stats = slow.record(claimed, delivery, utcnow())
    assert stats["lost_leases"] == 2
    assert len(messages(app)) == len(before)  # no duplicate events from the loser


def test_stay_created_only_for_the_form_and_file_import(setup, software):
    app, facility = setup
    subscribe(app, facility, software, events=["stay.created"])
    with app.app_context():
        create_stay(facility, factories.stay(), source="api")
        create_stays_bulk(facility, {"stays": [factories.stay()]}, source="api")
        assert messages(app) == []
        form = create_stay(facility, factories.stay(), source="form").stay
        replay_payload = factories.stay()
        create_stay(facility, replay_payload, source="form")
        create_stay(facility, replay_payload, source="form")  # replayed: no second event
        imported = create_stays_bulk(facility, {"stays": [factories.stay(), factories.stay()]}, source="import")
    created = messages(app)
    assert [m["event_type"] for m in created] == ["stay.created"] * 4
    first = created[0]["body"]["data"]
    assert first == {"stay_id": form["id"], "external_ref": form["external_ref"], "facility_code": "HOTEL-1",
                     "source": "form", "status": form["status"], "arrived_at": first["arrived_at"],
                     "notification_ids": [form["guests"][0]["notifications"][0]["id"]]}
    assert [m["body"]["data"]["stay_id"] for m in created[2:]] == [r["stay"]["id"] for r in imported]
    assert {m["body"]["data"]["source"] for m in created[2:]} == {"import"}


def test_stay_created_is_rolled_back_with_the_stay(setup, software):
    app, facility = setup
    subscribe(app, facility, software, events=["stay.created"])
    payload = factories.stay()
    with app.app_context():
        create_stay(facility, payload, source="form")
        from accommnotify.intake.errors import Conflict
        with pytest.raises(Conflict):  # same ref, other content: nothing stored, no event
            create_stay(facility, {**payload, "room": "999"}, source="form")
    assert len(messages(app)) == 1


def test_failures_retry_on_the_schedule_under_the_same_webhook_id(setup, software, clock):
    app, facility = setup
    subscribe(app, facility, software, events=["stay.created"])
    with app.app_context():
        create_stay(facility, factories.stay(), source="form")
    software.script = [500, 503]
    d = Dispatcher(app)
    d.run_pass()
    [m] = messages(app)
    assert m["status"] == "retrying" and m["attempts"] == 1 and m["last_http_status"] == 500
    assert timedelta(seconds=27) <= m["next_attempt_at"] - utcnow() <= timedelta(seconds=33)
    d.run_pass()  # not due yet
    assert messages(app)[0]["attempts"] == 1
    clock.shift(timedelta(seconds=34))
    d.run_pass()
    [m] = messages(app)
    assert m["status"] == "retrying" and m["attempts"] == 2
    assert timedelta(seconds=107) <= m["next_attempt_at"] - utcnow() <= timedelta(seconds=133)
    clock.shift(timedelta(seconds=135))
    d.run_pass()
    [m] = messages(app)
    assert m["status"] == "delivered" and m["attempts"] == 3
    assert list(software.counts.values()) == [3] and list(software.counts) == [m["id"]]
    with app.app_context():
        log = db.session.execute(select(WebhookAttempt.http_status).order_by(WebhookAttempt.started_at)).scalars().all()
        db.session.rollback()
    assert log == [500, 503, 200]


def test_410_disables_the_subscription_until_an_operator_enables_it(setup, software):
    app, facility = setup
    sub = subscribe(app, facility, software, events=["stay.created"])
    with app.app_context():
        create_stay(facility, factories.stay(), source="form")
    software.script = [410]
    d = Dispatcher(app)
    d.run_pass()
    with app.app_context():
        stored = db.session.get(WebhookSubscription, sub["id"])
        assert stored.disabled_at is not None and "410" in stored.disabled_reason
        db.session.rollback()
        create_stay(facility, factories.stay(), source="form")  # a disabled subscription gets no new events
    assert len(messages(app)) == 1
    d.run_pass()
    assert list(software.counts.values()) == [1]  # nothing sent while disabled, nothing lost
    metrics = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'accommnotify_webhook_messages{status="retrying"} 1' in metrics
    assert "accommnotify_webhook_subscriptions_disabled 1" in metrics
    assert messages(app)[0]["status"] == "retrying"
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["webhooks", "list", "--facility", "HOTEL-1"])
    assert "DISABLED" in listed.output and sub["id"] in listed.output and "whsec_" not in listed.output
    assert runner.invoke(args=["webhooks", "enable", sub["id"]]).exit_code == 0
    d.run_pass()
    assert [m["status"] for m in messages(app)] == ["delivered"]
    assert runner.invoke(args=["webhooks", "disable", sub["id"]]).exit_code == 0
    assert "DISABLED (disabled by an operator)" in runner.invoke(args=["webhooks", "list"]).output
    assert runner.invoke(args=["webhooks", "enable", "wh_nosuch"]).exit_code != 0


def test_cli_test_sends_a_signed_ping_and_prints_the_answer(setup, software):
    app, facility = setup
    sub = subscribe(app, facility, software, events=["notification.dead"])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["webhooks", "test", sub["id"]])
    assert result.exit_code == 0, result.output
    [ping] = software.of_type("webhook.ping")
    assert ping["data"] == {"subscription_id": sub["id"], "facility_code": "HOTEL-1"}
    assert f"webhook-id {software.headers[0]['webhook-id']}: HTTP 200" in result.output
    assert messages(app) == []  # a ping is not queued
    software.script = [503]
    failed = runner.invoke(args=["webhooks", "test", sub["id"]])
    assert failed.exit_code == 1 and "HTTP 503" in failed.output
    assert runner.invoke(args=["webhooks", "test", "wh_nosuch"]).exit_code != 0


def test_purge_removes_old_finished_messages_only(setup, software, clock):
    app, facility = setup
    subscribe(app, facility, software, events=["stay.created"])
    with app.app_context():
        create_stay(facility, factories.stay(), source="form")
    Dispatcher(app).run_pass()
    with app.app_context():
        create_stay(facility, factories.stay(), source="form")  # still pending: kept whatever its age
    assert sorted(m["status"] for m in messages(app)) == ["delivered", "pending"]
    clock.shift(timedelta(days=401))
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "1 webhook message(s)" in result.output, result.output
    assert [m["status"] for m in messages(app)] == ["pending"]
    with app.app_context():
        assert db.session.query(WebhookAttempt).count() == 0
        db.session.rollback()


def test_one_round_records_each_message_by_its_own_answer(setup, software):
    app, facility = setup
    subscribe(app, facility, software, events=["stay.created"])
    with app.app_context():
        for _ in range(4):
            create_stay(facility, factories.stay(), source="form")
    software.script = [500, 200, 410, 200]  # in the order the requests arrive (one worker sends them in turn)
    app.config["WEBHOOK_CONCURRENCY"] = 1
    Dispatcher(app).run_pass()
    with app.app_context():
        attempts = dict(db.session.execute(select(WebhookAttempt.message_id, WebhookAttempt.http_status)).all())
        db.session.rollback()
    by_id = {m["id"]: m for m in messages(app)}
    sent = [h["webhook-id"] for h in software.headers]
    assert len(sent) == 4 and attempts == dict(zip(sent, [500, 200, 410, 200]))
    assert [(by_id[i]["status"], by_id[i]["last_http_status"], by_id[i]["attempts"]) for i in sent] == [
        ("retrying", 500, 1), ("delivered", 200, 1), ("retrying", 410, 1), ("delivered", 200, 1)]
    assert by_id[sent[1]]["delivered_at"] is not None and by_id[sent[0]]["delivered_at"] is None
    assert all(by_id[i]["lease_owner"] is None for i in sent)


def test_what_cannot_be_sent_within_the_lease_goes_back_to_the_queue_uncounted(database_url, tmp_path, software):
    # a lease of 20 s leaves a send window of 10 s, shorter than one request's timeouts (5 + 10 s): only
    # the first wave (one worker: one request) may start; the rest of the claim is released, not attempted
    app = make_app(database_url, RECEIVERS=scripted_receivers_toml(tmp_path), WEBHOOK_ALLOW_INSECURE=True,
                   LEASE_SECONDS=20, WEBHOOK_CONCURRENCY=1)
    facility = make_facility(app)
    subscribe(app, facility, software, events=["stay.created"])
    with app.app_context():
        for _ in range(3):
            create_stay(facility, factories.stay(), source="form")
    sender = Dispatcher(app).webhooks
    report = sender.run()
    assert (report.delivered, report.unsent) == (1, 2)
    assert sorted((m["status"], m["attempts"], m["lease_owner"]) for m in messages(app)) == [
        ("delivered", 1, None), ("retrying", 0, None), ("retrying", 0, None)]
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(WebhookAttempt)).scalar() == 1
        db.session.rollback()
    assert [sender.run().delivered, sender.run().delivered] == [1, 1]  # due at once, and each round progresses
    assert {m["status"] for m in messages(app)} == {"delivered"} and set(software.counts.values()) == {1}
    sender.close()


def test_a_name_that_leads_to_a_private_address_is_never_sent_to(setup, software):
    # The subscription check sees only the URL; a public name can resolve (or be re-pointed) to the
    # dispatcher's own network. Here the stored URL is a loopback one, as such a name would give.
    app, facility = setup
    subscribe(app, facility, software, events=["stay.created"])
    with app.app_context():
        create_stay(facility, factories.stay(), source="form")
    app.config["WEBHOOK_ALLOW_INSECURE"] = False  # production: only public addresses
    d = Dispatcher(app)
    d.run_pass()
    [m] = messages(app)
    assert m["status"] == "retrying" and m["last_error"] == "PrivateAddress" and m["last_http_status"] is None
    assert software.counts == {} and software.headers == []  # not one byte reached it
    d.webhooks.close()
