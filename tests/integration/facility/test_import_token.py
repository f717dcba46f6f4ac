"""The import confirmation token is bound to the facility that previewed the file (issue 15).

A token is signed, so it cannot be forged; but a genuine token of facility A, posted by a user of
facility B, must not store A's guest list under B (nor under A).
"""
import csv
import io
import re
from datetime import date

from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.facility.importer import COLUMNS
from accommnotify.intake.facilities import create_facility
from accommnotify.models import Guest, Stay
from accommnotify.rules.id_number import make_id_number
from tests import factories

from .conftest import login, make_user


def guest_list_csv() -> bytes:
    head = [vi for _, vi, _ in COLUMNS]
    values = {"Mã đặt phòng": "BK-A1", "Phòng": "101", "Lý do lưu trú": "Du lịch",
              "Ngày giờ đến": factories.local_now().strftime("%d/%m/%Y %H:%M"),
              "Họ và tên": "Trần Văn Nam", "Ngày sinh": "17/05/1990", "Giới tính": "Nam", "Quốc tịch": "VNM",
              "Số định danh cá nhân": make_id_number("001", "male", date(1990, 5, 17), tail="100001")}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerow([values.get(h, "") for h in head])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def stays_per_facility(app) -> dict:
    with app.app_context():
        rows = db.session.execute(select(Stay.facility_id, func.count()).group_by(Stay.facility_id)).all()
        guests = db.session.scalar(select(func.count()).select_from(Guest))
        db.session.rollback()
    return {"stays": dict(rows), "guests": guests}


def test_import_token_of_one_facility_stores_nothing_when_posted_by_another(app, client, facility):
    with app.app_context():
        other = create_facility(code="HOTEL-2", name="Nhà nghỉ Mai", kind="tourist_accommodation",
                                ward_code="16681", address="3 Lê Lợi")
        other_id = other.id
    make_user(app, code="HOTEL-1", email="a@example.com")
    make_user(app, code="HOTEL-2", email="b@example.com")

    # facility A previews its file and gets a genuine confirmation token
    staff_a = login(client, email="a@example.com")
    preview = staff_a.post("/facility/import", {"file": (io.BytesIO(guest_list_csv()), "khach.csv")},
                           content_type="multipart/form-data")
    assert preview.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True)).group(1)

    # a user of facility B posts it (with B's own, valid CSRF token): refused, nothing stored
    staff_b = login(app.test_client(), email="b@example.com")
    response = staff_b.post("/facility/import/confirm", {"token": token})
    assert response.status_code == 400
    assert stays_per_facility(app) == {"stays": {}, "guests": 0}

    # the same token still works for the facility it was made for (the refusal was the binding)
    done = staff_a.post("/facility/import/confirm", {"token": token})
    assert done.status_code == 200
    counts = stays_per_facility(app)
    assert counts["stays"] == {facility[0].id: 1} and other_id not in counts["stays"]
