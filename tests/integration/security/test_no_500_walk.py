"""Inputs found by a security walk of a running server that answered 500: each now answers a 4xx."""
import base64
import io
import json
import re
import zipfile

import pytest

from tests import factories
from tests.integration.facility.test_import import good_rows, upload, xlsx_bytes
from tests.integration.police.test_receiving_handler import URL, assert_problem, make, post, stored  # noqa: F401
from tests.integration.police.wire_samples import SECRET_A, batch, signed, wire_notification


@pytest.fixture
def receiver(make):  # noqa: F811
    return make()


# -- 1, 2: the receiving endpoint's signature header and body ------------------------------------

@pytest.mark.parametrize("timestamp", ["1" + "0" * 400, "-" + "9" * 400, "1" + "0" * 12, "²"])
def test_a_timestamp_that_is_not_a_sane_integer_is_a_bad_signature(receiver, timestamp):
    raw, headers = signed(batch([wire_notification()]))
    headers["webhook-timestamp"] = timestamp
    assert "not an integer" in assert_problem(receiver.test_client().post(URL, data=raw, headers=headers), 401)["detail"]
    assert stored(receiver) == {}


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_a_deeply_nested_batch_is_invalid_json(receiver, body):
    assert "not JSON" in assert_problem(post(receiver, body), 400)["detail"]
    assert stored(receiver) == {}


# -- 3: the scan endpoint with a JSON body that is not an object -----------------------------------

@pytest.mark.parametrize("body", ["[1]", '"x"', "1", "true", "null"])
def test_scan_with_a_body_that_is_not_an_object(staff, body):
    response = staff.client.post("/facility/scan", data=body,
                                 headers={"Content-Type": "application/json", "X-CSRFToken": staff.token})
    assert response.status_code == 422 and response.get_json()["ok"] is False


# -- 4: digits that str.isdigit accepts and int refuses --------------------------------------------

@pytest.mark.parametrize("action", ["remove:²", "remove:" + "1" * 5000, "remove:١"])
def test_removing_a_guest_row_with_a_number_that_is_not_ascii(staff, action):
    response = staff.post("/facility/stays/new", {"action": action})
    assert response.status_code == 200


@pytest.mark.parametrize("action", ["remove:²", "remove:" + "1" * 5000])
def test_removing_a_guest_row_of_a_correction_with_a_number_that_is_not_ascii(staff, api, action):
    stay = api.post("/stays", json=factories.stay()).get_json()
    page = staff.get(f"/facility/stays/{stay['id']}/correct")
    assert page.status_code == 200
    values = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.get_data(as_text=True)))
    values["action"] = action
    response = staff.post(f"/facility/stays/{stay['id']}/correct", values)
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "1" * 5000])
def test_a_portal_count_that_is_not_ascii_digits(staff, value):
    """Answered as "abc" is: the field's error goes back to the portal page (post/redirect/get)."""
    response = staff.post("/facility/portal/pf_doesnotexist/confirm", {"records_shown": value})
    assert response.status_code == 302 and "/facility/portal" in response.headers["Location"]


# -- 5: an XLSX with no sheet --------------------------------------------------------------------

def _rewrite(data: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = change(item.filename, src.read(item.filename))
            if content is not None:
                dst.writestr(item, content)
    return out.getvalue()


def _no_sheets(name, content):
    if name == "xl/workbook.xml":
        return re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", content, flags=re.S)
    return content


def _no_sheet_part(name, content):
    return None if name == "xl/worksheets/sheet1.xml" else content


@pytest.mark.parametrize("change", [_no_sheets, _no_sheet_part], ids=["no-sheets", "sheet-part-missing"])
def test_an_xlsx_without_a_sheet_is_unreadable(staff, change):
    response = upload(staff, _rewrite(xlsx_bytes(good_rows()), change), "khach.xlsx")
    assert response.status_code == 422
    assert "không đọc được" in response.get_data(as_text=True).lower()


# -- 6: police date filters out of range ---------------------------------------------------------

DATE_NOT_UNDERSTOOD = "Không hiểu ngày đã nhập"  # "A date was not understood" (the page is in Vietnamese)


@pytest.mark.parametrize("query", ["date_from=0001-01-01", "date_to=9999-12-31", "date_from=1999-12-31",
                                   "date_to=2101-01-01"])
def test_an_inbox_date_out_of_range_is_the_forms_error(officer_client, query):
    response = officer_client.get(f"/police/?{query}")
    assert response.status_code == 200 and DATE_NOT_UNDERSTOOD in response.get_data(as_text=True)


def test_the_inbox_date_bounds_are_inclusive(officer_client):
    response = officer_client.get("/police/?date_from=2000-01-01&date_to=2100-12-31")
    assert response.status_code == 200 and DATE_NOT_UNDERSTOOD not in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}])
def test_an_export_with_a_date_out_of_range_goes_back_to_the_inbox(officer_client, data):
    response = officer_client.post("/police/export", data=data)
    assert response.status_code == 303 and "=invalid" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/police/compliance", "/police/compliance/late"])
