"""Event types, their payloads, and enqueueing: one INSERT in the caller's transaction.

Each function takes the SQLAlchemy connection of the transaction that changes the state the event
reports, so the message is stored if and only if that change is (nothing lost, nothing invented).
When the facility has no enabled subscription to the event, enqueueing costs one indexed SELECT on
the small subscriptions table and writes nothing.

Payloads follow Standard Webhooks: ``{"type", "timestamp", "data"}``. ``data`` carries ids,
statuses and times only: never a guest's name, ID or passport number (docs/WEBHOOKS.md).
"""
from __future__ import annotations

from datetime import datetime

import orjson
from sqlalchemy import insert, select

from ..ids import new_id
from ..models import Facility, Notification, WebhookMessage, WebhookSubscription
from ..timeutil import vn_iso

N, F = Notification.__table__, Facility.__table__
SUB, MSG = WebhookSubscription.__table__, WebhookMessage.__table__

NOTIFICATION_EVENTS = ("notification.accepted", "notification.rejected", "notification.late", "notification.dead")
EVENTS = NOTIFICATION_EVENTS + ("stay.created", "portal_file.ready", "portal_file.mismatch")
PING = "webhook.ping"
STAY_CREATED_SOURCES = ("form", "import", "checkin")  # the API caller knows already


def body(event_type: str, data: dict, now: datetime) -> str:
    return orjson.dumps({"type": event_type, "timestamp": vn_iso(now), "data": data}).decode()


def message_row(subscription_id: str, facility_id: int, event_type: str, data: dict, now: datetime) -> dict:
    return {"id": new_id("msg"), "subscription_id": subscription_id, "facility_id": facility_id,
            "event_type": event_type, "payload": body(event_type, data, now), "status": "pending",
            "attempts": 0, "next_attempt_at": now, "created_at": now, "updated_at": now}


def _subscribers(conn, facility_id: int, event_type: str) -> list[str]:
    rows = conn.execute(select(SUB.c.id, SUB.c.events).where(SUB.c.facility_id == facility_id,
                                                              SUB.c.disabled_at.is_(None))).all()
    return [sid for sid, events in rows if event_type in events.split()]


def enqueue(conn, facility_id: int, event_type: str, items: list[dict], now: datetime) -> int:
    """One message per (subscriber, item); returns how many were written."""
    if not items:
        return 0
    rows = [message_row(sid, facility_id, event_type, data, now)
            for sid in _subscribers(conn, facility_id, event_type) for data in items]
    if rows:
        conn.execute(insert(MSG), rows)
    return len(rows)


# -- notifications: accepted, rejected, late, dead ---------------------------------------------------

def notification_data(r) -> dict:
    return {"notification_id": r.id, "stay_id": r.stay_id, "facility_code": r.code, "event": r.event,
            "status": r.status, "late": bool(r.late), "deadline_at": vn_iso(r.deadline_at),
            "delivered_at": vn_iso(r.delivered_at), "receipt": r.receipt, "rejection_code": r.rejection_code}


def _types_of(r) -> list[str]:
    if r.status == "accepted":
        return ["notification.accepted"] + (["notification.late"] if r.late else [])
    if r.status in ("rejected", "dead"):
        return [f"notification.{r.status}"]
    return []


def enqueue_notifications(conn, where, now: datetime) -> int:
    """Events of the notifications selected by ``where`` (SQL on ``notifications``) in their current
    state: called right after the statement that gave them that state, in its transaction. One
    SELECT (joined to the subscriptions, so none → no row) and one INSERT when anyone listens."""
    rows = conn.execute(
        select(N.c.id, N.c.stay_id, N.c.event, N.c.status, N.c.late, N.c.deadline_at, N.c.delivered_at,
               N.c.receipt, N.c.rejection_code, N.c.facility_id, F.c.code, SUB.c.id.label("sub_id"),
               SUB.c.events)
        .join(SUB, SUB.c.facility_id == N.c.facility_id).join(F, F.c.id == N.c.facility_id)
        .where(where, SUB.c.disabled_at.is_(None), N.c.status.in_(("accepted", "rejected", "dead")))).all()
    out = []
    for r in rows:
        wanted = set(r.events.split())
        for event_type in _types_of(r):
            if event_type in wanted:
                out.append(message_row(r.sub_id, r.facility_id, event_type, notification_data(r), now))
    if out:
        conn.execute(insert(MSG), out)
    return len(out)


# -- stays entered on the facility form or by file import -------------------------------------------

def stay_data(stay: dict, facility_code: str, notes: list[dict]) -> dict:
    return {"stay_id": stay["id"], "external_ref": stay["external_ref"], "facility_code": facility_code,
            "source": stay["source"], "status": stay["status"], "arrived_at": vn_iso(stay["arrived_at"]),
            "notification_ids": [n["id"] for n in notes if n["stay_id"] == stay["id"]]}


def enqueue_stays_created(conn, facility, stays: list[dict], notes: list[dict], now: datetime) -> int:
    if not stays or stays[0]["source"] not in STAY_CREATED_SOURCES:
        return 0
    return enqueue(conn, facility.id, "stay.created", [stay_data(s, facility.code, notes) for s in stays], now)


# -- portal files ------------------------------------------------------------------------------------

def portal_file_data(*, file_id, facility_code, kind, format, status, row_count, earliest_deadline=None,
                     records_shown=None) -> dict:
    return {"portal_file_id": file_id, "facility_code": facility_code, "kind": kind, "format": format,
            "status": status, "row_count": row_count, "records_shown": records_shown,
            "earliest_deadline": vn_iso(earliest_deadline)}


def enqueue_portal_file(conn, facility_id: int, event_type: str, data: dict, now: datetime) -> int:
    return enqueue(conn, facility_id, event_type, [data], now)
