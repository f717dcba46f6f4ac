"""Facility staff accounts: creation, password check with a growing delay after failures.

After FREE_FAILURES wrong passwords in a row an account refuses even to check a password until
`locked_until`, which doubles with each further failure (2 s, 4 s, 8 s … up to MAX_DELAY). The
delay is kept in the database, so it holds across workers and restarts. A correct password resets it.
Unknown e-mails cost the same argon2 work as known ones, so timing does not reveal accounts.
"""
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..extensions import db
from ..models import Facility
from ..models.facility_users import FacilityUser
from ..timeutil import utcnow

FREE_FAILURES = 3
MAX_DELAY = timedelta(minutes=15)
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password-0000")


class AccountError(Exception):
    pass


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def delay_after(failures: int) -> timedelta:
    """How long an account waits after `failures` wrong passwords in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_FAILURES + 1, 20)), MAX_DELAY)


def create_user(email: str, password: str, facility_code: str) -> FacilityUser:
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or " " in email:
        raise AccountError("not an e-mail address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    facility = db.session.execute(select(Facility).filter_by(code=facility_code)).scalar_one_or_none()
    if facility is None:
        raise AccountError(f"no facility with code {facility_code}")
    if db.session.execute(select(FacilityUser.id).filter_by(email=email)).first():
        raise AccountError("a user with this e-mail exists")
    user = FacilityUser(facility_id=facility.id, email=email, password_hash=_hasher.hash(password),
                        failed_logins=0, created_at=utcnow())
    db.session.add(user)
    db.session.commit()
    return user


def set_password(user: FacilityUser, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until = 0, None
    db.session.commit()


@dataclass
class LoginResult:
    user: FacilityUser | None = None
    wait_seconds: int = 0  # > 0: too many failures, try again later


def authenticate(email: str, password: str, now=None) -> LoginResult:
    now = now or utcnow()
    user = db.session.execute(select(FacilityUser).filter_by(email=normalize_email(email))).scalar_one_or_none()
    if user is None:
        _verify(_DUMMY_HASH, password)
        return LoginResult()
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(wait_seconds=max(1, int((user.locked_until - now).total_seconds() + 0.999)))
    if not _verify(user.password_hash, password) or not user.is_active:
        user.failed_logins = (user.failed_logins or 0) + 1
        user.last_failed_at = now
        delay = delay_after(user.failed_logins)
        user.locked_until = now + delay if delay else None
        db.session.commit()
        return LoginResult(wait_seconds=int(delay.total_seconds()))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    db.session.commit()
    return LoginResult(user=user)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def load_user(ident: str):
    """Flask-Login loader for "facility:<id>"; a disabled account is logged out."""
    if not ident.isdigit():
        return None
    user = db.session.get(FacilityUser, int(ident))
    return user if user is not None and user.is_active else None


def facility_of(user: FacilityUser):
    from ..models import FacilityRef
    return FacilityRef.of(db.session.get(Facility, user.facility_id))