@pytest.mark.parametrize("query", ["date_from=9999-12-31", "date_to=0001-01-01", "date_to=9999-12-31",
                                   "date_from=0001-01-01"])
def test_compliance_ignores_a_date_out_of_range(officer_client, path, query):
    assert officer_client.get(f"{path}?{query}").status_code == 200


def _api(papp, token):
    return papp.test_client(), {"Authorization": f"Bearer {token}"}


def errors_of(response):
    return {(e["field"], e["code"]) for e in response.get_json()["errors"]}


@pytest.mark.parametrize("field, value", [("received_from", "0001-01-01"), ("received_to", "9999-12-31"),
                                          ("received_from", "9999-12-31"), ("received_to", "0001-01-01")])
def test_police_api_received_dates_out_of_range(papp, police_token, field, value):
    client, headers = _api(papp, police_token)
    response = client.get(f"/police/api/v1/notifications?{field}={value}", headers=headers)
    assert response.status_code == 422 and errors_of(response) == {(field, "out_of_range")}
    assert response.mimetype == "application/problem+json"
    response = client.post("/police/api/v1/notifications/search", json={field: value, "q": "nguyen"},
                           headers=headers)
    assert response.status_code == 422 and errors_of(response) == {(field, "out_of_range")}


# -- 7: police API cursor of a datetime UTC cannot hold -------------------------------------------

@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_police_api_cursor_out_of_range(papp, police_token, at):
    client, headers = _api(papp, police_token)
    cursor = base64.urlsafe_b64encode(json.dumps([at, "x"]).encode()).decode()
    response = client.get(f"/police/api/v1/notifications?cursor={cursor}", headers=headers)
    assert response.status_code == 400 and "cursor" in response.get_json()["detail"]
    response = client.post("/police/api/v1/notifications/search", json={"cursor": cursor, "q": "nguyen"},
                           headers=headers)
    assert response.status_code == 400 and "cursor" in response.get_json()["detail"]


# -- 8: the police API search body's text ----------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ('{"q": "\\ud800"}', "q"), ('{"q": "nguyen\\u0000"}', "q"), ('{"facility": "\\udfff"}', "facility"),
    ('{"\\ud800": "x"}', "?"),
])
def test_police_api_search_body_with_invalid_characters(papp, police_token, body, field):
    client, headers = _api(papp, police_token)
    response = client.post("/police/api/v1/notifications/search", data=body,
                           headers=headers | {"Content-Type": "application/json"})
    assert response.status_code == 400 and errors_of(response) == {(field, "text.invalid_character")}


# -- 9: the receiving endpoint's items (valid signature) --------------------------------------------

def _with(path: str, value):
    item = wire_notification()
    *parents, key = path.split(".")
    target = item
    for name in parents:
        target = target[name]
    target[key] = value
    return item


WIRE_TEXT = ["facility.code", "facility.name", "stay.id", "stay.external_ref", "stay.room", "person.full_name",
             "person.id_number", "person.nationality", "person.sex"]
WIRE_TIMES = ["created_at", "deadline_at", "stay.arrived_at", "stay.departed_at"]


@pytest.mark.parametrize("value", ["\ud800", "\x00"], ids=["lone-surrogate", "nul"])
@pytest.mark.parametrize("path", WIRE_TEXT)
def test_a_wire_text_field_with_an_invalid_character_is_rejected(receiver, path, value):
    bad, good = _with(path, "A" + value), wire_notification()
    response = post(receiver, json.dumps(batch([bad, good])).encode())
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    first, second = response.get_json()["results"]
    assert first["status"] == "rejected" and first["code"] == "wire.invalid" and path in first["message"]
    assert first["id"] == bad["id"] and second["status"] == "accepted"
    assert set(stored(receiver)) == {good["id"]}


@pytest.mark.parametrize("nid", ["ntf_\ud800", "ntf_\x00"])
def test_an_invalid_notification_id_is_echoed_without_the_invalid_character(receiver, nid):
    response = post(receiver, json.dumps(batch([wire_notification(id=nid)])).encode())
    assert response.status_code == 200
    [result] = response.get_json()["results"]
    assert result == {"id": "ntf_\ufffd", "status": "rejected", "code": "wire.invalid",
                      "message": "notifications[0]: field id is invalid"}
    assert stored(receiver) == {}


@pytest.mark.parametrize("value", ["0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("path", WIRE_TIMES)
def test_a_wire_time_utc_cannot_hold_is_rejected(receiver, path, value):
    bad = _with(path, value)
    response = post(receiver, json.dumps(batch([bad])).encode())
    assert response.status_code == 200
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected" and result["code"] == "wire.invalid" and path in result["message"]
    assert stored(receiver) == {}


@pytest.mark.parametrize("batch_id", ["b_\ud800", "b_\x00"])
def test_a_batch_id_with_an_invalid_character_falls_back_to_the_webhook_id(receiver, batch_id):
    good = wire_notification()
    response = post(receiver, json.dumps(batch([good], batch_id=batch_id)).encode())
    assert response.status_code == 200 and response.get_json()["results"][0]["status"] == "accepted"
    assert stored(receiver)[good["id"]].batch_id == "msg_1"
