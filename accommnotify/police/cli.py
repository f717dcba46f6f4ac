"""`flask --app wsgi officer …`: police accounts and API tokens."""
import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..security import read_password
from ..models.police import ROLES, Officer
from .accounts import AccountError, create_officer, create_token, normalise_username, revoke_token, set_password

officer_cli = AppGroup("officer", help="Police officers, police systems and their API tokens.")
token_cli = AppGroup("token", help="Bearer tokens for GET /police/api/v1/notifications.")
officer_cli.add_command(token_cli)


@officer_cli.command("create")
@click.argument("username")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="ward:CODE (repeatable) or province:CODE, codes of the 2025 map")
@click.option("--role", type=click.Choice(ROLES), default="officer", show_default=True)
@click.option("--system", is_flag=True, help="A police-side system: no password, API tokens only.")
def officer_create(username, scopes, role, system):
    """Creates an officer; the password comes from a prompt, or the first line of stdin."""
    password = None if system else read_password()
    try:
        officer = create_officer(username, list(scopes), role=role, password=password,
                                 kind="system" if system else "person")
    except AccountError as exc:
        raise click.ClickException(str(exc))
    scope_text = ", ".join(f"{s.kind}:{s.code}" for s in officer.scopes)
    click.echo(f"created {'system' if system else 'officer'} {officer.username} ({officer.role}; {scope_text})")


@officer_cli.command("password")
@click.argument("username")
def officer_password(username):
    """Sets a new password (prompt or stdin) and clears nothing else."""
    officer = db.session.scalar(select(Officer).where(Officer.username == normalise_username(username)))
    if officer is None or officer.kind != "person":
        raise click.ClickException(f"no officer {username}")
    try:
        set_password(officer, read_password())
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"password set for {officer.username}")


@officer_cli.command("deactivate")
@click.argument("username")
def officer_deactivate(username):
    """Stops an account from logging in or using its tokens (the audit log keeps its name)."""
    officer = db.session.scalar(select(Officer).where(Officer.username == normalise_username(username)))
    if officer is None:
        raise click.ClickException(f"no officer {username}")
    officer.active = False
    db.session.commit()
    click.echo(f"deactivated {officer.username}")


@officer_cli.command("list")
def officer_list():
    for o in db.session.scalars(select(Officer).order_by(Officer.username)).all():
        scope_text = ",".join(f"{s.kind}:{s.code}" for s in o.scopes)
        click.echo(f"{o.username}\t{o.kind}\t{o.role}\t{'active' if o.active else 'inactive'}\t{scope_text}")


@token_cli.command("create")
@click.argument("username")
@click.option("--label")
def token_create(username, label):
    """Creates a token for an officer or system; prints it as the last line (shown once)."""
    officer = db.session.scalar(select(Officer).where(Officer.username == normalise_username(username)))
    if officer is None:
        raise click.ClickException(f"no officer or system {username}")
    token = create_token(officer, label)
    click.echo(f"API token for {officer.username} (shown once, store it now):")
    click.echo(token)


@token_cli.command("revoke")
@click.argument("token_or_prefix")
def token_revoke(token_or_prefix):
    count = revoke_token(token_or_prefix)
    if not count:
        raise click.ClickException("no live token matches")
    click.echo(f"revoked {count} token(s)")


DEMO_OFFICER = "demo-police"


def demo_officer_hook(facility):
    """`flask demo`: an officer for the demo facility's ward, password printed once."""
    if db.session.scalar(select(Officer.id).where(Officer.username == DEMO_OFFICER)) is not None:
        click.echo(f"Demo police officer: {DEMO_OFFICER} (exists; password was printed when it was made)")
        return
    password = secrets.token_urlsafe(12)
    create_officer(DEMO_OFFICER, [f"ward:{facility.ward_code}"], role="supervisor", password=password)
    click.echo(f"Demo police officer for ward {facility.ward_code}: log in at /police/login")
    click.echo(f"  username: {DEMO_OFFICER}")
    click.echo(f"  password: {password}")
