"""Time in one place: storage is UTC, people see Asia/Ho_Chi_Minh (+07:00, no DST)."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc


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
    return None if value is None else as_aware(value).astimezone(VN_TZ).isoformat()
