"""The clock on the facility's home page (issue 12, item 4): each notification not yet with the
police and the minutes left to its deadline, soonest first; guests already past a deadline counted
against the brackets of Decree 282/2025 (accommnotify/data/decree_282_2025.toml), as information.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import distinct, func, select

from ..extensions import db
from ..models import Guest, Notification, Stay

DECREE_FILE = Path(__file__).resolve().parent.parent / "data" / "decree_282_2025.toml"
# Not with the police yet, and still moving (rejected ones have their own banner on the page).
OPEN = ("pending", "sending", "retrying", "awaiting_upload", "dead")
LIMIT = 200


@dataclass(frozen=True)
class Bracket:
    min: int
    max: int | None

    def holds(self, count: int) -> bool:
        return count >= self.min and (self.max is None or count <= self.max)


@dataclass(frozen=True)
class Decree:
    title: str
    title_en: str
    note: str
    brackets: tuple[Bracket, ...]


@lru_cache(maxsize=1)
def decree() -> Decree:
    with open(DECREE_FILE, "rb") as fh:
        data = tomllib.load(fh)
    brackets = tuple(Bracket(b["min"], b.get("max")) for b in data["brackets"])
    return Decree(data["source"]["title"], data["source"]["title_en"], data["source"]["note"], brackets)


def bracket_for(count: int, brackets=None) -> Bracket | None:
    """The bracket `count` unnotified guests fall in; None for nobody."""
    for bracket in brackets or decree().brackets:
        if bracket.holds(count):
            return bracket
    return None


def minutes_left(deadline: datetime, now: datetime) -> int:
    """Whole minutes to the deadline, rounded down (negative once it passed: -1 in its first minute)."""
    return int((deadline - now).total_seconds() // 60)


@dataclass(frozen=True)
class Item:
    stay_id: str
    full_name: str
    room: str | None
    event: str
    status: str
    deadline_at: datetime
    minutes: int


@dataclass(frozen=True)
class Clock:
    items: list[Item]
    late_guests: int
    bracket: Bracket | None
    more: bool


def facility_clock(facility, now: datetime) -> Clock:
    """Open notifications of `facility` (soonest deadline first, at most LIMIT) and how many guests
    are past a deadline (all of them, distinct)."""
    stmt = (select(Notification.stay_id, Notification.event, Notification.status,
                   Notification.deadline_at, Guest.full_name, Stay.room)
            .join(Guest, Guest.id == Notification.guest_id).join(Stay, Stay.id == Notification.stay_id)
            .where(Notification.facility_id == facility.id, Notification.status.in_(OPEN))
            .order_by(Notification.deadline_at, Notification.id).limit(LIMIT + 1))
    rows = db.session.execute(stmt).all()
    late = db.session.scalar(select(func.count(distinct(Notification.guest_id))).where(
        Notification.facility_id == facility.id, Notification.status.in_(OPEN), Notification.deadline_at < now))
    db.session.rollback()
    items = [Item(r.stay_id, r.full_name, r.room, r.event, r.status, r.deadline_at, minutes_left(r.deadline_at, now))
             for r in rows[:LIMIT]]
    return Clock(items, late, bracket_for(late), len(rows) > LIMIT)
