"""A correction removes a guest entered by mistake (issue 11, item 11): PATCH {"id", "removed": true}.

The rules see the stay as it will be (at least one guest; a child's guardian must stay), what was
not sent is withdrawn, an arrival the police may have is taken back by that person's cancellation,
and the guest is no longer in house (nor departed, nor corrected).
"""
from datetime import timedelta

from sqlalchemy import select

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.models.inbox import InboxNotification
from tests import factories as f
from tests.integration.api.test_lifecycle import codes, create, events, set_status


def _remove(api, stay, *positions):
    return api.patch(f"/stays/{stay['id']}",
                     json={"guests": [{"id": stay["guests"][p]["id"], "removed": True} for p in positions]})


def test_removing_a_guest_not_yet_sent_withdraws_the_arrival_and_sends_nothing(api):
    stay = create(api, guests=[f.citizen(), f.citizen(full_name="Lê Văn Nhầm", id_number="001090000123")])
    r = _remove(api, stay, 1)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "in_house"
    assert body["guests"][1]["removed_at"] is not None and body["guests"][0]["removed_at"] is None
    assert events(body) == [[("arrival", "pending")], [("arrival", "withdrawn")]]
    # Removing it again changes nothing (a retried PATCH); correcting it is refused.
    assert events(_remove(api, stay, 1).get_json()) == events(body)
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": stay["guests"][1]["id"], "phone": "0901234567"}]})
    assert r.status_code == 422 and ("guests[0].id", "guest.removed") in codes(r)


def test_removing_a_delivered_guest_sends_that_persons_cancellation_to_the_police(api, app):
    stay = create(api, guests=[f.citizen(), f.citizen(full_name="Lê Văn Nhầm", id_number="001090000123")])
    with app.app_context():
        Dispatcher(app).run_pass(flush=True)      # both arrivals reach the built-in police inbox
    body = _remove(api, stay, 1).get_json()
    assert events(body) == [[("arrival", "accepted")], [("arrival", "accepted"), ("cancellation", "pending")]]
    arrival_id = stay["guests"][1]["notifications"][0]["id"]
    with app.app_context():
        assert Dispatcher(app).run_pass(flush=True).totals()["accepted"] == 1
        sent = db.session.execute(select(InboxNotification).where(InboxNotification.event == "cancellation")).scalar_one()
        assert (sent.full_name, sent.amends, sent.stay_id) == ("Lê Văn Nhầm", arrival_id, stay["id"])
    # Cancelling the whole stay later takes back the other guest only: the removed one already was.
    cancelled = api.post(f"/stays/{stay['id']}/cancel", json={"reason": "nhầm"}).get_json()
    assert events(cancelled) == [[("arrival", "accepted"), ("cancellation", "pending")],
                                 [("arrival", "accepted"), ("cancellation", "accepted")]]


def test_a_pending_amendment_of_the_removed_guest_is_withdrawn(api, app):
    stay = create(api, guests=[f.citizen(), f.citizen(full_name="Lê Văn Nhầm", id_number="001090000123")])
    set_status(app, stay["guests"][1]["notifications"][0]["id"], "accepted")
    api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": stay["guests"][1]["id"], "phone": "0901234567"}]})
    body = _remove(api, stay, 1).get_json()
    assert events(body)[1] == [("arrival", "accepted"), ("amendment", "withdrawn"), ("cancellation", "pending")]


def test_the_last_guest_cannot_be_removed(api):
    single = create(api)
    r = _remove(api, single, 0)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert codes(r) == {("guests[0].removed", "guests.last_guest")}
    assert "hủy lượt lưu trú" in r.get_json()["errors"][0]["message"]
    pair = create(api, guests=[f.citizen(), f.citizen(full_name="Lê Văn Hai", id_number="001090000123")])
    assert codes(_remove(api, pair, 0, 1)) == {("guests[0].removed", "guests.last_guest")}
    assert events(api.get(f"/stays/{pair['id']}").get_json()) == [[("arrival", "pending")]] * 2
    # Removing one and adding the right person in the same correction is fine.
    r = api.patch(f"/stays/{single['id']}", json={"guests": [
        {"id": single["guests"][0]["id"], "removed": True},
        f.citizen(full_name="Người Đúng", id_number="001090000456")]})
    assert r.status_code == 200, r.get_json()
    assert [(g["full_name"], bool(g["removed_at"])) for g in r.get_json()["guests"]] == [
        (single["guests"][0]["full_name"], True), ("Người Đúng", False)]


