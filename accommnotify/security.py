"""The security mechanisms shared by facility API keys, police tokens and both logins.

Bearer tokens (facility API keys "ak_…", police tokens "pt_…")
    `new_token(prefix)` makes a long random token. Only its SHA-256 (`token_hash`) and its first
    DISPLAY_CHARS characters are stored; the token itself is shown once. A token is revoked given
    whole, or by the display prefix printed at creation (`issue_token`, `revoke_tokens`).

Passwords (officers, facility staff)
    At least MIN_PASSWORD characters (`password_problem`). argon2id (argon2-cffi); settings
    `ARGON2_TIME_COST` (3), `ARGON2_MEMORY_KIB` (65536), `ARGON2_PARALLELISM` (4), where the older
    names `POLICE_ARGON2_*` are still read. `verify_password` with no stored hash (unknown or
    disabled account) does the same argon2 work against a dummy hash, so timing does not tell which
    accounts exist; it hands back a new hash when the stored one was made with other settings.

Login throttle
    `Throttle.check(name, address)` -> seconds to wait (0: go ahead), `record_failure(name,
    address)`, `reset(name, address)`. Failures are counted per (client address, submitted name) —
    known or not, so the answers do not tell which names have an account — and per client address
    across all names, in the table `police_login_throttle` (model `LoginThrottle`), so it holds
    across workers and restarts. Never per account alone: a stranger's failures from elsewhere
    never delay the real user (issue 10, item 6). The address is `request.remote_addr`, which is
    the client's only behind `PROXY_COUNT` trusted proxies (ProxyFix). Keys: "<namespace>pair:
    <address>|<SHA-256 of the name, 32 hex>" and "<namespace>addr:<address>" (namespace "" for
    officers, "facility:" for staff), so no name is stored. A count starts again after
    `forget_after` seconds without a failure. With `ipv6_prefix` = 64 (the guest check-in's
    throttle; the logins keep 128) an IPv6 client is counted per /64 network, since one phone or
    home gets a whole /64 and could otherwise take a fresh address per request. While locked, the caller refuses without checking the
    password, and no request thread sleeps.
"""
from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models.police import LoginThrottle
from .timeutil import utcnow

# --- bearer tokens -----------------------------------------------------------------------------

DISPLAY_CHARS = 11      # "ak_" + 8 random characters: enough to recognise, useless to authenticate
_WHOLE_TOKEN_MIN = 21   # longer than any display prefix: a whole token (tokens have 46 characters)


def token_hash(token: str) -> str:
    """SHA-256 hex of a token: enough for long random tokens (no need for a slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(prefix: str) -> tuple[str, str, str]:
    """(token to show once, its SHA-256 hex to store, display prefix to store and print)."""
    token = prefix + secrets.token_urlsafe(32)
    return token, token_hash(token), token[:DISPLAY_CHARS]


def issue_token(model, hash_column, prefix: str, **fields) -> str:
    """Stores a new `model` row (its hash, display prefix, created_at and `fields`), commits and
    returns the token, which is not kept anywhere: show it once."""
    token, digest, shown = new_token(prefix)
    db.session.add(model(**{hash_column.key: digest}, prefix=shown, created_at=utcnow(), **fields))
    db.session.commit()
    return token


def revoke_tokens(model, hash_column, token_or_prefix: str) -> int:
    """Revokes the token given whole, or every live one whose display prefix is given; commits.

    `model` has `prefix` and `revoked_at` columns; `hash_column` is its SHA-256 column."""
    if len(token_or_prefix) >= _WHOLE_TOKEN_MIN:
        where = hash_column == token_hash(token_or_prefix)
    else:
        where = model.prefix == token_or_prefix
    rows = db.session.scalars(select(model).where(where, model.revoked_at.is_(None))).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    db.session.commit()
    return len(rows)


# --- passwords ---------------------------------------------------------------------------------

MIN_PASSWORD = 10


def read_password() -> str:
    """For the account commands: a hidden prompt typed twice on a terminal, else stdin's first line."""
    import sys

    import click
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def password_problem(password: str | None) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if password is None or len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    return None


_ARGON2_SETTINGS = (("time_cost", "TIME_COST", 3), ("memory_cost", "MEMORY_KIB", 65536),
                    ("parallelism", "PARALLELISM", 4))
_dummy_hashes: dict[tuple, str] = {}


