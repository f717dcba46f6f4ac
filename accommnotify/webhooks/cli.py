"""``flask --app wsgi webhooks list|test|enable|disable``."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..ids import new_id
from ..models import Facility, WebhookSubscription
from ..timeutil import utcnow
from . import events, subscriptions
from .delivery import connection_pool, post

webhooks_cli = AppGroup("webhooks", help="Webhooks to the facilities' own software.")


@webhooks_cli.command("list")
@click.option("--facility", "code", help="Only this facility's subscriptions (its code).")
def list_cmd(code):
    """Subscriptions: id, facility, state, events, URL (never the secret)."""
    rows = subscriptions.all_with_facility(code)
    if not rows:
        click.echo("no webhook subscriptions")
    for facility_code, v in rows:
        state = "enabled" if v["enabled"] else f"DISABLED ({v['disabled_reason']})"
        click.echo(f"{v['id']}  {facility_code}  {state}  {','.join(v['events'])}  {v['url']}")


@webhooks_cli.command("test")
@click.argument("subscription_id")
def test_cmd(subscription_id):
    """Send a signed `webhook.ping` now (not through the queue) and print the answer."""
    sub = db.session.get(WebhookSubscription, subscription_id)
    if sub is None:
        raise click.ClickException(f"no webhook subscription {subscription_id!r}")
    facility = db.session.get(Facility, sub.facility_id)
    url, secret, code = sub.url, sub.secret, facility.code
    db.session.rollback()
    now = utcnow()
    message_id = new_id("msg")
    payload = events.body(events.PING, {"subscription_id": subscription_id, "facility_code": code}, now)
    cfg = current_app.config
    pool = connection_pool(1, allow_private=bool(cfg.get("WEBHOOK_ALLOW_INSECURE")))
    result = post(pool, url, secret, message_id, payload, now,
                  (float(cfg["WEBHOOK_CONNECT_TIMEOUT"]), float(cfg["WEBHOOK_READ_TIMEOUT"])))
    pool.clear()
    click.echo(f"webhook-id {message_id}: {result.describe()}")
    if result.excerpt:
        click.echo(f"answer: {result.excerpt}")
    if not result.delivered:
        raise SystemExit(1)


@webhooks_cli.command("enable")
@click.argument("subscription_id")
def enable_cmd(subscription_id):
    """Re-enable a subscription disabled by HTTP 410 (its waiting messages become due now)."""
    if not subscriptions.set_enabled(subscription_id, True):
        raise click.ClickException(f"no webhook subscription {subscription_id!r}")
    click.echo(f"enabled {subscription_id}")


@webhooks_cli.command("disable")
@click.argument("subscription_id")
def disable_cmd(subscription_id):
    """Stop delivering to a subscription (its messages wait, nothing is lost)."""
    if not subscriptions.set_enabled(subscription_id, False):
        raise click.ClickException(f"no webhook subscription {subscription_id!r}")
    click.echo(f"disabled {subscription_id}")
