"""Current guests by room with check-out per stay and per guest; history with statuses; corrections."""
import re

from sqlalchemy import select, update

from accommnotify.extensions import db
from accommnotify.models import Guest, Notification, Stay
from accommnotify.timeutil import utcnow
from tests import factories


def _post_stay(api, **kw):
    response = api.post("/stays", json=factories.stay(**kw))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _set(app, stay_id, **values):
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.stay_id == stay_id).values(**values))
        db.session.commit()


def test_in_house_guests_by_room_and_check_out_one_guest_then_all(app, staff, api):
    family = _post_stay(api, room="102", guests=[factories.citizen(full_name="Đỗ Văn Hùng"),
                                                 factories.child(full_name="Đỗ Thị Mai")])
    single = _post_stay(api, room="101", guests=[factories.citizen(full_name="Vũ Thị Lan")])
    page = staff.get("/facility/").get_data(as_text=True)
    page = page[page.index('<section class="room"'):]  # the rooms (the deadline clock above them is by deadline)
    assert page.index("Phòng 101") < page.index("Phòng 102")
    assert page.index("Vũ Thị Lan") < page.index("Đỗ Văn Hùng")
    child_id = family["guests"][1]["id"]
    assert f'name="guest_id" value="{child_id}"' in page

    response = staff.post(f"/facility/stays/{family['id']}/departure", {"guest_id": child_id})
    assert response.status_code == 302
    with app.app_context():
        child = db.session.get(Guest, child_id)
        assert child.departed_at is not None
        assert db.session.get(Stay, family["id"]).status == "in_house"
        departures = db.session.execute(select(Notification).where(Notification.event == "departure")).scalars().all()
        assert [n.guest_id for n in departures] == [child_id]
    page = staff.get("/facility/").get_data(as_text=True)
    assert "đã rời đi lúc" in page

    assert staff.post(f"/facility/stays/{family['id']}/departure").status_code == 302
    assert staff.post(f"/facility/stays/{single['id']}/departure", {"next": f"/facility/stays/{single['id']}"}) \
        .headers["Location"].endswith(f"/facility/stays/{single['id']}")
    with app.app_context():
        assert db.session.get(Stay, family["id"]).status == "departed"
        assert len(db.session.execute(select(Notification).where(Notification.event == "departure")).all()) == 3
    page = staff.get("/facility/").get_data(as_text=True)
    in_house = page.split('id="clock-title"')[1].split("</section>", 1)[1]  # the clock still lists the departures
    assert "Hiện không có khách" in in_house and "Đỗ Văn Hùng" not in in_house


def test_checkout_needs_csrf(staff, api):
    stay = _post_stay(api)
    assert staff.client.post(f"/facility/stays/{stay['id']}/departure").status_code == 400


def test_history_shows_pending_accepted_with_receipt_rejected_with_reason_and_late(app, staff, api):
    pending = _post_stay(api, guests=[factories.citizen(full_name="Khách Chờ Gửi")])
    accepted = _post_stay(api, guests=[factories.citizen(full_name="Khách Đã Nhận")])
    rejected = _post_stay(api, guests=[factories.citizen(full_name="Khách Bị Từ Chối")])
    _set(app, accepted["id"], status="accepted", receipt="RCPT-000123", late=True, delivered_at=utcnow())
    _set(app, rejected["id"], status="rejected", rejection_code="person.unknown",
         rejection_message="Không tìm thấy công dân trong CSDL quốc gia")
    page = staff.get("/facility/history").get_data(as_text=True)
    for name in ("Khách Chờ Gửi", "Khách Đã Nhận", "Khách Bị Từ Chối"):
        assert name in page
    assert "Chờ gửi" in page and "Đã tiếp nhận" in page and "RCPT-000123" in page and "trễ hạn" in page
    assert "Bị từ chối" in page and "Không tìm thấy công dân trong CSDL quốc gia" in page
    assert f"/facility/stays/{rejected['id']}/correct" in page  # "needs a correction" list
    assert "cần sửa" in staff.get("/facility/").get_data(as_text=True)
    english = staff.get("/facility/history?lang=en").get_data(as_text=True)
    assert "Accepted" in english and "Receipt" in english and "late" in english
    assert pending["id"] in english


