"""Issue 10 item 3 (and the `next` with a newline of item 10): no open redirect, no 500."""
import pytest

from accommnotify.web_auth import safe_next
from tests.integration.facility.conftest import EMAIL, PASSWORD, Staff, make_user
from tests.integration.police.helpers import login as police_login

HOSTILE = ["/%09/evil.com", "/\t/evil.com", "//evil.com", "/\\evil.com", "\\\\evil.com", "https://evil.com",
           "http:evil.com", "javascript:alert(1)", "/\n/evil.com", "/x\r\nSet-Cookie: a=b", " //evil.com",
           "/\x00/evil.com", "/%2F/evil.com", "evil.com", "///evil.com", "/\u3000/evil.com"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_helper_sends_anything_off_site_to_the_default(target):
    assert safe_next(target, "/home") == "/home"
    assert safe_next(target, "/police/", within="/police") == "/police/"


@pytest.mark.parametrize("target", ["/facility/", "/police/?s=abc&page=2", "/police", "/facility/stays/st_1#g"])
def test_same_site_paths_pass(target):
    assert safe_next(target, "/home") == target


def test_within_keeps_a_surface_to_itself():
    assert safe_next("/facility/", "/police/", within="/police") == "/police/"
    assert safe_next("/policex/", "/police/", within="/police") == "/police/"


def _location(response):
    assert response.status_code in (302, 303), response.status_code
    return response.headers["Location"]


def _is_local(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\")) and location.isprintable()


@pytest.mark.parametrize("target", ["/%09/evil.com", "//evil.com", "/%5Cevil.com", "https://evil.com", "/%0A/x",
                                    "/%0D%0ASet-Cookie:%20a=b"])
def test_language_switch(client, target):
    response = client.get("/lang/en?next=" + target)
    assert _location(response) == "/"


def test_language_switch_goes_back_to_a_local_page(client):
    assert _location(client.get("/lang/en?next=/facility/history")) == "/facility/history"


@pytest.mark.parametrize("target", ["/\t/evil.com", "//evil.com", "/\\evil.com", "https://evil.com", "/\n/x"])
def test_facility_login(app, client, facility, target):
    make_user(app)
    staff = Staff(client)
    staff.get("/facility/login")
    response = staff.post("/facility/login", {"email": EMAIL, "password": PASSWORD, "next": target})
    assert _location(response) == "/facility/"


@pytest.mark.parametrize("target", ["/%09/evil.com", "//evil.com", "/police%0A/x", "/police/../\\evil"])
def test_police_login(papp, target):
    client = papp.test_client()
    response = client.post("/police/login?next=" + target, data={"username": "an.officer",
                                                                 "password": "correct-horse-battery"})
    assert _location(response) == "/police/"
    client = papp.test_client()
    assert _location(police_login(client, "an.officer")) == "/police/"


def test_police_acknowledge_back(officer_client):
    response = officer_client.post("/police/acknowledge", data={"back": "/police\n//evil.com"})
    assert _is_local(_location(response)) and "evil" not in _location(response)
