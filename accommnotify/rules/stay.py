"""Rules for a whole stay (SPEC §3 "Stay"): returns (errors, warnings)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from .deadlines import VN_TZ
from .companions import check_companions
from .guest import age_on, check_guest
from .issues import Issue, prefix
from .nationality import VIETNAM
from .residence import LONG_STAY, is_long_planned

MAX_GUESTS = 200
EARLIEST_ARRIVAL = datetime(2000, 1, 1, tzinfo=VN_TZ)  # older arrivals are typing mistakes
FUTURE_TOLERANCE = timedelta(minutes=10)
LONG_AGO = timedelta(days=30)     # an arrival further back than this is accepted with a warning
CHILD_AGE = 14  # under this age a citizen may come without a number ...
ADULT_AGE = 18  # ... if a guest of at least this age in the same stay has one

REASONS = (
    "tourism",
    "business",
    "family_visit",
    "medical_treatment",
    "caregiving",
    "study",
    "work",
    "other",
)


def _vn(dt: datetime) -> datetime:
    """Naive = Vietnam local time (SPEC §3)."""
    return dt.replace(tzinfo=VN_TZ) if dt.tzinfo is None else dt


def _has_identity(guest: dict) -> bool:
    if guest.get("id_number") or guest.get("passport_number"):
        return True
    document = guest.get("document")
    return bool(document and document.get("number"))


def check_stay(stay: dict, now: datetime) -> tuple[list[Issue], list[Issue]]:
    """Check a stay at instant ``now`` (aware; a naive ``now`` is taken as UTC).

    ``arrived_at`` / ``expected_departure`` are aware datetimes (naive = Vietnam local time).
    Guest issues are prefixed "guests[i].".
    """
    errors: list[Issue] = []
    warnings: list[Issue] = []
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)

    reason = stay.get("reason")
    if reason is not None and reason not in REASONS:
        errors.append(Issue("reason", "choice", {"choices": REASONS}))

    arrived_at = stay.get("arrived_at")
    if not isinstance(arrived_at, datetime):
        errors.append(Issue("arrived_at", "required"))
        arrived_at = None
    else:
        arrived_at = _vn(arrived_at)
        if arrived_at > now + FUTURE_TOLERANCE:
            errors.append(Issue("arrived_at", "stay.arrival_in_future"))
        elif arrived_at < EARLIEST_ARRIVAL:
            errors.append(Issue("arrived_at", "stay.arrival_too_early", {"min": EARLIEST_ARRIVAL.year}))
        elif now - arrived_at > LONG_AGO:
            # accepted (late data is better than none), but a typo in the year is likely: say so
            warnings.append(Issue("arrived_at", "stay.arrival_long_ago", {"days": LONG_AGO.days}))

    departure = stay.get("expected_departure")
    if isinstance(departure, datetime) and arrived_at is not None:
        departure = _vn(departure)
        if departure < arrived_at:
            errors.append(Issue("expected_departure", "stay.departure_before_arrival"))
        elif is_long_planned(arrived_at, departure):
            warnings.append(
                Issue("expected_departure", "stay.temporary_residence_required", {"days": LONG_STAY.days})
            )

    guests = stay.get("guests") or []
    if not guests:
        errors.append(Issue("guests", "required"))
        return errors, warnings
    if len(guests) > MAX_GUESTS:
        errors.append(Issue("guests", "guests.too_many", {"max": MAX_GUESTS}))

    today = now.astimezone(VN_TZ).date()
    arrival_date = arrived_at.astimezone(VN_TZ).date() if arrived_at is not None else today

    missing: list[int] = []
    for i, guest in enumerate(guests):
        guest_warnings: list[Issue] = []
        errors += prefix(check_guest(guest, arrival_date, today, guest_warnings), f"guests[{i}].")
        if guest_warnings:
            warnings += prefix(guest_warnings, f"guests[{i}].")
        if guest.get("nationality") == VIETNAM and not (
            guest.get("id_number") or guest.get("passport_number")
        ):
            missing.append(i)

    errors += check_companions(guests)

    if missing:
        guardian = None  # computed lazily: most stays have no child without a number

        for i in missing:
            dob = guests[i].get("date_of_birth")
            child = isinstance(dob, date) and age_on(dob, arrival_date) < CHILD_AGE
            if child:
                if guardian is None:
                    guardian = any(
                        isinstance(g.get("date_of_birth"), date)
                        and age_on(g["date_of_birth"], arrival_date) >= ADULT_AGE
                        and _has_identity(g)
                        for g in guests
                    )
                if guardian:
                    continue
            errors.append(Issue(f"guests[{i}].id_number", "id_number.required"))
    return errors, warnings
