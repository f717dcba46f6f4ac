"""Self check-in: who may send (tokens), what is sent (the one rule set), what staff decide.

A guest's entry is checked by `intake.prepare.prepare_stay` exactly like the API, the form and
file import (arrival = now, a reference of the entry); nothing else validates it. It waits,
encrypted, in `checkin_submissions` until staff confirm it -- then `intake.service.create_stay`
stores the stay with arrival = the confirmation time (so its deadline runs from then) -- or reject
it. The personal data of a decided entry is erased at once (the stay holds it from then on); an
entry nobody decided is deleted when it expires (`purge_expired`, also run by `flask purge`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import crypto
from ..extensions import db
from ..ids import new_id
from ..intake import service as intake
from ..intake.errors import InvalidInput, NotFound
from ..intake.prepare import prepare_stay
from ..models import CheckinLink, CheckinSubmission, Facility, FacilityRef
from ..security import Throttle
from ..timeutil import to_vn, utcnow
from . import tokens

OPEN = ("pending", "confirming")
DECIDED_KEPT = timedelta(days=1)   # a decided entry's row (no personal data left) is kept this long
SHOWN = 100                        # the staff list shows the oldest this many open entries
FULL_RETRY_AFTER = 60              # seconds a guest is told to wait when the facility's list is full


class Gone(Exception):
    """A genuine token that no longer opens the form (rotated, expired, used up): 410."""


class Unknown(Exception):
    """Not a token of ours: 404."""


class NotOpen(Exception):
    """The entry is not (or no longer) waiting at this facility: 404."""


class Full(Exception):
    """The facility already has CHECKIN_MAX_OPEN entries waiting: 429, try again later."""


class Duplicate(Exception):
    """This form (its nonce) was stored already: nothing more is stored, the guest sees "sent"."""


@dataclass(frozen=True)
class Access:
    facility: FacilityRef
    source: str                   # "desk" or "link"
    link_id: str | None = None
    booking_ref: str | None = None

    @property
    def throttle_name(self) -> str:
        return f"link:{self.link_id}" if self.link_id else f"desk:{self.facility.id}"


def setting(name: str) -> int:
    return int(current_app.config.get(name) or 0)


def throttle() -> Throttle:
    """The login throttle (security.Throttle, table police_login_throttle), counting sent entries:
    per (client address, token) and per address, so one network cannot flood a facility."""
    return Throttle(namespace="checkin:", free_failures=setting("CHECKIN_RATE_PER_TOKEN") or 30,
                    address_free_failures=setting("CHECKIN_RATE_PER_ADDRESS") or 60,
                    first_delay=10, max_delay=900, forget_after=600, ipv6_prefix=64)


# -- tokens ---------------------------------------------------------------------------------------

def desk_token_now(facility_id: int, now: datetime | None = None) -> str:
    now = now or utcnow()
    window = tokens.window_of(now.timestamp(), setting("CHECKIN_QR_MINUTES"))
    return tokens.desk_token(current_app.config["SECRET_KEY"], facility_id, window)


def desk_token_changes_at(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    minutes = max(1, setting("CHECKIN_QR_MINUTES"))
    window = tokens.window_of(now.timestamp(), minutes)
    return datetime.fromtimestamp((window + 1) * minutes * 60, tz=now.tzinfo)


def create_link(facility_id: int, booking_ref: str | None = None, *, now=None, token: str | None = None) -> str:
    """A per-booking link's token (shown once); commits."""
    return create_link_row(facility_id, booking_ref, now=now, token=token)[0]


def create_link_row(facility_id: int, booking_ref: str | None = None, *, now=None, token: str | None = None):
    """(token, stored row) of a new per-booking link; commits."""
    now = now or utcnow()
    token = token or tokens.new_link_token()
    row = CheckinLink(id=new_id("ckl"), facility_id=facility_id, token_hash=tokens.link_token_hash(token),
                      booking_ref=(booking_ref or "").strip()[:64] or None,
                      uses_left=max(1, setting("CHECKIN_LINK_USES")), created_at=now,
                      expires_at=now + timedelta(hours=setting("CHECKIN_LINK_HOURS") or 48))
    db.session.add(row)
    db.session.commit()
    return token, row


def _facility(facility_id: int) -> FacilityRef:
    row = db.session.get(Facility, facility_id)
    if row is None:
        raise Unknown()
    return FacilityRef.of(row)


