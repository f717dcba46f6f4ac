"""Hospitals (issue 13 item 1): a patient's companions declared with the patient and linked to them.

POST names the person accompanied by position in `guests`; PATCH adds a companion naming the
patient's guest id, and removes one with {"id", "removed": true}. Adding or removing a companion
never touches the patient's guest row nor the patient's notifications.
"""
import json

from tests import factories as f
from tests.integration.api.test_lifecycle import codes, create, events, set_status
from tests.integration.stored_rows import stay_snapshot


def admission(**kw):
    guests = [f.citizen(full_name="Phạm Văn Bệnh"),
              f.citizen(full_name="Phạm Thị Nhà", sex="female", accompanies=0),
              f.citizen(full_name="Phạm Văn Chăm", accompanies=0)]
    return dict(reason="medical_treatment", room="Nội / 12", guests=guests, **kw)


def test_a_night_admission_with_two_companions(api):
    body = create(api, **admission())
    patient, first, second = body["guests"]
    assert patient["accompanies"] is None
    assert first["accompanies"] == second["accompanies"] == patient["id"]
    # Everyone is declared: one arrival each (companions stay in the hospital too).
    assert events(body) == [[("arrival", "pending")]] * 3
    assert api.get(f"/stays/{body['id']}").get_json() == body


def test_replay_with_links(api):
    payload = f.stay(**admission())
    first = api.post("/stays", json=payload)
    second = api.post("/stays", json=payload)
    assert first.status_code == 201 and second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true" and second.get_json() == first.get_json()


def test_bad_links_are_named_with_stable_codes(api):
    guests = [f.citizen(), f.citizen(accompanies=7), f.citizen(accompanies=3), f.citizen(accompanies=1)]
    r = api.post("/stays", json=f.stay(guests=guests))
    assert r.status_code == 422
    assert codes(r) == {("guests[1].accompanies", "guests.accompanies.unknown"),
                        ("guests[2].accompanies", "guests.accompanies.chain"),
                        ("guests[3].accompanies", "guests.accompanies.chain")}
    r = api.post("/stays", json=f.stay(guests=[f.citizen(accompanies=0)]))
    assert codes(r) == {("guests[0].accompanies", "guests.accompanies.self")}
    for bad in ("0", 1.5, -1, 200, {"i": 0}):
        r = api.post("/stays", json=f.stay(guests=[f.citizen(), f.citizen(accompanies=bad)]))
        assert r.status_code == 422, bad
        assert {e["field"] for e in r.get_json()["errors"]} == {"guests[1].accompanies"}, bad
    r = api.post("/stays", json=f.stay(guests=[f.citizen(), f.citizen(accompanies=0)]), headers={"Accept-Language": "en"})
    assert r.status_code == 201


def test_any_kind_of_facility_may_link_guests(api):
    # A tourist_accommodation (the test facility's kind) may say who cares for whom too.
    body = create(api, guests=[f.citizen(), f.child(accompanies=0)])
    assert body["guests"][1]["accompanies"] == body["guests"][0]["id"]


def test_adding_and_removing_a_companion_leaves_the_patient_untouched(api, app):
    stay = create(api, **admission())
    patient_id = stay["guests"][0]["id"]
    set_status(app, stay["guests"][0]["notifications"][0]["id"], "accepted", receipt="R-1")
    before = stay_snapshot(app, stay["id"])

    def patient_rows(snapshot):
        return ([g for g in snapshot["guests"] if g["id"] == patient_id],
                [n for n in snapshot["notifications"] if n["guest_id"] == patient_id])

    # A third relative takes over for the night: added with the patient's id, one arrival of their own.
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [f.citizen(full_name="Phạm Văn Mới", accompanies=patient_id)]})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["guests"][3]["accompanies"] == patient_id
    assert events(body) == [[("arrival", "accepted")]] + [[("arrival", "pending")]] * 3
    after_add = stay_snapshot(app, stay["id"])
    assert patient_rows(after_add) == patient_rows(before)

    # The first companion goes home: removed (entered for this stay, gone now), patient unchanged.
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": stay["guests"][1]["id"], "removed": True}]})
    assert r.status_code == 200, r.get_json()
    assert events(r.get_json())[1] == [("arrival", "withdrawn")]
    assert patient_rows(stay_snapshot(app, stay["id"])) == patient_rows(before)


