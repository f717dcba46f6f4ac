"""Temporary-residence registration (Law on Residence 2020, Art. 27): a stay of 30 days or more at a
place outside one's permanent residence needs a registration, not (only) a stay notification.

Pure: no Flask, no database. The boundary is the one the intake rules warn with
(`stay.temporary_residence_required`, rules/stay.py LONG_STAY): 30 whole days of elapsed time.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .deadlines import VN_TZ

LONG_STAY = timedelta(days=30)   # Art. 27(1): "từ 30 ngày trở lên"
LAW = "Luật Cư trú 2020 (68/2020/QH14), Điều 27"


def _aware(dt: datetime) -> datetime:
    """Naive = Vietnam local time (SPEC §3)."""
    return dt.replace(tzinfo=VN_TZ) if dt.tzinfo is None else dt


def stay_end(expected_departure: datetime | None, now: datetime) -> datetime:
    """Until when a stay that has not ended is counted: its expected departure, or now if that is
    later (a guest who stays past the planned day has stayed that long already)."""
    now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    if expected_departure is None:
        return now
    return max(_aware(expected_departure), now)


def stay_length(arrived_at: datetime, expected_departure: datetime | None, now: datetime) -> timedelta:
    return stay_end(expected_departure, now) - _aware(arrived_at)


def stay_days(arrived_at: datetime, expected_departure: datetime | None, now: datetime) -> int:
    """Whole days of the stay (never negative)."""
    return max(stay_length(arrived_at, expected_departure, now).days, 0)


def needs_temporary_residence(arrived_at: datetime, expected_departure: datetime | None, now: datetime) -> bool:
    """True when the stay (arrival to expected departure, or to now if longer) is 30 days or more."""
    return stay_length(arrived_at, expected_departure, now) >= LONG_STAY


def is_long_planned(arrived_at: datetime, expected_departure: datetime) -> bool:
    """The planned stay alone (arrival to expected departure) is 30 days or more."""
    return _aware(expected_departure) - _aware(arrived_at) >= LONG_STAY
