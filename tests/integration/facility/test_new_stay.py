"""The new-stay form: a family with a child, inline errors from the one rule set, nothing typed lost,
guests added and removed without JavaScript, and filling from a scan."""
import html
import re
from datetime import date, timedelta

from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.models import Guest, Notification, Stay
from accommnotify.rules.id_number import make_id_number
from accommnotify.rules.mrz import make_td3
from tests import factories

ADULT_ID = make_id_number("079", "female", date(1988, 3, 9), tail="424242")
QR = f"{make_id_number('001', 'male', date(1985, 1, 2), tail='777777')}||Phạm Quốc Bảo|02011985|Nam|5 Trần Phú|10102021"


def local_input(delta=timedelta(hours=-1)) -> str:
    return (factories.local_now() + delta).strftime("%Y-%m-%dT%H:%M")


def family_form(**extra):
    data = {"room": "203", "arrived_at": local_input(), "reason": "family_visit", "form_ref": "WEB-TEST-1",
            "g-0-kind": "citizen", "g-0-full_name": "Lê Thị Hồng", "g-0-date_of_birth": "1988-03-09",
            "g-0-sex": "female", "g-0-id_number": ADULT_ID, "g-0-phone": "0912345678",
            "g-1-kind": "citizen", "g-1-full_name": "Lê Minh Khôi", "g-1-date_of_birth": str(date.today().year - 6) + "-06-01",
            "g-1-sex": "male", "g-1-id_number": "", "action": "submit"}
    data.update(extra)
    return data