def resolve(token: str, *, now=None, opened_at: float | None = None) -> Access:
    """Who a token lets send. `opened_at`: when this browser opened the form with this very token
    (kept in its session), so a desk code that rotated while the guest typed still takes the entry
    for CHECKIN_FORM_MINUTES. Raises Unknown (404) or Gone (410)."""
    now = now or utcnow()
    if not isinstance(token, str) or len(token) > 64:
        raise Unknown()
    desk = tokens.read_desk_token(current_app.config["SECRET_KEY"], token)
    if desk is not None:
        facility_id, window = desk
        current = tokens.desk_token_is_current(window, now.timestamp(), setting("CHECKIN_QR_MINUTES"))
        grace = opened_at is not None and 0 <= now.timestamp() - opened_at <= setting("CHECKIN_FORM_MINUTES") * 60
        if not (current or grace):
            raise Gone()
        return Access(_facility(facility_id), "desk")
    if not tokens.is_link_token(token):
        raise Unknown()
    link = db.session.scalar(select(CheckinLink).where(CheckinLink.token_hash == tokens.link_token_hash(token)))
    if link is None:
        raise Unknown()
    if link.expires_at <= now or link.uses_left <= 0:
        raise Gone()
    return Access(_facility(link.facility_id), "link", link.id, link.booking_ref)


# -- a guest's entry --------------------------------------------------------------------------------

def stay_payload(guests: list[dict], reason: str | None, arrived_at: datetime, ref: str, room=None) -> dict:
    payload = {"external_ref": ref, "arrived_at": to_vn(arrived_at).isoformat(), "guests": guests}
    if reason:
        payload["reason"] = reason
    if room:
        payload["room"] = room
    return payload


def check_entry(access: Access, guests: list[dict], reason: str | None, now=None) -> None:
    """The one rule set on what the guest typed, as if the stay started now. Raises InvalidInput
    (issues name `guests[i].field` and a code)."""
    now = now or utcnow()
    prepare_stay(stay_payload(guests, reason, now, "CHK-CHECK"), now, access.facility)


def open_count(facility_id: int, now=None) -> int:
    """How many entries wait for a decision at the facility (all of them, not only those shown)."""
    now = now or utcnow()
    return db.session.scalar(select(func.count()).select_from(CheckinSubmission).where(
        CheckinSubmission.facility_id == facility_id, CheckinSubmission.status.in_(OPEN),
        CheckinSubmission.expires_at > now)) or 0


def sent_before(token: str, nonce: str | None) -> bool:
    """Was the form with this nonce stored already through this very token (desk code of the same
    facility, or the same booking link)? Then a resend only shows "sent", even when the desk code
    rotated or the link was used up since."""
    if not nonce or not isinstance(token, str) or len(token) > 64:
        return False
    entry = db.session.scalar(select(CheckinSubmission).where(CheckinSubmission.nonce == nonce))
    if entry is None:
        return False
    if entry.link_id is not None:
        link = db.session.get(CheckinLink, entry.link_id)
        return link is not None and tokens.is_link_token(token) and link.token_hash == tokens.link_token_hash(token)
    desk = tokens.read_desk_token(current_app.config["SECRET_KEY"], token)
    return desk is not None and desk[0] == entry.facility_id


def submit(access: Access, guests: list[dict], reason: str | None, lang: str, now=None,
           nonce: str | None = None) -> str:
    """Checks and stores an entry (encrypted); uses up one sending of a per-booking link. Commits.
    Raises InvalidInput, Gone when the link was used up meanwhile, Full when the facility already
    has CHECKIN_MAX_OPEN entries waiting, Duplicate when this nonce was stored already (nothing is
    stored, no sending used)."""
    now = now or utcnow()
    check_entry(access, guests, reason, now)
    if nonce and db.session.scalar(select(CheckinSubmission.id).where(CheckinSubmission.nonce == nonce)):
        raise Duplicate()
    if open_count(access.facility.id, now) >= (setting("CHECKIN_MAX_OPEN") or 150):
        raise Full()
    if access.link_id is not None:
        used = db.session.execute(update(CheckinLink).where(CheckinLink.id == access.link_id,
                                                            CheckinLink.uses_left > 0)
                                  .values(uses_left=CheckinLink.uses_left - 1)).rowcount
        if not used:
            db.session.rollback()
            raise Gone()
    body = json.dumps({"guests": guests, "reason": reason, "booking_ref": access.booking_ref}, ensure_ascii=False)
    entry = CheckinSubmission(id=new_id("cks"), facility_id=access.facility.id, link_id=access.link_id,
                              source=access.source, status="pending", guest_count=len(guests),
                              payload=crypto.keyring().encrypt(body), lang=lang[:8], created_at=now,
                              expires_at=now + timedelta(hours=setting("CHECKIN_PENDING_HOURS") or 24),
                              nonce=nonce or None)
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:   # the same form sent twice at once: the other one was stored (the link's use is undone)
        db.session.rollback()
        if nonce and db.session.scalar(select(CheckinSubmission.id).where(CheckinSubmission.nonce == nonce)):
            raise Duplicate() from None
        raise
    return entry.id


# -- staff -------------------------------------------------------------------------------------------

def mask(number: str | None) -> str:
    """A number as staff see it in the list: its last 3 characters ("•••••••••123")."""
    if not number:
        return ""
    return "•" * max(0, len(number) - 3) + number[-3:]


