"""Fixtures of the security tests (issue 10). No app context is held across requests: each test
request runs in its own, as in production."""
from contextlib import contextmanager

import pytest

from accommnotify.extensions import db
from tests.conftest import make_app
from tests.integration.facility.conftest import staff  # noqa: F401  (a logged-in facility user)
from tests.integration.police.helpers import FAST_HASH, WARD_A, add_officer


@contextmanager
def app_with_officer(database_url, **settings):
    """An app with a fast argon2 and one officer "an.officer" of ward WARD_A (engine disposed after)."""
    application = make_app(database_url, **FAST_HASH, **settings)
    with application.app_context():
        add_officer("an.officer", f"ward:{WARD_A}")
        db.session.remove()
    try:
        yield application
    finally:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def papp(database_url):
    """CSRF off, fast argon2, and one officer "an.officer" of ward WARD_A."""
    with app_with_officer(database_url, WTF_CSRF_ENABLED=False, POLICE_API_SETTLE_SECONDS=0,
                          POLICE_FACILITY_CACHE_SECONDS=0) as application:
        yield application


@pytest.fixture
def police_token(papp):
    from accommnotify.models.police import Officer
    from accommnotify.police.accounts import create_token
    with papp.app_context():
        token = create_token(db.session.query(Officer).filter_by(username="an.officer").one())
        db.session.remove()
    return token


@pytest.fixture
def officer_client(papp):
    from tests.integration.police.helpers import login
    client = papp.test_client()
    assert login(client, "an.officer").status_code == 302
    return client