def test_the_rules_are_checked_on_the_guests_who_stay(api):
    # A child under 14 without a number needs an adult of the stay who has one.
    stay = create(api, guests=[f.citizen(), f.child()])
    r = _remove(api, stay, 0)
    assert r.status_code == 422
    assert codes(r) == {(f"guests[id={stay['guests'][1]['id']}].id_number", "id_number.required")}
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"removed": True}]})
    assert r.status_code == 422 and ("guests[0].id", "required") in codes(r)
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": stay["guests"][0]["id"], "removed": "yes"}]})
    assert r.status_code == 422


def test_another_facilitys_guest_cannot_be_removed(api, app, client):
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        key = create_api_key(create_facility(code="OTHER", name="Nhà nghỉ Khác", kind="rental_rooms",
                                             ward_code="16681"), "test")
    headers = {"Authorization": f"Bearer {key}"}
    theirs = client.post("/api/v1/stays", headers=headers, json=f.stay(
        guests=[f.citizen(), f.citizen(full_name="Người Khác", id_number="001090000123")])).get_json()
    mine = create(api, guests=[f.citizen(), f.citizen(full_name="Lê Văn Hai", id_number="001090000789")])
    their_guest = theirs["guests"][1]["id"]
    # Their guest named in my stay is not found; their stay through my key is a 404.
    r = api.patch(f"/stays/{mine['id']}", json={"guests": [{"id": their_guest, "removed": True}]})
    assert r.status_code == 422 and codes(r) == {("guests[0].id", "not_found")}
    assert api.patch(f"/stays/{theirs['id']}", json={"guests": [{"id": their_guest, "removed": True}]}).status_code == 404
    after = client.get(f"/api/v1/stays/{theirs['id']}", headers=headers).get_json()
    assert [g["removed_at"] for g in after["guests"]] == [None, None]
    assert events(after) == [[("arrival", "pending")]] * 2


def test_a_removed_guest_is_not_in_house_and_does_not_depart(api, clock):
    stay = create(api, guests=[f.citizen(), f.citizen(full_name="Lê Văn Nhầm", id_number="001090000123")])
    _remove(api, stay, 1)
    r = api.post(f"/stays/{stay['id']}/departure", json={"guest_ids": [stay["guests"][1]["id"]]})
    assert r.status_code == 422 and ("guest_ids[0]", "not_found") in codes(r)
    body = api.post(f"/stays/{stay['id']}/departure", json={}).get_json()
    assert body["status"] == "departed"
    assert events(body) == [[("arrival", "pending"), ("departure", "pending")], [("arrival", "withdrawn")]]


def test_removing_the_one_guest_still_in_house_ends_the_stay(api, clock):
    stay = create(api, guests=[f.citizen(), f.citizen(full_name="Lê Văn Nhầm", id_number="001090000123")])
    left = api.post(f"/stays/{stay['id']}/departure", json={"guest_ids": [stay["guests"][0]["id"]]}).get_json()
    clock.shift(timedelta(minutes=5))
    body = _remove(api, stay, 1).get_json()
    assert body["status"] == "departed" and body["departed_at"] == left["guests"][0]["departed_at"]


def test_a_later_correction_of_the_stay_leaves_the_removed_guest_alone(api, app):
    stay = create(api, guests=[f.citizen(), f.citizen(full_name="Lê Văn Nhầm", id_number="001090000123")])
    for guest in stay["guests"]:
        set_status(app, guest["notifications"][0]["id"], "accepted")
    _remove(api, stay, 1)
    body = api.patch(f"/stays/{stay['id']}", json={"room": "909"}).get_json()
    assert events(body) == [[("arrival", "accepted"), ("amendment", "pending")],
                            [("arrival", "accepted"), ("cancellation", "pending")]]
