"""Officer accounts: scopes of the 2025 map, argon2 passwords, login throttling, API tokens."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models.police import ROLES, Officer, OfficerScope, PoliceToken
from ..rules.geography import province_exists, ward_exists
from ..security import (Throttle, hash_password, issue_token, password_problem, revoke_tokens, token_hash,
                        verify_password)
from ..timeutil import utcnow

TOKEN_PREFIX = "pt_"
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(ValueError):
    pass


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
    if kind == "person" and password_problem(password):
        raise AccountError(password_problem(password))
    if db.session.scalar(select(Officer.id).where(Officer.username == username)) is not None:
        raise AccountError(f"officer {username} already exists")
    officer = Officer(username=username, kind=kind, role=role, active=True, created_at=utcnow(),
                      password_hash=hash_password(password) if kind == "person" else None)
    officer.scopes = [OfficerScope(kind=k, code=c) for k, c in parsed]
    db.session.add(officer)
    db.session.commit()
    return officer


def set_password(officer: Officer, password: str) -> None:
    if password_problem(password):
        raise AccountError(password_problem(password))
    officer.password_hash = hash_password(password)
    officer.session_version = (officer.session_version or 0) + 1  # every session logged in before ends
    _throttle().forget_name(officer.username)
    db.session.commit()


# --- login with a growing delay after repeated failures --------------------------------------

@dataclass
class LoginResult:
    officer: Officer | None = None
    retry_after: int = 0          # > 0: refused without checking the password


def _throttle() -> Throttle:
    """No delay for the first few failures, then 1, 2, 4, 8 … seconds, capped. Keyed by (client
    address, username) and by client address (security.Throttle)."""
    cfg = current_app.config
    return Throttle(free_failures=int(cfg.get("POLICE_LOGIN_FREE_FAILURES", 3)), first_delay=1,
                    max_delay=int(cfg.get("POLICE_LOGIN_MAX_LOCKOUT", 900)),
                    address_free_failures=int(cfg.get("LOGIN_ADDRESS_FREE_FAILURES", 20)),
                    forget_after=int(cfg.get("LOGIN_FORGET_FAILURES_MINUTES", 60)) * 60)


def authenticate(username: str, password: str, address: str | None = None) -> LoginResult:
    """Checks a password. Failures are counted per (client address, username) — known or not — and
    per client address; past a few, that address is delayed for a growing time (for that username,
    or for every username past the address's own limit); while delayed, the password is not even
    checked. Another address's failures never delay this one."""
    key = normalise_username(username)[:64]
    throttle = _throttle()
    wait = throttle.check(key, address)
    if wait:
        db.session.rollback()
        return LoginResult(retry_after=wait)
    officer = db.session.scalar(select(Officer).where(Officer.username == key))
    usable = officer is not None and officer.is_active
    # An unknown name costs the same argon2 work, so timing does not tell which usernames exist.
    ok, new_hash = verify_password(officer.password_hash if usable else None, password)
    if not ok:
        throttle.record_failure(key, address)
        return LoginResult()
    if new_hash:
        officer.password_hash = new_hash
    throttle.reset(key, address)
    officer.last_login_at = utcnow()
    db.session.commit()
    return LoginResult(officer=officer)


# --- API tokens --------------------------------------------------------------------------------

def create_token(officer: Officer, label: str | None = None) -> str:
    """A new token of the officer or system; returns the token itself, shown once and not stored."""
    return issue_token(PoliceToken, PoliceToken.token_hash, TOKEN_PREFIX, officer_id=officer.id, label=label)


def revoke_token(token_or_prefix: str) -> int:
    """Revokes the token given whole, or every live token starting with the prefix shown at creation."""
    return revoke_tokens(PoliceToken, PoliceToken.token_hash, token_or_prefix)


def officer_for_token(token: str) -> Officer | None:
    """The live officer or system a live token belongs to."""
    officer = db.session.scalar(
        select(Officer).join(PoliceToken, PoliceToken.officer_id == Officer.id)
        .where(PoliceToken.token_hash == token_hash(token), PoliceToken.revoked_at.is_(None),
               Officer.active.is_(True)))
    return officer


def load_officer(ident: str) -> Officer | None:
    """Flask-Login loader for ids "officer:<id>"."""
    try:
        officer = db.session.get(Officer, int(ident))
    except (TypeError, ValueError):
        return None
    return officer if officer is not None and officer.is_active else None
