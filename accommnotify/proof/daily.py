"""What a daily proof lists: every notification of one facility recorded on one Vietnam day.

"Of the day" means created (the event recorded by the facility: arrival, correction, departure,
cancellation) between 00:00 and 24:00 Asia/Ho_Chi_Minh of that date. Generated on demand from the
stored rows, never kept: the data behind a proof follows RETENTION_DAYS (`purge`), so a day whose
stays were purged gives a proof without them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import re

from sqlalchemy import select

from ..extensions import db
from ..intake.errors import InvalidInput
from ..rules.issues import Issue
from ..models import Guest, Notification, Stay
from ..timeutil import UTC, VN_TZ

MASK = "****"
# Statuses of a notification that did not reach the police (yet, or at all).
OPEN = ("pending", "sending", "retrying", "awaiting_upload", "dead")
MAX_ROWS = 100_000  # one facility's day; a bound, not an expectation


def mask_number(number: str | None) -> str:
    """An ID / passport number reduced to its last 4 characters: "****1234"; a number of 4
    characters or fewer is hidden whole; none gives ""."""
    if not number:
        return ""
    number = number.replace(" ", "")
    return MASK + number[-4:] if len(number) > 4 else MASK


EARLIEST = date(2000, 1, 1)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(raw: str | None, now: datetime, field_name: str = "date") -> date:
    """A proof's day from text (YYYY-MM-DD), not after today in Vietnam: InvalidInput naming the
    field otherwise (format, out_of_range, proof.date_in_future)."""
    try:
        if not isinstance(raw, str) or not _DAY.fullmatch(raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("The date must be YYYY-MM-DD.", [Issue(field_name, "format")]) from None
    today = now.astimezone(VN_TZ).date()
    if day > today:
        raise InvalidInput("The date is after today (Vietnam time).", [Issue(field_name, "proof.date_in_future")])
    if day < EARLIEST:
        raise InvalidInput("The date is too early.", [Issue(field_name, "out_of_range",
                                                            {"min": EARLIEST.isoformat(), "max": today.isoformat()})])
    return day


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """00:00 and 24:00 of a Vietnam day, in UTC."""
    start = datetime.combine(day, time(0), VN_TZ)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


@dataclass
class ProofRow:
    created_at: datetime
    full_name: str
    number: str          # masked
    external_ref: str
    event: str
    status: str
    deadline_at: datetime
    delivered_at: datetime | None
    receiver: str
    receipt: str
    late: bool


@dataclass
class DailyProof:
    facility: object      # FacilityRef-like: code, name, address, ward_code, province_code
    day: date
    generated_at: datetime
    rows: list[ProofRow] = field(default_factory=list)

    @property
    def totals(self) -> dict:
        rows = self.rows
        return {"notifications": len(rows),
                "accepted": sum(r.status == "accepted" for r in rows),
                "open": sum(r.status in OPEN for r in rows),
                "rejected": sum(r.status == "rejected" for r in rows),
                "withdrawn": sum(r.status == "withdrawn" for r in rows),
                "late": sum(r.late for r in rows)}


_COLUMNS = (Notification.created_at, Notification.event, Notification.status, Notification.deadline_at,
            Notification.delivered_at, Notification.receiver, Notification.receipt, Notification.late,
            Guest.full_name, Guest.id_number, Guest.passport_number, Guest.document_number, Stay.external_ref)


def is_late(late: bool, status: str, deadline_at: datetime, delivered_at: datetime | None, now: datetime) -> bool:
    """Late as a proof states it: flagged late, or not delivered and its deadline passed (a rejected or
    dead notification did not notify anyone)."""
    if late:
        return True
    if status == "withdrawn":
        return False
    return (delivered_at or now) > deadline_at if status == "accepted" else now > deadline_at


def daily_proof(facility, day: date, now: datetime) -> DailyProof:
    """The proof of `facility` (its id scopes every row) for the Vietnam day `day`."""
    start, end = day_bounds(day)
    stmt = (select(*_COLUMNS)
            .join(Guest, Guest.id == Notification.guest_id)
            .join(Stay, Stay.id == Notification.stay_id)
            .where(Notification.facility_id == facility.id, Notification.created_at >= start,
                   Notification.created_at < end)
            .order_by(Notification.created_at, Notification.id)
            .limit(MAX_ROWS))
    proof = DailyProof(facility=facility, day=day, generated_at=now)
    for r in db.session.execute(stmt):
        number = r.id_number or r.passport_number or r.document_number
        proof.rows.append(ProofRow(
            created_at=r.created_at, full_name=r.full_name, number=mask_number(number),
            external_ref=r.external_ref, event=r.event, status=r.status, deadline_at=r.deadline_at,
            delivered_at=r.delivered_at, receiver=r.receiver, receipt=r.receipt or "",
            late=is_late(r.late, r.status, r.deadline_at, r.delivered_at, now)))
    db.session.rollback()
    return proof
