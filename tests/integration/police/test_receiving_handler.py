"""``POST /police/api/v1/batches`` in-process (SQLite, and PostgreSQL when configured): Standard
Webhooks signatures, the ±5 minute window on the frozen clock, which senders are accepted, the
dedupe by notification id, and malformed bodies answered 4xx with a problem document, never 500.
Every request runs in its own app context; checks open a short one between requests."""
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.models import InboxNotification
from tests.conftest import make_app

from .wire_samples import SECRET_A, SECRET_B, batch, foreigner_notification, signed, wire_notification

URL = "/police/api/v1/batches"


@pytest.fixture
def make(database_url):
    apps = []

    def build(**settings):
        settings.setdefault("INBOUND_SECRETS", {"sender-a": {"secret": SECRET_A, "wards": ["16681"]},
                                                "sender-b": {"secret": SECRET_B, "provinces": ["40"]}})
        app = make_app(database_url, **settings)
        apps.append(app)
        return app
    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make):
    return make()


@pytest.fixture(autouse=True)
def _logger_enabled():
    # Alembic's fileConfig (run by the migration fixtures) disables loggers that existed before it.
    logging.getLogger("accommnotify.police.receiving").disabled = False


def post(app, body, **sign_kw):
    raw, headers = signed(body, **sign_kw)
    return app.test_client().post(URL, data=raw, headers=headers)


def stored(app) -> dict:
    with app.app_context():
        rows = db.session.scalars(select(InboxNotification)).all()
        out = {r.id: r for r in rows}
        db.session.expunge_all()
        db.session.rollback()
    return out


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    doc = response.get_json()
    assert doc["status"] == status and doc["title"] and doc["detail"]
    return doc


# -- accepted ------------------------------------------------------------------------------------

def test_a_signed_batch_is_stored_and_answered_per_notification(app, caplog):
    caplog.set_level(logging.INFO, logger="accommnotify.police.receiving")
    a, b = wire_notification(), foreigner_notification()
    r = post(app, batch([a, b], batch_id="b_first"))
    assert r.status_code == 200
    assert r.get_json() == {"results": [{"id": a["id"], "status": "accepted", "receipt": f"inbox:{a['id']}"},
                                        {"id": b["id"], "status": "accepted", "receipt": f"inbox:{b['id']}"}]}
    rows = stored(app)
    assert set(rows) == {a["id"], b["id"]}
    assert rows[a["id"]].source == "sender-a" and rows[a["id"]].batch_id == "b_first"
    assert rows[b["id"]].document_number == "L898902C3" and rows[b["id"]].category == "foreigner"
    assert not rows[a["id"]].late
    # the log says who sent how many; never a guest's name or number
    text = caplog.text
    assert "received batch b_first from sender-a: 2 notification(s), 0 rejected" in text
    assert "Nguyễn Văn An" not in text and "L898902C3" not in text


@pytest.mark.parametrize("settings", [
    {"INBOUND_SECRETS": {}, "INBOUND_SECRET": SECRET_B},                       # any sender, any ward
    {"INBOUND_SECRETS": f" sender-a={SECRET_A} , sender-b={SECRET_B},"},      # the old environment form
    {"INBOUND_SECRETS": {"sender-a": SECRET_A}},                               # a secret bound to no ward
    {"INBOUND_SECRETS": {"sender-a": {"secret": "whsec_!!!", "wards": ["16681"]}}},
], ids=["any-sender", "plain-env-form", "bare-secret", "malformed-secret"])
def test_secrets_bound_to_nothing_stop_the_start(make, settings):
    """Issue 10 item 7: the forms that trusted a secret for any facility are refused at start."""
    from accommnotify import StartupError
    with pytest.raises(StartupError, match="INBOUND_SECRET"):
        make(**settings)


