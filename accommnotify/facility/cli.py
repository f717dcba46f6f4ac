"""`flask --app wsgi facility-user …`: accounts of facility staff."""
import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..security import read_password
from ..models.facility_users import FacilityUser
from .accounts import AccountError, create_user, normalize_email, set_password

facility_user_cli = AppGroup("facility-user", help="Accounts of facility staff (the /facility pages).")


@facility_user_cli.command("create")
@click.argument("email")
@click.option("--facility", "facility_code", required=True, help="Code of the user's facility")
def create(email, facility_code):
    """Creates a user of facility CODE; the password comes from a prompt or stdin."""
    try:
        create_user(email, read_password(), facility_code)
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"created facility user for {facility_code}")


@facility_user_cli.command("set-password")
@click.argument("email")
def set_password_command(email):
    """Sets a new password (from a prompt or stdin) and clears the failed-login delay."""
    user = db.session.execute(select(FacilityUser).filter_by(email=normalize_email(email))).scalar_one_or_none()
    if user is None:
        raise click.ClickException("no such user")
    try:
        set_password(user, read_password())
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo("password changed")


DEMO_EMAIL = "demo@example.com"


def demo_user(facility) -> None:
    """`flask demo` hook: a facility user for the demo facility, with a fresh printed password."""
    password = secrets.token_urlsafe(9)
    user = db.session.execute(select(FacilityUser).filter_by(email=DEMO_EMAIL)).scalar_one_or_none()
    if user is None:
        create_user(DEMO_EMAIL, password, facility.code)
    elif user.facility_id == facility.id:
        set_password(user, password)
    else:
        return
    click.echo(f"Facility pages: http://127.0.0.1:5000/facility  user {DEMO_EMAIL}  password {password}")
