"""`flask --app wsgi proof daily|verify|public-key` (docs/PROOF.md)."""

from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..intake.errors import InvalidInput
from ..models import Facility, FacilityRef
from ..timeutil import utcnow
from . import build, signing
from .daily import parse_day
from .pdf import FontMissing

proof_cli = AppGroup("proof", help="Signed daily proofs of a facility's notifications (PDF).")


@proof_cli.command("daily")
@click.option("--facility", "code", required=True, help="facility code")
@click.option("--date", "day", required=True, help="Vietnam day, YYYY-MM-DD, not after today")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
def daily(code, day, out):
    """Writes the signed proof of facility CODE for one day to OUT."""
    facility = db.session.query(Facility).filter_by(code=code).first()
    if facility is None:
        raise click.ClickException(f"no facility with code {code}")
    now = utcnow()
    try:
        data = build(FacilityRef.of(facility), parse_day(day, now, "--date"), now)
    except InvalidInput as exc:
        raise click.ClickException(f"{exc.detail} ({exc.issues[0].field}: {exc.issues[0].code})")
    except FontMissing as exc:
        raise click.ClickException(str(exc))
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes, key {signing.signer().key_id})")


@proof_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "public_key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM public key to check with (default: this service's own key)")
def verify(file, public_key_file):
    """Exit 0 when FILE is a proof signed by the key and unchanged to the byte; 1 otherwise."""
    if public_key_file is not None:
        try:
            key = signing.load_public_key(public_key_file.read_bytes())
        except ValueError as exc:
            raise click.ClickException(f"{public_key_file}: not an Ed25519 public key in PEM ({exc})")
    else:
        key = signing.signer().public_key
    verdict = signing.verify(file.read_bytes(), key)
    if not verdict.ok:
        click.echo(f"INVALID: {file}: {verdict.reason}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {file}: signature valid (key {verdict.key_id})")


@proof_cli.command("public-key")
def public_key():
    """Prints the public key (PEM) that verifies this service's proofs."""
    click.echo(signing.signer().public_pem(), nl=False)



