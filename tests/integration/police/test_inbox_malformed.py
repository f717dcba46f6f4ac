"""The police inbox (inbox/__init__.py) judges each wire notification on its own: a malformed one
is rejected with a stable code and a message naming the field (never its value), the others of the
same batch are stored. Through store_batch (the inbox adapter's and the endpoint's path) and once
through the endpoint."""
import copy
import json

import pytest
from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.inbox import receipt_for, store_batch, stored_ids
from accommnotify.models import InboxNotification
from tests.conftest import make_app

from .wire_samples import SECRET_A, batch, foreigner_notification, signed, wire_notification


@pytest.fixture
def inbox_app(database_url):
    app = make_app(database_url, INBOUND_SECRETS={"sender-a": {"secret": SECRET_A, "wards": ["16681"]}})
    yield app
    with app.app_context():
        db.engine.dispose()


def _store(app, items):
    with app.app_context():
        return store_batch(items, source="test-sender", batch_id="b_malformed")


def _rows(app):
    with app.app_context():
        rows = {r.id: r for r in db.session.scalars(select(InboxNotification))}
        db.session.expunge_all()
        db.session.rollback()
    return rows


def _without(item, path):
    """A copy of ``item`` without the field at ``path`` ("person.full_name")."""
    item = copy.deepcopy(item)
    *parents, last = path.split(".")
    target = item
    for p in parents:
        target = target[p]
    del target[last]
    return item


def _with(item, path, value):
    item = copy.deepcopy(item)
    *parents, last = path.split(".")
    target = item
    for p in parents:
        target = target[p]
    target[last] = value
    return item


REQUIRED = ["id", "event", "category", "created_at", "deadline_at", "facility", "stay", "person",
            "facility.code", "facility.name", "facility.kind", "facility.ward_code", "facility.province_code",
            "stay.id", "stay.arrived_at", "person.full_name"]


@pytest.mark.parametrize("path", REQUIRED)
def test_a_missing_required_field_is_rejected_by_name_and_the_rest_stored(inbox_app, path):
    good_before, good_after = wire_notification(), foreigner_notification()
    bad = _without(wire_notification(), path)
    results = _store(inbox_app, [good_before, bad, good_after])
    assert results[0] == {"id": good_before["id"], "status": "accepted", "receipt": receipt_for(good_before["id"])}
    assert results[2]["status"] == "accepted"
    assert results[1]["status"] == "rejected"
    assert results[1]["code"] == "wire.required"
    assert results[1]["message"] == f"notifications[1]: field {path} is missing"
    assert set(_rows(inbox_app)) == {good_before["id"], good_after["id"]}


def test_an_empty_string_counts_as_missing(inbox_app):
    results = _store(inbox_app, [_with(wire_notification(), "person.full_name", "")])
    assert results[0]["code"] == "wire.required" and "person.full_name is missing" in results[0]["message"]


INVALID = [
    ("id", "has spaces in it", "id"),
    ("id", "x" * 33, "id"),
    ("id", 12345, "id"),
    ("event", "teleported", "event"),
    ("category", "tourist", "category"),
    ("facility", "HOTEL-1", "facility"),
    ("stay", ["st_1"], "stay"),
    ("person", "Nguyễn Văn An", "person"),
    ("person.document", "L898902C3", "person.document"),
    ("person.visa", ["e_visa"], "person.visa"),
    ("created_at", "yesterday", "created_at"),
    ("deadline_at", "2026-11-27T23:00:00", "deadline_at"),  # no offset: ambiguous, refused
    ("deadline_at", 1796400000, "deadline_at"),
    ("stay.arrived_at", "27/11/2026 14:00", "stay.arrived_at"),
    ("stay.expected_departure", "soon", "stay.expected_departure"),
    ("person.date_of_birth", "1990-13-45", "person.date_of_birth"),
    ("person.date_of_birth", 19900517, "person.date_of_birth"),
    ("person.full_name", "A" * 101, "person.full_name"),
    ("person.full_name", ["Nguyễn", "Văn An"], "person.full_name"),
    ("facility.ward_code", "166810", "facility.ward_code"),
    ("facility.province_code", 40, "facility.province_code"),
    ("person.id_number", "0010901234567", "person.id_number"),
    ("stay.room", {"number": 101}, "stay.room"),
]


@pytest.mark.parametrize("path, value, field", INVALID, ids=[f"{p}={v!r}"[:40] for p, v, _ in INVALID])
def test_a_field_of_the_wrong_type_or_form_is_rejected_without_echoing_it(inbox_app, path, value, field):
    good = wire_notification()
    bad = _with(wire_notification(), path, value)
    results = _store(inbox_app, [bad, good])
    rejected = results[0]
    assert rejected["status"] == "rejected" and rejected["code"] == "wire.invalid"
    assert rejected["message"] == f"notifications[0]: field {field} is invalid"
    assert rejected["id"] == (bad["id"] if isinstance(bad["id"], str) else None)
    if path != "id" and isinstance(value, str) and len(value) > 3:  # the id is echoed: it names the item
        assert value not in json.dumps(results, ensure_ascii=False)  # no personal data in answers
    assert results[1]["status"] == "accepted"
    assert set(_rows(inbox_app)) == {good["id"]}


def test_a_foreigner_visa_and_document_are_stored(inbox_app):
    item = foreigner_notification()
    assert _store(inbox_app, [item])[0]["status"] == "accepted"
    row = _rows(inbox_app)[item["id"]]
    assert (row.document_type, row.document_number) == ("passport", "L898902C3")
    assert (row.visa_kind, row.visa_number, row.visa_valid_until.isoformat()) == ("e_visa", "EV12345678", "2099-01-31")
    assert row.entry_date.isoformat() == "2026-11-26"
    assert row.name_search == "anna maria eriksson"


def test_optional_fields_may_be_absent(inbox_app):
    item = wire_notification()
    for path in ("amends", "facility.address", "stay.external_ref", "stay.room", "stay.reason",
                 "stay.expected_departure", "stay.departed_at", "person.sex", "person.nationality",
                 "person.id_number", "person.document", "person.visa", "person.entry_date", "person.date_of_birth"):
        item = _without(item, path)
    assert _store(inbox_app, [item])[0]["status"] == "accepted"
    row = _rows(inbox_app)[item["id"]]
    assert row.room is None and row.date_of_birth is None and row.document_number is None


def test_a_rejected_item_does_not_block_an_accepted_replay(inbox_app):
    """A sender that fixes the one bad item and resends the batch gets the same receipt for the
    ones already stored, and the fixed one is stored now."""
    good = wire_notification()
    bad = _with(wire_notification(), "event", "teleported")
    first = _store(inbox_app, [good, bad])
    fixed = _with(bad, "event", "arrival")
    second = _store(inbox_app, [good, fixed])
    assert second[0] == first[0]
    assert second[1] == {"id": fixed["id"], "status": "accepted", "receipt": receipt_for(fixed["id"])}
    with inbox_app.app_context():
        assert stored_ids([good["id"], fixed["id"], "ntf_nothere"]) == {good["id"], fixed["id"]}


def test_through_the_endpoint_the_answer_lists_each_items_outcome(inbox_app):
    good = wire_notification()
    raw, headers = signed(batch([_without(wire_notification(), "stay.id"), good]), secret=SECRET_A)
    r = inbox_app.test_client().post("/police/api/v1/batches", data=raw, headers=headers)
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert [x["status"] for x in results] == ["rejected", "accepted"]
    assert results[0]["code"] == "wire.required" and "stay.id" in results[0]["message"]
    assert set(_rows(inbox_app)) == {good["id"]}