def test_history_pages_with_a_cursor(app, staff, api):
    for _ in range(27):
        _post_stay(api)
    first = staff.get("/facility/history").get_data(as_text=True)
    assert first.count('class="card stay history-stay"') == 25
    cursor = re.search(r'href="/facility/history\?cursor=([^"]+)" rel="next"', first).group(1)
    second = staff.get(f"/facility/history?cursor={cursor}").get_data(as_text=True)
    assert second.count('class="card stay history-stay"') == 2
    assert staff.get("/facility/history?cursor=' OR 1=1 --").status_code == 200


def test_a_rejected_notification_is_corrected_with_an_amendment(app, staff, api):
    stay = _post_stay(api, room="301", guests=[factories.citizen(full_name="Nguyen Van Sai")])
    guest_id = stay["guests"][0]["id"]
    _set(app, stay["id"], status="rejected", rejection_code="name.mismatch", rejection_message="Họ tên không khớp")
    page = staff.get(f"/facility/stays/{stay['id']}").get_data(as_text=True)
    assert "Sửa thông tin bị từ chối" in page
    form = staff.get(f"/facility/stays/{stay['id']}/correct").get_data(as_text=True)
    assert "Họ tên không khớp" in form and 'value="Nguyen Van Sai"' in form
    values = dict(re.findall(r'<input id="([^"]+)" name="[^"]+" type="(?:text|date|datetime-local|tel)" value="([^"]*)"', form))
    values.update({"g-0-kind": "citizen", "g-0-sex": "male", "reason": "tourism", "g-0-id": guest_id})

    bad = dict(values, **{"g-0-id_number": "12345"})
    response = staff.post(f"/facility/stays/{stay['id']}/correct", bad)
    assert response.status_code == 422
    assert 'id="g-0-id_number-error"' in response.get_data(as_text=True)

    good = dict(values, **{"g-0-full_name": "Nguyễn Văn Sai"})
    response = staff.post(f"/facility/stays/{stay['id']}/correct", good)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.get(Guest, guest_id).full_name == "Nguyễn Văn Sai"
        notes = db.session.execute(select(Notification).order_by(Notification.id)).scalars().all()
        assert [(n.event, n.status) for n in notes] == [("arrival", "rejected"), ("amendment", "pending")]
        assert notes[1].amends == notes[0].id
    # Saving again without changes sends nothing more.
    staff.post(f"/facility/stays/{stay['id']}/correct", good)
    with app.app_context():
        assert len(db.session.execute(select(Notification)).all()) == 2


def test_correcting_before_delivery_updates_in_place(app, staff, api):
    stay = _post_stay(api, room="301")
    form = staff.get(f"/facility/stays/{stay['id']}/correct").get_data(as_text=True)
    values = dict(re.findall(r'<input id="([^"]+)" name="[^"]+" type="(?:text|date|datetime-local|tel)" value="([^"]*)"', form))
    values.update({"g-0-kind": "citizen", "g-0-sex": "male", "reason": "tourism",
                   "g-0-id": stay["guests"][0]["id"], "room": "305"})
    assert staff.post(f"/facility/stays/{stay['id']}/correct", values).status_code == 302
    with app.app_context():
        assert db.session.get(Stay, stay["id"]).room == "305"
        assert [n.event for n in db.session.execute(select(Notification)).scalars()] == ["arrival"]


def test_in_house_title_counts_guests_and_rooms_not_stays(staff, api):
    family = _post_stay(api, room="102", guests=[factories.citizen(), factories.citizen(), factories.child()])
    _post_stay(api, room="103", guests=[factories.citizen()])
    page = staff.get("/facility/").get_data(as_text=True)
    assert "(4 khách · 2 phòng)" in page
    staff.post(f"/facility/stays/{family['id']}/departure", {"guest_id": family["guests"][2]["id"]})
    assert "(3 khách · 2 phòng)" in staff.get("/facility/").get_data(as_text=True)
    assert "(3 guests · 2 rooms)" in staff.get("/facility/?lang=en").get_data(as_text=True)


