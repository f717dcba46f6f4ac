"""/api/v1/webhooks: subscriptions per facility, the secret shown once, validation, isolation."""
import pytest
from standardwebhooks.webhooks import Webhook

from accommnotify.extensions import db
from accommnotify.models import WebhookSubscription
from accommnotify.webhooks.events import EVENTS
from tests.conftest import ApiClient, make_app

HOOK = {"url": "https://pms.example.com/hooks", "events": ["notification.rejected", "notification.dead"]}


def _codes(response):
    return {(e["field"], e["code"]) for e in response.get_json()["errors"]}


def test_create_list_get_delete(api, app):
    created = api.post("/webhooks", json=HOOK)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["secret"].startswith("whsec_") and body["events"] == HOOK["events"] and body["enabled"]
    assert created.headers["Location"] == f"/api/v1/webhooks/{body['id']}"
    Webhook(body["secret"])  # the reference library accepts the secret
    # stored encrypted, never shown again
    with app.app_context():
        raw = db.session.execute(db.text("SELECT secret FROM webhook_subscriptions")).scalar()
        db.session.rollback()
    assert raw.startswith("e1.") and body["secret"] not in raw
    listed = api.get("/webhooks").get_json()["webhooks"]
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    one = api.get(f"/webhooks/{body['id']}")
    assert one.status_code == 200 and "secret" not in one.get_json() and one.get_json()["url"] == HOOK["url"]
    assert api.client.delete(f"/api/v1/webhooks/{body['id']}", headers=api._headers(None)).status_code == 204
    assert api.get(f"/webhooks/{body['id']}").status_code == 404
    assert api.get("/webhooks").get_json()["webhooks"] == []


def test_another_facility_sees_nothing(api, app, client):
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    hook_id = api.post("/webhooks", json=HOOK).get_json()["id"]
    with app.app_context():
        other = create_facility(code="HOTEL-2", name="Nhà nghỉ Mai", kind="rental_rooms", ward_code="16681",
                                address="3 Trần Phú")
        other_key = create_api_key(other, "test")
    other_api = ApiClient(client, other_key)
    assert other_api.get(f"/webhooks/{hook_id}").status_code == 404
    deleted = client.delete(f"/api/v1/webhooks/{hook_id}", headers=other_api._headers(None))
    assert deleted.status_code == 404 and deleted.mimetype == "application/problem+json"
    assert other_api.get("/webhooks").get_json()["webhooks"] == []
    assert api.get(f"/webhooks/{hook_id}").status_code == 200  # still there for its owner


def test_without_a_key_401(client):
    assert client.get("/api/v1/webhooks").status_code == 401
    assert client.post("/api/v1/webhooks", json=HOOK).status_code == 401


@pytest.mark.parametrize("body, expected", [
    ({"url": "ftp://pms.example.com/x", "events": ["stay.created"]}, ("url", "webhook.url_format")),
    ({"url": "https://user:pw@pms.example.com/x", "events": ["stay.created"]}, ("url", "webhook.url_format")),
    ({"url": "https://" + "a" * 2000 + ".com", "events": ["stay.created"]}, ("url", "too_long")),
    ({"url": "http://pms.example.com/x", "events": ["stay.created"]}, ("url", "webhook.url_https_required")),
    ({"url": "https://127.0.0.1/x", "events": ["stay.created"]}, ("url", "webhook.url_private")),
    ({"url": "https://10.1.2.3/x", "events": ["stay.created"]}, ("url", "webhook.url_private")),
    ({"url": "https://localhost/x", "events": ["stay.created"]}, ("url", "webhook.url_private")),
    ({"url": "https://[::1]:99999/x", "events": ["stay.created"]}, ("url", "webhook.url_format")),
    ({"url": "https://pms.example.com/x", "events": ["guest.spied"]}, ("events[0]", "choice")),
    ({"url": "https://pms.example.com/x", "events": []}, ("events", "webhook.no_events")),
    ({"url": "https://pms.example.com/x", "events": ["stay.created"] * 50}, ("events", "too_long")),
    ({"url": "https://pms.example.com/x"}, ("events", "required")),
    ({"url": "https://pms.example.com/x", "events": "stay.created"}, ("events", "type")),
    ({"url": "https://pms.example.com/x", "events": ["stay.created"], "secret": "mine"}, ("secret", "unknown_field")),
])
def test_validation_names_field_and_code(api, body, expected):
    response = api.post("/webhooks", json=body)
    assert response.status_code == 422, response.get_json()
    assert expected in _codes(response)


def test_plain_http_and_loopback_when_the_operator_allows_it(database_url, facility):
    app = make_app(database_url, WEBHOOK_ALLOW_INSECURE=True)
    api = ApiClient(app.test_client(), facility[1])
    response = api.post("/webhooks", json={"url": "http://127.0.0.1:8080/hooks", "events": list(EVENTS)})
    assert response.status_code == 201 and response.get_json()["events"] == list(EVENTS)
    assert api.post("/webhooks", json={"url": "ftp://x/y", "events": ["stay.created"]}).status_code == 422


def test_subscriptions_per_facility_are_bounded(api, app):
    for _ in range(20):
        assert api.post("/webhooks", json=HOOK).status_code == 201
    response = api.post("/webhooks", json=HOOK)
    assert response.status_code == 422 and ("url", "webhook.too_many") in _codes(response)
    with app.app_context():
        assert db.session.query(WebhookSubscription).count() == 20
        db.session.rollback()


def test_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]["/webhooks"]) == {"post", "get"}
    assert {"get", "delete"} <= set(spec["paths"]["/webhooks/{webhook_id}"])
    create = spec["components"]["schemas"]["WebhookCreate"]
    assert create["required"] == ["events", "url"] or set(create["required"]) == {"events", "url"}
    assert create["properties"]["url"]["maxLength"] == 2000
    assert set(create["properties"]["events"]["items"]["enum"]) == set(EVENTS)
    assert "secret" in spec["components"]["schemas"]["WebhookCreatedOut"]["properties"]
