"""`flask --app wsgi facility-user …`: accounts of facility staff."""
import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..security import read_password
from ..models.facility_users import FacilityUser
from ..models.chains import ROLES
from .accounts import AccountError, create_user, normalize_email, set_password
from .memberships import add_membership, remove_membership

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


@facility_user_cli.command("add-facility")
@click.argument("email")
@click.option("--facility", "facility_code", required=True, help="Code of another facility the user works for")
@click.option("--role", type=click.Choice(ROLES), default="staff", show_default=True,
              help="staff: stays and check-out; manager: also file import and portal files")
def add_facility(email, facility_code, role):
    """Lets the user work for facility CODE too (or changes their role there); the pages get a switcher."""
    try:
        add_membership(email, facility_code, role)
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"{role} at {facility_code}")


@facility_user_cli.command("remove-facility")
@click.argument("email")
@click.option("--facility", "facility_code", required=True)
def remove_facility(email, facility_code):
    """Ends the user's membership of facility CODE (their own facility stays theirs, as manager)."""
    if not remove_membership(email, facility_code):
        raise click.ClickException("no such membership")
    click.echo(f"removed from {facility_code}")


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
