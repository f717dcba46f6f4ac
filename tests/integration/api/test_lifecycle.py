"""Reading, listing, amending, departure, cancellation and the notifications view."""
from datetime import datetime, timedelta

from sqlalchemy import update

from accommnotify.extensions import db
from accommnotify.models import Notification
from accommnotify.timeutil import VN_TZ
from tests import factories as f


def codes(response):
    return {(e["field"], e["code"]) for e in response.get_json()["errors"]}


def create(api, **kw):
    r = api.post("/stays", json=f.stay(**kw))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def set_status(app, note_id, status, **extra):
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.id == note_id).values(status=status, **extra))
        db.session.commit()


def events(stay):
    return [[(n["event"], n["status"]) for n in g["notifications"]] for g in stay["guests"]]


def test_get_stay_and_another_facilitys_stay_is_404(api, app, client):
    stay = create(api)
    assert api.get(f"/stays/{stay['id']}").get_json() == stay
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        other_key = create_api_key(create_facility(code="OTHER", name="Nhà trọ Khác", kind="rental_rooms",
                                                   ward_code="00004"))
    r = client.get(f"/api/v1/stays/{stay['id']}", headers={"Authorization": f"Bearer {other_key}"})
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert api.get("/stays/st_doesnotexist").status_code == 404


