"""portal_file.ready when the dispatcher records a portal file, portal_file.mismatch when staff report
another count, notification.accepted when the count confirms the file: each in that transaction."""
from sqlalchemy import select

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.models import Facility
from accommnotify.webhooks import subscriptions
from tests.integration.portal.test_portal_files import files, portal, post_stays  # noqa: F401
from tests.integration.webhooks.test_webhook_events import messages

PORTAL_EVENTS = ["portal_file.ready", "portal_file.mismatch", "notification.accepted", "notification.late"]


def test_portal_file_events(portal):  # noqa: F811
    app, api, _other = portal
    app.config["WEBHOOK_ALLOW_INSECURE"] = True
    with app.app_context():
        facility = db.session.execute(select(Facility).where(Facility.code == "HOTEL-1")).scalar_one()
        subscriptions.create(facility.id, "http://127.0.0.1:9/hooks", PORTAL_EVENTS)
    post_stays(api, 2)
    Dispatcher(app).run_pass(flush=True)
    ready = [m for m in messages(app) if m["event_type"] == "portal_file.ready"]
    listed = {f["id"]: f for f in files(api)}
    assert {m["body"]["data"]["portal_file_id"] for m in ready} == set(listed)
    citizens = next(f for f in listed.values() if f["kind"] == "citizens")
    data = next(m["body"]["data"] for m in ready if m["body"]["data"]["portal_file_id"] == citizens["id"])
    assert data == {"portal_file_id": citizens["id"], "facility_code": "HOTEL-1", "kind": "citizens",
                    "format": "xlsx", "status": "ready", "row_count": 2, "records_shown": None,
                    "earliest_deadline": citizens["earliest_deadline"]}
    assert not any(m["event_type"].startswith("notification.") for m in messages(app))  # awaiting upload

    api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": 1})
    mismatch = [m["body"]["data"] for m in messages(app) if m["event_type"] == "portal_file.mismatch"]
    assert [(d["portal_file_id"], d["status"], d["records_shown"], d["row_count"]) for d in mismatch] == [
        (citizens["id"], "mismatch", 1, 2)]

    api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": 2})
    accepted = [m["body"]["data"] for m in messages(app) if m["event_type"] == "notification.accepted"]
    assert len(accepted) == 2 and {d["receipt"].split(":")[1] for d in accepted} == {citizens["id"]}
    assert not [m for m in messages(app) if m["event_type"] == "notification.late"]
    # confirming again changes nothing and announces nothing
    before = len(messages(app))
    api.post(f"/portal-files/{citizens['id']}/confirm", json={"records_shown": 2})
    assert len(messages(app)) == before