def test_a_correction_adds_a_guest_who_gets_an_arrival_of_his_own(app, staff, api):
    stay = _post_stay(api, room="301", guests=[factories.citizen(full_name="Khách Đầu Tiên")])
    _set(app, stay["id"], status="accepted", receipt="RCPT-1", delivered_at=utcnow())
    form = staff.get(f"/facility/stays/{stay['id']}/correct").get_data(as_text=True)
    assert 'formaction="/facility/stays/' in form and "+ Thêm khách" in form
    values = dict(re.findall(r'<input id="([^"]+)" name="[^"]+" type="(?:text|date|datetime-local|tel)" value="([^"]*)"', form))
    values.update({"g-0-kind": "citizen", "g-0-sex": "male", "reason": "tourism", "g-0-id": stay["guests"][0]["id"]})
    added = staff.post(f"/facility/stays/{stay['id']}/correct", dict(values, action="add")).get_data(as_text=True)
    assert 'id="g-1-box"' in added and 'name="g-1-id"' not in added
    assert 'value="remove:1" class="link remove-guest"' in added    # the unsaved guest just goes;
    assert 'value="remove:0" class="link remove-saved"' in added    # the saved one after a confirmation
    child = {"g-1-kind": "citizen", "g-1-full_name": "Khách Thêm Sau", "g-1-sex": "female",
             "g-1-date_of_birth": "2020-02-02"}
    missing = staff.post(f"/facility/stays/{stay['id']}/correct", dict(values, **dict(child, **{"g-1-sex": ""})))
    assert missing.status_code == 422 and 'id="g-1-sex-error"' in missing.get_data(as_text=True)
    assert 'value="Khách Thêm Sau"' in missing.get_data(as_text=True)
    response = staff.post(f"/facility/stays/{stay['id']}/correct", dict(values, **child))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        guests = db.session.execute(select(Guest).where(Guest.stay_id == stay["id"]).order_by(Guest.position)).scalars().all()
        assert [g.full_name for g in guests] == ["Khách Đầu Tiên", "Khách Thêm Sau"]
        notes = db.session.execute(select(Notification).order_by(Notification.id)).scalars().all()
        assert [(n.event, n.status, n.guest_id) for n in notes] == [
            ("arrival", "accepted", guests[0].id), ("arrival", "pending", guests[1].id)]
    removed = staff.post(f"/facility/stays/{stay['id']}/correct", dict(values, **child, action="remove:1"))
    assert 'id="g-1-box"' not in removed.get_data(as_text=True)


def test_needs_a_correction_leaves_out_cancelled_stays_and_removed_guests(app, staff, api):
    kept = _post_stay(api, guests=[factories.citizen(full_name="Khách Còn Sửa")])
    cancelled = _post_stay(api, guests=[factories.citizen(full_name="Khách Đã Hủy")])
    pair = _post_stay(api, guests=[factories.citizen(full_name="Khách Thật"),
                                   factories.citizen(full_name="Khách Nhập Nhầm", id_number="001090000123")])
    for stay in (kept, cancelled, pair):
        _set(app, stay["id"], status="rejected", rejection_code="person.unknown", rejection_message="Không khớp")
    assert api.post(f"/stays/{cancelled['id']}/cancel", json={"reason": "nhập nhầm"}).status_code == 200
    wrong = pair["guests"][1]["id"]
    patched = api.patch(f"/stays/{pair['id']}", json={"guests": [{"id": wrong, "removed": True}]})
    assert patched.status_code == 200, patched.get_json()
    for path in ("/facility/", "/facility/history"):
        page = staff.get(path).get_data(as_text=True)
        needs = page[page.index("cần sửa"):]
        needs = needs[:needs.index("</ul>")]  # the list of what needs a correction
        assert "Khách Còn Sửa" in needs and "Khách Thật" in needs, path
        assert cancelled["id"] not in needs and "Khách Đã Hủy" not in needs and "Khách Nhập Nhầm" not in needs, path
    # the API still lists every rejected notification
    listed = api.get("/notifications?status=rejected").get_json()["notifications"]
    assert len(listed) == 4
