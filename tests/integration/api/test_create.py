"""POST /stays: creation, idempotency, deadlines, and every rejection with its field and code."""
from datetime import date, datetime, timedelta

import pytest

from accommnotify.extensions import db
from accommnotify.models import Guest, Notification, Stay
from accommnotify.rules.id_number import make_id_number
from accommnotify.timeutil import VN_TZ
from tests import factories as f


def codes(response):
    return {(e["field"], e["code"]) for e in response.get_json()["errors"]}


def count_rows(app):
    with app.app_context():
        return tuple(db.session.query(m).count() for m in (Stay, Guest, Notification))


def test_created_stay_has_guests_notifications_and_offsets(api):
    payload = f.stay(guests=[f.citizen(), f.child(), f.foreigner()])
    r = api.post("/stays", json=payload)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert r.headers["Location"] == f"/api/v1/stays/{body['id']}"
    assert body["external_ref"] == payload["external_ref"]
    assert body["facility_code"] == "HOTEL-1"
    assert body["status"] == "in_house"
    assert body["arrived_at"].endswith("+07:00")
    assert body["guests"][0]["full_name"] == "Nguyễn Văn An"
    notes = [g["notifications"] for g in body["guests"]]
    assert all(len(n) == 1 and n[0]["event"] == "arrival" and n[0]["status"] == "pending" for n in notes)
    assert [n[0]["category"] for n in notes] == ["residence", "residence", "foreigner"]
    assert notes[0][0]["receiver"] == "police-inbox"
    assert notes[0][0]["deadline_at"].endswith("+07:00")


def test_same_ref_same_body_replays_the_same_stay(api, app):
    payload = f.stay()
    first = api.post("/stays", json=payload)
    again = api.post("/stays", json=dict(reversed(list(payload.items()))))  # key order does not matter
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert "Idempotent-Replayed" not in first.headers
    assert count_rows(app) == (1, 1, 1)


def test_same_ref_different_body_is_a_conflict(api, app):
    payload = f.stay()
    api.post("/stays", json=payload)
    r = api.post("/stays", json={**payload, "room": "999"})
    assert r.status_code == 409
    assert r.mimetype == "application/problem+json"
    assert ("external_ref", "external_ref.conflict") in codes(r)
    assert count_rows(app) == (1, 1, 1)


def test_naive_arrival_is_vietnam_local_time(api):
    arrived = (datetime.now(VN_TZ) - timedelta(hours=2)).replace(microsecond=0, tzinfo=None)
    r = api.post("/stays", json=f.stay(arrived_at=arrived.isoformat()))
    assert r.get_json()["arrived_at"] == arrived.isoformat() + "+07:00"


@pytest.mark.parametrize("local_time, deadline", [
    ("10:00", (0, "23:00")), ("22:59", (0, "23:00")), ("23:00", (1, "08:00")), ("23:59", (1, "08:00")),
])
def test_residence_deadline(api, local_time, deadline):
    day = datetime.now(VN_TZ).date() - timedelta(days=2)
    arrived = f"{day.isoformat()}T{local_time}:00+07:00"
    r = api.post("/stays", json=f.stay(arrived_at=arrived))
    note = r.get_json()["guests"][0]["notifications"][0]
    expected_day = day + timedelta(days=deadline[0])
    assert note["deadline_at"] == f"{expected_day.isoformat()}T{deadline[1]}:00+07:00"
    assert note["late"] is True  # two days ago: already past its deadline when reported


def test_residence_deadline_from_utc_input(api):
    # 16:30 UTC is 23:30 in Vietnam: the next morning's 08:00 applies.
    day = datetime.now(VN_TZ).date() - timedelta(days=3)
    r = api.post("/stays", json=f.stay(arrived_at=f"{day.isoformat()}T16:30:00Z"))
    deadline = r.get_json()["guests"][0]["notifications"][0]["deadline_at"]
    assert deadline == f"{(day + timedelta(days=1)).isoformat()}T08:00:00+07:00"


def test_foreigner_deadline_is_twelve_hours_and_recent_arrival_not_late(api):
    arrived = datetime.now(VN_TZ).replace(microsecond=0) - timedelta(minutes=5)
    r = api.post("/stays", json=f.stay(arrived_at=arrived.isoformat(), guests=[f.foreigner()]))
    note = r.get_json()["guests"][0]["notifications"][0]
    assert datetime.fromisoformat(note["deadline_at"]) == arrived + timedelta(hours=12)
    assert note["late"] is False


def test_long_stay_is_accepted_with_a_warning(api):
    arrived = datetime.now(VN_TZ).replace(microsecond=0) - timedelta(hours=1)
    r = api.post("/stays", json=f.stay(arrived_at=arrived.isoformat(),
                                       expected_departure=(arrived + timedelta(days=30)).isoformat()))
    assert r.status_code == 201
    assert [w["code"] for w in r.get_json()["warnings"]] == ["stay.temporary_residence_required"]


def test_child_without_number_beside_an_adult_with_one(api):
    r = api.post("/stays", json=f.stay(guests=[f.citizen(), f.child()]))
    assert r.status_code == 201
    r = api.post("/stays", json=f.stay(guests=[f.child()]))
    assert r.status_code == 422
    assert ("guests[0].id_number", "id_number.required") in codes(r)