def test_list_filters_and_cursor_pagination(api):
    now = datetime.now(VN_TZ).replace(microsecond=0)
    made = [create(api, arrived_at=(now - timedelta(days=i)).isoformat()) for i in range(5)]
    api.post(f"/stays/{made[0]['id']}/cancel", json={"reason": "nhầm"})
    seen, cursor = [], None
    while True:
        r = api.get("/stays", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        body = r.get_json()
        seen += [s["id"] for s in body["stays"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [s["id"] for s in reversed(made)]  # newest first, each once
    cancelled = api.get("/stays", query_string={"status": "cancelled"}).get_json()["stays"]
    assert [s["id"] for s in cancelled] == [made[0]["id"]]
    window = api.get("/stays", query_string={"arrived_from": (now - timedelta(days=2, hours=1)).isoformat(),
                                             "arrived_to": (now - timedelta(hours=12)).isoformat()}).get_json()
    assert {s["id"] for s in window["stays"]} == {made[1]["id"], made[2]["id"]}
    bad = api.get("/stays", query_string={"limit": 0, "status": "gone"})
    assert bad.status_code == 422 and {("limit", "out_of_range"), ("status", "choice")} <= codes(bad)


def test_amend_before_delivery_updates_the_arrival_in_place(api):
    stay = create(api)
    guest = stay["guests"][0]
    r = api.patch(f"/stays/{stay['id']}", json={"room": "305", "guests": [{"id": guest["id"], "phone": "0901234567"}]})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["room"] == "305" and body["guests"][0]["phone"] == "0901234567"
    assert events(body) == [[("arrival", "pending")]]
    assert body["guests"][0]["notifications"][0]["id"] == guest["notifications"][0]["id"]


def test_amend_after_delivery_sends_one_amendment(api, app):
    stay = create(api)
    arrival = stay["guests"][0]["notifications"][0]
    set_status(app, arrival["id"], "accepted", receipt="R-1")
    body = api.patch(f"/stays/{stay['id']}", json={"room": "401"}).get_json()
    assert events(body) == [[("arrival", "accepted"), ("amendment", "pending")]]
    again = api.patch(f"/stays/{stay['id']}", json={"room": "402"}).get_json()
    assert events(again) == [[("arrival", "accepted"), ("amendment", "pending")]]  # still one
    assert again["room"] == "402"


def test_amend_recomputes_deadline_and_category(api, app):
    day = datetime.now(VN_TZ).date() - timedelta(days=1)
    stay = create(api, arrived_at=f"{day}T10:00:00+07:00")
    r = api.patch(f"/stays/{stay['id']}", json={"arrived_at": f"{day}T23:30:00+07:00"})
    note = r.get_json()["guests"][0]["notifications"][0]
    assert note["deadline_at"] == f"{day + timedelta(days=1)}T08:00:00+07:00"


def test_amend_adds_a_guest_with_its_own_arrival(api):
    stay = create(api)
    body = api.patch(f"/stays/{stay['id']}", json={"guests": [f.foreigner()]}).get_json()
    assert len(body["guests"]) == 2
    assert body["guests"][1]["notifications"][0]["category"] == "foreigner"


def test_amend_is_checked_by_the_same_rules(api, app):
    stay = create(api)
    guest = stay["guests"][0]
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": guest["id"], "id_number": "123456789"}]})
    assert r.status_code == 422 and ("guests[0].id_number", "id_number.legacy_cmnd") in codes(r)
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": "gu_nope"}, {"full_name": "Lê Văn Cường"}]})
    assert {("guests[0].id", "not_found"), ("guests[1].sex", "required")} <= codes(r)
    r = api.patch(f"/stays/{stay['id']}", json={"arrived_at": None})
    assert ("arrived_at", "required") in codes(r)
    assert api.get(f"/stays/{stay['id']}").get_json() == stay  # nothing changed


def test_departure_of_some_then_all(api):
    stay = create(api, guests=[f.citizen(), f.citizen(full_name="Phạm Thị Dung", sex="female")])
    first = stay["guests"][0]["id"]
    body = api.post(f"/stays/{stay['id']}/departure", json={"guest_ids": [first]}).get_json()
    assert body["status"] == "in_house"
    assert events(body) == [[("arrival", "pending"), ("departure", "pending")], [("arrival", "pending")]]
    body = api.post(f"/stays/{stay['id']}/departure", json={}).get_json()
    assert body["status"] == "departed" and body["departed_at"]
    assert events(body)[1] == [("arrival", "pending"), ("departure", "pending")]
    again = api.post(f"/stays/{stay['id']}/departure", json={}).get_json()
    assert events(again) == events(body)  # a second departure sends nothing new


def test_departure_rules(api):
    stay = create(api)
    before = (datetime.fromisoformat(stay["arrived_at"]) - timedelta(hours=1)).isoformat()
    r = api.post(f"/stays/{stay['id']}/departure", json={"departed_at": before})
    assert ("departed_at", "stay.departure_before_arrival") in codes(r)
    r = api.post(f"/stays/{stay['id']}/departure", json={"guest_ids": ["gu_x"]})
    assert ("guest_ids[0]", "not_found") in codes(r)


def test_cancel_withdraws_undelivered_and_takes_back_delivered(api, app):
    stay = create(api, guests=[f.citizen(), f.foreigner()])
    set_status(app, stay["guests"][1]["notifications"][0]["id"], "accepted")
    body = api.post(f"/stays/{stay['id']}/cancel", json={"reason": "Đăng ký nhầm"}).get_json()
    assert body["status"] == "cancelled"
    assert events(body) == [[("arrival", "withdrawn")], [("arrival", "accepted"), ("cancellation", "pending")]]
    again = api.post(f"/stays/{stay['id']}/cancel", json={"reason": "Đăng ký nhầm"})
    assert again.status_code == 200 and events(again.get_json()) == events(body)
    r = api.patch(f"/stays/{stay['id']}", json={"room": "1"})
    assert r.status_code == 409 and ("status", "stay.cancelled") in codes(r)
    assert ("reason", "required") in codes(api.post(f"/stays/{create(api)['id']}/cancel", json={}))


def test_rejected_notifications_need_attention(api, app):
    stay = create(api)
    note = stay["guests"][0]["notifications"][0]
    set_status(app, note["id"], "rejected", rejection_code="person.unknown",
               rejection_message="No such citizen in the register")
    listed = api.get("/notifications", query_string={"status": "rejected"}).get_json()["notifications"]
    assert [(n["id"], n["rejection"]["code"], n["external_ref"]) for n in listed] == \
        [(note["id"], "person.unknown", stay["external_ref"])]
    shown = api.get(f"/stays/{stay['id']}").get_json()["guests"][0]["notifications"][0]
    assert shown["rejection"] == {"code": "person.unknown", "message": "No such citizen in the register"}
    assert api.get("/notifications", query_string={"status": "pending"}).get_json()["notifications"] == []


def test_lists_show_only_the_keys_own_facility(api, app, client):
    """GET /stays and GET /notifications list nothing of another facility, whatever the filter."""
    mine = create(api)
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        other_key = create_api_key(create_facility(code="OTHER", name="Nhà trọ Khác", kind="rental_rooms",
                                                   ward_code="16681"))
    theirs = client.post("/api/v1/stays", json=f.stay(), headers={"Authorization": f"Bearer {other_key}"})
    assert theirs.status_code == 201
    their_note = theirs.get_json()["guests"][0]["notifications"][0]["id"]
    set_status(app, their_note, "rejected", rejection_code="person.unknown", rejection_message="x")
    for query in ({}, {"status": "in_house"}, {"limit": 1}):
        listed = api.get("/stays", query_string=query).get_json()["stays"]
        assert [s["id"] for s in listed] == [mine["id"]], query
    assert api.get("/notifications", query_string={"status": "rejected"}).get_json()["notifications"] == []
