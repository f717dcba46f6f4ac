"""Chains (issue 13, item 3): one organisation key posts for three facilities; another organisation's
facility is 404 and stores nothing; an organisation key must name the facility; facility keys are
unchanged."""
import pytest
from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.models import Stay
from tests import factories as f

CHAIN = ("SEN-1", "SEN-2", "SEN-3")


def _facility(code):
    from accommnotify.intake.facilities import create_facility
    return create_facility(code=code, name=f"Khách sạn {code}", kind="tourist_accommodation", ward_code="16681",
                           address="1 Lê Lợi")


@pytest.fixture
def chain(app, runner):
    """Organisation SEN with three facilities (made with the CLI), OTHER-ORG with one: SEN's key."""
    with app.app_context():
        for code in (*CHAIN, "LOTUS-1"):
            _facility(code)
    for args in (["create", "--code", "SEN", "--name", "Chuỗi Sen"], ["attach", "SEN", *CHAIN],
                 ["create", "--code", "LOTUS", "--name", "Chuỗi Lotus"], ["attach", "LOTUS", "LOTUS-1"]):
        result = runner.invoke(args=["organisation", *args])
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["organisation", "apikey", "SEN", "--label", "pms"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("ok_")
    return {"Authorization": f"Bearer {key}"}


def _stays_of(app, code=None):
    from accommnotify.models import Facility
    with app.app_context():
        stmt = select(func.count()).select_from(Stay)
        if code:
            stmt = stmt.join(Facility, Facility.id == Stay.facility_id).where(Facility.code == code)
        return db.session.execute(stmt).scalar()


def test_one_organisation_key_posts_for_three_facilities(app, client, chain):
    body = f.stay(external_ref="BK-1")
    for code in CHAIN:
        response = client.post("/api/v1/stays", headers=chain, json={**body, "facility_code": code})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["facility_code"] == code
    assert [_stays_of(app, code) for code in CHAIN] == [1, 1, 1]  # the same external_ref, once per facility

    # Idempotency stays per facility: the same body again replays; the code is not part of the stay.
    again = client.post("/api/v1/stays", headers=chain, json={**body, "facility_code": "SEN-2"})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"

    bulk = client.post("/api/v1/stays/bulk", headers=chain,
                       json={"facility_code": "SEN-3", "stays": [f.stay(external_ref="BK-2"), f.stay(external_ref="BK-3")]})
    assert bulk.status_code == 200 and [r["status"] for r in bulk.get_json()["results"]] == ["created", "created"]
    assert _stays_of(app, "SEN-3") == 3

    listed = client.get("/api/v1/stays?facility_code=SEN-3", headers=chain)
    assert listed.status_code == 200 and {s["external_ref"] for s in listed.get_json()["stays"]} == {"BK-1", "BK-2", "BK-3"}
    notes = client.get("/api/v1/notifications?facility_code=SEN-1", headers=chain)
    assert notes.status_code == 200 and len(notes.get_json()["notifications"]) == 1

    # By id, the stay names its facility: read, amend and check out without facility_code.
    stay_id = listed.get_json()["stays"][0]["id"]
    assert client.get(f"/api/v1/stays/{stay_id}", headers=chain).get_json()["facility_code"] == "SEN-3"
    assert client.patch(f"/api/v1/stays/{stay_id}", headers=chain, json={"room": "707"}).get_json()["room"] == "707"
    assert client.post(f"/api/v1/stays/{stay_id}/departure", headers=chain, json={}).get_json()["status"] == "departed"


def test_another_organisations_facility_is_not_found_and_nothing_is_stored(app, client, chain):
    for code in ("LOTUS-1", "NOWHERE"):
        response = client.post("/api/v1/stays", headers=chain, json={**f.stay(), "facility_code": code})
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
        bulk = client.post("/api/v1/stays/bulk", headers=chain, json={"facility_code": code, "stays": [f.stay()]})
        assert bulk.status_code == 404
        assert client.get(f"/api/v1/stays?facility_code={code}", headers=chain).status_code == 404
    assert _stays_of(app) == 0


def test_another_organisations_stay_is_not_found_by_id(app, client, chain, runner):
    result = runner.invoke(args=["organisation", "apikey", "LOTUS"])
    lotus = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}
    theirs = client.post("/api/v1/stays", headers=lotus, json={**f.stay(), "facility_code": "LOTUS-1"}).get_json()
    assert client.get(f"/api/v1/stays/{theirs['id']}", headers=chain).status_code == 404
    cancel = client.post(f"/api/v1/stays/{theirs['id']}/cancel", headers=chain, json={"reason": "nhầm"})
    assert cancel.status_code == 404
    assert client.get(f"/api/v1/stays/{theirs['id']}", headers=lotus).get_json()["status"] == "in_house"