def password_hasher() -> PasswordHasher:
    """argon2id with the app's settings (the defaults outside an app context)."""
    cfg = current_app.config if has_app_context() else {}
    params = {arg: int(cfg.get(f"ARGON2_{name}", cfg.get(f"POLICE_ARGON2_{name}", default)))
              for arg, name, default in _ARGON2_SETTINGS}
    return PasswordHasher(**params)


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(right password?, new hash to store or None).

    With no stored hash (unknown or disabled account) the answer is False after the same argon2
    work. The new hash is given when the password is right but was hashed with other settings."""
    hasher = password_hasher()
    if not stored_hash:
        key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        if key not in _dummy_hashes:
            _dummy_hashes[key] = hasher.hash(secrets.token_urlsafe(16))
        try:
            hasher.verify(_dummy_hashes[key], password)
        except VerificationError:
            pass
        return False, None
    try:
        hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, hasher.hash(password) if hasher.check_needs_rehash(stored_hash) else None


# --- login throttle ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Throttle:
    """A growing delay after failed logins: none for the first `free_failures` in a row from one
    address for one name (`address_free_failures` from one address for any names), then
    `first_delay`, twice that, four times … seconds, at most `max_delay`."""
    namespace: str = ""        # key prefix, e.g. "facility:"; "" for officers
    free_failures: int = 3
    first_delay: int = 1
    max_delay: int = 900
    address_free_failures: int = 20
    forget_after: int = 3600   # seconds without a failure after which a count starts again
    ipv6_prefix: int = 128     # IPv6 clients counted per this prefix (64: one home or phone network)

    def client(self, address: str | None) -> str:
        """The address as counted: IPv6 cut to `ipv6_prefix` bits ("2001:db8:1:2::/64"), an
        IPv4-mapped one as its IPv4 address; anything else as given (at most 64 characters)."""
        text = (address or "-")[:64]
        if self.ipv6_prefix < 128 and ":" in text:
            try:
                ip = ipaddress.IPv6Address(text.split("%", 1)[0])
            except ValueError:
                return text
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.IPv6Network((ip, self.ipv6_prefix), strict=False))
        return text

    def delay_after(self, failures: int, free: int | None = None) -> int:
        """Seconds locked after `failures` failures in a row (`free` of them without delay)."""
        free = self.free_failures if free is None else free
        if failures < free:
            return 0
        return min(self.first_delay * 2 ** min(failures - free, 30), self.max_delay)

    def pair_key(self, name: str, address: str | None) -> str:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"{self.namespace}pair:{self.client(address)}|{digest}"

    def address_key(self, address: str | None) -> str:
        return f"{self.namespace}addr:{self.client(address)}"

    def _keys(self, name: str, address: str | None) -> tuple[tuple[str, int], ...]:
        return ((self.pair_key(name, address), self.free_failures),
                (self.address_key(address), self.address_free_failures))

    def check(self, name: str, address: str | None, now: datetime | None = None, *, pair_only: bool = False) -> int:
        """Seconds to wait before this address may try this name again; 0 when it may try now.
        `pair_only`: only this name's count from this address, not the address's over all names."""
        now = now or utcnow()
        wait = 0
        for key, _free in self._keys(name, address)[:1 if pair_only else 2]:
            row = db.session.get(LoginThrottle, key)
            if row is not None and row.locked_until is not None and row.locked_until > now:
                wait = max(wait, math.ceil((row.locked_until - now).total_seconds()), 1)
        return wait

    def record_failure(self, name: str, address: str | None, now: datetime | None = None) -> int:
        """Counts one failure (in its own transaction: commits) and returns the delay it starts."""
        now = now or utcnow()
        return max(self._count(key, free, now) for key, free in self._keys(name, address))

    def _count(self, key: str, free: int, now: datetime) -> int:
        for _ in range(2):
            row = db.session.get(LoginThrottle, key)
            if row is None:
                row = LoginThrottle(username=key, failures=0)
                db.session.add(row)
            elif row.last_failure_at is not None and (now - row.last_failure_at).total_seconds() > self.forget_after:
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            wait = self.delay_after(row.failures, free)
            row.locked_until = now + timedelta(seconds=wait) if wait else None
            try:
                db.session.commit()
                return wait
            except IntegrityError:  # a parallel first failure for the same key
                db.session.rollback()
        return 0

    def forget_name(self, name: str) -> None:
        """Forgets every address's failures for this name (a new password was set); the caller commits."""
        suffix = "|" + self.pair_key(name, None).rsplit("|", 1)[1]
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.username.like(f"{self.namespace}pair:%"),
                                                       LoginThrottle.username.endswith(suffix)))

    def reset(self, name: str, address: str | None) -> None:
        """Forgets this address's failures for this name (not the address's count over all names),
        as part of the caller's transaction (the caller commits)."""
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.username == self.pair_key(name, address)))
