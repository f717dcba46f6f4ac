"""Bulk posts, authentication, malformed bodies, OpenAPI, health."""
from accommnotify.extensions import db
from accommnotify.models import Stay
from tests import factories as f


def test_bulk_one_bad_stay_never_sinks_the_others(api, app):
    existing = f.stay()
    api.post("/stays", json=existing)
    good = f.stay()
    items = [good, f.stay(guests=[f.citizen(id_number="123456789")]), existing, {**existing, "room": "9"}, good,
             {"nonsense": True}]
    r = api.post("/stays/bulk", json={"stays": items}, headers={"Accept-Language": "en"})
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert [x["index"] for x in results] == list(range(6))
    assert [x["status"] for x in results] == ["created", "invalid", "duplicate", "invalid", "duplicate", "invalid"]
    assert results[1]["errors"][0]["field"] == "guests[0].id_number"
    assert results[1]["errors"][0]["code"] == "id_number.legacy_cmnd"
    assert results[3]["errors"][0]["code"] == "external_ref.conflict"
    assert results[4]["stay"]["id"] == results[0]["stay"]["id"]
    assert results[2]["stay"] == api.get(f"/stays/{results[2]['stay']['id']}").get_json()  # read back whole
    assert {e["code"] for e in results[5]["errors"]} >= {"unknown_field", "required"}
    with app.app_context():
        assert db.session.query(Stay).count() == 2


def test_bulk_limits(api):
    r = api.post("/stays/bulk", json={"stays": [f.stay() for _ in range(501)]})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "stays"
    r = api.post("/stays/bulk", json={"stays": "all"})
    assert r.status_code == 422
    assert api.post("/stays/bulk", json={"stays": []}).get_json() == {"results": []}


def test_bulk_of_500_is_stored(api, app):
    r = api.post("/stays/bulk", json={"stays": [f.stay() for _ in range(500)]})
    assert [x["status"] for x in r.get_json()["results"]] == ["created"] * 500
    with app.app_context():
        assert db.session.query(Stay).count() == 500


def test_missing_malformed_and_revoked_keys(client, api, runner, facility):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "},
                    {"Authorization": "Bearer ak_not-a-real-key"}):
        r = client.post("/api/v1/stays", json=f.stay(), headers=headers)
        assert r.status_code == 401 and r.mimetype == "application/problem+json"
        assert "WWW-Authenticate" in r.headers
    assert api.get("/stays").status_code == 200
    result = runner.invoke(args=["apikey", "revoke", facility[1][:11]])
    assert result.exit_code == 0, result.output
    assert api.get("/stays").status_code == 401


def test_bodies_that_are_not_stays(api, app):
    cases = [
        (dict(data="{not json", content_type="application/json"), 400, "invalid_json"),
        (dict(data="room=1", content_type="application/x-www-form-urlencoded"), 400, "format"),
        (dict(json=[1, 2]), 400, "type"),
        (dict(json="text"), 400, "type"),
    ]
    for kwargs, status, code in cases:
        r = api.client.post("/api/v1/stays", headers=api._headers(None), **kwargs)
        assert r.status_code == status, (kwargs, r.get_json())
        assert r.get_json()["errors"][0]["code"] == code
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    r = api.post("/stays", json=f.stay(reason_note="x" * 20_000))
    assert r.status_code == 413 and r.get_json()["errors"][0]["code"] == "body_too_large"
    assert api.post("/stays", json=f.stay(reason_note="x" * 501)).get_json()["errors"][0]["code"] == "too_long"


def test_unknown_path_and_method_are_problems(api):
    assert api.get("/nope").status_code == 404
    r = api.client.delete("/api/v1/stays", headers=api._headers(None))
    assert r.status_code == 405 and r.mimetype == "application/problem+json"


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= {"/stays", "/stays/bulk", "/stays/{stay_id}", "/stays/{stay_id}/departure",
                                  "/stays/{stay_id}/cancel", "/notifications"}
    guest = spec["components"]["schemas"]["Guest"]
    assert set(guest["required"]) == {"full_name", "date_of_birth", "sex", "nationality"}
    assert guest["properties"]["sex"]["enum"] == ["male", "female"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"POST /api/v1/stays" in page.data


def test_health_and_readiness(client, app):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ok"
    with app.app_context():
        head = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar()
        db.session.execute(db.text("UPDATE alembic_version SET version_num = '0000'"))
        db.session.commit()
    try:
        stale = client.get("/readyz")
        assert stale.status_code == 503 and stale.get_json()["reason"] == "migrations"
    finally:
        # the PostgreSQL database is shared by the session's tests (only model tables are emptied)
        with app.app_context():
            db.session.execute(db.text("UPDATE alembic_version SET version_num = :head"), {"head": head})
            db.session.commit()


def test_bulk_when_a_ref_is_stored_between_lookup_and_write(api, app, monkeypatch):
    """The first pass looks refs up before its write transaction; a ref taken in between makes the
    INSERT fail, and the second pass looks up and writes in one transaction."""
    from accommnotify.intake import service

    taken, fresh = f.stay(), f.stay()
    assert api.post("/stays", json=taken).status_code == 201
    real_existing, calls = service._existing, []

    def stale_first_lookup(facility, refs):
        calls.append(set(refs))
        return {} if len(calls) == 1 else real_existing(facility, refs)

    monkeypatch.setattr(service, "_existing", stale_first_lookup)
    results = api.post("/stays/bulk", json={"stays": [taken, fresh]}).get_json()["results"]
    assert len(calls) == 2
    assert [r["status"] for r in results] == ["duplicate", "created"]
    with app.app_context():
        assert db.session.query(Stay).count() == 2


def test_a_body_with_a_byte_order_mark_is_read(api):
    import json
    body = b"\xef\xbb\xbf" + json.dumps(f.stay(), ensure_ascii=False).encode("utf-8")
    assert api.post("/stays", data=body, content_type="application/json").status_code == 201
