"""Issue 10 item 9: session cookie flags from settings (never switched per request), and
X-Forwarded-* trusted only from the configured number of proxies."""
import pytest
from flask import jsonify, request

from accommnotify.settings import load_settings
from tests.conftest import make_app
from tests.integration.facility.conftest import EMAIL, PASSWORD, Staff, make_user


def set_cookie_of(response, name="session"):
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, response.headers
    return [p.strip().lower() for p in headers[-1].split(";")]


def login(app):
    client = app.test_client()
    staff = Staff(client)
    staff.get("/facility/login")
    return staff.post("/facility/login", {"email": EMAIL, "password": PASSWORD})


def test_secure_cookies_are_the_default_setting(monkeypatch):
    monkeypatch.delenv("ACCOMMNOTIFY_SESSION_COOKIE_SECURE", raising=False)
    assert load_settings()["SESSION_COOKIE_SECURE"] is True
    assert load_settings()["PROXY_COUNT"] == 0


def test_the_session_cookie_is_lax_httponly_and_secure(database_url, facility_in):
    app = facility_in(make_app(database_url, SESSION_COOKIE_SECURE=True))
    flags = set_cookie_of(login(app))
    assert "samesite=lax" in flags and "httponly" in flags and "secure" in flags
    assert app.config["REMEMBER_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_forwarded_https_does_not_switch_secure_on_for_later_requests(database_url, facility_in):
    app = facility_in(make_app(database_url, SESSION_COOKIE_SECURE=False))
    client = app.test_client()
    for _ in range(6):
        client.get("/facility/login", headers={"X-Forwarded-Proto": "https"})
        client.get("/facility/login", base_url="https://localhost")
    assert app.config["SESSION_COOKIE_SECURE"] is False
    flags = set_cookie_of(login(app))
    assert "secure" not in flags and "samesite=lax" in flags


def _probe(app):
    app.add_url_rule("/_probe", "probe", lambda: jsonify(addr=request.remote_addr, scheme=request.scheme,
                                                         host=request.host))
    return app.test_client()


FORWARDED = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "luutru.example.vn"}


def test_without_proxies_forwarded_headers_are_ignored(database_url):
    client = _probe(make_app(database_url))
    body = client.get("/_probe", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_json()
    assert body == {"addr": "10.0.0.2", "scheme": "http", "host": "localhost"}


@pytest.mark.parametrize("count, addr", [(1, "198.51.100.7"), (2, "203.0.113.9")])
def test_each_configured_proxy_is_trusted_for_one_hop(database_url, count, addr):
    client = _probe(make_app(database_url, PROXY_COUNT=count))
    headers = {"X-Forwarded-For": "192.0.2.66, 203.0.113.9, 198.51.100.7",  # the first one is made up
               "X-Forwarded-Proto": ", ".join(["http"] + ["https"] * count),
               "X-Forwarded-Host": ", ".join(["evil.example"] + ["luutru.example.vn"] * count)}
    body = client.get("/_probe", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_json()
    assert body == {"addr": addr, "scheme": "https", "host": "luutru.example.vn"}


@pytest.fixture
def facility_in():
    """Registers the facility and its staff account in a fresh app."""
    def _make(app):
        from accommnotify.intake.facilities import create_facility
        with app.app_context():
            create_facility(code="HOTEL-1", name="Khách sạn Sen", kind="tourist_accommodation",
                            ward_code="16681", address="12 Lê Lợi")
        make_user(app)
        return app
    return _make
