"""Liveness and readiness for load balancers and orchestrators."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; says nothing about its dependencies."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready when the database answers and its schema is the one this code expects."""
    try:
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.session.rollback()
    except Exception as exc:  # any database failure means "not ready", with the reason
        db.session.rollback()
        current_app.logger.warning("readyz: database not ready: %s", type(exc).__name__)
        return jsonify(status="unavailable", reason="database"), 503
    expected = _head_revision()
    if current != expected:
        return jsonify(status="unavailable", reason="migrations", schema=current, expected=expected), 503
    paused = _paused_receivers()
    extra = {}
    read = _read_replica()
    if read is not None:
        extra["read_replica"] = read
    if paused:
        # Intake still works (stays are stored; notifications wait), so the web stays in the load
        # balancer: 200, but the body says which receiver is paused and why.
        return jsonify(status="degraded", schema=current, paused_receivers=paused, **extra)
    if read is not None and read["state"] != "ok":
        # The primary answers every read the replica would have: still ready (200), but degraded.
        return jsonify(status="degraded", schema=current, **extra)
    return jsonify(status="ok", schema=current, **extra)


def _read_replica() -> dict | None:
    """The read replica's state (docs/REPLICA.md), checked now unless a check is fresh; None when
    no READ_DATABASE_URL is set."""
    from .. import replica
    read = replica.current()
    return read.health().as_json() if read.enabled else None


def _paused_receivers() -> dict:
    from ..receivers.base import ReceiverConfigError
    from ..routing import receivers_config
    from .metrics import paused_receivers
    try:
        return paused_receivers(receivers_config(current_app).receivers)
    except ReceiverConfigError:
        return {}


def _head_revision() -> str | None:
    cache = current_app.extensions.setdefault("accommnotify.head_revision", {})
    if "head" not in cache:
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        cfg = Config()
        cfg.set_main_option("script_location", current_app.extensions["migrate"].directory)
        cache["head"] = ScriptDirectory.from_config(cfg).get_current_head()
    return cache["head"]
