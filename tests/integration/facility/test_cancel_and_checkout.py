"""Cancelling a stay entered by mistake and checking out from the pages, through the API's services."""
from sqlalchemy import select, update

from accommnotify.extensions import db
from accommnotify.models import Notification, Stay
from accommnotify.timeutil import utcnow
from tests import factories


def _post_stay(api, **kw):
    response = api.post("/stays", json=factories.stay(**kw))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _events(app, stay_id):
    with app.app_context():
        return sorted((n.event, n.status) for n in db.session.execute(
            select(Notification).where(Notification.stay_id == stay_id)).scalars())


def test_cancel_asks_for_a_reason_and_a_confirmation_then_withdraws(app, staff, api):
    stay = _post_stay(api, guests=[factories.citizen(full_name="Khách Nhập Nhầm")])
    detail = staff.get(f"/facility/stays/{stay['id']}").get_data(as_text=True)
    assert f"/facility/stays/{stay['id']}/cancel" in detail
    page = staff.get(f"/facility/stays/{stay['id']}/cancel")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Lý do hủy" in text and "Đồng ý, hủy lần lưu trú này" in text
    with app.app_context():
        assert db.session.get(Stay, stay["id"]).status == "in_house"  # the GET changed nothing

    empty = staff.post(f"/facility/stays/{stay['id']}/cancel", {"reason": "  "})
    assert empty.status_code == 422
    assert 'id="reason-error"' in empty.get_data(as_text=True)
    assert '<span class="where">Lý do hủy:</span>' in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Stay, stay["id"]).status == "in_house"

    done = staff.post(f"/facility/stays/{stay['id']}/cancel", {"reason": "Khai báo hai lần"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/facility/stays/{stay['id']}")
    with app.app_context():
        row = db.session.get(Stay, stay["id"])
        assert row.status == "cancelled" and row.cancel_reason == "Khai báo hai lần"
    assert _events(app, stay["id"]) == [("arrival", "withdrawn")]
    after = staff.get(f"/facility/stays/{stay['id']}").get_data(as_text=True)
    assert "Đã hủy lần lưu trú" in after and f"/facility/stays/{stay['id']}/cancel" not in after


def test_cancel_after_delivery_sends_a_cancellation(app, staff, api):
    stay = _post_stay(api)
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.stay_id == stay["id"])
                           .values(status="accepted", delivered_at=utcnow()))
        db.session.commit()
    staff.get(f"/facility/stays/{stay['id']}/cancel")
    assert staff.post(f"/facility/stays/{stay['id']}/cancel", {"reason": "Nhầm cơ sở"}).status_code == 302
    assert _events(app, stay["id"]) == [("arrival", "accepted"), ("cancellation", "pending")]


def test_cancel_needs_csrf_and_the_own_facility(app, staff, api):
    stay = _post_stay(api)
    assert staff.client.post(f"/facility/stays/{stay['id']}/cancel", data={"reason": "x"}).status_code == 400
    assert staff.get("/facility/stays/st_nope/cancel").status_code == 404


def _guest_departed_at(app, guest_id):
    from accommnotify.models import Guest
    with app.app_context():
        return db.session.get(Guest, guest_id).departed_at


def test_checkout_asks_for_a_confirmation_and_takes_an_earlier_time(app, staff, api):
    stay = _post_stay(api, arrived_at="2026-11-26T20:00:00+07:00",
                      guests=[factories.citizen(full_name="Khách Đi Sớm"), factories.citizen(full_name="Khách Ở Lại")])
    early, other = stay["guests"][0]["id"], stay["guests"][1]["id"]
    index = staff.get("/facility/").get_data(as_text=True)
    assert f'action="/facility/stays/{stay["id"]}/departure"' in index and 'method="get"' in index
    confirm = staff.get(f"/facility/stays/{stay['id']}/departure?guest_id={early}")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Xác nhận trả phòng" in text and "Khách Đi Sớm" in text
    assert "Khách Ở Lại" not in text and 'value="2026-11-27T14:00"' in text   # now, by default
    assert _guest_departed_at(app, early) is None                               # the GET changed nothing

    future = staff.post(f"/facility/stays/{stay['id']}/departure", {"guest_id": early, "departed_at": "2026-11-27T18:00"})
    assert future.status_code == 422
    assert 'id="departed_at-error"' in future.get_data(as_text=True)
    assert 'value="2026-11-27T18:00"' in future.get_data(as_text=True)          # what was typed is kept
    before = staff.post(f"/facility/stays/{stay['id']}/departure", {"guest_id": early, "departed_at": "2026-11-26T19:00"})
    assert before.status_code == 422 and _guest_departed_at(app, early) is None

    done = staff.post(f"/facility/stays/{stay['id']}/departure", {"guest_id": early, "departed_at": "2026-11-27T06:00"})
    assert done.status_code == 302
    left = _guest_departed_at(app, early)
    assert left is not None and left.astimezone(factories.VN_TZ).strftime("%d %H:%M") == "27 06:00"
    assert _guest_departed_at(app, other) is None


def test_undo_a_checkout_while_the_departure_is_pending(app, staff, api, clock):
    stay = _post_stay(api, guests=[factories.citizen(full_name="Khách Trả Nhầm")])
    assert staff.post(f"/facility/stays/{stay['id']}/departure").status_code == 302
    page = staff.get("/facility/").get_data(as_text=True)
    assert "Hoàn tác trả phòng" in page and "Khách Trả Nhầm" in page
    undone = staff.post(f"/facility/stays/{stay['id']}/departure/undo")
    assert undone.status_code == 302
    with app.app_context():
        assert db.session.get(Stay, stay["id"]).status == "in_house"
    assert _guest_departed_at(app, stay["guests"][0]["id"]) is None
    assert _events(app, stay["id"]) == [("arrival", "pending"), ("departure", "withdrawn")]
    assert "Hoàn tác trả phòng" not in staff.get("/facility/").get_data(as_text=True)

    # the second check-out: 11 minutes later it is too late, nothing changes
    assert staff.post(f"/facility/stays/{stay['id']}/departure").status_code == 302
    clock.shift(11 * 60)
    page = staff.get(f"/facility/stays/{stay['id']}").get_data(as_text=True)
    assert "Hoàn tác trả phòng" not in page
    assert staff.post(f"/facility/stays/{stay['id']}/departure/undo").status_code == 302
    with app.app_context():
        assert db.session.get(Stay, stay["id"]).status == "departed"
    assert "Không thể hoàn tác" in staff.get(f"/facility/stays/{stay['id']}").get_data(as_text=True)


def test_no_undo_once_the_departure_left(app, staff, api):
    stay = _post_stay(api)
    assert staff.post(f"/facility/stays/{stay['id']}/departure").status_code == 302
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.event == "departure").values(status="sending"))
        db.session.commit()
    assert "Hoàn tác trả phòng" not in staff.get("/facility/").get_data(as_text=True)
    staff.post(f"/facility/stays/{stay['id']}/departure/undo")
    with app.app_context():
        assert db.session.get(Stay, stay["id"]).status == "departed"
