"""``flask --app wsgi dispatcher run|once|status|replay|enable|disable``."""
from __future__ import annotations

import json
import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..database import read_only
from ..extensions import db
from ..receivers.base import ReceiverConfigError
from ..routing import receivers_config
from ..timeutil import utcnow, vn_iso
from . import admin
from .core import Dispatcher

dispatcher_cli = AppGroup("dispatcher", help="Deliver notifications to the police-side receivers.")


def _logging(verbose: bool = False) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                            stream=sys.stderr)
    logging.getLogger("accommnotify").setLevel(logging.DEBUG if verbose else logging.INFO)


def _config():
    """The receivers file, validated; a bad file stops the command with the problems listed."""
    try:
        return receivers_config(current_app)
    except ReceiverConfigError as exc:
        raise click.ClickException(f"cannot start the dispatcher: {exc}") from None


def _timeouts_warnings(config, lease: float) -> list[str]:
    out = []
    for r in config.receivers.values():
        longest = getattr(r, "connect_timeout", 0) + getattr(r, "read_timeout", 0) or getattr(r, "timeout", 0)
        if longest and longest >= lease:
            out.append(f"receiver {r.name!r}: its timeouts ({longest:g}s) are not shorter than "
                       f"ACCOMMNOTIFY_LEASE_SECONDS ({lease:g}s); a slow batch could be sent twice at once")
    return out


@dispatcher_cli.command("run")
@click.option("--verbose", is_flag=True)
def run_cmd(verbose):
    """Run passes every ACCOMMNOTIFY_DISPATCH_INTERVAL seconds until SIGTERM."""
    _logging(verbose)
    app = current_app._get_current_object()
    config = _config()
    lease = float(app.config["LEASE_SECONDS"])
    webhook_timeouts = float(app.config["WEBHOOK_CONNECT_TIMEOUT"]) + float(app.config["WEBHOOK_READ_TIMEOUT"])
    if webhook_timeouts >= lease:
        logging.getLogger("accommnotify.dispatch").warning(
            "WEBHOOK_CONNECT_TIMEOUT + WEBHOOK_READ_TIMEOUT (%gs) are not shorter than ACCOMMNOTIFY_LEASE_SECONDS "
            "(%gs); a slow webhook could be sent twice at once", webhook_timeouts, lease)
    for warning in list(config.warnings) + _timeouts_warnings(config, lease):
        logging.getLogger("accommnotify.dispatch").warning("%s", warning)
    from .runner import run_forever
    run_forever(app, Dispatcher(app, config=config), float(app.config["DISPATCH_INTERVAL"]),
                float(app.config["WEBHOOK_INTERVAL"]))


@dispatcher_cli.command("once")
@click.option("--flush", is_flag=True, help="Send everything due now, ignoring batch waits (not retry backoff).")
@click.option("--verbose", is_flag=True)
def once_cmd(flush, verbose):
    """One pass, then exit."""
    _logging(verbose)
    app = current_app._get_current_object()
    dispatcher = Dispatcher(app, config=_config())
    report = dispatcher.run_pass(flush=flush)
    totals = report.totals()
    click.echo(f"batches {totals['batches']}, accepted {totals['accepted']}, rejected {totals['rejected']}, "
               f"retrying {totals['retried']}, dead {totals['dead']}, recovered {report.recovered}, "
               f"re-routed {report.rerouted} in {report.seconds:.2f}s")
    if report.webhooks is not None and report.webhooks.as_dict():
        click.echo(f"webhooks: {report.webhooks.as_dict()}")
    for name, rr in report.receivers.items():
        if rr.skipped:
            click.echo(f"receiver {name}: skipped ({rr.skipped}); re-enable with `dispatcher enable {name}`")


@dispatcher_cli.command("status")
@click.option("--json", "as_json", is_flag=True)
def status_cmd(as_json):
    """Pending / sending / retrying / dead per receiver, oldest pending age, nearest deadline."""
    try:
        names = list(receivers_config(current_app).receivers)
    except ReceiverConfigError as exc:
        click.echo(f"warning: {exc}", err=True)
        names = []
    with read_only(), db.engine.connect() as conn:
        status = admin.queue_status(conn, utcnow(), names)
        conn.rollback()
    if as_json:
        for e in status.values():
            e["nearest_deadline"] = vn_iso(e["nearest_deadline"])
        click.echo(json.dumps(status, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'receiver':24} {'pending':>8} {'sending':>8} {'retrying':>8} {'dead':>6} {'late':>6} "
               f"{'oldest':>8}  nearest deadline")
    for name, e in sorted(status.items()):
        oldest = "-" if e["oldest_pending_seconds"] is None else _age(e["oldest_pending_seconds"])
        flag = "  DISABLED" if e["disabled"] else ""
        click.echo(f"{name:24} {e['pending']:>8} {e['sending']:>8} {e['retrying']:>8} {e['dead']:>6} "
                   f"{e['late']:>6} {oldest:>8}  {vn_iso(e['nearest_deadline']) or '-'}{flag}")
        if e["alert"]:
            click.echo(f"  alert: {e['alert']}")


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


@dispatcher_cli.command("replay")
@click.option("--receiver", help="Only this receiver's dead notifications (and re-enable it).")
@click.option("--id", "ids", multiple=True, help="Only these notification ids (repeatable).")
def replay_cmd(receiver, ids):
    """Re-queue dead notifications (all, one receiver's, or by id) and re-enable their receiver(s)."""
    count = admin.replay(receiver=receiver, ids=ids)
    enabled = [] if ids and not receiver else admin.set_enabled(receiver, True)
    click.echo(f"re-queued {count} dead notification(s)")
    for name in enabled:
        click.echo(f"re-enabled receiver {name}")


@dispatcher_cli.command("enable")
@click.argument("name", required=False)
@click.option("--all", "all_", is_flag=True, help="Every disabled receiver.")
def enable_cmd(name, all_):
    """Re-enable a receiver disabled by a 410 (its retrying notifications become due now)."""
    if not name and not all_:
        raise click.UsageError("give a receiver NAME or --all")
    names = admin.set_enabled(None if all_ else name, True)
    click.echo("re-enabled: " + (", ".join(names) if names else "nothing was disabled"))


@dispatcher_cli.command("disable")
@click.argument("name")
def disable_cmd(name):
    """Stop delivering to a receiver (its notifications wait, nothing is lost)."""
    admin.set_enabled(name, False)
    click.echo(f"disabled receiver {name}")