def test_a_patch_link_must_name_a_guest_of_the_stay(api):
    stay = create(api, **admission())
    other = create(api)
    patient_id, companion_id = stay["guests"][0]["id"], stay["guests"][1]["id"]
    for target, code in ((other["guests"][0]["id"], "guests.accompanies.unknown"),
                         ("gu_nope", "guests.accompanies.unknown"),
                         (companion_id, "guests.accompanies.chain")):
        r = api.patch(f"/stays/{stay['id']}", json={"guests": [f.citizen(accompanies=target)]})
        assert r.status_code == 422 and codes(r) == {("guests[0].accompanies", code)}, target
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": companion_id, "accompanies": companion_id}]})
    assert codes(r) == {("guests[0].accompanies", "guests.accompanies.self")}
    # The patient cannot be removed while companions stay linked to them.
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": patient_id, "removed": True}]})
    assert r.status_code == 422 and codes(r) == {("guests[0].removed", "guests.accompanies.removed")}
    assert "người nhà" in r.get_json()["errors"][0]["message"]


def test_unlinking_a_companion_changes_only_the_link(api, app):
    stay = create(api, **admission())
    companion = stay["guests"][1]
    before = stay_snapshot(app, stay["id"])
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": companion["id"], "accompanies": None}]})
    assert r.status_code == 200 and r.get_json()["guests"][1]["accompanies"] is None
    after = stay_snapshot(app, stay["id"])
    assert after["notifications"] == before["notifications"]
    changed = [(a["id"], k) for a, b in zip(after["guests"], before["guests"]) for k in a if a[k] != b[k]]
    assert changed == [(companion["id"], "accompanies_guest_id")]
    # Linking back: the same, and patient + companions removed together is fine.
    api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": companion["id"], "accompanies": stay["guests"][0]["id"]}]})
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": g["id"], "removed": True} for g in stay["guests"][:2]]})
    assert r.status_code == 422  # the second companion still names the patient
    r = api.patch(f"/stays/{stay['id']}", json={"guests": [{"id": stay["guests"][0]["id"], "removed": True},
                                                           {"id": stay["guests"][2]["id"], "accompanies": None},
                                                           {"id": companion["id"], "removed": True}]})
    assert r.status_code == 200, r.get_json()


def test_bulk_links_each_stay_on_its_own(api):
    good = f.stay(**admission())
    bad = f.stay(guests=[f.citizen(), f.citizen(accompanies=1)])
    r = api.post("/stays/bulk", json={"stays": [bad, good]})
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert results[0]["status"] == "invalid"
    assert {(e["field"], e["code"]) for e in results[0]["errors"]} == {("guests[1].accompanies", "guests.accompanies.self")}
    created = results[1]["stay"]
    assert [g["accompanies"] for g in created["guests"]] == [None, created["guests"][0]["id"], created["guests"][0]["id"]]
    assert api.get(f"/stays/{created['id']}").get_json()["guests"] == created["guests"]


def test_the_link_is_not_sent_to_the_police(api, app):
    """SPEC §4's wire format is unchanged: each companion is a person of the same stay, nothing more."""
    from accommnotify.dispatch.wire import batch_query, wire_notification
    from accommnotify.extensions import db
    stay = create(api, **admission())
    ids = [g["notifications"][0]["id"] for g in stay["guests"]]
    with app.app_context():
        conn = db.session.connection()
        sent = [wire_notification(r) for r in conn.execute(batch_query(ids, conn.dialect.name))]
    assert len(sent) == 3 and {n["stay"]["id"] for n in sent} == {stay["id"]}
    assert sorted(n["person"]["full_name"] for n in sent) == sorted(g["full_name"] for g in stay["guests"])
    assert all("accompan" not in json.dumps(n) for n in sent)
