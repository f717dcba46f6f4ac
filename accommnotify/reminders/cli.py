"""``flask --app wsgi reminders run-once | test --user EMAIL``."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..facility.accounts import normalize_email
from ..models import FacilityUser
from ..timeutil import utcnow
from . import service
from .channels import ChannelConfigError, ChannelError, configured_channels

reminders_cli = AppGroup("reminders", help="Reminders to facility users (docs/REMINDERS.md).")


def _channels():
    try:
        channels = configured_channels(current_app.config)
    except ChannelConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if not channels:
        raise click.ClickException("no reminder channel is configured (ACCOMMNOTIFY_SMTP_URL or "
                                   "ACCOMMNOTIFY_REMINDER_HTTP)")
    return channels


@reminders_cli.command("run-once")
def run_once_cmd():
    """Sends every reminder due now (what the dispatcher does every REMINDER_INTERVAL seconds)."""
    report = service.run_once(utcnow(), current_app.config, owner="cli", channels=_channels())
    totals = report.totals()
    click.echo(f"sent {sum(report.sent.values())} {totals['sent']}, failed {sum(report.failed.values())} "
               f"{totals['failed']}, unreachable {report.unreachable}")
    if report.failed:
        raise SystemExit(1)


@reminders_cli.command("test")
@click.option("--user", "email", required=True, help="E-mail (login) of the facility user")
def test_cmd(email):
    """Sends a test reminder to one user by their channel (not recorded in the ledger)."""
    channels = _channels()
    user_id = db.session.execute(select(FacilityUser.id).where(FacilityUser.email == normalize_email(email))).scalar()
    if user_id is None:
        raise click.ClickException("no facility user with that e-mail")
    try:
        name = service.send_test(user_id, current_app.config, utcnow(), channels=channels)
    except (LookupError, ChannelError) as exc:
        raise click.ClickException(f"not sent: {exc}") from None
    click.echo(f"test reminder sent by {name}")
