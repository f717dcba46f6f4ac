"""Fixtures of the facility pages: a staff account of the `facility` fixture, logged in through the form."""
import re

import pytest

PASSWORD = "correct horse battery"
EMAIL = "staff@example.com"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Staff:
    """The test client, logged in as a facility user; `post_form` sends the page's CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def get(self, path, **kw):
        response = self.client.get(path, **kw)
        if response.status_code == 200 and b"csrf_token" in response.data:
            self.token = csrf_of(response.get_data(as_text=True))
        return response

    def post(self, path, data=None, **kw):
        if self.token is None:
            self.get("/facility/login")
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        response = self.client.post(path, data=data, **kw)
        if b"csrf_token" in response.data:
            self.token = csrf_of(response.get_data(as_text=True))
        return response


def make_user(app, code="HOTEL-1", email=EMAIL, password=PASSWORD):
    from accommnotify.facility.accounts import create_user
    with app.app_context():
        create_user(email, password, code)


def login(client, email=EMAIL, password=PASSWORD) -> Staff:
    staff = Staff(client)
    staff.get("/facility/login")
    response = staff.post("/facility/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    staff.get("/facility/")  # the session is new after login: take its CSRF token
    return staff


@pytest.fixture
def staff(app, client, facility):
    make_user(app)
    return login(client)
