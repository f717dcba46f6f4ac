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
