"""`flask --app wsgi portal …`: portal files and the operator's template."""
import click
from flask.cli import AppGroup

from ..receivers.portal_mapping import resolve
from ..receivers.portal_template import TemplateMismatch, load_template
from ..timeutil import vn_iso
from . import service

portal_cli = AppGroup("portal", help="Files for the national declaration portal (vn_portal receiver).")


@portal_cli.command("files")
@click.option("--facility", "facility_code", default=None, help="Only this facility (its code)")
def files(facility_code):
    """Portal files, newest first: id, facility, kind, rows, status, earliest deadline."""
    rows = service.facility_files(facility_code)
    if not rows:
        click.echo("no portal files")
        return
    click.echo(f"{'id':32} {'facility':16} {'kind':10} {'rows':>5} {'shown':>5} {'status':9} {'earliest deadline':25} file")
    for r in rows:
        shown = "" if r.records_shown is None else str(r.records_shown)
        click.echo(f"{r.id:32} {r.code:16} {r.kind:10} {r.row_count:>5} {shown:>5} {r.status:9} "
                   f"{vn_iso(r.earliest_deadline) or '':25} {r.filename}")


@portal_cli.command("check-template")
@click.argument("path", type=click.Path(dir_okay=False))
def check_template(path):
    """Check an official template before installing it: exit 0 and the list sizes, or 1 and what differs."""
    try:
        template = load_template(path)
    except TemplateMismatch as exc:
        click.echo(f"{path}: NOT usable:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"{path}: usable (sha256 {template.sha256})")
    for name, size in template.sizes().items():
        click.echo(f"  {name}: {size} entries")
    alert = resolve(template).alert()
    if alert:
        click.echo(f"  note: {alert}")
