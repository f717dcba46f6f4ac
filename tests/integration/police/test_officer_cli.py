"""`flask officer password|deactivate|list` and `officer token create|revoke` for the cases an
operator meets: a new password that logs in (the old one no longer does), unknown names, a system
account that has no password, a revoke that matches nothing. Each login is its own request."""
from .helpers import PASSWORD, WARD_A, add_officer, in_app, login

NEW_PASSWORD = "another-long-passphrase"


def test_password_sets_a_new_password_that_logs_in(papp):
    with in_app(papp):
        add_officer("Officer.One", f"ward:{WARD_A}")
    runner = papp.test_cli_runner()
    r = runner.invoke(args=["officer", "password", "OFFICER.ONE"], input=NEW_PASSWORD + "\n")
    assert r.exit_code == 0 and r.output.strip() == "password set for officer.one"
    assert login(papp.test_client(), "officer.one", NEW_PASSWORD).status_code == 302
    assert login(papp.test_client(), "officer.one", PASSWORD).status_code != 302


def test_password_refuses_a_short_password_and_keeps_the_old_one(papp):
    with in_app(papp):
        add_officer("o", f"ward:{WARD_A}")
    r = papp.test_cli_runner().invoke(args=["officer", "password", "o"], input="short\n")
    assert r.exit_code == 1 and "at least" in r.output
    assert login(papp.test_client(), "o", PASSWORD).status_code == 302


def test_password_of_an_unknown_officer_or_a_system_is_an_error(papp):
    with in_app(papp):
        add_officer("records-system", f"ward:{WARD_A}", kind="system")
    runner = papp.test_cli_runner()
    for name in ("nobody", "records-system"):
        r = runner.invoke(args=["officer", "password", name], input=NEW_PASSWORD + "\n")
        assert r.exit_code == 1 and f"no officer {name}" in r.output


def test_deactivate_stops_logins_and_unknown_names_are_errors(papp):
    with in_app(papp):
        add_officer("o", f"ward:{WARD_A}")
    runner = papp.test_cli_runner()
    assert runner.invoke(args=["officer", "deactivate", "O"]).output.strip() == "deactivated o"
    assert login(papp.test_client(), "o", PASSWORD).status_code != 302
    r = runner.invoke(args=["officer", "deactivate", "nobody"])
    assert r.exit_code == 1 and "no officer nobody" in r.output


def test_list_shows_kind_role_state_and_scopes(papp):
    with in_app(papp):
        add_officer("b-officer", f"ward:{WARD_A}", "ward:17329")
        add_officer("a-supervisor", "province:40", role="supervisor")
        add_officer("c-system", f"ward:{WARD_A}", kind="system")
    runner = papp.test_cli_runner()
    runner.invoke(args=["officer", "deactivate", "b-officer"])
    lines = [line.split("\t") for line in runner.invoke(args=["officer", "list"]).output.splitlines()]
    assert lines == [["a-supervisor", "person", "supervisor", "active", "province:40"],
                     ["b-officer", "person", "officer", "inactive", f"ward:{WARD_A},ward:17329"],
                     ["c-system", "system", "officer", "active", f"ward:{WARD_A}"]]


def test_token_for_an_unknown_account_and_revoking_nothing_are_errors(papp):
    runner = papp.test_cli_runner()
    r = runner.invoke(args=["officer", "token", "create", "nobody"])
    assert r.exit_code == 1 and "no officer or system nobody" in r.output
    r = runner.invoke(args=["officer", "token", "revoke", "pol_doesnotexist"])
    assert r.exit_code == 1 and "no live token matches" in r.output
