"""A facility's key cannot change another facility's stay: PATCH, departure and cancel answer 404 and
leave the other stay exactly as it was (status, departure, room, guests, no new notification).

The 404 alone proves nothing: the stay is read back through the facility filter after the write is
committed, so a write path without the filter would still answer 404 -- after changing the stay.
These tests look at the stored rows.
"""
import pytest
from sqlalchemy import update

from accommnotify.extensions import db
from accommnotify.models import Notification
from tests import factories as f
from tests.integration.stored_rows import stay_snapshot


@pytest.fixture
def theirs(app, client):
    """Another facility (same ward) with a stay of two guests, posted with its own key: (stay, its key)."""
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        key = create_api_key(create_facility(code="OTHER", name="Nhà nghỉ Khác", kind="rental_rooms",
                                             ward_code="16681", address="3 Khác"), "test")
    response = client.post("/api/v1/stays", headers={"Authorization": f"Bearer {key}"},
                           json=f.stay(room="201", guests=[f.citizen(full_name="Người Khác Một"),
                                                           f.citizen(full_name="Người Khác Hai")]))
    assert response.status_code == 201, response.get_json()
    return response.get_json(), key


WRITES = {
    "patch-room": ("patch", "", {"room": "999"}),
    "patch-guest": ("patch", "", {"guests": [{"full_name": "Khách Thêm Vào", "date_of_birth": "1990-01-01",
                                              "sex": "female", "nationality": "VNM",
                                              "id_number": "001190000777"}]}),
    "departure": ("post", "/departure", {}),
    "departure-one-guest": ("post", "/departure", None),      # guest_ids filled in below
    "cancel": ("post", "/cancel", {"reason": "nhầm"}),
}


@pytest.mark.parametrize("delivered", [False, True], ids=["arrival-pending", "arrival-accepted"])
@pytest.mark.parametrize("write", list(WRITES))
def test_another_facilitys_stay_is_not_changed(app, api, client, theirs, write, delivered):
    stay, their_key = theirs
    if delivered:   # once the police may have it, a change would add amendment/departure/cancellation rows
        with app.app_context():
            db.session.execute(update(Notification).where(Notification.stay_id == stay["id"])
                               .values(status="accepted", receipt="RCPT-1"))
            db.session.commit()
    method, suffix, body = WRITES[write]
    if body is None:
        body = {"guest_ids": [stay["guests"][0]["id"]]}
    before = stay_snapshot(app, stay["id"])
    their_view = client.get(f"/api/v1/stays/{stay['id']}", headers={"Authorization": f"Bearer {their_key}"})

    response = getattr(api, method)(f"/stays/{stay['id']}{suffix}", json=body)

    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert "Người Khác" not in response.get_data(as_text=True)
    after = stay_snapshot(app, stay["id"])
    [row] = after["stay"]
    assert (row["status"], row["departed_at"], row["cancelled_at"], row["room"]) == ("in_house", None, None, "201")
    assert [g["departed_at"] for g in after["guests"]] == [None, None]
    assert [(n["event"], n["status"]) for n in after["notifications"]] == \
        [("arrival", "accepted" if delivered else "pending")] * 2
    assert after == before
    # and the owner reads its stay as before
    again = client.get(f"/api/v1/stays/{stay['id']}", headers={"Authorization": f"Bearer {their_key}"})
    assert again.get_json() == their_view.get_json()


def test_the_owner_can_still_make_each_change(app, client, theirs):
    """The same requests with the owner's key do change the stay (the checks above can fail)."""
    stay, their_key = theirs
    headers = {"Authorization": f"Bearer {their_key}"}
    url = f"/api/v1/stays/{stay['id']}"
    assert client.patch(url, json={"room": "999"}, headers=headers).get_json()["room"] == "999"
    departed = client.post(url + "/departure", json={"guest_ids": [stay["guests"][0]["id"]]}, headers=headers)
    assert departed.status_code == 200 and departed.get_json()["guests"][0]["departed_at"]
    cancelled = client.post(url + "/cancel", json={"reason": "nhầm"}, headers=headers)
    assert cancelled.get_json()["status"] == "cancelled"
    assert stay_snapshot(app, stay["id"])["stay"][0]["status"] == "cancelled"