def field_value(page: str, name: str) -> str:
    match = re.search(rf'<input id="{re.escape(name)}" name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    if match:
        return html.unescape(match.group(1))
    match = re.search(rf'<textarea id="{re.escape(name)}"[^>]*>([^<]*)</textarea>', page)
    if match:
        return html.unescape(match.group(1))
    match = re.search(rf'<select id="{re.escape(name)}".*?</select>', page, re.S)
    assert match, f"no field {name}"
    chosen = re.search(r'<option value="([^"]*)" selected>', match.group(0))
    return chosen.group(1) if chosen else ""


def error_of(page: str, name: str) -> str:
    match = re.search(rf'<p id="{re.escape(name)}-error" class="error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def test_new_stay_form_renders_in_vietnamese_with_labels(staff):
    page = staff.get("/facility/stays/new").get_data(as_text=True)
    assert '<html lang="vi">' in page
    for label in ("Họ và tên", "Ngày sinh", "Số định danh cá nhân", "Quét mã QR căn cước"):
        assert label in page
    for name in ("g-0-full_name", "g-0-date_of_birth", "g-0-id_number", "g-0-scan", "arrived_at"):
        assert f'<label for="{name}">' in page
    english = staff.get("/facility/stays/new?lang=en").get_data(as_text=True)
    assert "Full name" in english and '<html lang="en">' in english


def test_a_family_with_a_child_without_id_is_stored_with_pending_notifications(app, staff):
    response = staff.post("/facility/stays/new", family_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    detail = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lê Minh Khôi" in detail and "Chờ gửi" in detail
    with app.app_context():
        stay = db.session.execute(select(Stay)).scalar_one()
        assert (stay.source, stay.room, stay.reason, stay.external_ref) == ("form", "203", "family_visit", "WEB-TEST-1")
        guests = db.session.execute(select(Guest).order_by(Guest.position)).scalars().all()
        assert [g.id_number for g in guests] == [ADULT_ID, None]
        assert guests[0].phone == "0912345678"
        notes = db.session.execute(select(Notification)).scalars().all()
        assert sorted((n.event, n.status) for n in notes) == [("arrival", "pending")] * 2


def test_sending_the_same_form_twice_makes_one_stay(app, staff):
    first = staff.post("/facility/stays/new", family_form())
    second = staff.post("/facility/stays/new", family_form())
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert len(db.session.execute(select(Stay)).all()) == 1


def test_a_wrong_id_keeps_every_typed_value_and_shows_the_error_beside_the_field(app, staff):
    wrong = ADULT_ID[:4] + "99" + ADULT_ID[6:]  # birth year digits do not match 1988
    form = family_form(**{"g-0-id_number": wrong, "g-0-permanent_address": "Số 7, ngõ 12 Hàng Bạc",
                          "reason_note": "đám cưới", "expected_departure": local_input(timedelta(days=2)),
                          "external_ref": "BK-77"})
    response = staff.post("/facility/stays/new", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for name, value in form.items():
        if name in ("action", "form_ref", "csrf_token") or name.endswith("-kind"):
            continue
        assert field_value(page, name) == value, name
    assert 'name="form_ref" value="WEB-TEST-1"' in page
    assert "năm sinh" in error_of(page, "g-0-id_number").lower()
    assert 'aria-invalid="true"' in page and 'aria-describedby="g-0-id_number-error' in page
    assert error_of(page, "g-1-id_number") == ""  # the child is fine: its guardian's number is merely wrong
    with app.app_context():
        assert db.session.execute(select(Stay)).first() is None


def test_one_rule_source_same_bad_id_same_code_in_api_and_form(app, staff, api):
    """The API and the form report the same code and message for the same bad number."""
    for bad in (ADULT_ID[:4] + "99" + ADULT_ID[6:], "123456789", "999" + ADULT_ID[3:], "00108800000"):
        guest = factories.citizen(full_name="Lê Thị Hồng", dob=date(1988, 3, 9), sex="female", id_number=bad)
        problem = api.post("/stays", json=factories.stay(guests=[guest]), headers={"Accept-Language": "en"}).get_json()
        api_error = next(e for e in problem["errors"] if e["field"] == "guests[0].id_number")
        page = staff.post("/facility/stays/new?lang=en", family_form(**{"g-0-id_number": bad})).get_data(as_text=True)
        assert error_of(page, "g-0-id_number") == api_error["message"], bad
        from accommnotify.rules.messages import message
        assert api_error["message"] == message(api_error["code"], "en")


def test_missing_fields_are_reported_per_guest(staff):
    form = family_form(**{"g-1-full_name": "", "g-1-sex": "", "arrived_at": ""})
    page = staff.post("/facility/stays/new", form).get_data(as_text=True)
    assert error_of(page, "g-1-full_name") and error_of(page, "g-1-sex") and error_of(page, "arrived_at")
    assert error_of(page, "g-0-full_name") == ""
    assert 'href="#g-1-full_name"' in page  # the summary links to the field


def test_add_and_remove_guest_rows_without_javascript(staff):
    page = staff.post("/facility/stays/new", family_form(action="add")).get_data(as_text=True)
    assert 'id="g-2-full_name"' in page and field_value(page, "g-1-full_name") == "Lê Minh Khôi"
    assert 'data-focus="g-2-full_name"' in page
    form = family_form(action="remove:0", **{"g-2-kind": "citizen", "g-2-full_name": "Người Thứ Ba"})
    page = staff.post("/facility/stays/new", form).get_data(as_text=True)
    assert 'id="g-2-full_name"' not in page
    assert field_value(page, "g-0-full_name") == "Lê Minh Khôi"
    assert field_value(page, "g-1-full_name") == "Người Thứ Ba"
    only = {k: v for k, v in family_form(action="remove:0").items() if not k.startswith("g-1-")}
    page = staff.post("/facility/stays/new", only).get_data(as_text=True)
    assert field_value(page, "g-0-full_name") == "Lê Thị Hồng"  # the last guest is never removed


def test_fill_from_scan_without_javascript(app, staff):
    form = family_form(action="scan:1", **{"g-1-scan": QR, "g-1-phone": "0987000111"})
    response = staff.post("/facility/stays/new", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_value(page, "g-1-full_name") == "Phạm Quốc Bảo"
    assert field_value(page, "g-1-date_of_birth") == "1985-01-02"
    assert field_value(page, "g-1-sex") == "male"
    assert field_value(page, "g-1-id_number") == QR.split("|")[0]
    assert field_value(page, "g-1-phone") == "0987000111"
    assert field_value(page, "g-1-scan") == ""
    assert field_value(page, "g-0-full_name") == "Lê Thị Hồng"
    with app.app_context():
        assert db.session.execute(select(Stay)).first() is None  # a scan never sends by itself


def test_submit_with_an_unapplied_scan_fills_first_and_does_not_send(app, staff):
    page = staff.post("/facility/stays/new", family_form(**{"g-1-scan": QR})).get_data(as_text=True)
    assert field_value(page, "g-1-full_name") == "Phạm Quốc Bảo"
    with app.app_context():
        assert db.session.execute(select(Stay)).first() is None


def test_malformed_scan_fills_nothing_and_keeps_typed_values(staff):
    bad = QR.rsplit("|", 2)[0]
    page = staff.post("/facility/stays/new", family_form(action="scan:1", **{"g-1-scan": bad})).get_data(as_text=True)
    assert "Không đọc được" in error_of(page, "g-1-scan")
    assert field_value(page, "g-1-scan") == bad
    assert field_value(page, "g-1-full_name") == "Lê Minh Khôi"
    assert field_value(page, "g-1-sex") == "male"


def test_scan_json_endpoint_uses_the_same_parser(staff):
    ok = staff.client.post("/facility/scan", json={"text": QR}, headers={"X-CSRFToken": staff.token})
    assert ok.status_code == 200
    assert ok.get_json()["fields"]["full_name"] == "Phạm Quốc Bảo" and ok.get_json()["fields"]["kind"] == "citizen"
    bad = staff.client.post("/facility/scan", json={"text": "P<SWE" + "<" * 39}, headers={"X-CSRFToken": staff.token})
    assert bad.status_code == 422 and bad.get_json()["code"] == "scan.malformed" and "fields" not in bad.get_json()
    assert staff.client.post("/facility/scan", json={"text": QR}).status_code == 400  # CSRF


def test_a_foreigner_from_an_mrz_scan_is_stored(app, staff):
    mrz = "\n".join(make_td3("ERIKSSON", "ANNA MARIA", "L898902C3", "SWE", "840812", "F", "300101"))
    form = {"arrived_at": local_input(), "reason": "tourism", "form_ref": "WEB-F", "g-0-kind": "citizen",
            "g-0-scan": mrz, "action": "scan:0"}
    page = staff.post("/facility/stays/new", form).get_data(as_text=True)
    assert 'value="foreigner" checked' in page
    filled = {name: field_value(page, f"g-0-{name}") for name in
              ("full_name", "date_of_birth", "sex", "nationality", "document_type", "document_number", "document_mrz")}
    assert filled["document_mrz"] == mrz and filled["nationality"] == "SWE"
    form = {"arrived_at": local_input(), "reason": "tourism", "form_ref": "WEB-F", "g-0-kind": "foreigner",
            **{f"g-0-{k}": v for k, v in filled.items()}, "g-0-visa_kind": "e_visa", "g-0-visa_number": "EV1",
            "g-0-visa_valid_until": (date.today() + timedelta(days=20)).isoformat(),
            "g-0-entry_date": date.today().isoformat(), "action": "submit"}
    response = staff.post("/facility/stays/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        note = db.session.execute(select(Notification)).scalar_one()
        assert note.category == "foreigner"


def test_a_qr_with_a_birth_year_only_fills_the_rest_and_says_what_to_check(staff):
    """Issue 11 item 15: fill what can be read, mark what needs a look (no-JS and JSON paths)."""
    year_only = "\ufeff" + QR.replace("02011985", "1985") + "|"
    page = staff.post("/facility/stays/new", family_form(action="scan:1", **{"g-1-scan": year_only})).get_data(as_text=True)
    assert field_value(page, "g-1-full_name") == "Phạm Quốc Bảo"
    assert field_value(page, "g-1-id_number") == QR.split("|")[0]
    assert field_value(page, "g-1-date_of_birth") == str(date.today().year - 6) + "-06-01"   # typed value kept
    assert "ngày sinh đầy đủ" in error_of(page, "g-1-scan")
    r = staff.client.post("/facility/scan", json={"text": year_only}, headers={"X-CSRFToken": staff.token})
    body = r.get_json()
    assert r.status_code == 200 and body["ok"] and body["fields"]["full_name"] == "Phạm Quốc Bảo"
    assert "date_of_birth" not in body["fields"]
    assert [x["field"] for x in body["review"]] == ["date_of_birth"] and "ngày sinh" in body["message"]


def _summary(page: str) -> list[str]:
    box = re.search(r'<div class="error-box"[^>]*id="error-summary">(.*?)</div>', page, re.S)
    assert box, "no error summary"
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", item))).strip()
            for item in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)]


def test_error_summary_says_which_guest_and_which_field(staff):
    response = staff.post("/facility/stays/new", family_form(**{"g-1-date_of_birth": "", "arrived_at": ""}))
    assert response.status_code == 422
    lines = _summary(response.get_data(as_text=True))
    assert "Khách 2 · Ngày sinh: Trường này là bắt buộc." in lines
    assert "Thời gian đến: Trường này là bắt buộc." in lines
    english = staff.post("/facility/stays/new?lang=en", family_form(**{"g-1-date_of_birth": ""}))
    assert "Guest 2 · Date of birth: This field is required." in _summary(english.get_data(as_text=True))


def test_adding_a_guest_without_javascript_lands_on_the_new_guest(staff):
    page = staff.get("/facility/stays/new").get_data(as_text=True)
    assert 'formaction="/facility/stays/new#g-1-box"' in page     # the guest the button adds
    page = staff.post("/facility/stays/new", family_form(action="add")).get_data(as_text=True)
    assert 'id="g-2-box"' in page and 'formaction="/facility/stays/new#g-3-box"' in page
