"""The pure parts of accommnotify.security: tokens, password hashing, the throttle's schedule.

(The throttle's database side is exercised by the police and facility login tests.)"""
import hashlib

import pytest
from flask import Flask

from accommnotify import security
from accommnotify.models.police import LoginThrottle

FAST = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024, "ARGON2_PARALLELISM": 1}


def app_with(**config):
    app = Flask(__name__)
    app.config.update(config)
    return app


def test_new_token_is_long_random_prefixed_and_stored_as_sha256():
    token, digest, shown = security.new_token("ak_")
    assert token.startswith("ak_") and len(token) == 46
    assert digest == hashlib.sha256(token.encode()).hexdigest() == security.token_hash(token)
    assert shown == token[:11] and token not in digest
    assert security.new_token("ak_")[0] != token


@pytest.mark.parametrize("config", [FAST, {"POLICE_ARGON2_TIME_COST": 1, "POLICE_ARGON2_MEMORY_KIB": 1024,
                                           "POLICE_ARGON2_PARALLELISM": 1}])
def test_argon2id_with_the_app_settings_old_names_too(config):
    with app_with(**config).app_context():
        hashed = security.hash_password("correct horse battery")
        assert hashed.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
        assert security.verify_password(hashed, "correct horse battery") == (True, None)
        assert security.verify_password(hashed, "wrong horse battery") == (False, None)
        assert security.verify_password("not a hash", "correct horse battery") == (False, None)


def test_defaults_outside_an_app():
    assert security.password_hasher().time_cost == 3
    assert security.password_hasher().memory_cost == 65536


def test_no_stored_hash_is_always_false():
    with app_with(**FAST).app_context():
        assert security.verify_password(None, "") == (False, None)
        assert security.verify_password("", "anything at all") == (False, None)


def test_rehash_when_the_settings_change():
    with app_with(**FAST).app_context():
        old = security.hash_password("correct horse battery")
    with app_with(**{**FAST, "ARGON2_TIME_COST": 2}).app_context():
        ok, new = security.verify_password(old, "correct horse battery")
        assert ok and new.startswith("$argon2id$v=19$m=1024,t=2,p=1$")
        assert security.verify_password(new, "correct horse battery") == (True, None)
        assert security.verify_password(old, "wrong") == (False, None)


def test_throttle_schedules():
    police = security.Throttle(free_failures=3, first_delay=1, max_delay=900)
    assert [police.delay_after(n) for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    facility = security.Throttle(namespace="facility:", free_failures=3, first_delay=2, max_delay=900)
    assert [facility.delay_after(n) for n in range(1, 6)] == [0, 0, 2, 4, 8]
    assert facility.delay_after(10_000) == 900
    assert facility.delay_after(25, free=20) == 64  # the address's own, larger allowance
    # Keys hold the address and a digest of the name (never the name), and fit the key column.
    key = facility.pair_key("a@example.com", "203.0.113.9")
    assert key.startswith("facility:pair:203.0.113.9|") and "example" not in key
    assert facility.address_key("203.0.113.9") == "facility:addr:203.0.113.9"
    longest = facility.pair_key("x" * 1000, "f" * 1000)
    assert len(longest) <= LoginThrottle.__table__.c.username.type.length


def test_the_checkin_throttle_counts_an_ipv6_client_by_its_64_network_and_logins_keep_the_address():
    from accommnotify.security import Throttle
    grouped, login = Throttle(namespace="checkin:", ipv6_prefix=64), Throttle(namespace="facility:")
    assert grouped.address_key("2001:db8:1:2::a") == grouped.address_key("2001:DB8:1:2:ffff:1:2:3") \
        == "checkin:addr:2001:db8:1:2::/64"
    assert grouped.address_key("2001:db8:1:3::a") != grouped.address_key("2001:db8:1:2::a")
    assert grouped.pair_key("desk:1", "2001:db8:1:2::a") == grouped.pair_key("desk:1", "2001:db8:1:2::b")
    assert grouped.address_key("::ffff:192.0.2.7") == "checkin:addr:192.0.2.7"     # an IPv4 client, not a /64
    assert grouped.address_key("192.0.2.7") == "checkin:addr:192.0.2.7"
    assert grouped.address_key("fe80::1%eth0") == "checkin:addr:fe80::/64"
    assert grouped.address_key("not an address") == "checkin:addr:not an address"
    assert grouped.address_key(None) == "checkin:addr:-"
    assert login.address_key("2001:db8:1:2::a") == "facility:addr:2001:db8:1:2::a"   # logins: unchanged
