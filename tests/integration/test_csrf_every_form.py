"""Every state-changing route of the cookie-authenticated pages refuses a POST without a CSRF token.

The routes come from the app's URL map, so a route added later is covered without touching this
test. Only the bearer-token JSON APIs are exempt by design (no cookie is read there): /api/v1 and
/police/api/v1. Both kinds of user log in for real, through their login forms, with CSRF on.
"""
import re

import pytest

from accommnotify.intake import service
from accommnotify.intake.facilities import create_facility
from accommnotify.models import FacilityRef
from tests import factories
from tests.conftest import make_app
from tests.integration.facility.conftest import login as facility_login
from tests.integration.facility.conftest import make_user
from tests.integration.police.helpers import FAST_HASH, PASSWORD, WARD_A, add_notification, add_officer

TOKEN_APIS = ("/api/v1/", "/police/api/v1/")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def capp(database_url):
    """The app as in production: CSRF on (only the password hash is made fast)."""
    application = make_app(database_url, **FAST_HASH)
    assert application.config.get("WTF_CSRF_ENABLED", True) is not False
    return application


def csrf_token_of(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, "the page has no CSRF token"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def police_client(app, username):
    client = app.test_client()
    token = csrf_token_of(client.get("/police/login").get_data(as_text=True))
    response = client.post("/police/login", data={"username": username, "password": PASSWORD,
                                                  "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert client.get("/police/").status_code == 200
    return client


def facility_client(app):
    staff = facility_login(app.test_client())
    assert staff.client.get("/facility/").status_code == 200
    return staff.client


def cookie_routes(app):
    """(rule, write methods) of every route outside the token APIs that accepts a write."""
    out = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & WRITE_METHODS
        if methods and not rule.rule.startswith(TOKEN_APIS):
            out.append((rule, sorted(methods)))
    return sorted(out, key=lambda item: item[0].rule)


def test_every_cookie_authenticated_post_without_a_csrf_token_is_refused(capp):
    with capp.app_context():
        facility = FacilityRef.of(create_facility(code="HOTEL-1", name="Khách sạn Sen",
                                                  kind="tourist_accommodation", ward_code=WARD_A,
                                                  address="12 Lê Lợi"))
        stay_id = service.create_stay(facility, factories.stay()).stay["id"]
        notification_id = add_notification(WARD_A)
        add_officer("ward-a", f"ward:{WARD_A}")
    make_user(capp, code="HOTEL-1")
    clients = {"/police": police_client(capp, "ward-a"), "/facility": facility_client(capp)}
    values = {"stay_id": stay_id, "notification_id": notification_id}

    routes = cookie_routes(capp)
    covered = {rule.rule for rule, _ in routes}
    # the forms this test exists for are among them (a sanity check of the URL-map walk)
    assert {"/facility/stays/new", "/facility/stays/<stay_id>/correct", "/facility/import/confirm",
            "/facility/import", "/facility/login", "/police/login", "/police/acknowledge",
            "/police/n/<notification_id>/acknowledge"} <= covered
    adapter = capp.url_map.bind("localhost")
    refused = []
    for rule, methods in routes:
        url = adapter.build(rule.endpoint, {name: values.get(name, "x") for name in rule.arguments})
        surface = next((prefix for prefix in clients if rule.rule.startswith(prefix + "/")), None)
        for name, client in clients.items() if surface is None else [(surface, clients[surface])]:
            for method in methods:
                response = client.open(url, method=method, data={"full_name": "Nguyễn Văn An"})
                assert response.status_code == 400 and b"CSRF token" in response.data, \
                    f"{method} {url} as a {name} user without a CSRF token: {response.status_code}"
                refused.append((method, url, name))
    assert len(refused) >= len(routes)

    # the refused posts changed nothing: both users are still logged in
    assert clients["/police"].get("/police/").status_code == 200
    assert clients["/facility"].get("/facility/").status_code == 200
