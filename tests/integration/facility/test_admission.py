"""Hospitals (issue 13 item 1) on the facility pages: the quick (night) admission of a patient with
relatives or carers, the hospital words (admission, discharge, department / bed) in one place, and a
relative added or removed on the correction page without touching the patient."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.models import Guest, Stay
from accommnotify.rules.id_number import make_id_number
from tests import factories
from tests.integration.facility.conftest import login, make_user
from tests.integration.facility.test_new_stay import error_of, field_value, local_input
from tests.integration.facility.test_remove_guest_page import _form_values
from tests.integration.stored_rows import stay_snapshot

PATIENT_ID = make_id_number("001", "male", date(1950, 4, 2), tail="101010")
WIFE_ID = make_id_number("001", "female", date(1953, 7, 9), tail="202020")
SON_QR = f"{make_id_number('079', 'male', date(1980, 1, 2), tail='303030')}||Trần Quốc Con|02011980|Nam|5 Trần Phú|10102021"


@pytest.fixture
def hospital(app):
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="BV-1", name="Bệnh viện Đa khoa Sen", kind="medical_facility", ward_code="16681",
                        address="1 Lê Lợi")
    make_user(app, code="BV-1", email="night@example.com")


@pytest.fixture
def nurse(client, hospital):
    return login(client, email="night@example.com")


def admission_form(**extra):
    data = {"form_ref": "WEB-NIGHT-1", "department": "Hồi sức", "bed": "12", "arrived_at": local_input(),
            "g-0-full_name": "Trần Văn Bệnh", "g-0-date_of_birth": "1950-04-02", "g-0-sex": "male",
            "g-0-id_number": PATIENT_ID,
            "g-1-full_name": "Nguyễn Thị Vợ", "g-1-date_of_birth": "1953-07-09", "g-1-sex": "female",
            "g-1-id_number": WIFE_ID, "action": "submit"}
    data.update(extra)
    return data


def test_the_quick_admission_page_has_the_fewest_fields_in_vietnamese(nurse, clock):
    page = nurse.get("/facility/admissions/new").get_data(as_text=True)
    for words in ("Nhập viện nhanh", "Khoa", "Giường", "Giờ nhập viện", "Người bệnh", "+ Thêm người nhà",
                  "Quét mã QR căn cước"):
        assert words in page, words
    assert field_value(page, "arrived_at") == factories.local_now().strftime("%Y-%m-%dT%H:%M")  # now, prefilled
    # No reason, nationality or foreigner fields: a citizen patient, reason medical treatment.
    for name in ("reason", "g-0-nationality", "g-0-kind", "g-0-visa_kind", "room"):
        assert f'name="{name}"' not in page, name
    assert 'href="/facility/admissions/new"' in page  # in the menu of a hospital
    assert "Quick admission" in nurse.get("/facility/admissions/new?lang=en").get_data(as_text=True)


def test_a_hotel_has_no_quick_admission(staff):
    assert staff.get("/facility/admissions/new").status_code == 404
    assert staff.post("/facility/admissions/new", admission_form()).status_code == 404
    assert 'href="/facility/admissions/new"' not in staff.get("/facility/").get_data(as_text=True)


def test_a_night_admission_with_two_companions(app, nurse):
    # One tap adds a relative box; the third person fills from a chip-ID QR scan.
    added = nurse.post("/facility/admissions/new", admission_form(action="add")).get_data(as_text=True)
    assert 'id="g-2-box"' in added and field_value(added, "g-1-full_name") == "Nguyễn Thị Vợ"
    filled = nurse.post("/facility/admissions/new", admission_form(**{"g-2-scan": SON_QR, "action": "scan:2"}))
    page = filled.get_data(as_text=True)
    assert field_value(page, "g-2-full_name") == "Trần Quốc Con" and field_value(page, "g-2-date_of_birth") == "1980-01-02"
    values = admission_form(**{f"g-2-{k}": field_value(page, f"g-2-{k}") for k in ("full_name", "date_of_birth", "sex", "id_number")})
    values.update({"g-2-document_kind": "cccd", "g-2-permanent_address": "5 Trần Phú"})
    done = nurse.post("/facility/admissions/new", values)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    with app.app_context():
        stay = db.session.execute(select(Stay).where(Stay.external_ref == "WEB-NIGHT-1")).scalar_one()
        assert (stay.room, stay.reason, stay.source) == ("Hồi sức / 12", "medical_treatment", "form")
        guests = db.session.execute(select(Guest).where(Guest.stay_id == stay.id).order_by(Guest.position)).scalars().all()
        assert [g.full_name for g in guests] == ["Trần Văn Bệnh", "Nguyễn Thị Vợ", "Trần Quốc Con"]
        assert [g.accompanies_guest_id for g in guests] == [None, guests[0].id, guests[0].id]
        assert guests[2].document_kind == "cccd" and guests[2].permanent_address == "5 Trần Phú"
    detail = nurse.get(done.headers["Location"]).get_data(as_text=True)
    assert detail.count("Người nhà của Trần Văn Bệnh") == 2 and "Khoa / Giường Hồi sức / 12" in detail
    assert "Nhập viện" in detail and "Ra viện tất cả" in detail
    home = nurse.get("/facility/").get_data(as_text=True)
    assert "Khoa / Giường Hồi sức / 12" in home and "Nhập viện " in home and "Ra viện" in home
    assert "Phòng Hồi sức" not in home, re.findall(r".{80}Phòng Hồi sức.{20}", home)
    assert "Trả phòng" not in home, re.findall(r".{200}Trả phòng.{80}", home, re.S)
    # Sending the same form again makes no second stay (form_ref).
    assert nurse.post("/facility/admissions/new", values).status_code == 302
    with app.app_context():
        assert db.session.query(Stay).count() == 1


def test_errors_stay_beside_their_fields_and_nothing_typed_is_lost(nurse):
    r = nurse.post("/facility/admissions/new", admission_form(**{"g-1-full_name": "", "department": "x" * 60}))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert error_of(page, "g-1-full_name") and error_of(page, "department")
    assert field_value(page, "g-1-date_of_birth") == "1953-07-09" and field_value(page, "bed") == "12"
    # The patient's box has no remove button; a relative's does, and removing one keeps the patient.
    assert 'value="remove:0"' not in page and 'value="remove:1"' in page
    left = nurse.post("/facility/admissions/new", admission_form(action="remove:0")).get_data(as_text=True)
    assert field_value(left, "g-0-full_name") == "Trần Văn Bệnh"
    one = nurse.post("/facility/admissions/new", admission_form(action="remove:1")).get_data(as_text=True)
    assert 'id="g-1-box"' not in one


@pytest.mark.parametrize("hostile", [
    {"action": "remove:99999999999"}, {"action": "remove:-1"}, {"action": "scan:x"}, {"action": "??"},
    {"g-0-scan": "|" * 500}, {"g-7-full_name": "Lạc Chỗ"}, {"arrived_at": "2026-13-45T99:99"},
    {"bed": "b" * 5000}, {"g-0-id_number": "١٢٣"}, {"g-1-sex": "robot"}, {"external_ref": " "},
])
def test_hostile_values_answer_below_500(nurse, hostile):
    assert nurse.post("/facility/admissions/new", admission_form(**hostile)).status_code < 500


def test_a_relative_added_and_removed_on_the_correction_page_leaves_the_patient_alone(app, nurse):
    done = nurse.post("/facility/admissions/new", admission_form())
    stay_id = done.headers["Location"].rsplit("/", 1)[1]
    url = f"/facility/stays/{stay_id}/correct"
    before = stay_snapshot(app, stay_id)
    patient = before["guests"][0] if before["guests"][0]["accompanies_guest_id"] is None else before["guests"][1]

    def patient_rows(snapshot):
        return ([g for g in snapshot["guests"] if g["id"] == patient["id"]],
                [n for n in snapshot["notifications"] if n["guest_id"] == patient["id"]])

    page = nurse.get(url).get_data(as_text=True)
    assert 'value="add_companion"' in page and "+ Thêm người nhà" in page
    stay = {"reason": "medical_treatment", "guests": [{"sex": "male"}, {"sex": "female"}]}
    values = _form_values(page, stay)
    values.update(re.findall(r'<input type="hidden" name="(g-\d+-accompanies)" value="([^"]+)"', page))
    added = nurse.post(url, dict(values, action="add_companion")).get_data(as_text=True)
    assert f'name="g-2-accompanies" value="{patient["id"]}"' in added
    new = {"g-2-kind": "citizen", "g-2-full_name": "Trần Thị Thay", "g-2-date_of_birth": "1985-02-03",
           "g-2-sex": "female", "g-2-id_number": make_id_number("001", "female", date(1985, 2, 3), tail="404040"),
           "g-2-accompanies": patient["id"]}
    saved = nurse.post(url, dict(values, action="submit", **new))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    after = stay_snapshot(app, stay_id)
    assert patient_rows(after) == patient_rows(before)
    newcomer = next(g for g in after["guests"] if g["full_name"] == "Trần Thị Thay")
    assert newcomer["accompanies_guest_id"] == patient["id"]

    # The wife goes home: "Xóa khách này" on her, confirmed; the patient is untouched.
    page = nurse.get(url).get_data(as_text=True)
    values = _form_values(page, {"reason": "medical_treatment", "guests": [{"sex": "male"}, {"sex": "female"}, {"sex": "female"}]})
    removed = nurse.post(url, dict(values, action="remove_confirm:1"))
    assert removed.status_code == 302, removed.get_data(as_text=True)[:3000]
    final = stay_snapshot(app, stay_id)
    assert patient_rows(final) == patient_rows(before)
    assert [g["full_name"] for g in final["guests"] if g["removed_at"] is not None] == ["Nguyễn Thị Vợ"]
    # Removing the patient while relatives stay linked is refused, with the reason beside the guest.
    page = nurse.get(url).get_data(as_text=True)
    values = _form_values(page, {"reason": "medical_treatment", "guests": [{"sex": "male"}, {"sex": "female"}]})
    refused = nurse.post(url, dict(values, action="remove_confirm:0"))
    assert refused.status_code == 422 and "người nhà" in refused.get_data(as_text=True)
    assert patient_rows(stay_snapshot(app, stay_id)) == patient_rows(before)


def test_discharge_words_on_the_check_out_page_and_no_room_count(app, nurse):
    done = nurse.post("/facility/admissions/new", admission_form())
    stay_id = done.headers["Location"].rsplit("/", 1)[1]
    page = nurse.get(f"/facility/stays/{stay_id}/departure").get_data(as_text=True)
    assert "<h1>Ra viện</h1>" in page and "Xác nhận ra viện" in page and "Giờ ra viện" in page
    assert "Trả phòng" not in page and "trả phòng" not in page
    home = nurse.get("/facility/").get_data(as_text=True)
    assert "(2 khách)" in home and "phòng)" not in home
    english = nurse.get(f"/facility/stays/{stay_id}/departure?lang=en").get_data(as_text=True)
    assert "Confirm discharge" in english and "Discharged at" in english