def test_an_organisation_key_must_name_the_facility(app, client, chain):
    for response in (client.post("/api/v1/stays", headers=chain, json=f.stay()),
                     client.post("/api/v1/stays/bulk", headers=chain, json={"stays": [f.stay()]}),
                     client.get("/api/v1/stays", headers=chain)):
        assert response.status_code == 422, response.get_json()
        assert {(e["field"], e["code"]) for e in response.get_json()["errors"]} == {("facility_code", "required")}
    bad = client.post("/api/v1/stays", headers=chain, json={**f.stay(), "facility_code": "sen 1"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "facility_code"
    assert _stays_of(app) == 0


def test_a_facility_key_is_unchanged(app, client, api, facility, chain):
    ref, _key = facility
    assert api.post("/stays", json=f.stay(external_ref="A")).status_code == 201
    own = api.post("/stays", json={**f.stay(external_ref="B"), "facility_code": ref.code})
    assert own.status_code == 201 and own.get_json()["facility_code"] == ref.code
    other = api.post("/stays", json={**f.stay(external_ref="C"), "facility_code": "SEN-1"})
    assert other.status_code == 404
    assert api.get("/stays?facility_code=SEN-1").status_code == 404
    assert [_stays_of(app, ref.code), _stays_of(app, "SEN-1")] == [2, 0]


def test_a_revoked_organisation_key_is_refused(app, client, chain, runner):
    key = chain["Authorization"].split()[1]
    assert runner.invoke(args=["organisation", "revoke-key", key]).exit_code == 0
    assert client.get("/api/v1/stays?facility_code=SEN-1", headers=chain).status_code == 401


def test_the_openapi_document_describes_facility_code(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for schema in ("Stay", "Bulk"):
        assert spec["components"]["schemas"][schema]["properties"]["facility_code"]["pattern"] == "^[A-Z0-9-]{2,32}$"
    params = {p["name"] for p in spec["paths"]["/stays"]["get"]["parameters"]}
    assert "facility_code" in params


def test_an_organisation_key_manages_webhooks_and_gets_proofs_per_facility(app, client, chain, runner):
    """The routes that came with issue 12 take the same facility_code rule: named, the organisation's,
    else 422 / 404; a subscription by id only when its facility is the organisation's."""
    hook = {"url": "https://pms.example.com/hooks", "events": ["notification.rejected"]}
    created = client.post("/api/v1/webhooks", headers=chain, json={**hook, "facility_code": "SEN-2"})
    assert created.status_code == 201, created.get_json()
    hook_id = created.get_json()["id"]
    assert client.post("/api/v1/webhooks", headers=chain, json=hook).get_json()["errors"][0]["field"] == "facility_code"
    assert client.post("/api/v1/webhooks", headers=chain, json={**hook, "facility_code": "LOTUS-1"}).status_code == 404

    listed = client.get("/api/v1/webhooks?facility_code=SEN-2", headers=chain).get_json()["webhooks"]
    assert [w["id"] for w in listed] == [hook_id]
    assert client.get("/api/v1/webhooks?facility_code=SEN-1", headers=chain).get_json()["webhooks"] == []
    assert client.get("/api/v1/webhooks", headers=chain).status_code == 422
    assert client.get(f"/api/v1/webhooks/{hook_id}", headers=chain).status_code == 200

    # LOTUS's own key cannot see or delete SEN-2's subscription, and an organisation key not LOTUS-1's
    from accommnotify.models import Facility
    from accommnotify.ops.keys import create_api_key
    from accommnotify.webhooks import subscriptions
    with app.app_context():
        lotus = db.session.query(Facility).filter_by(code="LOTUS-1").one()
        lotus_key = {"Authorization": f"Bearer {create_api_key(lotus, 'pms')}"}
        lotus_hook = subscriptions.create(lotus.id, "https://lotus.example.com/h", ["notification.dead"])["id"]
    assert client.delete(f"/api/v1/webhooks/{hook_id}", headers=lotus_key).status_code == 404
    assert client.get(f"/api/v1/webhooks/{lotus_hook}", headers=chain).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{lotus_hook}", headers=chain).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{hook_id}", headers=chain).status_code == 204

    proof = client.get("/api/v1/proofs/2026-11-26?facility_code=SEN-1", headers=chain)
    assert proof.status_code == 200 and proof.mimetype == "application/pdf"
    assert "SEN-1" in proof.headers["Content-Disposition"]
    assert client.get("/api/v1/proofs/2026-11-26", headers=chain).status_code == 422
    assert client.get("/api/v1/proofs/2026-11-26?facility_code=LOTUS-1", headers=chain).status_code == 404


def test_a_stay_of_a_bulk_request_may_repeat_its_facility_but_never_name_another(app, client, chain):
    same = f.stay(external_ref="BK-SAME")
    alone = client.post("/api/v1/stays", headers=chain, json={**same, "facility_code": "SEN-1"})
    assert alone.status_code == 201
    bulk = client.post("/api/v1/stays/bulk", headers=chain, json={"facility_code": "SEN-1", "stays": [
        {**same, "facility_code": "SEN-1"},                         # the same stay, its code repeated: a replay
        {**f.stay(external_ref="BK-ELSEWHERE"), "facility_code": "SEN-2"}]})
    results = bulk.get_json()["results"]
    assert [r["status"] for r in results] == ["duplicate", "invalid"], results
    assert [(e["field"], e["code"]) for e in results[1]["errors"]] == [("facility_code", "facility_code.other")]
    assert [_stays_of(app, code) for code in CHAIN] == [1, 0, 0]   # nothing stored, at SEN-1 or SEN-2