def _content(entry: CheckinSubmission) -> dict:
    return json.loads(crypto.keyring().decrypt(entry.payload))


def pending(facility_id: int, now=None) -> list[dict]:
    """The facility's entries waiting for a decision, oldest first (at most SHOWN; `open_count`
    gives them all)."""
    now = now or utcnow()
    rows = db.session.scalars(select(CheckinSubmission).where(
        CheckinSubmission.facility_id == facility_id, CheckinSubmission.status.in_(OPEN),
        CheckinSubmission.expires_at > now).order_by(CheckinSubmission.id).limit(SHOWN)).all()
    out = []
    for entry in rows:
        content = _content(entry)
        guests = [{"full_name": g.get("full_name", ""), "date_of_birth": g.get("date_of_birth", ""),
                   "nationality": g.get("nationality", ""),
                   "number": mask(g.get("id_number") or g.get("passport_number") or (g.get("document") or {}).get("number"))}
                  for g in content.get("guests", [])]
        out.append({"id": entry.id, "created_at": entry.created_at, "expires_at": entry.expires_at,
                    "source": entry.source, "booking_ref": content.get("booking_ref"), "guests": guests,
                    "count": entry.guest_count, "lang": entry.lang})
    return out


def _open_entry(facility_id: int, entry_id: str, now) -> CheckinSubmission:
    if not isinstance(entry_id, str) or len(entry_id) > 32:
        raise NotOpen()
    entry = db.session.get(CheckinSubmission, entry_id)
    if entry is None or entry.facility_id != facility_id or entry.status not in OPEN or entry.expires_at <= now:
        raise NotOpen()
    return entry


def confirm(facility: FacilityRef, entry_id: str, room: str | None = None, now=None) -> dict:
    """Stores the stay through the intake service, arriving now; returns it. Raises NotOpen, or
    InvalidInput (the entry stays pending: e.g. a visa that expired meanwhile). A second tap, or a
    retry after a crash, replays the same stay (same ref, same arrival); a retry after it was
    confirmed gets that stay back."""
    now = now or utcnow()
    if isinstance(entry_id, str) and len(entry_id) <= 32:
        done = db.session.get(CheckinSubmission, entry_id)
        if done is not None and done.facility_id == facility.id and done.status == "confirmed" and done.stay_id:
            try:
                return intake.get_stay(facility, done.stay_id)
            except NotFound:   # the stay was deleted since: nothing waits any more
                raise NotOpen() from None
    entry = _open_entry(facility.id, entry_id, now)
    if entry.status == "pending":   # claim it: arrival = this moment, kept for a replay
        claimed = db.session.execute(update(CheckinSubmission).where(
            CheckinSubmission.id == entry.id, CheckinSubmission.status == "pending")
            .values(status="confirming", decided_at=now)).rowcount
        db.session.commit()
        if not claimed:
            db.session.expire_all()
            entry = _open_entry(facility.id, entry_id, now)
    entry = db.session.get(CheckinSubmission, entry_id)
    arrived = entry.decided_at or now
    content = _content(entry)
    payload = stay_payload(content["guests"], content.get("reason"), arrived, f"CHK-{entry.id}",
                           room=(room or "").strip() or None)  # the rule set bounds it (50)
    try:
        created = intake.create_stay(facility, payload, source="checkin", now=now)
    except InvalidInput:
        db.session.rollback()
        db.session.execute(update(CheckinSubmission).where(CheckinSubmission.id == entry_id,
                                                           CheckinSubmission.status == "confirming")
                           .values(status="pending", decided_at=None))
        db.session.commit()
        raise
    db.session.execute(update(CheckinSubmission).where(CheckinSubmission.id == entry_id)
                       .values(status="confirmed", stay_id=created.stay["id"], payload=""))
    db.session.commit()
    return created.stay


def reject(facility: FacilityRef, entry_id: str, reason: str, now=None) -> None:
    now = now or utcnow()
    entry = _open_entry(facility.id, entry_id, now)
    done = db.session.execute(update(CheckinSubmission).where(
        CheckinSubmission.id == entry.id, CheckinSubmission.status == "pending")
        .values(status="rejected", decided_at=now, reject_reason=reason.strip()[:200], payload="")).rowcount
    db.session.commit()
    if not done:
        raise NotOpen()


def purge_expired(now=None) -> int:
    """Deletes entries nobody decided before they expired, decided ones' rows after a day, and
    expired links. The caller commits."""
    now = now or utcnow()
    gone = db.session.execute(delete(CheckinSubmission).where(or_(
        CheckinSubmission.expires_at <= now, CheckinSubmission.decided_at < now - DECIDED_KEPT))).rowcount
    db.session.execute(delete(CheckinLink).where(CheckinLink.expires_at <= now))
    return gone
