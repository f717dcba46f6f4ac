"""Issue 10 item 5: sessions can be revoked, and they end by themselves.

A copy of a session cookie (a "stolen" one) is replayed from a second client after the owner logs
out, changes the password or is disabled: it must be refused. Idle and absolute expiry are tested
by moving the frozen clock."""
import re
from datetime import timedelta

import pytest

from accommnotify.extensions import db
from tests.conftest import make_app
from tests.integration.security.conftest import app_with_officer
from tests.integration.facility.conftest import EMAIL, Staff
from tests.integration.facility.conftest import login as facility_login
from tests.integration.facility.conftest import make_user
from tests.integration.police.helpers import FAST_HASH, PASSWORD, WARD_A, add_officer


@pytest.fixture
def capp(database_url):
    """CSRF on (as in production), fast argon2, officer "an.officer" and a facility with a user."""
    with app_with_officer(database_url) as application:
        yield application


def csrf_of(html: str) -> str:
    """The CSRF token of a page (the police login renders its attributes in another order)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def police_login(client):
    page = client.get("/police/login").get_data(as_text=True)
    response = client.post("/police/login", data={"username": "an.officer", "password": PASSWORD,
                                                   "csrf_token": csrf_of(page)})
    assert response.status_code == 302, response.status_code
    return response


def copy_of(client, app):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def police_in(client) -> bool:
    return client.get("/police/").status_code == 200


def facility_in(client) -> bool:
    return client.get("/facility/").status_code == 200


def set_officer(app, **changes):
    from accommnotify.models.police import Officer
    from accommnotify.police.accounts import set_password
    with app.app_context():
        officer = db.session.query(Officer).filter_by(username="an.officer").one()
        if "password" in changes:
            set_password(officer, changes.pop("password"))
        for key, value in changes.items():
            setattr(officer, key, value)
        db.session.commit()


# -- police ------------------------------------------------------------------------------------

def test_police_logout_ends_every_copy_of_the_cookie(capp):
    client = capp.test_client()
    police_login(client)
    thief = copy_of(client, capp)
    assert police_in(thief)
    page = client.get("/police/").get_data(as_text=True)
    assert client.post("/police/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert not police_in(thief)
    assert not police_in(client)


def test_police_password_change_ends_sessions(capp):
    client = capp.test_client()
    police_login(client)
    thief = copy_of(client, capp)
    set_officer(capp, password="another long password")
    assert not police_in(thief) and not police_in(client)


def test_police_deactivation_ends_sessions_even_after_reactivation(capp):
    client = capp.test_client()
    police_login(client)
    thief = copy_of(client, capp)
    set_officer(capp, active=False)
    set_officer(capp, active=True)
    assert not police_in(thief)


def test_police_login_gives_a_new_session_and_csrf_token(capp):
    client = capp.test_client()
    before = csrf_of(client.get("/police/login").get_data(as_text=True))
    anonymous_cookie = client.get_cookie("session").value
    client.post("/police/login", data={"username": "an.officer", "password": PASSWORD, "csrf_token": before})
    assert client.get_cookie("session").value != anonymous_cookie
    # The token of the session before login is no longer valid for a form after it.
    assert client.post("/police/logout", data={"csrf_token": before}).status_code == 400
    assert police_in(client)
    # And the pre-login cookie (which an attacker may have planted) is not logged in.
    planted = capp.test_client()
    planted.set_cookie("session", anonymous_cookie)
    assert not police_in(planted)


def test_police_idle_timeout(capp, clock):
    client = capp.test_client()
    police_login(client)
    clock.shift(timedelta(minutes=20))
    assert police_in(client)           # activity keeps it alive ...
    clock.shift(timedelta(minutes=20))
    assert police_in(client)           # ... 40 minutes after login
    clock.shift(timedelta(minutes=31))
    assert not police_in(client)       # 31 idle minutes: over


def test_police_absolute_lifetime(capp, clock):
    client = capp.test_client()
    police_login(client)
    for _ in range(49):                # active every 29 minutes for 23 h 41 min
        clock.shift(timedelta(minutes=29))
        assert police_in(client)
    clock.shift(timedelta(minutes=29))  # 24 h 10 min after login, though idle only 29 minutes
    assert not police_in(client)


def test_the_idle_time_is_a_setting(database_url, clock):
    application = make_app(database_url, POLICE_IDLE_MINUTES=5, **FAST_HASH)
    with application.app_context():
        add_officer("an.officer", f"ward:{WARD_A}")
        db.session.remove()
    client = application.test_client()
    police_login(client)
    clock.shift(timedelta(minutes=6))
    assert not police_in(client)


# -- facility ----------------------------------------------------------------------------------

@pytest.fixture
def fapp(capp, facility):
    make_user(capp)
    return capp


@pytest.fixture
def facility(capp):
    from accommnotify.intake.facilities import create_facility
    with capp.app_context():
        create_facility(code="HOTEL-1", name="Khách sạn Thử", kind="tourist_accommodation", address="1 Đường Thử",
                        ward_code=WARD_A)
        db.session.remove()


def set_user(app, **changes):
    from accommnotify.facility.accounts import set_password
    from accommnotify.models.facility_users import FacilityUser
    with app.app_context():
        user = db.session.query(FacilityUser).filter_by(email=EMAIL).one()
        if "password" in changes:
            set_password(user, changes.pop("password"))
        for key, value in changes.items():
            setattr(user, key, value)
        db.session.commit()


def test_facility_logout_ends_every_copy_of_the_cookie(fapp):
    staff = facility_login(fapp.test_client())
    thief = copy_of(staff.client, fapp)
    assert facility_in(thief)
    assert staff.post("/facility/logout").status_code == 302
    assert not facility_in(thief)


def test_facility_password_change_and_disabling_end_sessions(fapp):
    from accommnotify.timeutil import utcnow
    staff = facility_login(fapp.test_client())
    thief = copy_of(staff.client, fapp)
    set_user(fapp, password="another long password")
    assert not facility_in(thief) and not facility_in(staff.client)

    staff = facility_login(fapp.test_client(), password="another long password")
    thief = copy_of(staff.client, fapp)
    set_user(fapp, disabled_at=utcnow())
    set_user(fapp, disabled_at=None)
    assert not facility_in(thief)


def test_facility_pre_login_csrf_token_is_void_after_login(fapp):
    staff = Staff(fapp.test_client())
    staff.get("/facility/login")
    before = staff.token
    staff.post("/facility/login", {"email": EMAIL, "password": "correct horse battery"})
    assert facility_in(staff.client)
    assert staff.client.post("/facility/logout", data={"csrf_token": before}).status_code == 400


def test_facility_idle_timeout_and_lifetime(fapp, clock):
    staff = facility_login(fapp.test_client())
    clock.shift(timedelta(hours=11, minutes=50))
    assert facility_in(staff.client)
    clock.shift(timedelta(hours=11, minutes=50))
    assert facility_in(staff.client)         # 23 h 40 min after login, active
    clock.shift(timedelta(minutes=30))
    assert not facility_in(staff.client)     # 24 h 10 min: over, however active

    staff = facility_login(fapp.test_client())
    clock.shift(timedelta(hours=12, minutes=1))
    assert not facility_in(staff.client)     # 12 h idle: over