def test_secrets_from_the_environment_as_a_toml_table(make):
    app = make(INBOUND_SECRETS='{sender-b = {secret = "%s", wards = ["16681"]}}' % SECRET_B)
    assert post(app, batch([wire_notification()], sender="sender-b"), secret=SECRET_B).status_code == 200


def test_a_batch_without_batch_id_is_recorded_under_its_webhook_id(app):
    doc = batch([wire_notification()])
    del doc["batch_id"]
    assert post(app, doc, msg_id="msg_no_batch_id").status_code == 200
    assert [row.batch_id for row in stored(app).values()] == ["msg_no_batch_id"]


def test_a_notification_after_its_deadline_is_stored_late(app):
    from accommnotify.timeutil import utcnow, vn_iso
    late = wire_notification(deadline_at=vn_iso(utcnow() - timedelta(minutes=1)))
    assert post(app, batch([late])).status_code == 200
    assert stored(app)[late["id"]].late


# -- dedupe ----------------------------------------------------------------------------------------

def test_a_replayed_batch_changes_nothing_and_gets_the_same_answers(app, clock):
    a, b = wire_notification(), wire_notification()
    first = post(app, batch([a, b]), msg_id="msg_1")
    before = {k: (v.received_at, v.batch_id, v.full_name) for k, v in stored(app).items()}
    clock.shift(timedelta(minutes=2))
    # the same notifications again (a retry after a lost answer), in another batch
    again = post(app, batch([dict(a), b], batch_id="b_retry"), msg_id="msg_2")
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert {k: (v.received_at, v.batch_id, v.full_name) for k, v in stored(app).items()} == before


def test_the_same_id_twice_in_one_batch_is_stored_once(app):
    a = wire_notification()
    r = post(app, batch([a, dict(a)]))
    assert [x["status"] for x in r.get_json()["results"]] == ["accepted", "accepted"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InboxNotification)) == 1
        db.session.rollback()


# -- signatures and the clock ------------------------------------------------------------------------

def test_a_signature_with_an_unknown_secret_is_refused_and_nothing_stored(app, caplog):
    stranger = "whsec_" + "c3RyYW5nZXItc2VjcmV0LTAxMjM0NTY3ODk="
    doc = assert_problem(post(app, batch([wire_notification()]), secret=stranger), 401)
    assert doc["detail"] == "no valid signature for any accepted sender"
    assert stored(app) == {}
    assert "refused a batch" in caplog.text


def test_a_body_changed_after_signing_is_refused(app):
    raw, headers = signed(batch([wire_notification()]))
    tampered = raw.replace(b'"room": "101"', b'"room": "999"')
    assert tampered != raw
    assert_problem(app.test_client().post(URL, data=tampered, headers=headers), 401)
    assert stored(app) == {}


def test_the_signature_of_another_message_id_is_refused(app):
    raw, headers = signed(batch([wire_notification()]), msg_id="msg_a")
    headers["webhook-id"] = "msg_b"
    assert_problem(app.test_client().post(URL, data=raw, headers=headers), 401)


def test_one_good_signature_among_several_is_enough(app):
    raw, headers = signed(batch([wire_notification()]))
    headers["webhook-signature"] = "v1,AAAA v2,whatever " + headers["webhook-signature"]
    assert app.test_client().post(URL, data=raw, headers=headers).status_code == 200


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_signature_header_is_refused(app, missing):
    raw, headers = signed(batch([wire_notification()]))
    del headers[missing]
    doc = assert_problem(app.test_client().post(URL, data=raw, headers=headers), 401)
    assert "missing" in doc["detail"]
    assert stored(app) == {}


def test_a_timestamp_that_is_not_a_number_is_refused(app):
    raw, headers = signed(batch([wire_notification()]))
    headers["webhook-timestamp"] = "yesterday"
    assert "not an integer" in assert_problem(app.test_client().post(URL, data=raw, headers=headers), 401)["detail"]


@pytest.mark.parametrize("offset, accepted", [(-300, True), (300, True), (-301, False), (301, False),
                                              (-3600, False), (86400, False)])
