"""Webhooks end to end: real `flask dispatcher run` processes, a real police receiver and the
facility's software on loopback verifying every request with the reference `standardwebhooks`
library. A dispatcher killed with SIGKILL in the middle of a delivery loses no event; the events it
had sent go again under the same webhook-id, and the receiver's dedupe on that id holds."""
import os
import signal

import pytest
from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.intake.service import create_stays_bulk
from accommnotify.models import WebhookAttempt, WebhookMessage
from accommnotify.webhooks import subscriptions
from tests import factories
from tests.conftest import make_app
from tests.integration.dispatch.dispatch_support import (PoliceServer, add_stays, http_receivers_toml,
                                                         make_facility, start_dispatcher, stop, wait_for)
from tests.integration.webhooks.support import FacilitySoftware

pytestmark = [pytest.mark.e2e, pytest.mark.real_clock]  # other processes read the system clock

STAYS = 30   # imported: a stay.created each
LATER = 5    # posted through the API while a webhook hangs


def message_states(app):
    M = WebhookMessage.__table__
    with app.app_context():
        rows = dict(db.session.execute(select(M.c.id, M.c.status)).all())
        db.session.rollback()
    return rows


def test_kill_9_during_webhook_delivery_loses_nothing(database_url, tmp_path):
    with PoliceServer() as police, FacilitySoftware() as software:
        receivers = http_receivers_toml(tmp_path, police.url)
        app = make_app(database_url, RECEIVERS=receivers, WEBHOOK_ALLOW_INSECURE=True)
        facility = make_facility(app)
        with app.app_context():
            sub = subscriptions.create(facility.id, software.url, ["stay.created", "notification.accepted"])
            software.secret = sub["secret"]
            imported = create_stays_bulk(facility, {"stays": [factories.stay() for _ in range(STAYS)]},
                                         source="import")
        assert len(message_states(app)) == STAYS  # one stay.created each, written with the stays
        software.script = ["block"]  # the first webhook hangs until the dispatcher was killed
        settings = dict(DISPATCH_INTERVAL=1, LEASE_SECONDS=4, BATCH_MAX_WAIT=0, WEBHOOK_ALLOW_INSECURE=1,
                        WEBHOOK_READ_TIMEOUT=2, WEBHOOK_CONNECT_TIMEOUT=1)
        first = start_dispatcher(database_url, receivers, tmp_path / "d1.log", **settings)
        try:
            assert software.seen.wait(30), (tmp_path / "d1.log").read_text()
            # a PMS that hangs never holds back the police: stays posted now are delivered meanwhile
            add_stays(app, facility, LATER)
            wait_for(lambda: len(police.counts) == STAYS + LATER, timeout=30,
                     message="the police got every notification while a webhook hung")
            assert not software.release.is_set()
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        states = message_states(app)
        in_flight = {mid for mid, status in states.items() if status == "sending"}
        assert in_flight, (states, (tmp_path / "d1.log").read_text())  # killed between send and record
        software.release.set()

        second = start_dispatcher(database_url, receivers, tmp_path / "d2.log", **settings)
        try:
            try:
                wait_for(lambda: (len(message_states(app)) == 2 * STAYS + LATER
                                  and set(message_states(app).values()) == {"delivered"}),
                         timeout=60, message="every event delivered after the restart")
            except AssertionError as exc:
                raise AssertionError(f"{exc}: {message_states(app)}\n{(tmp_path / 'd2.log').read_text()}") from None
        finally:
            assert stop(second) == 0, (tmp_path / "d2.log").read_text()

    ids = set(message_states(app))
    logs = (tmp_path / "d1.log").read_text() + (tmp_path / "d2.log").read_text()
    assert software.refused == [], logs                # every request verified by the reference library
    assert set(software.events) == ids, logs           # none lost ...
    twice = {mid for mid, c in software.counts.items() if c > 1}
    assert twice <= in_flight, (twice, in_flight, logs)  # ... only in-flight ones twice
    assert any(software.counts[mid] > 1 for mid in in_flight), (software.counts, in_flight, logs)
    created = {p["data"]["stay_id"] for p in software.of_type("stay.created")}
    assert created == {r["stay"]["id"] for r in imported}
    assert len(software.of_type("notification.accepted")) == STAYS + LATER
    with app.app_context():
        expired = db.session.execute(select(func.count()).select_from(WebhookAttempt)
                                     .where(WebhookAttempt.error_class == "LeaseExpired")).scalar()
        db.session.rollback()
    assert expired >= 1
    log = (tmp_path / "d2.log").read_text()
    assert "Nguyễn" not in log and "whsec_" not in log