def _bad_guest_cases():
    dob = date(1990, 5, 17)
    good = make_id_number("001", "male", dob)
    return [
        ({"id_number": good[:4] + "91" + good[6:]}, "guests[0].id_number", "id_number.birth_year_mismatch"),
        ({"id_number": good[:3] + "1" + good[4:]}, "guests[0].id_number", "id_number.sex_century_mismatch"),
        ({"id_number": "003" + good[3:]}, "guests[0].id_number", "id_number.unknown_prefix"),
        ({"id_number": "123456789"}, "guests[0].id_number", "id_number.legacy_cmnd"),
        ({"id_number": "12345"}, "guests[0].id_number", "id_number.format"),
        ({"nationality": "QQQ"}, "guests[0].nationality", "nationality.unknown"),
        ({"full_name": "An <script>"}, "guests[0].full_name", "full_name.invalid"),
        ({"date_of_birth": "2999-01-01"}, "guests[0].date_of_birth", "date_of_birth.in_future"),
        ({"date_of_birth": "1850-01-01"}, "guests[0].date_of_birth", "date_of_birth.implausible"),
        ({"sex": "x"}, "guests[0].sex", "choice"),
        ({"date_of_birth": "17/05/1990"}, "guests[0].date_of_birth", "format"),
        ({"full_name": None}, "guests[0].full_name", "required"),
        ({"full_name": "A" * 201}, "guests[0].full_name", "too_long"),
        ({"shoe_size": 42}, "guests[0].shoe_size", "unknown_field"),
        ({"id_number": 1234}, "guests[0].id_number", "type"),
    ]


@pytest.mark.parametrize("change, field, code", _bad_guest_cases())
def test_citizen_rule_violations_name_field_and_code(api, app, change, field, code):
    r = api.post("/stays", json=f.stay(guests=[f.citizen(**change)]))
    assert r.status_code == 422, r.get_json()
    assert r.mimetype == "application/problem+json"
    assert (field, code) in codes(r)
    assert count_rows(app) == (0, 0, 0)


@pytest.mark.parametrize("change, field, code", [
    ({"document": None}, "guests[0].document", "document.required"),
    ({"document": {"type": "passport", "number": "ab-12"}}, "guests[0].document.number", "document.format"),
    ({"visa": None}, "guests[0].visa", "visa.required"),
    ({"visa": {"kind": "visa", "number": "V1"}}, "guests[0].visa.valid_until", "visa.required"),
    ({"visa": {"kind": "visa", "number": "V1", "valid_until": "2020-01-01"}}, "guests[0].visa.valid_until",
     "visa.expired"),
    ({"entry_date": "2999-01-01"}, "guests[0].entry_date", "entry_date.after_arrival"),
    ({"document": {"type": "passport", "number": "L898902C3",
                   "mrz": "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<19"}},
     "guests[0].document.mrz", "mrz.check_digit"),
    ({"document": {"type": "passport", "number": "L898902C3",
                   "mrz": "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"}},
     "guests[0].document.mrz", "mrz.mismatch"),
])
def test_foreigner_rule_violations(api, change, field, code):
    r = api.post("/stays", json=f.stay(guests=[f.foreigner(**change)]))
    assert r.status_code == 422, r.get_json()
    assert (field, code) in codes(r)


def test_visa_exempt_needs_no_validity(api):
    r = api.post("/stays", json=f.stay(guests=[f.foreigner(visa={"kind": "visa_exempt"})]))
    assert r.status_code == 201, r.get_json()


def test_stay_rule_violations(api):
    future = (datetime.now(VN_TZ) + timedelta(hours=1)).isoformat()
    r = api.post("/stays", json=f.stay(arrived_at=future))
    assert ("arrived_at", "stay.arrival_in_future") in codes(r)
    arrived = datetime.now(VN_TZ) - timedelta(hours=1)
    r = api.post("/stays", json=f.stay(arrived_at=arrived.isoformat(),
                                       expected_departure=(arrived - timedelta(days=1)).isoformat()))
    assert ("expected_departure", "stay.departure_before_arrival") in codes(r)
    r = api.post("/stays", json=f.stay(guests=[]))
    assert ("guests", "required") in codes(r)
    r = api.post("/stays", json={"guests": [f.citizen()]})
    assert {("external_ref", "required"), ("reason", "required"), ("arrived_at", "required")} <= codes(r)


@pytest.mark.parametrize("count", [201, 501])
def test_too_many_guests(api, app, count):
    r = api.post("/stays", json=f.stay(guests=[f.citizen() for _ in range(count)]))
    assert r.status_code == 422
    assert ("guests", "guests.too_many") in codes(r)
    assert count_rows(app) == (0, 0, 0)


def test_messages_follow_accept_language(api):
    bad = f.stay(guests=[f.citizen(id_number="123456789")])
    en = api.post("/stays", json=bad, headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()
    vi = api.post("/stays", json=bad, headers={"Accept-Language": "vi"}).get_json()
    default = api.post("/stays", json=bad).get_json()
    assert "2025" in en["errors"][0]["message"] and "CMND" in en["errors"][0]["message"]
    assert en["errors"][0]["message"] != vi["errors"][0]["message"]
    assert default["errors"][0]["message"] == vi["errors"][0]["message"]


def test_error_messages_never_echo_personal_data(api):
    number = make_id_number("001", "male", date(1990, 5, 17))
    bad = f.stay(guests=[f.citizen(id_number=number[:4] + "91" + number[6:], full_name="Lê Thị Hồng")])
    text = api.post("/stays", json=bad, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert number[:4] + "91" not in text and "Hồng" not in text


def test_a_failure_midway_leaves_no_rows(api, app, monkeypatch):
    """Stay, guests and notifications are one transaction: a failing notification insert undoes all."""
    from accommnotify.intake import rows
    original = rows.notification_row

    def broken(*args, **kwargs):
        row = original(*args, **kwargs)
        row["receiver"] = None  # NOT NULL: the third insert of the transaction fails
        return row

    monkeypatch.setattr(rows, "notification_row", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not raise into the test
    r = api.post("/stays", json=f.stay())
    assert r.status_code == 500
    assert r.mimetype == "application/problem+json"
    assert count_rows(app) == (0, 0, 0)
