"""Notification deadlines, always computed in Asia/Ho_Chi_Minh whatever the server's zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .nationality import VIETNAM

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc

RESIDENCE = "residence"
FOREIGNER = "foreigner"
CATEGORIES = (RESIDENCE, FOREIGNER)

RESIDENCE_CUTOFF = time(23, 0)
RESIDENCE_NEXT_MORNING = time(8, 0)
FOREIGNER_DELAY = timedelta(hours=12)


def _aware(dt: datetime) -> datetime:
    """A naive datetime means Vietnam local time (SPEC §3)."""
    return dt.replace(tzinfo=VN_TZ) if dt.tzinfo is None else dt


def category_for(nationality: str | None) -> str:
    return RESIDENCE if nationality == VIETNAM else FOREIGNER


def arrival_deadline(category: str, arrived_at: datetime) -> datetime:
    """Deadline (aware, UTC) of the arrival notification.

    residence: before 23:00 local -> 23:00 local that day; 23:00-23:59:59 -> 08:00 the next day.
    foreigner: arrival + 12 h.
    """
    arrived_at = _aware(arrived_at)
    if category == FOREIGNER:
        return (arrived_at + FOREIGNER_DELAY).astimezone(UTC)
    if category != RESIDENCE:
        raise ValueError(f"unknown category {category!r}")
    local = arrived_at.astimezone(VN_TZ)
    if local.time() < RESIDENCE_CUTOFF:
        deadline = datetime.combine(local.date(), RESIDENCE_CUTOFF, VN_TZ)
    else:
        deadline = datetime.combine(local.date() + timedelta(days=1), RESIDENCE_NEXT_MORNING, VN_TZ)
    return deadline.astimezone(UTC)


def followup_deadline(created_at: datetime, hours: float = 24) -> datetime:
    """Deadline (aware, UTC) of an amendment, departure or cancellation."""
    return (_aware(created_at) + timedelta(hours=hours)).astimezone(UTC)
