import pytest

from accommnotify.extensions import db
from tests.conftest import make_app

from .helpers import FAST_HASH, login


@pytest.fixture
def papp(database_url):
    """The app with CSRF off (plain client tests) and a fast argon2 for test logins.

    No app context is held: every request gets its own, as in production (a held one would carry
    `g` and the logged-in user from one request and one client to the next). Set-up and checks open
    a short `with papp.app_context():` between requests.
    """
    application = make_app(database_url, WTF_CSRF_ENABLED=False, POLICE_API_SETTLE_SECONDS=0,
                           POLICE_FACILITY_CACHE_SECONDS=0, **FAST_HASH)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def as_officer(papp):
    """as_officer("username") -> a test client logged in as that officer."""
    def _login(username):
        client = papp.test_client()
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return _login
