"""The two kinds of check-in token (pure: no Flask, no database).

Desk QR: ``d-<facility id>-<window>-<mac>``, where window = minutes since the epoch // N and mac =
the first 22 base64url characters (132 bits) of HMAC-SHA256(secret key, "checkin-desk|<id>|<window>").
It is accepted in its own window and the next one, so a code scanned just before it changes still
opens the form. Nothing in it is personal; it cannot be forged without the app's secret key.

Per-booking link: ``b-`` + 32 random base64url characters (192 bits); only its SHA-256 is stored.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

DESK = re.compile(r"^d-([1-9][0-9]{0,8})-([0-9]{1,12})-([A-Za-z0-9_-]{22})$")
LINK = re.compile(r"^b-[A-Za-z0-9_-]{32}$")


def window_of(epoch_seconds: float, minutes: int) -> int:
    return int(epoch_seconds // (max(1, minutes) * 60))


def _mac(secret: str, facility_id: int, window: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"checkin-desk|{facility_id}|{window}".encode("ascii"),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:22]


def desk_token(secret: str, facility_id: int, window: int) -> str:
    return f"d-{facility_id}-{window}-{_mac(secret, facility_id, window)}"


def read_desk_token(secret: str, token: str) -> tuple[int, int] | None:
    """(facility id, window) of a genuine desk token (whatever its age), else None."""
    match = DESK.match(token)
    if not match:
        return None
    facility_id, window = int(match.group(1)), int(match.group(2))
    if not hmac.compare_digest(match.group(3), _mac(secret, facility_id, window)):
        return None
    return facility_id, window


def desk_token_is_current(window: int, epoch_seconds: float, minutes: int) -> bool:
    """The token's window is this one or the one before (a code changes every `minutes`)."""
    now = window_of(epoch_seconds, minutes)
    return now - 1 <= window <= now


def new_link_token() -> str:
    return "b-" + secrets.token_urlsafe(24)


def link_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_link_token(token: str) -> bool:
    return bool(LINK.match(token))
