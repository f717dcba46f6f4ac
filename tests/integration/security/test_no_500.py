"""Issue 10 item 10: inputs that answered 500 now answer a 4xx naming what was wrong."""
import base64
import io
import json

import pytest

from tests import factories
from tests.integration.facility.test_import import csv_bytes, good_rows, upload


def post_raw(api, path, body: str):
    return api.post(path, data=body, headers={"Content-Type": "application/json"})


def codes(response):
    return {(e["field"], e["code"]) for e in response.get_json()["errors"]}


# -- facility API -----------------------------------------------------------------------------

def test_nul_in_the_cursor(api):
    response = api.get("/stays?cursor=st_%00x")
    assert response.status_code == 422 and codes(response) == {("cursor", "text.invalid_character")}
    response = api.get("/notifications?cursor=%00")
    assert response.status_code == 422 and codes(response) == {("cursor", "text.invalid_character")}


@pytest.mark.parametrize("field, make", [
    ("external_ref", lambda: factories.stay(external_ref="R\x00")),
    ("room", lambda: factories.stay(room="\ud800")),
])
def test_nul_and_lone_surrogates_in_a_stay(api, field, make):
    response = post_raw(api, "/stays", json.dumps(make()))
    assert response.status_code == 422 and (field, "text.invalid_character") in codes(response)


def test_nul_in_a_cancel_reason(api):
    stay = api.post("/stays", json=factories.stay()).get_json()
    response = api.post(f"/stays/{stay['id']}/cancel", json={"reason": "\x00"})
    assert response.status_code == 422 and codes(response) == {("reason", "text.invalid_character")}


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_deeply_nested_json_is_a_400(api, body):
    response = post_raw(api, "/stays", body)
    assert response.status_code == 400 and codes(response) == {("body", "invalid_json")}


@pytest.mark.parametrize("change, field, code", [
    ({"arrived_at": "0001-01-01T00:00+14:00"}, "arrived_at", "out_of_range"),
    ({"arrived_at": "0001-01-01T00:00"}, "arrived_at", "out_of_range"),
    ({"expected_departure": "9999-12-31T23:59-12:00"}, "expected_departure", "out_of_range"),
    ({"arrived_at": "1999-12-31T23:59+07:00"}, "arrived_at", "stay.arrival_too_early"),
    ({"guests": [factories.citizen(date_of_birth="1899-12-31")]}, "guests[0].date_of_birth", "date_of_birth.too_early"),
])
def test_dates_out_of_bounds(api, change, field, code):
    response = api.post("/stays", json=factories.stay(**change))
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert (field, code) in codes(response)


def test_the_bounds_are_inclusive(api):
    early = factories.stay(arrived_at="2000-01-01T00:00+07:00", guests=[factories.citizen(
        full_name="Lê Văn Cụ", date_of_birth="1900-01-01", id_number=None, passport_number="B1234567")])
    response = api.post("/stays", json=early)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]


def test_departure_and_patch_dates_out_of_range(api):
    stay = api.post("/stays", json=factories.stay()).get_json()
    response = api.post(f"/stays/{stay['id']}/departure", json={"departed_at": "0001-01-01T00:00+14:00"})
    assert response.status_code == 422 and codes(response) == {("departed_at", "out_of_range")}
    response = api.patch(f"/stays/{stay['id']}", json={"arrived_at": "0001-01-01T00:00+14:00"})
    assert response.status_code == 422 and codes(response) == {("arrived_at", "out_of_range")}


# -- facility pages ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/facility/stays/st_%00", "/facility/history?cursor=%00",
                                  "/facility/stays/st_1%00/correct"])
def test_facility_pages_refuse_nul(staff, path):
    assert staff.get(path).status_code == 400


def test_facility_forms_refuse_nul(staff, client):
    assert staff.post("/facility/stays/st_1/departure", {"guest_id": "\x00"}).status_code == 400
    assert client.post("/facility/login", data={"email": "a\x00@example.com", "password": "x"}).status_code == 400


def test_scan_with_a_lone_surrogate(staff):
    response = staff.client.post("/facility/scan", data=json.dumps({"text": "001\ud800|x"}),
                                 headers={"Content-Type": "application/json", "X-CSRFToken": staff.token})
    assert response.status_code == 422 and response.get_json()["code"] == "text.invalid_character"


def test_a_csv_cell_over_128_kb(staff):
    rows = good_rows()
    rows[0][rows[0].index("101")] = "1" * 140_000
    response = upload(staff, csv_bytes(rows), "khach.csv")
    assert response.status_code == 422
    assert "128 KB" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/lang/en?next=/%0A/x", "/lang/en?next=%0D%0ALocation:%20//evil.com"])
def test_a_newline_in_next(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/"


# -- police pages and API ---------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/police/n/%00", "/police/n/ntf_%00x", "/police/?facility=%00",
                                  "/police/?date_from=%00", "/police/?s=%00", "/police/compliance/late?date_from=2026-01-01%00",
                                  "/police/audit?username=%00"])
def test_police_pages_refuse_nul(officer_client, path):
    assert officer_client.get(path).status_code == 400


@pytest.mark.parametrize("path, data", [
    ("/police/export", {"facility": "\x00"}),
    ("/police/export", {"q": "nguyen\x00"}),
    ("/police/acknowledge", {"ids": ["ntf_1", "\x00"]}),
    ("/police/n/ntf_%00/acknowledge", {}),
    ("/police/search", {"q": "\x00"}),
    ("/police/login", {"username": "an\x00officer", "password": "x"}),
])
def test_police_forms_refuse_nul(officer_client, path, data):
    assert officer_client.post(path, data=data).status_code == 400


def test_a_police_login_with_nul_is_a_400(papp):
    response = papp.test_client().post("/police/login", data={"username": "\x00", "password": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/police/api/v1/notifications/ntf_%00",
                                  "/police/api/v1/notifications?facility=%00",
                                  "/police/api/v1/notifications?cursor=%00"])
def test_police_api_refuses_nul(papp, police_token, path):
    response = papp.test_client().get(path, headers={"Authorization": f"Bearer {police_token}"})
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["code"] == "text.invalid_character"


def test_police_api_cursor_hiding_a_nul(papp, police_token):
    cursor = base64.urlsafe_b64encode(json.dumps(["2026-11-27T07:00:00+00:00", "ntf_\x00"]).encode()).decode()
    response = papp.test_client().get(f"/police/api/v1/notifications?cursor={cursor}",
                                      headers={"Authorization": f"Bearer {police_token}"})
    assert response.status_code == 400
