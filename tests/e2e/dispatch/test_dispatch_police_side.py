"""A facility-side instance delivers over real HTTP to a police-side instance of the same
software (served by werkzeug on loopback), which checks the Standard Webhooks signature."""
import base64
import json
import threading
import time
from datetime import datetime, timezone

import pytest
import requests
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook
from werkzeug.serving import make_server

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.models import InboxNotification
from tests.integration.dispatch.dispatch_support import SECRET, add_stays, http_receivers_toml, make_facility, status_counts
from tests import factories
from tests.conftest import make_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def police_side(tmp_path):
    """A second instance on its own SQLite database, accepting batches signed by "facility-a"."""
    import shutil
    path = tmp_path / "police.db"
    shutil.copy(_template(tmp_path), path)
    app = make_app(f"sqlite:///{path}", INBOUND_SECRETS={"facility-a": {"secret": SECRET, "provinces": ["40"]}})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}/police/api/v1/batches"
    server.shutdown()


def _template(tmp_path):
    from flask_migrate import upgrade
    path = tmp_path / "template.db"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def _inbox(app):
    with app.app_context():
        rows = db.session.execute(select(InboxNotification).order_by(InboxNotification.id)).scalars().all()
        out = [(r.id, r.full_name, r.name_search, r.received_at, r.source) for r in rows]
        db.session.rollback()
    return out


def test_facility_instance_delivers_to_police_instance(database_url, tmp_path, police_side):
    police_app, url = police_side
    app = make_app(database_url, RECEIVERS=http_receivers_toml(tmp_path, url), SENDER="facility-a")
    stays = add_stays(app, make_facility(app), 2, guests=lambda: [factories.citizen(), factories.foreigner()])
    report = Dispatcher(app).run_pass(flush=True)
    assert report.totals()["accepted"] == 4
    assert status_counts(app) == {"accepted": 4}
    stored = _inbox(police_app)
    ids = {g["notifications"][0]["id"] for s in stays for g in s["guests"]}
    assert {r[0] for r in stored} == ids
    assert {r[4] for r in stored} == {"facility-a"}
    assert "nguyen van an" in {r[2] for r in stored}

    # a replayed batch (same body, fresh valid signature) changes nothing and gets the same answers
    from accommnotify.dispatch.wire import batch_query, wire_notification
    with app.app_context():
        wire = [wire_notification(r) for r in db.session.execute(batch_query(ids))]
        db.session.rollback()
    body = json.dumps({"batch_id": "bat_replay", "sent_at": "2026-11-27T15:00:00+07:00", "sender": "facility-a",
                       "notifications": wire}, ensure_ascii=False).encode()
    wh = Webhook(SECRET)
    now = datetime.now(timezone.utc)
    headers = {"webhook-id": "bat_replay", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": wh.sign("bat_replay", now, body.decode()), "content-type": "application/json"}
    resp = requests.post(url, data=body, headers=headers, timeout=10)
    assert resp.status_code == 200
    assert {r["id"]: r["status"] for r in resp.json()["results"]} == {i: "accepted" for i in ids}
    assert _inbox(police_app) == stored

    # a bad signature or an old timestamp: 401, nothing stored
    fresh = dict(wire[0], id="ntf_01zzzzzzzzzzzzzzzzzzzzzzzz")
    body2 = json.dumps({"batch_id": "bat_2", "sent_at": "x", "sender": "facility-a", "notifications": [fresh]}).encode()
    bad = dict(headers, **{"webhook-id": "bat_2", "webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()})
    assert requests.post(url, data=body2, headers=bad, timeout=10).status_code == 401
    old = datetime.fromtimestamp(time.time() - 600, timezone.utc)
    stale = dict(headers, **{"webhook-id": "bat_2", "webhook-timestamp": str(int(old.timestamp())),
                             "webhook-signature": wh.sign("bat_2", old, body2.decode())})
    r = requests.post(url, data=body2, headers=stale, timeout=10)
    assert r.status_code == 401 and "window" in r.json()["detail"]
    # signed correctly but claiming to be another sender
    other = json.dumps({"batch_id": "bat_3", "sent_at": "x", "sender": "facility-b", "notifications": [fresh]}).encode()
    h3 = dict(headers, **{"webhook-id": "bat_3", "webhook-signature": wh.sign("bat_3", now, other.decode())})
    assert requests.post(url, data=other, headers=h3, timeout=10).status_code == 401
    assert _inbox(police_app) == stored


def test_receiving_endpoint_not_configured_refuses(tmp_path):
    import shutil
    path = tmp_path / "p.db"
    shutil.copy(_template(tmp_path), path)
    client = make_app(f"sqlite:///{path}").test_client()
    assert client.post("/police/api/v1/batches", data=b"{}").status_code == 503
