"""Officer accounts: command, argon2 hash, login throttling, tokens, demo hook."""
from datetime import timedelta

from accommnotify.extensions import db
from accommnotify.models.police import LoginThrottle, Officer, PoliceToken
from accommnotify.security import Throttle

O_KEY = Throttle().pair_key("o", "127.0.0.1")  # the test client's address
from accommnotify.timeutil import utcnow

from .helpers import PASSWORD, WARD_A, WARD_B, add_notification, add_officer, in_app, login


def _officer(app, name):
    with in_app(app) as session:
        return session.scalar(db.select(Officer).where(Officer.username == name))


def test_officer_create_command(papp):
    runner = papp.test_cli_runner()
    r = runner.invoke(args=["officer", "create", "Canh.Sat", "--scope", f"ward:{WARD_A}", "--scope",
                            f"ward:{WARD_B}", "--role", "supervisor"], input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    o = _officer(papp, "canh.sat")
    assert o.role == "supervisor" and sorted(o.wards) == sorted([WARD_A, WARD_B])
    assert o.password_hash.startswith("$argon2id$") and PASSWORD not in o.password_hash
    assert "correct-horse" not in r.output
    r = runner.invoke(args=["officer", "create", "p", "--scope", "province:40"], input=PASSWORD + "\n")
    assert r.exit_code == 0 and _officer(papp, "p").provinces == ["40"]
    # the 2025 map: unknown ward, an old (pre-2025) province, bad syntax; short password; duplicate
    for scope in ("ward:99999", "province:63", "district:1", "16681"):
        r = runner.invoke(args=["officer", "create", "x", "--scope", scope], input=PASSWORD + "\n")
        assert r.exit_code != 0 and _officer(papp, "x") is None, scope
    r = runner.invoke(args=["officer", "create", "y", "--scope", "province:40"], input="short\n")
    assert r.exit_code != 0 and "password" in r.output
    r = runner.invoke(args=["officer", "create", "p", "--scope", "province:40"], input=PASSWORD + "\n")
    assert r.exit_code != 0 and "exists" in r.output


def test_login_and_growing_delay(papp):
    with in_app(papp):
        add_officer("o", f"ward:{WARD_A}")
    c = papp.test_client()
    assert login(c, "o", "wrong-one").status_code == 401
    assert login(c, "o", "wrong-two").status_code == 401
    assert login(c, "o", "wrong-three").status_code == 401   # third failure: locked for a while
    r = login(c, "o", PASSWORD)                               # even the right password is refused now
    assert r.status_code == 429
    assert "s" in r.get_data(as_text=True)
    with in_app(papp) as session:
        throttle = session.get(LoginThrottle, O_KEY)
        first_lock = throttle.locked_until - throttle.last_failure_at
        # the lock passes: the right password works and clears the counter
        throttle.locked_until = utcnow() - timedelta(seconds=1)
        session.commit()
    assert login(c, "o", "wrong-four").status_code == 401
    with in_app(papp) as session:
        throttle = session.get(LoginThrottle, O_KEY)
        assert throttle.failures == 4
        assert throttle.locked_until - throttle.last_failure_at > first_lock   # the delay grows
        throttle.locked_until = None
        session.commit()
    r = login(c, "o", PASSWORD)
    assert r.status_code == 302
    with in_app(papp) as session:
        assert session.get(LoginThrottle, O_KEY) is None
    assert c.get("/police/").status_code == 200


def test_unknown_username_is_throttled_alike_and_system_cannot_log_in(papp):
    with in_app(papp):
        add_officer("sys", f"ward:{WARD_A}", kind="system")
    c = papp.test_client()
    for _ in range(3):
        assert login(c, "nobody", "x" * 12).status_code == 401
    assert login(c, "nobody", "x" * 12).status_code == 429
    assert login(c, "sys", PASSWORD).status_code == 401


def test_logout_and_deactivation(papp):
    with in_app(papp):
        add_officer("o", f"ward:{WARD_A}")
    c = papp.test_client()
    login(c, "o")
    assert c.get("/police/").status_code == 200
    c.post("/police/logout")
    assert c.get("/police/").status_code == 302
    login(c, "o")
    papp.test_cli_runner().invoke(args=["officer", "deactivate", "o"])
    assert c.get("/police/").status_code == 302


def test_token_commands_and_system_accounts(papp):
    with in_app(papp):
        nid = add_notification(WARD_A)
    runner = papp.test_cli_runner()
    r = runner.invoke(args=["officer", "create", "ward-system", "--system", "--scope", f"ward:{WARD_A}"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["officer", "token", "create", "ward-system", "--label", "records"])
    assert r.exit_code == 0, r.output
    token = r.output.strip().splitlines()[-1]
    assert token.startswith("pt_")
    with in_app(papp) as session:
        assert session.scalar(db.select(PoliceToken.token_hash)) != token
    c = papp.test_client()
    h = {"Authorization": f"Bearer {token}"}
    assert [n["id"] for n in c.get("/police/api/v1/notifications", headers=h).get_json()["notifications"]] == [nid]
    r = runner.invoke(args=["officer", "token", "revoke", token[:11]])
    assert r.exit_code == 0, r.output
    assert c.get("/police/api/v1/notifications", headers=h).status_code == 401


def test_demo_hook_creates_an_officer_once(papp):
    runner = papp.test_cli_runner()
    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0, r.output
    assert "demo-police" in r.output and "password:" in r.output
    o = _officer(papp, "demo-police")
    assert o.wards == ["16681"]
    password = [line for line in r.output.splitlines() if "password:" in line][0].split("password:")[1].strip()
    assert login(papp.test_client(), "demo-police", password).status_code == 302
    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0 and "exists" in r.output
