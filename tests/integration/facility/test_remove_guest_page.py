"""Removing a saved guest from the correction page (issue 11, item 11): a button per saved guest,
a confirmation step, no JavaScript; the guest leaves the in-house list; another facility's staff
cannot do it."""
import re

from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.models import Guest, Notification
from tests import factories
from tests.integration.facility.conftest import login, make_user


def _form_values(html: str, stay: dict) -> dict:
    values = dict(re.findall(r'<input id="([^"]+)" name="[^"]+" type="(?:text|date|datetime-local|tel)" value="([^"]*)"', html))
    values.update(re.findall(r'<input type="hidden" name="(g-\d+-id)" value="([^"]+)"', html))
    values.update({"reason": stay["reason"]})
    for i, guest in enumerate(stay["guests"]):
        values.update({f"g-{i}-kind": "citizen", f"g-{i}-sex": guest["sex"]})
    return values


def test_the_owner_removes_a_guest_after_confirming(app, staff, api):
    stay = api.post("/stays", json=factories.stay(room="102", guests=[
        factories.citizen(full_name="Đỗ Văn Hùng"), factories.citizen(full_name="Lê Văn Nhầm", id_number="001090000123"),
        factories.child(full_name="Đỗ Thị Mai")])).get_json()
    wrong = stay["guests"][1]
    url = f"/facility/stays/{stay['id']}/correct"
    page = staff.get(url).get_data(as_text=True)
    assert page.count("Xóa khách này (nhập nhầm)") == 3
    values = _form_values(page, stay)

    asked = staff.post(url, dict(values, **{"g-0-room": "", "room": "103", "action": "remove:1"}))
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Xóa Lê Văn Nhầm khỏi lần lưu trú này?" in html
    assert 'value="remove_confirm:1"' in html and 'value="103"' in html      # what was typed is kept
    with app.app_context():                                                    # nothing changed yet
        assert db.session.get(Guest, wrong["id"]).removed_at is None

    kept = staff.post(url, dict(values, action="keep")).get_data(as_text=True)
    assert "Xóa Lê Văn Nhầm khỏi" not in kept and 'value="Lê Văn Nhầm"' in kept

    done = staff.post(url, dict(values, room="103", action="remove_confirm:1"))
    assert done.status_code == 302, done.get_data(as_text=True)[:1500]
    detail = staff.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã xóa khách khỏi lần lưu trú" in detail and "<del class=\"name\">Lê Văn Nhầm</del>" in detail
    with app.app_context():
        assert db.session.get(Guest, wrong["id"]).removed_at is not None
        notes = db.session.execute(select(Notification.guest_id, Notification.status)
                                   .where(Notification.guest_id == wrong["id"])).all()
        assert [status for _gid, status in notes] == ["withdrawn"]
    home = staff.get("/facility/").get_data(as_text=True)
    assert "Lê Văn Nhầm" not in home and "(2 khách · 1 phòng)" in home
    again = staff.get(url).get_data(as_text=True)
    assert "Lê Văn Nhầm" not in again and again.count("Xóa khách này (nhập nhầm)") == 2


def test_the_only_guest_has_no_remove_button_and_a_forged_removal_is_refused(app, staff, api):
    stay = api.post("/stays", json=factories.stay()).get_json()
    url = f"/facility/stays/{stay['id']}/correct"
    page = staff.get(url).get_data(as_text=True)
    assert "Xóa khách này (nhập nhầm)" not in page
    forged = staff.post(url, dict(_form_values(page, stay), action="remove_confirm:0"))
    assert forged.status_code == 422
    assert "Không thể xóa khách cuối cùng" in forged.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Guest, stay["guests"][0]["id"]).removed_at is None


def test_another_facilitys_staff_cannot_remove_a_guest(app, client, api):
    from accommnotify.intake.facilities import create_facility
    stay = api.post("/stays", json=factories.stay(guests=[
        factories.citizen(), factories.citizen(full_name="Lê Văn Hai", id_number="001090000123")])).get_json()
    with app.app_context():
        create_facility(code="OTHER", name="Nhà nghỉ Khác", kind="rental_rooms", ward_code="16681")
    make_user(app, code="OTHER", email="other@example.com")
    other = login(client, email="other@example.com")
    values = {"g-0-id": stay["guests"][0]["id"], "g-1-id": stay["guests"][1]["id"], "g-1-full_name": "Lê Văn Hai",
              "action": "remove_confirm:1"}
    assert other.post(f"/facility/stays/{stay['id']}/correct", values).status_code == 404
    with app.app_context():
        assert db.session.get(Guest, stay["guests"][1]["id"]).removed_at is None
