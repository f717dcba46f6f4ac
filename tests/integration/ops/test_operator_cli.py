"""Operator commands' refusals (SPEC §8), as an operator meets them: `facility create` with a kind,
name, ward or code that cannot be, `facility-user set-password` for nobody or with a short password.
Nothing is stored by a refused command (SQLite, and PostgreSQL when configured)."""
from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.models import Facility

GOOD = ["facility", "create", "--code", "HOTEL-9", "--name", "Nhà nghỉ Hoa", "--kind", "tourist_accommodation",
        "--ward", "16681"]
PASSWORD = "a-long-enough-password"


def _facilities(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Facility))
        db.session.rollback()
    return count


def _with(option, value):
    args = list(GOOD)
    args[args.index(option) + 1] = value
    return args


def test_facility_create_and_its_refusals(app, runner):
    ok = runner.invoke(args=GOOD)
    assert ok.exit_code == 0 and ok.output.strip() == "created facility HOTEL-9 (ward 16681, province 40)"
    refusals = {
        "duplicate": (GOOD, "a facility with code HOTEL-9 already exists"),
        "bad code": (_with("--code", "hotel 9"), "code must match [A-Z0-9-]{2,32}"),
        "blank name": (_with("--name", "   "), "name is required"),
        "unknown ward": (_with("--ward", "99999"), "ward_code"),
    }
    for label, (args, message) in refusals.items():
        result = runner.invoke(args=args)
        assert result.exit_code == 1, label
        assert message in result.output, (label, result.output)
    assert _facilities(app) == 1
    bad_kind = runner.invoke(args=_with("--kind", "castle"))
    assert bad_kind.exit_code == 2 and "castle" in bad_kind.output  # refused by the option's choices


def test_create_facility_lists_every_problem_at_once(app):
    from accommnotify.intake.facilities import FacilityError, create_facility
    with app.app_context():
        try:
            create_facility(code="x", name="", kind="castle", ward_code="16681")
        except FacilityError as exc:
            message = str(exc)
        else:
            raise AssertionError("create_facility accepted a facility with three problems")
        db.session.rollback()
    assert "code must match" in message and "kind must be one of" in message and "name is required" in message
    assert _facilities(app) == 0


def test_facility_user_set_password(database_url):
    from tests.conftest import make_app
    app = make_app(database_url, WTF_CSRF_ENABLED=False)  # plain form posts for the logins below
    runner = app.test_cli_runner()
    assert runner.invoke(args=GOOD).exit_code == 0
    created = runner.invoke(args=["facility-user", "create", "desk@example.com", "--facility", "HOTEL-9"],
                            input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    nobody = runner.invoke(args=["facility-user", "set-password", "nobody@example.com"], input=PASSWORD + "\n")
    assert nobody.exit_code == 1 and "no such user" in nobody.output
    short = runner.invoke(args=["facility-user", "set-password", "Desk@Example.com"], input="short\n")
    assert short.exit_code == 1 and "at least" in short.output
    changed = runner.invoke(args=["facility-user", "set-password", "Desk@Example.com"],
                            input="another-long-password\n")
    assert changed.exit_code == 0 and changed.output.strip() == "password changed"
    # the new password logs in, the old one does not (each login its own request)
    old = app.test_client().post("/facility/login", data={"email": "desk@example.com", "password": PASSWORD})
    assert old.status_code in (200, 401) and "Location" not in old.headers
    assert app.test_client().post("/facility/login", data={"email": "desk@example.com",
                                                            "password": "another-long-password"}).status_code == 302
