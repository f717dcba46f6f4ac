"""Time in one place: storage is UTC, people see Asia/Ho_Chi_Minh (+07:00, no DST)."""
from datetime import date, datetime, timedelta, timezone
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


# --- what people read ---------------------------------------------------------------------------
# One format on every page (facility and police): 27/11/2026 14:05, a date alone 27/11/2026.
# Registered app-wide as template globals and filters `fmt_time` / `fmt_date` (create_app).
DISPLAY_DATETIME = "%d/%m/%Y %H:%M"
DISPLAY_DATE = "%d/%m/%Y"


def fmt_time(value) -> str:
    """A datetime (or ISO text) as people read it in Vietnam, in Vietnam time: 27/11/2026 14:05.
    A naive value is Vietnam time already; empty gives ""."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):       # a date alone
        return value.strftime(DISPLAY_DATE)
    return to_vn(value).strftime(DISPLAY_DATETIME)


def fmt_date(value) -> str:
    """A date (or ISO text, or the date part of a datetime as given) as 27/11/2026; empty gives ""."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime(DISPLAY_DATE) if isinstance(value, (date, datetime)) else str(value)


def init_app(app) -> None:
    for fn in (fmt_time, fmt_date):
        app.add_template_global(fn, fn.__name__)
        app.add_template_filter(fn, fn.__name__)
