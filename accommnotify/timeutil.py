"""Time in one place: storage is UTC, people see Asia/Ho_Chi_Minh (+07:00, no DST)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
# Vietnam has kept +07:00, without summer time, since June 1975; before that the zone's history applies.
_SINGLE_OFFSET_SINCE = datetime(1976, 1, 1, tzinfo=UTC)
_VN_OFFSET = timedelta(hours=7)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_aware(value: datetime) -> datetime:
    """A naive datetime from a person or a facility means Vietnam local time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value


def to_vn(value: datetime | None) -> datetime | None:
    return None if value is None else as_aware(value).astimezone(VN_TZ)


def vn_iso(value: datetime | None) -> str | None:
    """Datetimes leave the service with an offset, always +07:00."""
    if value is None:
        return None
    value = as_aware(value)
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    if utc >= _SINGLE_OFFSET_SINCE:
        # The same text as astimezone(VN_TZ).isoformat() at under half the cost; every datetime of
        # every stay in an API response comes through here.
        return (utc + _VN_OFFSET).replace(tzinfo=None).isoformat() + "+07:00"
    return value.astimezone(VN_TZ).isoformat()
