"""``/metrics`` in the Prometheus text format (0.0.4): the dispatch queue as operators watch it.

No personal data: only receiver names, statuses and counts. Served by the web process; every
value is read from the database, so it is the same whichever worker answers.
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request

from ..database import read_only
from ..extensions import db
from ..timeutil import utcnow

bp = Blueprint("metrics", __name__)


def _esc(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _line(name, labels: dict, value) -> str:
    lab = ",".join(f'{k}="{_esc(v)}"' for k, v in labels.items())
    return f"{name}{{{lab}}} {value}" if lab else f"{name} {value}"


def render() -> str:
    from ..dispatch import admin
    from ..receivers.base import ReceiverConfigError
    from ..routing import receivers_config
    from ..webhooks.delivery import queue_counts
    try:
        receivers = receivers_config(current_app).receivers
        names = list(receivers)
        config_ok = 1
    except ReceiverConfigError:
        receivers, names, config_ok = {}, [], 0
    paused = paused_receivers(receivers)
    now = utcnow()
    with read_only(), db.engine.connect() as conn:
        status = admin.queue_status(conn, now, names)
        totals = admin.delivery_totals(conn)
        awaiting = admin.awaiting_upload(conn)
        webhooks = queue_counts(conn)
        conn.rollback()
    out = []

    def family(name, kind, help_):
        out.append(f"# HELP {name} {help_}")
        out.append(f"# TYPE {name} {kind}")

    family("accommnotify_notifications_queued", "gauge",
           "Notifications not yet finished, by receiver and status (pending, sending, retrying, dead).")
    for rname, e in sorted(status.items()):
        for st in admin.WATCHED:
            out.append(_line("accommnotify_notifications_queued", {"receiver": rname, "status": st}, e[st]))
    family("accommnotify_oldest_pending_seconds", "gauge",
           "Age of the oldest pending or retrying notification (0 when none).")
    for rname, e in sorted(status.items()):
        out.append(_line("accommnotify_oldest_pending_seconds", {"receiver": rname},
                         round(e["oldest_pending_seconds"] or 0.0, 3)))
    family("accommnotify_nearest_deadline_seconds", "gauge",
           "Seconds until the nearest deadline of an undelivered notification (negative: overdue).")
    for rname, e in sorted(status.items()):
        if e["nearest_deadline"] is not None:
            out.append(_line("accommnotify_nearest_deadline_seconds", {"receiver": rname},
                             round((e["nearest_deadline"] - now).total_seconds(), 3)))
    family("accommnotify_notifications_late", "gauge", "Notifications flagged late (delivered or due after their deadline).")
    for rname, e in sorted(status.items()):
        out.append(_line("accommnotify_notifications_late", {"receiver": rname}, e["late"]))
    family("accommnotify_deliveries_total", "counter",
           "Per-notification outcomes of every recorded delivery attempt, by receiver and outcome.")
    for rname, t in sorted(totals.items()):
        for outcome in ("accepted", "rejected", "retried"):
            out.append(_line("accommnotify_deliveries_total", {"receiver": rname, "outcome": outcome}, t[outcome]))
    family("accommnotify_delivery_batches_total", "counter", "Delivery attempts (batches sent), by receiver.")
    for rname, t in sorted(totals.items()):
        out.append(_line("accommnotify_delivery_batches_total", {"receiver": rname}, t["batches"]))
    family("accommnotify_receiver_disabled", "gauge", "1 when a receiver is disabled (HTTP 410 or an operator).")
    for rname, e in sorted(status.items()):
        out.append(_line("accommnotify_receiver_disabled", {"receiver": rname}, int(e["disabled"])))
    family("accommnotify_receiver_alert", "gauge", "1 when a receiver has an open configuration alert.")
    for rname, e in sorted(status.items()):
        out.append(_line("accommnotify_receiver_alert", {"receiver": rname}, int(bool(e["alert"]))))
    family("accommnotify_receiver_paused", "gauge",
           "1 when a receiver pauses itself (vn_portal: the template does not match); its notifications wait.")
    for rname in sorted(receivers):
        out.append(_line("accommnotify_receiver_paused", {"receiver": rname}, int(rname in paused)))
    family("accommnotify_notifications_awaiting_upload", "gauge",
           "Notifications written into portal files that the facility has not confirmed yet.")
    for rname in sorted(set(awaiting) | {n for n, r in receivers.items() if getattr(r, "adapter", "") == "vn_portal"}):
        out.append(_line("accommnotify_notifications_awaiting_upload", {"receiver": rname}, awaiting.get(rname, 0)))
    family("accommnotify_webhook_messages", "gauge",
           "Webhook messages to the facilities' software not delivered yet, by status (dead: given up after 72 h).")
    for st in ("pending", "sending", "retrying", "dead"):
        out.append(_line("accommnotify_webhook_messages", {"status": st}, webhooks[st]))
    family("accommnotify_webhook_subscriptions_disabled", "gauge",
           "Webhook subscriptions disabled (HTTP 410 from the facility's software, or an operator).")
    out.append(_line("accommnotify_webhook_subscriptions_disabled", {}, webhooks["disabled"]))
    family("accommnotify_receivers_config_valid", "gauge", "1 when the receivers file loads.")
    out.append(_line("accommnotify_receivers_config_valid", {}, config_ok))
    _read_replica_lines(out, family)
    return "\n".join(out) + "\n"


def _read_replica_lines(out: list, family) -> None:
    """The read replica (docs/REPLICA.md), only when READ_DATABASE_URL is set. Unlike the rest,
    the fallback counts are this process's own (since it started)."""
    from .. import replica
    read = replica.current()
    if not read.enabled:
        return
    health = read.health()
    family("accommnotify_read_replica_up", "gauge",
           "1 when lag-tolerant reads go to the read replica; 0 when it lags too far, is down or is not a standby.")
    out.append(_line("accommnotify_read_replica_up", {}, int(health.state == replica.OK)))
    family("accommnotify_read_replica_state", "gauge", "1 for the read replica's current state.")
    for state in (replica.OK, replica.LAGGING, replica.DOWN):
        out.append(_line("accommnotify_read_replica_state", {"state": state}, int(health.state == state)))
    if health.lag_seconds is not None:
        family("accommnotify_read_replica_lag_seconds", "gauge",
               "How far the read replica's replay is behind (0 when it has replayed all it received).")
        out.append(_line("accommnotify_read_replica_lag_seconds", {}, round(health.lag_seconds, 3)))
    family("accommnotify_read_replica_fallbacks_total", "counter",
           "Requests of this process whose lag-tolerant reads went to the primary instead, by reason.")
    for reason, count in read.fallback_counts().items():
        out.append(_line("accommnotify_read_replica_fallbacks_total", {"reason": reason}, count))


def paused_receivers(receivers) -> dict[str, str]:
    """{name: what differs} of receivers that paused themselves (re-checked on every call)."""
    out = {}
    for name, receiver in receivers.items():
        reload = getattr(receiver, "reload", None)
        if callable(reload):
            reload()
        if getattr(receiver, "paused", None):
            out[name] = receiver.paused
    return out


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:  # unset: open (the local demo); set: Prometheus sends `Authorization: Bearer <token>`
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return Response("metrics need 'Authorization: Bearer <ACCOMMNOTIFY_METRICS_TOKEN>'\n", 401,
                            {"WWW-Authenticate": 'Bearer realm="accommnotify-metrics"'}, mimetype="text/plain")
    return Response(render(), mimetype="text/plain; version=0.0.4; charset=utf-8")


def init_app(app):
    app.register_blueprint(bp)
