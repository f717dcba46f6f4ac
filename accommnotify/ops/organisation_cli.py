"""`flask --app wsgi organisation …`: chains (issue 13, item 3) - organisations, their facilities and keys."""
import click
from flask.cli import AppGroup

from .organisations import (OrganisationError, attach_facility, create_organisation, create_organisation_key,
                            revoke_organisation_key)

organisation_cli = AppGroup("organisation", help="Organisations (chains) owning several facilities, and their API keys.")


def _run(action, *args):
    try:
        return action(*args)
    except OrganisationError as exc:
        raise click.ClickException(str(exc))


@organisation_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
def organisation_create(code, name):
    _run(create_organisation, code, name)
    click.echo(f"created organisation {code}")


@organisation_cli.command("attach")
@click.argument("organisation_code")
@click.argument("facility_codes", nargs=-1, required=True)
def organisation_attach(organisation_code, facility_codes):
    """Puts facilities FACILITY_CODES… in ORGANISATION_CODE (a facility belongs to one organisation)."""
    for code in facility_codes:
        _run(attach_facility, organisation_code, code)
    click.echo(f"{organisation_code}: attached {', '.join(facility_codes)}")


@organisation_cli.command("apikey")
@click.argument("organisation_code")
@click.option("--label")
def organisation_apikey(organisation_code, label):
    """Creates an organisation key and prints it as the last line (shown once). Requests with it
    name the facility (facility_code)."""
    token = _run(create_organisation_key, organisation_code, label)
    click.echo(f"organisation API key for {organisation_code} (shown once, store it now):")
    click.echo(token)


@organisation_cli.command("revoke-key")
@click.argument("key_or_prefix")
def organisation_revoke_key(key_or_prefix):
    """Revokes an organisation key, given whole or by the prefix shown when it was made."""
    count = revoke_organisation_key(key_or_prefix)
    if not count:
        raise click.ClickException("no live key matches")
    click.echo(f"revoked {count} key(s)")
