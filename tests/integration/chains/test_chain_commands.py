"""The operator commands of chains: what they refuse, and memberships added, changed and removed."""
import pytest


@pytest.fixture
def two_facilities(app):
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        for code in ("A-1", "B-1"):
            create_facility(code=code, name=f"Cơ sở {code}", kind="rental_rooms", ward_code="16681")


def _run(runner, *args):
    return runner.invoke(args=list(args))


def test_organisation_commands_refuse_what_is_wrong(runner, two_facilities):
    assert _run(runner, "organisation", "create", "--code", "bad code", "--name", "X").exit_code != 0
    assert _run(runner, "organisation", "create", "--code", "ORG-A", "--name", " ").exit_code != 0
    assert _run(runner, "organisation", "create", "--code", "ORG-A", "--name", "A").exit_code == 0
    assert "already exists" in _run(runner, "organisation", "create", "--code", "ORG-A", "--name", "A").output
    assert "no organisation" in _run(runner, "organisation", "attach", "NOPE", "A-1").output
    assert "no facility" in _run(runner, "organisation", "attach", "ORG-A", "NOPE").output
    assert _run(runner, "organisation", "attach", "ORG-A", "A-1").exit_code == 0
    assert _run(runner, "organisation", "attach", "ORG-A", "A-1").exit_code == 0  # again: nothing changes
    assert _run(runner, "organisation", "create", "--code", "ORG-B", "--name", "B").exit_code == 0
    assert "another organisation" in _run(runner, "organisation", "attach", "ORG-B", "A-1").output
    assert "no organisation" in _run(runner, "organisation", "apikey", "NOPE").output
    assert "no live key" in _run(runner, "organisation", "revoke-key", "ok_nothing").output
    key = _run(runner, "organisation", "apikey", "ORG-A").output.strip().splitlines()[-1]
    assert _run(runner, "organisation", "revoke-key", key[:11]).output.strip() == "revoked 1 key(s)"


def test_memberships_are_added_changed_and_removed(app, runner, two_facilities):
    from accommnotify.facility.accounts import create_user
    from accommnotify.facility.memberships import memberships_of
    from accommnotify.extensions import db
    from accommnotify.models.facility_users import FacilityUser
    with app.app_context():
        create_user("le.tan@example.com", "mật khẩu đủ dài", "A-1")

    def roles():
        with app.app_context():
            user = db.session.execute(db.select(FacilityUser)).scalar_one()
            return [(m.facility.code, m.role) for m in memberships_of(user)]

    assert roles() == [("A-1", "manager")]
    assert _run(runner, "facility-user", "add-facility", "le.tan@example.com", "--facility", "B-1").exit_code == 0
    assert roles() == [("A-1", "manager"), ("B-1", "staff")]
    assert _run(runner, "facility-user", "add-facility", "le.tan@example.com", "--facility", "B-1",
                "--role", "manager").exit_code == 0
    assert _run(runner, "facility-user", "add-facility", "le.tan@example.com", "--facility", "A-1",
                "--role", "staff").exit_code == 0  # the own facility's role can be narrowed
    assert roles() == [("A-1", "staff"), ("B-1", "manager")]
    assert "no such user" in _run(runner, "facility-user", "add-facility", "x@example.com", "--facility", "B-1").output
    assert "no facility" in _run(runner, "facility-user", "add-facility", "le.tan@example.com", "--facility", "NO").output
    assert _run(runner, "facility-user", "remove-facility", "le.tan@example.com", "--facility", "B-1").exit_code == 0
    assert roles() == [("A-1", "staff")]
    assert "no such membership" in _run(runner, "facility-user", "remove-facility", "le.tan@example.com",
                                        "--facility", "B-1").output
