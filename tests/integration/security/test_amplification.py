"""Issue 10 item 8: a request's answer never grows with the number of mistakes in it.
Lists are counted before their items are checked, and one answer lists at most 100 errors."""
import json

import pytest

from accommnotify.intake.prepare import load
from accommnotify.intake.schemas import BulkSchema, DepartureSchema, StayPatchSchema, StaySchema
from accommnotify.intake.errors import InvalidInput
from tests import factories


def post(api, path, payload):
    return api.post(path, data=json.dumps(payload), headers={"Content-Type": "application/json"})


def test_400000_zeros_in_bulk_are_one_error(api):
    response = post(api, "/stays/bulk", {"stays": [0] * 400_000})
    assert response.status_code == 422
    body = response.get_json()
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("stays", "too_long")]
    assert len(response.data) < 2000


@pytest.mark.parametrize("schema, payload, field, code", [
    (StaySchema(), lambda: factories.stay(guests=[0] * 100_000), "guests", "guests.too_many"),
    (StayPatchSchema(), lambda: {"guests": [0] * 100_000}, "guests", "guests.too_many"),
    (DepartureSchema(), lambda: {"guest_ids": [0] * 100_000}, "guest_ids", "too_long"),
    (BulkSchema(), lambda: {"stays": [0] * 100_000}, "stays", "too_long"),
])
def test_list_lengths_are_checked_before_items(schema, payload, field, code):
    with pytest.raises(InvalidInput) as failure:
        load(schema, payload())
    assert [(i.field, i.code) for i in failure.value.issues] == [(field, code)]


def test_a_long_list_is_refused_at_its_bound_and_accepted_under_it():
    with pytest.raises(InvalidInput):
        load(DepartureSchema(), {"guest_ids": ["g"] * 201})
    assert len(load(DepartureSchema(), {"guest_ids": ["g"] * 200})["guest_ids"]) == 200


def test_one_answer_lists_at_most_100_errors(api):
    payload = factories.stay(guests=[{"x": 1} for _ in range(200)])  # 200 x (unknown + 4 required)
    response = post(api, "/stays", payload)
    assert response.status_code == 422
    body = response.get_json()
    assert len(body["errors"]) == 100 and body["errors_omitted"] == 900
    assert "900 more" in body["detail"]


def test_a_bulk_answer_is_capped_per_item_and_in_all(api):
    bad = factories.stay(guests=[{"x": 1} for _ in range(200)])
    response = post(api, "/stays/bulk", {"stays": [dict(bad, external_ref=f"B{i}") for i in range(40)]
                                         + [factories.stay()]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[-1]["status"] == "created"
    invalid = results[:-1]
    assert all(r["status"] == "invalid" and 1 <= len(r["errors"]) <= 100 for r in invalid)
    assert sum(len(r["errors"]) for r in invalid) <= 2000 + len(invalid)
    assert all(len(r["errors"]) + r["errors_omitted"] == 1000 for r in invalid)
    assert len(response.data) < 1_000_000
