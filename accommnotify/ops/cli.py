"""Operator commands (SPEC §8) for the intake side: facilities, API keys, demo data."""
import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..extensions import db
from ..intake.facilities import FacilityError, create_facility
from ..intake.vocab import FACILITY_KINDS
from ..models import Facility
from .keys import create_api_key, revoke_api_key

facility_cli = AppGroup("facility", help="Facilities that notify stays.")
apikey_cli = AppGroup("apikey", help="API keys of facilities.")

DEMO_FACILITY = dict(code="DEMO-HOTEL", name="Khách sạn Demo", kind="tourist_accommodation",
                     ward_code="16681", address="1 Đường Demo")


@facility_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(FACILITY_KINDS))
@click.option("--ward", "ward_code", required=True, help="5-digit ward code of the 2025 map")
@click.option("--province", "province_code", help="2-digit province code (derived from the ward if omitted)")
@click.option("--address", default="")
@click.option("--phone")
@click.option("--email")
def facility_create(**fields):
    try:
        facility = create_facility(**fields)
    except FacilityError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"created facility {facility.code} (ward {facility.ward_code}, province {facility.province_code})")


@apikey_cli.command("create")
@click.argument("code")
@click.option("--label")
def apikey_create(code, label):
    """Creates a key for facility CODE and prints it as the last line (shown once)."""
    facility = db.session.query(Facility).filter_by(code=code).first()
    if facility is None:
        raise click.ClickException(f"no facility with code {code}")
    token = create_api_key(facility, label)
    click.echo(f"API key for {code} (shown once, store it now):")
    click.echo(token)


@apikey_cli.command("revoke")
@click.argument("key_or_prefix")
def apikey_revoke(key_or_prefix):
    """Revokes a key, given whole or by the prefix shown when it was made."""
    count = revoke_api_key(key_or_prefix)
    if not count:
        raise click.ClickException("no live key matches")
    click.echo(f"revoked {count} key(s)")


@click.command("demo")
@with_appcontext
def demo():
    """A demo facility and API key for the quick start (safe to run again)."""
    facility = db.session.query(Facility).filter_by(code=DEMO_FACILITY["code"]).first()
    if facility is None:
        facility = create_facility(**DEMO_FACILITY)
    # Other parts (police officer, facility user) add their own demo accounts here.
    for hook in current_app.extensions.get("accommnotify.demo_hooks", []):
        hook(facility)
    token = create_api_key(facility, "demo")
    click.echo(f"Demo facility: {facility.code} ({facility.name})")
    click.echo("Post a stay:")
    click.echo(f"  curl -s -X POST http://127.0.0.1:5000/api/v1/stays -H 'Authorization: Bearer {token}' "
               "-H 'Content-Type: application/json' -d @docs/examples/stay.json")
    click.echo("Demo API key:")
    click.echo(token)


@click.command("purge")
@click.option("--days", type=int, help="keep this many days (default: RETENTION_DAYS setting)")
@click.option("--dry-run", is_flag=True, help="only count what would be removed")
@with_appcontext
def purge_command(days, dry_run):
    """Removes personal data past its retention period (ended stays, old attempts and inbox rows)."""
    from .purge import purge
    days = days if days is not None else current_app.config["RETENTION_DAYS"]
    if days < 1:
        raise click.ClickException("--days must be at least 1")
    report = purge(days, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb} {report.stays} stay(s), {report.guests} guest(s), {report.notifications} "
               f"notification(s), {report.attempts} delivery attempt(s), {report.inbox} inbox row(s), "
               f"{report.webhook_messages} webhook message(s) older than {days} days")
    if not dry_run:   # guest self check-in: entries past their own expiry (hours), docs/SELF_CHECKIN.md
        click.echo(f"removed {report.checkin_entries} self check-in entry(ies) past their expiry or decided")


partitions_cli = AppGroup("partitions", help="Monthly partitions of the tables that grow (PostgreSQL).")


@partitions_cli.command("ensure")
@click.option("--ahead", type=click.IntRange(0, 24), default=None, help="months after the current one (default 3)")
@click.option("--since", "since", metavar="YYYY-MM", help="also every month from this one")
@with_appcontext
def partitions_ensure(ahead, since):
    """Creates the missing months (the dispatcher does so every hour too); a no-op on SQLite."""
    from datetime import date
    from . import partitions
    first = None
    if since:
        try:
            year, month = (int(part) for part in since.split("-"))
            first = date(year, month, 1)
        except ValueError:
            raise click.BadParameter("expected YYYY-MM", param_hint="--since") from None
    made = partitions.ensure(ahead=partitions.DEFAULT_AHEAD if ahead is None else ahead, since=first)
    click.echo(f"created {len(made)} partition(s)" + (": " + ", ".join(made) if made else ""))


@partitions_cli.command("status")
@with_appcontext
def partitions_status():
    """Each partitioned table's months and the rows in its held partition."""
    from ..extensions import db
    from . import partitions
    report = partitions.status(db.engine)
    if not report:
        click.echo("no partitioned tables (SQLite, or PostgreSQL before migration 0021)")
    for table, info in report.items():
        click.echo(f"{table}: {info['months']} month(s) {info['first']:%Y-%m}..{info['last']:%Y-%m}, "
                   f"{info['held_rows']} held row(s)" if info["months"] else
                   f"{table}: no month, {info['held_rows']} held row(s)")


keys_cli = AppGroup("keys", help="The data key that encrypts ID and passport numbers at rest.")


@keys_cli.command("rotate")
@with_appcontext
def keys_rotate():
    """Re-encrypt every stored number with the current ACCOMMNOTIFY_DATA_KEY (older keys in
    ACCOMMNOTIFY_DATA_KEYS_OLD are read); resumable, in short transactions."""
    from ..crypto import keyring
    from .rotate import rotate, stale_counts
    done = rotate()
    left = stale_counts()
    for table, count in done.items():
        click.echo(f"{table}: {count} rows re-encrypted")
    click.echo(f"current key id {keyring().current_id}; rows left on older keys: {sum(left.values())}")
    if any(left.values()):
        raise SystemExit(1)


@keys_cli.command("status")
@with_appcontext
def keys_status():
    """The current key id and how many rows still hold values of older keys."""
    from ..crypto import keyring
    from .rotate import stale_counts
    click.echo(f"current key id {keyring().current_id}; "
               f"configured key ids {', '.join(keyring().keys)}")
    for table, count in stale_counts().items():
        click.echo(f"{table}: {count} rows on older keys")


def register_commands(app):
    app.cli.add_command(facility_cli)
    app.cli.add_command(apikey_cli)
    app.cli.add_command(demo)
    app.cli.add_command(purge_command)
    app.cli.add_command(keys_cli)
    app.cli.add_command(partitions_cli)
    from .organisation_cli import organisation_cli
    app.cli.add_command(organisation_cli)
