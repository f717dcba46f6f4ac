"""Issue 10 item 7: the receiving endpoint trusts no sender's claims.

Two senders: "hotel-a" may notify for ward WARD_A only, "city-b" for the province of Hà Nội (01).
A notification for a facility outside the sender's wards is rejected per item; notifications are
de-duplicated per (sender, id), so one sender cannot occupy another's id; the same id from the same
sender with other content is rejected and audited."""
import pytest
from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.models import AuditEntry, InboxNotification
from tests.conftest import make_app
from tests.integration.police.helpers import WARD_A, WARD_B, WARD_HN
from tests.integration.police.wire_samples import SECRET_A, SECRET_B, batch, signed, wire_notification

URL = "/police/api/v1/batches"


@pytest.fixture
def app(database_url):
    application = make_app(database_url, INBOUND_SECRETS={
        "hotel-a": {"secret": SECRET_A, "wards": [WARD_A]},
        "city-b": {"secret": SECRET_B, "provinces": ["01"]},
    })
    yield application
    with application.app_context():
        db.engine.dispose()


def in_ward(ward, province, **overrides):
    item = wire_notification(**overrides)
    item["facility"] = dict(item["facility"], ward_code=ward, province_code=province, code=f"F-{ward}")
    return item


def post(app, items, sender, secret, msg_id="msg_1"):
    raw, headers = signed(batch(items, sender=sender), secret=secret, msg_id=msg_id)
    response = app.test_client().post(URL, data=raw, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def rows(app):
    with app.app_context():
        found = [(r.source, r.notification_id, r.id, r.ward_code, r.full_name)
                 for r in db.session.scalars(select(InboxNotification)).all()]
        db.session.rollback()
    return sorted(found)


def test_a_sender_cannot_notify_outside_its_wards(app):
    mine, theirs = in_ward(WARD_A, "40"), in_ward(WARD_B, "40")
    results = post(app, [mine, theirs], "hotel-a", SECRET_A)
    assert results[0]["status"] == "accepted"
    assert results[1]["status"] == "rejected" and results[1]["code"] == "sender.out_of_scope"
    assert [r[1] for r in rows(app)] == [mine["id"]]


def test_a_province_sender_cannot_claim_a_ward_of_another_province(app):
    hanoi, vinh_as_hanoi = in_ward(WARD_HN, "01"), in_ward(WARD_A, "01")
    results = post(app, [hanoi, vinh_as_hanoi], "city-b", SECRET_B)
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["code"] == "sender.out_of_scope"
    assert post(app, [in_ward(WARD_A, "40")], "city-b", SECRET_B, msg_id="msg_2")[0]["code"] == "sender.out_of_scope"


def test_one_sender_cannot_occupy_another_senders_id(app):
    """The attack of the issue: sender B stores a forged row under A's notification id first. Now
    B can only do so for its own wards, and A's real notification is stored as A's, on its own."""
    real = in_ward(WARD_A, "40")
    forged = in_ward(WARD_HN, "01", id=real["id"])
    forged["person"] = dict(forged["person"], full_name="Người Giả Mạo")
    assert post(app, [forged], "city-b", SECRET_B)[0]["status"] == "accepted"
    answer = post(app, [real], "hotel-a", SECRET_A, msg_id="msg_2")[0]
    assert answer["status"] == "accepted" and answer["id"] == real["id"]
    stored = rows(app)
    assert len(stored) == 2
    by_sender = {r[0]: r for r in stored}
    assert by_sender["hotel-a"][1] == real["id"] and by_sender["hotel-a"][3] == WARD_A
    assert by_sender["hotel-a"][4] == real["person"]["full_name"]
    assert by_sender["city-b"][3] == WARD_HN and by_sender["city-b"][4] == "Người Giả Mạo"
    assert answer["receipt"] == f"inbox:{by_sender['hotel-a'][2]}"
    # replaying A's notification is still answered as the first time
    assert post(app, [real], "hotel-a", SECRET_A, msg_id="msg_3")[0] == answer


def test_the_same_id_with_other_content_is_rejected_and_audited(app):
    first = in_ward(WARD_A, "40")
    accepted = post(app, [first], "hotel-a", SECRET_A)[0]
    changed = dict(first, person=dict(first["person"], full_name="Tên Khác"))
    answer = post(app, [changed], "hotel-a", SECRET_A, msg_id="msg_2")[0]
    assert answer["status"] == "rejected" and answer["code"] == "notification.conflict"
    assert "Tên Khác" not in answer["message"]
    assert [r[4] for r in rows(app)] == [first["person"]["full_name"]]   # the stored row is unchanged
    with app.app_context():
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "receive_conflict")).all()
        assert [(a.username, a.via, a.record_id) for a in audit] == [("sender:hotel-a", "receive", first["id"])]
        db.session.rollback()
    # the same content again is still the first answer
    assert post(app, [dict(first)], "hotel-a", SECRET_A, msg_id="msg_3")[0] == accepted
