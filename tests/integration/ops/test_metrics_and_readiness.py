"""What an operator's monitoring reads: /metrics with work in flight and late deliveries; /readyz
when the database is not there (SQLite, and PostgreSQL when configured). Each request runs in its
own app context."""
from datetime import timedelta

from accommnotify.dispatch.core import Dispatcher
from accommnotify.timeutil import utcnow
from tests.conftest import make_app
from tests.integration.dispatch.dispatch_support import (add_stays, make_facility, notification_rows,
                                                         scripted_receivers_toml)


def _metrics(app) -> dict[str, float]:
    body = app.test_client().get("/metrics").get_data(as_text=True)
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in body.splitlines() if line and not line.startswith("#")}


def test_metrics_show_a_batch_in_flight_and_late_deliveries(database_url, tmp_path, clock):
    app = make_app(database_url, RECEIVERS=scripted_receivers_toml(tmp_path), DISPATCH_LANES=1,
                   BATCH_MAX_WAIT=86400, DEADLINE_MARGIN=0)
    facility = make_facility(app)
    add_stays(app, facility, 3)
    d = Dispatcher(app)
    deadline = notification_rows(app)[0]["deadline_at"]
    clock.move_to(deadline + timedelta(minutes=1))
    # one delivered after its deadline (late), then a batch claimed and still with the receiver
    assert d.run_pass(flush=True).totals()["accepted"] == 3
    add_stays(app, facility, 2)
    d.claim(d.config.receivers["scripted"], utcnow())
    m = _metrics(app)
    assert m['accommnotify_notifications_queued{receiver="scripted",status="sending"}'] == 2
    assert m['accommnotify_notifications_queued{receiver="scripted",status="pending"}'] == 0
    assert m['accommnotify_notifications_late{receiver="scripted"}'] == 3
    assert m['accommnotify_deliveries_total{receiver="scripted",outcome="accepted"}'] == 3
    assert m['accommnotify_delivery_batches_total{receiver="scripted"}'] == 2  # the one in flight counts
    # the batch in flight's nearest deadline is hours away (new stays arrive now)
    assert m['accommnotify_nearest_deadline_seconds{receiver="scripted"}'] > 0
    assert m["accommnotify_receivers_config_valid"] == 1


def test_readyz_says_database_when_the_database_is_not_there(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/no-such-folder/app.db")
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json() == {"status": "unavailable", "reason": "database"}
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}  # the process itself answers
