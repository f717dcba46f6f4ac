"""A dormitory's term (docs/DORMITORIES.md): a name and the dates its students arrive and leave.

Pure: typed values in (str, date or None), Issues out."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from .deadlines import VN_TZ
from .issues import Issue

NAME_MAX = 100
MAX_TERM = timedelta(days=400)      # a school year at most: longer is a typing mistake
TERM_ARRIVAL = time(8, 0)           # students of a roster "arrived" at 08:00 on the term's first day ...
TERM_DEPARTURE = time(12, 0)        # ... and are expected to leave at noon on its last day


def check_term(name: str, starts_on: date | None, ends_on: date | None) -> list[Issue]:
    issues: list[Issue] = []
    name = " ".join((name or "").split())
    if not name:
        issues.append(Issue("name", "required"))
    elif len(name) > NAME_MAX:
        issues.append(Issue("name", "too_long", {"max": NAME_MAX}))
    if starts_on is None:
        issues.append(Issue("starts_on", "required"))
    if ends_on is None:
        issues.append(Issue("ends_on", "required"))
    if starts_on is not None and ends_on is not None:
        if ends_on < starts_on:
            issues.append(Issue("ends_on", "term.ends_before_start"))
        elif ends_on - starts_on > MAX_TERM:
            issues.append(Issue("ends_on", "term.too_long", {"days": MAX_TERM.days}))
    return issues


def roster_arrival(starts_on: date, now: datetime) -> datetime | None:
    """When a roster's students arrived: 08:00 (Vietnam) on the first day, or now if that first day is
    today and 08:00 has not come yet. None when the term starts after today (not arrived yet)."""
    today = now.astimezone(VN_TZ).date()
    if starts_on > today:
        return None
    arrival = datetime.combine(starts_on, TERM_ARRIVAL, tzinfo=VN_TZ)
    local_now = now.astimezone(VN_TZ).replace(second=0, microsecond=0)
    return min(arrival, local_now)


def roster_departure(ends_on: date) -> datetime:
    return datetime.combine(ends_on, TERM_DEPARTURE, tzinfo=VN_TZ)


def check_roster_start(starts_on: date, now: datetime) -> list[Issue]:
    if roster_arrival(starts_on, now) is None:
        return [Issue("starts_on", "term.not_started")]
    return []
