"""Officer accounts: scopes of the 2025 map, argon2 passwords, login throttling, API tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models.police import ROLES, LoginThrottle, Officer, OfficerScope, PoliceToken
from ..rules.geography import province_exists, ward_exists
from ..timeutil import utcnow

TOKEN_PREFIX = "pt_"
MIN_PASSWORD = 10
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(ValueError):
    pass


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=int(cfg.get("POLICE_ARGON2_TIME_COST", 3)),
                          memory_cost=int(cfg.get("POLICE_ARGON2_MEMORY_KIB", 65536)),
                          parallelism=int(cfg.get("POLICE_ARGON2_PARALLELISM", 4)))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def parse_scope(text: str) -> tuple[str, str]:
    """"ward:16681" or "province:40" of the current (2025) map."""
    kind, _, code = text.strip().partition(":")
    kind, code = kind.strip().lower(), code.strip()
    if kind == "ward":
        if not ward_exists(code):
            raise AccountError(f"unknown ward code {code!r} (5 digits of the 2025 map)")
    elif kind == "province":
        if not province_exists(code):
            raise AccountError(f"unknown province code {code!r} (2 digits of the 2025 map)")
    else:
        raise AccountError(f"scope must be ward:CODE or province:CODE, not {text!r}")
    return kind, code


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_officer(username: str, scopes: list[str], role: str = "officer", password: str | None = None,
                   kind: str = "person") -> Officer:
    username = normalise_username(username)
    if not (1 <= len(username) <= 64) or not set(username) <= USERNAME_CHARS:
        raise AccountError("username: 1-64 characters among a-z 0-9 . _ -")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if not scopes:
        raise AccountError("at least one --scope ward:CODE or province:CODE")
    parsed = list(dict.fromkeys(parse_scope(s) for s in scopes))
    if kind == "person":
        if password is None or len(password) < MIN_PASSWORD:
            raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    if db.session.scalar(select(Officer.id).where(Officer.username == username)) is not None:
        raise AccountError(f"officer {username} already exists")
    officer = Officer(username=username, kind=kind, role=role, active=True, created_at=utcnow(),
                      password_hash=hash_password(password) if kind == "person" else None)
    officer.scopes = [OfficerScope(kind=k, code=c) for k, c in parsed]
    db.session.add(officer)
    db.session.commit()
    return officer


def set_password(officer: Officer, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    officer.password_hash = hash_password(password)
    db.session.commit()


# --- login with a growing delay after repeated failures --------------------------------------

@dataclass
class LoginResult:
    officer: Officer | None = None
    retry_after: int = 0          # > 0: refused without checking the password


def _lockout_seconds(failures: int) -> int:
    """No delay for the first few failures, then 1, 2, 4, 8 … seconds, capped."""
    free = int(current_app.config.get("POLICE_LOGIN_FREE_FAILURES", 3))
    cap = int(current_app.config.get("POLICE_LOGIN_MAX_LOCKOUT", 900))
    if failures < free:
        return 0
    return min(2 ** (failures - free), cap)


_DUMMY_HASH: dict = {}


def authenticate(username: str, password: str) -> LoginResult:
    """Checks a password. Failures are counted per username (known or not) and, past a few, lock
    the username for a growing time; while locked, the password is not even checked."""
    key = normalise_username(username)[:64]
    now = utcnow()
    throttle = db.session.get(LoginThrottle, key)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        wait = int((throttle.locked_until - now).total_seconds()) + 1
        db.session.rollback()
        return LoginResult(retry_after=wait)
    officer = db.session.scalar(select(Officer).where(Officer.username == key))
    ok = False
    hasher = _hasher()
    if officer is not None and officer.is_active and officer.password_hash:
        try:
            ok = hasher.verify(officer.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if ok and hasher.check_needs_rehash(officer.password_hash):
            officer.password_hash = hasher.hash(password)
    else:
        # Same work for an unknown name, so timing does not tell which usernames exist.
        dummy = _DUMMY_HASH.setdefault(hasher.time_cost, hasher.hash("not-a-password"))
        try:
            hasher.verify(dummy, password + "x")
        except VerificationError:
            pass
    if ok:
        if throttle is not None:
            db.session.delete(throttle)
        officer.last_login_at = now
        db.session.commit()
        return LoginResult(officer=officer)
    _record_failure(key, now)
    return LoginResult()


def _record_failure(key: str, now) -> None:
    for _ in range(2):
        throttle = db.session.get(LoginThrottle, key)
        if throttle is None:
            throttle = LoginThrottle(username=key, failures=0)
            db.session.add(throttle)
        throttle.failures += 1
        throttle.last_failure_at = now
        wait = _lockout_seconds(throttle.failures)
        throttle.locked_until = now + timedelta(seconds=wait) if wait else None
        try:
            db.session.commit()
            return
        except IntegrityError:  # a parallel first failure for the same name
            db.session.rollback()


# --- API tokens --------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(officer: Officer, label: str | None = None) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(PoliceToken(officer_id=officer.id, token_hash=hash_token(token), prefix=token[:11],
                               label=label, created_at=utcnow()))
    db.session.commit()
    return token


def revoke_token(token_or_prefix: str) -> int:
    if len(token_or_prefix) > 20:
        rows = db.session.scalars(select(PoliceToken).where(PoliceToken.token_hash == hash_token(token_or_prefix)))
    else:
        rows = db.session.scalars(select(PoliceToken).where(PoliceToken.prefix == token_or_prefix))
    count = 0
    now = utcnow()
    for row in rows.all():
        if row.revoked_at is None:
            row.revoked_at = now
            count += 1
    db.session.commit()
    return count


def officer_for_token(token: str) -> Officer | None:
    """The live officer or system a live token belongs to."""
    officer = db.session.scalar(
        select(Officer).join(PoliceToken, PoliceToken.officer_id == Officer.id)
        .where(PoliceToken.token_hash == hash_token(token), PoliceToken.revoked_at.is_(None),
               Officer.active.is_(True)))
    return officer


def load_officer(ident: str) -> Officer | None:
    """Flask-Login loader for ids "officer:<id>"."""
    try:
        officer = db.session.get(Officer, int(ident))
    except (TypeError, ValueError):
        return None
    return officer if officer is not None and officer.is_active else None