def test_the_timestamp_must_be_within_five_minutes_of_the_receivers_clock(app, clock, offset, accepted):
    """Signed at 14:00:00; the receiver's clock reads 14:00:00 + offset when the request arrives."""
    raw, headers = signed(batch([wire_notification()]))
    clock.shift(timedelta(seconds=offset))
    r = app.test_client().post(URL, data=raw, headers=headers)
    if accepted:
        assert r.status_code == 200
        assert len(stored(app)) == 1
    else:
        assert "±5 minute" in assert_problem(r, 401)["detail"]
        assert stored(app) == {}


def test_a_sender_signing_for_another_sender_is_refused(app):
    """sender-b's secret cannot deliver batches that claim to come from sender-a."""
    doc = assert_problem(post(app, batch([wire_notification()], sender="sender-a"), secret=SECRET_B), 401)
    assert "does not match" in doc["detail"]
    assert stored(app) == {}


def test_a_sender_that_is_not_configured_is_refused(app):
    assert_problem(post(app, batch([wire_notification()], sender="sender-c")), 401)
    assert stored(app) == {}


def test_receiving_without_any_secret_answers_503(make):
    app = make(INBOUND_SECRETS={}, INBOUND_SECRET="")
    doc = assert_problem(post(app, batch([wire_notification()])), 503)
    assert "ACCOMMNOTIFY_INBOUND_SECRET" in doc["detail"]


# -- malformed bodies (signed correctly, so the body itself is what is judged) -------------------------

@pytest.mark.parametrize("body, detail", [
    (b"", "not JSON"),
    (b"{not json", "not JSON"),
    (b"\xff\xfe\x00garbage", "not JSON"),
    (b"[]", "Expected {batch_id"),
    (b'"a string"', "Expected {batch_id"),
    (b'{"sender": "sender-a"}', "Expected {batch_id"),
    (b'{"sender": "sender-a", "notifications": {"id": "x"}}', "Expected {batch_id"),
    (b'{"notifications": []}', "no sender"),
    (b'{"sender": "", "notifications": []}', "no sender"),
    (b'{"sender": 7, "notifications": []}', "no sender"),
], ids=["empty", "broken-json", "not-utf8", "a-list", "a-string", "no-notifications",
        "notifications-not-a-list", "no-sender", "empty-sender", "sender-not-text"])
def test_a_malformed_body_is_a_400_problem(app, body, detail):
    r = post(app, body)
    assert detail in assert_problem(r, 400)["detail"]
    assert stored(app) == {}


def test_junk_items_are_rejected_one_by_one_and_the_good_one_is_stored(app):
    good = wire_notification()
    r = post(app, batch([7, "text", None, [], {"id": 5}, good]))
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["rejected"] * 5 + ["accepted"]
    assert all(x["code"] in ("wire.invalid", "wire.required") for x in results[:5])
    assert [x["id"] for x in results] == [None] * 5 + [good["id"]]
    assert set(stored(app)) == {good["id"]}


def test_a_body_over_the_size_limit_is_refused_with_413(make):
    app = make(MAX_BODY_BYTES=2000)
    r = post(app, batch([wire_notification() for _ in range(5)]))
    assert r.status_code == 413
    assert stored(app) == {}


def test_an_empty_batch_is_answered_with_no_results(app):
    r = post(app, batch([]))
    assert r.status_code == 200 and r.get_json() == {"results": []}


def test_a_batch_id_that_is_not_text_falls_back_to_the_webhook_id(app):
    doc = batch([wire_notification()])
    doc["batch_id"] = {"not": "text"}
    assert post(app, doc, msg_id="msg_fallback").status_code == 200
    assert [row.batch_id for row in stored(app).values()] == ["msg_fallback"]


def test_get_is_not_allowed(app):
    assert app.test_client().get(URL).status_code == 405
