"""Issue 10 item 6: the login throttle never locks real users out.

Failures count per (client address, account) and per address, never per account alone: a stranger
failing from elsewhere does not delay the real user; the stranger's own address is slowed; one
address trying many accounts is slowed for all of them. The address is the client's only behind the
configured number of proxies (PROXY_COUNT)."""
from datetime import timedelta

import pytest

from tests.integration.security.conftest import app_with_officer
from tests.integration.facility.conftest import EMAIL, PASSWORD as STAFF_PASSWORD, make_user
from tests.integration.police.helpers import PASSWORD

STRANGER, USER, OTHER = "198.51.100.7", "203.0.113.5", "192.0.2.44"


def police_login(client, password, address, username="an.officer", **headers):
    return client.post("/police/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_a_strangers_failures_never_delay_the_real_officer(papp, clock):
    stranger, user = papp.test_client(), papp.test_client()
    for _ in range(8):  # one wrong password every 15 minutes for two hours, as in the issue
        police_login(stranger, "wrong password", STRANGER)
        clock.shift(timedelta(minutes=15))
    for _ in range(10):  # and a burst
        police_login(stranger, "wrong password", STRANGER)
    assert police_login(stranger, PASSWORD, STRANGER).status_code == 429  # the stranger's address waits
    assert police_login(user, PASSWORD, USER).status_code == 302          # the officer does not


def test_the_same_address_is_slowed(papp):
    client = papp.test_client()
    for _ in range(3):
        assert police_login(client, "wrong password", USER).status_code == 401
    assert police_login(client, PASSWORD, USER).status_code == 429
    assert police_login(papp.test_client(), PASSWORD, OTHER).status_code == 302


def test_one_address_trying_many_accounts_is_slowed_for_all(papp):
    client = papp.test_client()
    for n in range(20):  # one failure each: no (address, account) pair reaches its limit
        assert police_login(client, "wrong password", STRANGER, username=f"guess{n}").status_code == 401
    assert police_login(client, PASSWORD, STRANGER).status_code == 429    # every account, from there
    assert police_login(papp.test_client(), PASSWORD, USER).status_code == 302


def test_a_count_is_forgotten_after_an_hour_without_failures(papp, clock):
    client = papp.test_client()
    for _ in range(3):
        police_login(client, "wrong password", USER)
    clock.shift(timedelta(hours=2))
    for _ in range(2):
        assert police_login(client, "wrong password", USER).status_code == 401
    assert police_login(client, PASSWORD, USER).status_code == 302  # a fresh count: 2 failures, no delay


@pytest.fixture
def proxied(database_url):
    with app_with_officer(database_url, WTF_CSRF_ENABLED=False, PROXY_COUNT=1) as application:
        yield application


def test_behind_a_proxy_the_forwarded_address_is_the_client(proxied):
    proxy = "10.0.0.1"  # every request comes from the proxy; X-Forwarded-For names the client
    stranger, user = proxied.test_client(), proxied.test_client()
    for _ in range(5):
        police_login(stranger, "wrong password", proxy, **{"X-Forwarded-For": STRANGER})
    assert police_login(stranger, PASSWORD, proxy, **{"X-Forwarded-For": STRANGER}).status_code == 429
    assert police_login(user, PASSWORD, proxy, **{"X-Forwarded-For": USER}).status_code == 302


def test_without_a_proxy_a_forged_forwarded_address_changes_nothing(papp):
    client = papp.test_client()
    for n in range(3):
        police_login(client, "wrong password", STRANGER, **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert police_login(client, PASSWORD, STRANGER, **{"X-Forwarded-For": USER}).status_code == 429


def test_facility_staff_are_not_locked_out_by_a_stranger(app, facility):
    make_user(app)
    app.config["WTF_CSRF_ENABLED"] = False
    stranger, user = app.test_client(), app.test_client()
    for _ in range(10):
        stranger.post("/facility/login", data={"email": EMAIL, "password": "wrong password"},
                      environ_base={"REMOTE_ADDR": STRANGER})
    refused = stranger.post("/facility/login", data={"email": EMAIL, "password": STAFF_PASSWORD},
                            environ_base={"REMOTE_ADDR": STRANGER})
    assert refused.status_code == 401 and "Hãy đợi" in refused.get_data(as_text=True)
    response = user.post("/facility/login", data={"email": EMAIL, "password": STAFF_PASSWORD},
                         environ_base={"REMOTE_ADDR": USER})
    assert response.status_code == 302
