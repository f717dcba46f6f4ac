"""Issue 10 item 4: no bound values in the log of a failed statement; NUL bytes and lone surrogates are
refused where they come in (API JSON, the form, file import) with a code naming the field."""
import json
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError

from accommnotify.extensions import db
from tests import factories
from tests.integration.facility.test_import import csv_bytes, good_rows, upload
from tests.integration.facility.test_new_stay import error_of, family_form

BAD = {"nul": "A\x00B", "surrogate": "A\ud800B"}


def post_raw(api, path, payload):
    """JSON as a client sends it: a lone surrogate can only travel as an escape (\\ud800)."""
    return api.post(path, data=json.dumps(payload, ensure_ascii=True), headers={"Content-Type": "application/json"})


def codes(response):
    return {(e["field"], e["code"]) for e in response.get_json()["errors"]}


def test_failed_statements_do_not_log_their_values(app, caplog):
    secret = "Nguyễn Văn Bímật 001090000001"
    with app.app_context():
        assert db.engine.hide_parameters
        with caplog.at_level(logging.DEBUG), pytest.raises((DBAPIError, StatementError)) as failure:
            db.session.execute(text("SELECT :v FROM no_such_table"), {"v": secret})
        db.session.rollback()
    assert secret not in str(failure.value)
    assert secret not in caplog.text


STAY_FIELDS = {
    "external_ref": lambda v: factories.stay(external_ref="R" + v),
    "room": lambda v: factories.stay(room=v),
    "reason_note": lambda v: factories.stay(reason_note=v),
    "guests[0].full_name": lambda v: factories.stay(guests=[factories.citizen(full_name="Lê " + v)]),
    "guests[0].permanent_address": lambda v: factories.stay(guests=[factories.citizen(permanent_address=v)]),
    "guests[0].document.number": lambda v: factories.stay(guests=[factories.foreigner(
        document={"type": "passport", "number": "L8989" + v})]),
}


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("field", STAY_FIELDS)
def test_api_refuses_nul_and_lone_surrogates_by_field(api, field, kind):
    response = post_raw(api, "/stays", STAY_FIELDS[field](BAD[kind]))
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert (field, "text.invalid_character") in codes(response)


@pytest.mark.parametrize("kind", BAD)
def test_bulk_names_the_stay_and_field(api, kind):
    response = post_raw(api, "/stays/bulk", {"stays": [factories.stay(), factories.stay(room=BAD[kind])]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0]["status"] == "created" and results[1]["status"] == "invalid"
    assert {(e["field"], e["code"]) for e in results[1]["errors"]} == {("room", "text.invalid_character")}


@pytest.mark.parametrize("kind", BAD)
def test_a_key_with_a_bad_character_is_an_unknown_field_not_a_500(api, kind):
    response = post_raw(api, "/stays", {**factories.stay(), BAD[kind]: 1})
    assert response.status_code == 422
    [(field, code)] = codes(response)
    assert code == "unknown_field" and field == "A\ufffdB"


@pytest.mark.parametrize("kind", BAD)
def test_cancel_reason_and_departure_ids(api, kind):
    stay = api.post("/stays", json=factories.stay()).get_json()
    response = post_raw(api, f"/stays/{stay['id']}/cancel", {"reason": "sai " + BAD[kind]})
    assert response.status_code == 422 and codes(response) == {("reason", "text.invalid_character")}
    response = post_raw(api, f"/stays/{stay['id']}/departure", {"guest_ids": [BAD[kind]]})
    assert response.status_code == 422 and codes(response) == {("guest_ids[0]", "text.invalid_character")}
    response = post_raw(api, f"/stays/{stay['id']}", {"room": BAD[kind]})
    assert response.status_code == 405 or response.status_code == 422


@pytest.mark.parametrize("kind", BAD)
def test_patch_names_the_field(api, kind):
    stay = api.post("/stays", json=factories.stay()).get_json()
    response = api.patch(f"/stays/{stay['id']}", data=json.dumps({"room": BAD[kind]}),
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and codes(response) == {("room", "text.invalid_character")}


def test_the_form_shows_the_error_beside_the_field(staff):
    response = staff.post("/facility/stays/new", family_form(**{"g-0-permanent_address": "Số 7\x00 Hàng Bạc"}))
    assert response.status_code == 422
    assert "ký tự không hợp lệ" in error_of(response.get_data(as_text=True), "g-0-permanent_address")


def test_import_marks_the_cell(staff):
    rows = good_rows()
    rows[2][rows[2].index("102")] = "1\x0002"
    page = upload(staff, csv_bytes(rows), "khach.csv").get_data(as_text=True)
    assert "ký tự không hợp lệ" in page
    assert "1 dòng có lỗi" in page


def test_the_correction_form_shows_the_error_beside_the_field(app, staff):
    staff.post("/facility/stays/new", family_form())
    from accommnotify.models import Stay
    with app.app_context():
        stay_id = db.session.query(Stay.id).scalar()
        db.session.remove()
    page = staff.get(f"/facility/stays/{stay_id}/correct").get_data(as_text=True)
    import re
    form = {name: value for name, value in re.findall(r'name="([a-z0-9_-]+)"[^>]*value="([^"]*)"', page)}
    form.update({"room": "2\x0003", "action": "submit"})
    response = staff.post(f"/facility/stays/{stay_id}/correct", form)
    assert response.status_code == 422
    assert "ký tự không hợp lệ" in error_of(response.get_data(as_text=True), "room")
