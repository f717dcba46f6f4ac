"""Facility staff accounts: creation, password check with a growing delay after failures.

After FREE_FAILURES wrong passwords in a row from one client address for a submitted e-mail (an
account's or not), that address is refused for that e-mail without even checking a password for
2 s, 4 s, 8 s … (up to MAX_DELAY), doubling with each further failure; past
LOGIN_ADDRESS_FREE_FAILURES failures from one address for any e-mails, for every e-mail. Failures
from other addresses never delay a user (issue 10, item 6). The delay is kept in the database
(security.Throttle, namespace "facility:"), so it holds across workers and restarts. A correct
password resets that address's count for that e-mail.
Unknown e-mails get the same answers, the same delays and the same argon2 work as known ones, so
neither the messages nor the timing reveal which e-mails have an account.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Facility
from ..models.facility_users import FacilityUser
from ..security import Throttle, hash_password, password_problem, verify_password
from ..timeutil import utcnow

FREE_FAILURES = 3
MAX_DELAY = timedelta(minutes=15)
THROTTLE = Throttle(namespace="facility:", free_failures=FREE_FAILURES, first_delay=2,
                    max_delay=int(MAX_DELAY.total_seconds()))


class AccountError(Exception):
    pass


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def delay_after(failures: int) -> timedelta:
    """How long an e-mail waits after `failures` wrong passwords in a row."""
    return timedelta(seconds=THROTTLE.delay_after(failures))


def create_user(email: str, password: str, facility_code: str) -> FacilityUser:
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or " " in email:
        raise AccountError("not an e-mail address")
    if password_problem(password):
        raise AccountError(password_problem(password))
    facility = db.session.execute(select(Facility).filter_by(code=facility_code)).scalar_one_or_none()
    if facility is None:
        raise AccountError(f"no facility with code {facility_code}")
    if db.session.execute(select(FacilityUser.id).filter_by(email=email)).first():
        raise AccountError("a user with this e-mail exists")
    user = FacilityUser(facility_id=facility.id, email=email, password_hash=hash_password(password),
                        created_at=utcnow())
    db.session.add(user)
    db.session.commit()
    return user


def set_password(user: FacilityUser, password: str) -> None:
    if password_problem(password):
        raise AccountError(password_problem(password))
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1  # every session logged in before ends
    THROTTLE.forget_name(user.email)
    db.session.commit()


@dataclass
class LoginResult:
    user: FacilityUser | None = None
    wait_seconds: int = 0  # > 0: too many failures, try again later


def _throttle() -> Throttle:
    from flask import current_app
    cfg = current_app.config
    return Throttle(namespace=THROTTLE.namespace, free_failures=FREE_FAILURES, first_delay=2,
                    max_delay=int(MAX_DELAY.total_seconds()),
                    address_free_failures=int(cfg.get("LOGIN_ADDRESS_FREE_FAILURES", 20)),
                    forget_after=int(cfg.get("LOGIN_FORGET_FAILURES_MINUTES", 60)) * 60)


def authenticate(email: str, password: str, now=None, address: str | None = None) -> LoginResult:
    now = now or utcnow()
    email = normalize_email(email)[:254]
    throttle = _throttle()
    wait = throttle.check(email, address, now)
    if wait:
        return LoginResult(wait_seconds=wait)
    user = db.session.execute(select(FacilityUser).filter_by(email=email)).scalar_one_or_none()
    usable = user is not None and user.is_active
    ok, new_hash = verify_password(user.password_hash if usable else None, password)
    if not ok:
        return LoginResult(wait_seconds=throttle.record_failure(email, address, now))
    if new_hash:
        user.password_hash = new_hash
    throttle.reset(email, address)
    user.last_login_at = now
    db.session.commit()
    return LoginResult(user=user)


def load_user(ident: str):
    """Flask-Login loader for "facility:<id>"; a disabled account is logged out."""
    if not (ident.isascii() and ident.isdigit() and len(ident) <= 18):
        return None
    user = db.session.get(FacilityUser, int(ident))
    return user if user is not None and user.is_active else None

