"""Operator actions and views: status, replay of dead notifications, re-enabling receivers.

Used by the ``dispatcher`` commands and by /metrics. Counts come from partial indexes
(migration 0004), so they stay cheap however many delivered notifications the table holds.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from ..extensions import db
from ..timeutil import utcnow
from .sql import ATTEMPTS, AWAITING, DEAD, LATE, N, QUEUED, SENDING, STATES

WATCHED = ("pending", "sending", "retrying", "dead")


def queue_status(conn, now: datetime | None = None, receiver_names=()) -> dict:
    """{receiver: {pending, sending, retrying, dead, oldest_pending_seconds, nearest_deadline,
    late, disabled, alert}} for every receiver that is configured or has queued work."""
    now = now or utcnow()
    out: dict[str, dict] = {}

    def entry(name):
        return out.setdefault(name, {"pending": 0, "sending": 0, "retrying": 0, "dead": 0,
                                     "oldest_pending_seconds": None, "nearest_deadline": None,
                                     "late": 0, "disabled": False, "alert": None})

    for name in receiver_names:
        entry(name)
    for name, status, count, oldest, nearest in conn.execute(
            select(N.c.receiver, N.c.status, func.count(), func.min(N.c.created_at), func.min(N.c.deadline_at))
            .where(QUEUED).group_by(N.c.receiver, N.c.status)):
        e = entry(name)
        e[status] = count
        age = (now - _aware(oldest)).total_seconds() if oldest is not None else None
        if age is not None and (e["oldest_pending_seconds"] is None or age > e["oldest_pending_seconds"]):
            e["oldest_pending_seconds"] = max(0.0, age)
        _nearest(e, nearest)
    for name, count, nearest in conn.execute(
            select(N.c.receiver, func.count(), func.min(N.c.deadline_at)).where(SENDING).group_by(N.c.receiver)):
        e = entry(name)
        e["sending"] = count
        _nearest(e, nearest)
    # awaiting_upload (vn_portal) is not delivered yet: its deadline counts for the nearest one
    for name, nearest in conn.execute(select(N.c.receiver, func.min(N.c.deadline_at)).where(AWAITING)
                                      .group_by(N.c.receiver)):
        _nearest(entry(name), nearest)
    for name, count in conn.execute(select(N.c.receiver, func.count()).where(DEAD).group_by(N.c.receiver)):
        entry(name)["dead"] = count
    for name, count in conn.execute(select(N.c.receiver, func.count()).where(LATE).group_by(N.c.receiver)):
        if name in out or count:
            entry(name)["late"] = count
    for name, disabled, alert in conn.execute(select(STATES.c.name, STATES.c.disabled, STATES.c.alert)):
        if name in out or disabled:
            e = entry(name)
            e["disabled"], e["alert"] = bool(disabled), alert
    return out


def _aware(value):
    # min() over a UTCDateTime column comes back typed on both databases; keep a guard anyway.
    from ..models.types import UTCDateTime
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return UTCDateTime().process_result_value(value, None)
    return value


def _nearest(e, value):
    if value is None:
        return
    value = _aware(value)
    if e["nearest_deadline"] is None or value < e["nearest_deadline"]:
        e["nearest_deadline"] = value


def awaiting_upload(conn) -> dict:
    """{receiver: notifications in portal files not confirmed yet}."""
    return dict(conn.execute(select(N.c.receiver, func.count()).where(AWAITING).group_by(N.c.receiver)).all())


def delivery_totals(conn) -> dict:
    """{receiver: {accepted, rejected, retried, batches}} from every recorded attempt."""
    out = {}
    for name, batches, acc, rej, ret in conn.execute(
            select(ATTEMPTS.c.receiver, func.count(), func.sum(ATTEMPTS.c.accepted),
                   func.sum(ATTEMPTS.c.rejected), func.sum(ATTEMPTS.c.retried)).group_by(ATTEMPTS.c.receiver)):
        out[name] = {"batches": batches, "accepted": int(acc or 0), "rejected": int(rej or 0),
                     "retried": int(ret or 0)}
    return out


def replay(*, receiver: str | None = None, ids=(), now: datetime | None = None) -> int:
    """Dead → pending, with a fresh retry schedule and 72 h window. Returns how many."""
    now = now or utcnow()
    stmt = update(N).where(N.c.status == "dead")
    if receiver:
        stmt = stmt.where(N.c.receiver == receiver)
    if ids:
        stmt = stmt.where(N.c.id.in_(list(ids)))
    stmt = stmt.values(status="pending", next_attempt_at=now, attempts=0, first_attempt_at=None,
                       lease_owner=None, lease_expires_at=None, last_error=None, updated_at=now)
    with db.engine.begin() as conn:
        return conn.execute(stmt).rowcount


def set_enabled(name: str | None, enabled: bool, *, now: datetime | None = None) -> list[str]:
    """Enable (or disable) one receiver, or every disabled one when ``name`` is None.

    Enabling also brings that receiver's retrying notifications forward to now.
    """
    now = now or utcnow()
    with db.engine.begin() as conn:
        if enabled:
            stmt = select(STATES.c.name).where(STATES.c.disabled.is_(True))
            if name:
                stmt = stmt.where(STATES.c.name == name)
            names = list(conn.execute(stmt).scalars())
            if names:
                conn.execute(update(STATES).where(STATES.c.name.in_(names))
                             .values(disabled=False, disabled_at=None, alert=None, updated_at=now))
                conn.execute(update(N).where(QUEUED, N.c.status == "retrying", N.c.receiver.in_(names))
                             .values(next_attempt_at=now, updated_at=now))
            return names
        from .core import _upsert
        _upsert(conn, STATES, {"name": name, "disabled": True, "disabled_at": now,
                               "alert": "disabled by an operator", "updated_at": now}, "name",
                {"disabled": True, "disabled_at": now, "alert": "disabled by an operator", "updated_at": now})
        return [name]
