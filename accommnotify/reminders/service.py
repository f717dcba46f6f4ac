"""Which reminders are due at ``now``; each is claimed in the ledger, then sent (docs/REMINDERS.md).

``run_once(now)`` is the whole job: the dispatcher runs it every REMINDER_INTERVAL seconds, the
CLI once, tests with the frozen clock. Claim-then-send: a reminder is one row per (user, kind,
subject) in ``sent_reminders`` under a unique constraint, inserted before anything is sent, so two
dispatcher processes never both send it. A claim that was not marked sent (the process died, the
channel failed) can be taken again once LEASE_SECONDS have passed, at most MAX_TRIES times; a crash
between the send and the mark can therefore repeat one reminder, never lose it silently.
"""
from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..database import read_only
from ..extensions import db
from ..models import Facility, FacilityMembership, FacilityUser, Notification, PortalFile, ReminderSettings, SentReminder, Stay
from ..receivers.base import bounded
from ..timeutil import VN_TZ
from . import render
from .channels import ChannelError, Message, Recipient, configured_channels

log = logging.getLogger("accommnotify.reminders")

KINDS = ("problems", "deadline", "digest")
DEFAULTS = {"problems": True, "deadline": True, "digest": False}  # for a user who never chose
PROBLEM_STATUSES = ("rejected", "dead")
UNDELIVERED = ("pending", "retrying", "sending")           # a portal file stands for awaiting_upload ones
STILL_OPEN = ("pending", "sending", "retrying", "dead", "awaiting_upload")
WAITING_FILES = ("ready", "mismatch")
MAX_TRIES = 3
LINKS = {"problems": "/facility/", "deadline": "/facility/", "digest": "/facility/history", "test": "/facility/"}


# ---- pure rules of time -----------------------------------------------------------------------

def deadline_is_close(deadline_at: datetime, now: datetime, minutes: int) -> bool:
    """Not passed yet, and at most ``minutes`` away."""
    return now < deadline_at <= now + timedelta(minutes=minutes)


def parse_digest_time(value: str) -> time:
    try:
        hour, minute = (int(x) for x in str(value).split(":"))
        return time(hour, minute)
    except (TypeError, ValueError):
        raise ValueError(f"ACCOMMNOTIFY_REMINDER_DIGEST_TIME must be HH:MM, got {value!r}") from None


def digest_day(now: datetime, at: time) -> date | None:
    """The day the digest of ``now`` covers (yesterday, Vietnam time) once the digest time has come."""
    local = now.astimezone(VN_TZ)
    return local.date() - timedelta(days=1) if local.time() >= at else None


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), VN_TZ)
    return start, start + timedelta(days=1)


# ---- what is due --------------------------------------------------------------------------------

@dataclass
class Due:
    """One reminder to one user: its subjects (notification / portal file ids, or a day) and its words."""
    recipient: Recipient
    kind: str
    subjects: list[str]
    # (link, the subjects this process claimed) -> (subject line, text): only what is sent is counted
    words: Callable[[str | None, set[str]], tuple[str, str]]


@dataclass
class Report:
    sent: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    unreachable: int = 0  # due, but the user's channel is off or has no address for them

    def totals(self) -> dict:
        return {"sent": dict(self.sent), "failed": dict(self.failed), "unreachable": self.unreachable}


def recipients(default_language: str = "vi", user_id: int | None = None) -> list[Recipient]:
    """Every active facility user (or the one ``user_id``) with the reminders they want (the
    defaults when they never chose)."""
    query = (select(FacilityUser.id, FacilityUser.facility_id, FacilityUser.email, ReminderSettings)
             .outerjoin(ReminderSettings, ReminderSettings.user_id == FacilityUser.id)
             .where(FacilityUser.disabled_at.is_(None)).order_by(FacilityUser.id))
    if user_id is not None:
        query = query.where(FacilityUser.id == user_id)
    users = db.session.execute(query).all()
    # A chain's staff hear about every facility they work for (facility_memberships), not only their own.
    also = defaultdict(set)
    ids = [u[0] for u in users]
    for chunk in range(0, len(ids), 500):
        for uid, fid in db.session.execute(select(FacilityMembership.user_id, FacilityMembership.facility_id)
                                           .where(FacilityMembership.user_id.in_(ids[chunk:chunk + 500]))).all():
            also[uid].add(fid)
    out = []
    for uid, facility_id, email, s in users:
        kinds = frozenset(k for k in KINDS if (getattr(s, k) if s is not None else DEFAULTS[k]))
        for fid in [facility_id] + sorted(also[uid] - {facility_id}):
            out.append(Recipient(uid, fid, email, s.phone if s else None, s.language if s else default_language,
                                 s.channel if s else "email", kinds, own=fid == facility_id))
    return out


def due_reminders(now: datetime, config) -> list[Due]:
    """Every reminder due at ``now`` that the ledger does not hold as sent or in flight. Only
    reads, and ends its transaction (on SQLite no write lock is held for the claims that follow)."""
    with read_only():
        try:
            return _due(now, config)
        finally:
            db.session.rollback()


def _due(now: datetime, config) -> list[Due]:
    people = [r for r in recipients(config.get("DEFAULT_LANGUAGE", "vi")) if r.kinds]
    if not people:
        return []
    facility_ids = sorted({r.facility_id for r in people})
    names = dict(db.session.execute(select(Facility.id, Facility.name).where(Facility.id.in_(facility_ids))).all())
    candidates: list[Due] = []
    candidates += _problems(now, config, people, names)
    candidates += _deadlines(now, config, people, names)
    candidates += _digests(now, config, people, names)
    return _not_yet_taken(candidates, now, config)


def _wanting(people, kind):
    by_facility = defaultdict(list)
    for r in people:
        if kind in r.kinds:
            by_facility[r.facility_id].append(r)
    return by_facility


def _problems(now, config, people, names) -> list[Due]:
    wanting = _wanting(people, "problems")
    if not wanting:
        return []
    since = now - timedelta(hours=float(config.get("REMINDER_LOOKBACK_HOURS", 24)))
    rows = db.session.execute(
        select(Notification.id, Notification.facility_id, Notification.status, Stay.room)
        .join(Stay, Stay.id == Notification.stay_id)
        .where(Notification.facility_id.in_(list(wanting)), Notification.status.in_(PROBLEM_STATUSES),
               Notification.updated_at > since)).all()
    out = []
    for facility_id, items in _group(rows).items():
        for person in wanting[facility_id]:
            out.append(Due(person, "problems", [r.id for r in items], _problems_words(person, names[facility_id], items)))
    return out


def _problems_words(person, name, rows):
    def words(link, held):
        items = [r for r in rows if r.id in held]
        return render.problems(person.language, name, rejected=sum(r.status == "rejected" for r in items),
                               dead=sum(r.status == "dead" for r in items), rooms=[r.room for r in items], link=link)
    return words


def _deadlines(now, config, people, names) -> list[Due]:
    wanting = _wanting(people, "deadline")
    if not wanting:
        return []
    until = now + timedelta(minutes=int(config.get("REMINDER_DEADLINE_MINUTES", 60)))
    fresh = timedelta(seconds=2 * float(config.get("DISPATCH_INTERVAL", 60)))
    facility_ids = list(wanting)
    notes = db.session.execute(
        select(Notification.id, Notification.facility_id, Notification.deadline_at, Stay.room)
        .join(Stay, Stay.id == Notification.stay_id)
        .where(Notification.facility_id.in_(facility_ids), Notification.status.in_(UNDELIVERED),
               Notification.deadline_at > now, Notification.deadline_at <= until,
               # just entered: the next dispatch pass sends it (the deadline margin forces it out)
               or_(Notification.status != "pending", Notification.created_at <= now - fresh))).all()
    files = db.session.execute(
        select(PortalFile.id, PortalFile.facility_id, PortalFile.earliest_deadline.label("deadline_at"))
        .where(PortalFile.facility_id.in_(facility_ids), PortalFile.status.in_(WAITING_FILES),
               PortalFile.earliest_deadline > now, PortalFile.earliest_deadline <= until)).all()
    by_notes, by_files = _group(notes), _group(files)
    out = []
    for facility_id in sorted(set(by_notes) | set(by_files)):
        n, f = by_notes.get(facility_id, []), by_files.get(facility_id, [])
        for person in wanting[facility_id]:
            out.append(Due(person, "deadline", [r.id for r in n + f], _deadline_words(person, names[facility_id], n, f)))
    return out


def _deadline_words(person, name, all_notes, all_files):
    def words(link, held):
        notes = [r for r in all_notes if r.id in held]
        files = [r for r in all_files if r.id in held]
        return render.deadline(person.language, name, notifications=len(notes), files=len(files),
                               earliest=min(r.deadline_at for r in notes + files),
                               rooms=[r.room for r in notes], link=link)
    return words


def _digests(now, config, people, names) -> list[Due]:
    wanting = _wanting(people, "digest")
    day = digest_day(now, parse_digest_time(config.get("REMINDER_DIGEST_TIME", "07:00"))) if wanting else None
    if day is None:
        return []
    counts = digest_counts(list(wanting), day, now)
    out = []
    for facility_id, persons in wanting.items():
        c = counts[facility_id]
        for person in persons:
            # the ledger's subject: the day, and for a chain's other facilities the facility too (one user, one
            # digest per facility; the own facility keeps the plain day as before memberships existed)
            subject = day.isoformat() if person.own else f"{day.isoformat()}/{facility_id}"
            out.append(Due(person, "digest", [subject],
                           lambda link, _held, p=person, c=c, n=names[facility_id]: render.digest(
                               p.language, n, day=day, link=link, **c)))
    return out


def digest_counts(facility_ids: list[int], day: date, now: datetime) -> dict[int, dict]:
    """Per facility, for ``day`` (Vietnam time): declared = accepted that day; late = accepted late
    that day, or whose deadline fell that day and which are still not delivered; still_open = not
    delivered now (waiting, retrying, undeliverable or in a portal file), entered up to that day."""
    start, end = _day_bounds(day)
    N = Notification
    in_day = lambda col: and_(col >= start, col < end)  # noqa: E731
    count = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    declared = count(and_(N.status == "accepted", in_day(N.delivered_at)))
    late = count(or_(and_(N.status == "accepted", N.late.is_(True), in_day(N.delivered_at)),
                     and_(N.status.in_(STILL_OPEN), in_day(N.deadline_at))))
    still_open = count(and_(N.status.in_(STILL_OPEN), N.created_at < end))
    rows = db.session.execute(
        select(N.facility_id, declared, late, still_open).where(N.facility_id.in_(facility_ids))
        .group_by(N.facility_id)).all()
    out = {fid: {"declared": 0, "late": 0, "still_open": 0} for fid in facility_ids}
    for fid, d, lt, so in rows:
        out[fid] = {"declared": int(d or 0), "late": int(lt or 0), "still_open": int(so or 0)}
    return out


def _group(rows):
    out = defaultdict(list)
    for r in rows:
        out[r.facility_id].append(r)
    return out


def _not_yet_taken(candidates: list[Due], now, config) -> list[Due]:
    """Drops the subjects the ledger holds as sent, in flight (claimed within the lease) or given
    up (MAX_TRIES); a reminder left with no subject is not due."""
    if not candidates:
        return []
    lease = timedelta(seconds=float(config.get("LEASE_SECONDS", 120)))
    taken = set()
    users = sorted({d.recipient.user_id for d in candidates})
    for chunk in range(0, len(users), 500):
        rows = db.session.execute(
            select(SentReminder.user_id, SentReminder.kind, SentReminder.subject)
            .where(SentReminder.user_id.in_(users[chunk:chunk + 500]),
                   or_(SentReminder.sent_at.is_not(None), SentReminder.claimed_at > now - lease,
                       SentReminder.tries >= MAX_TRIES))).all()
        taken.update((r.user_id, r.kind, r.subject) for r in rows)
    out = []
    for due in candidates:
        due.subjects = [s for s in due.subjects if (due.recipient.user_id, due.kind, s) not in taken]
        if due.subjects:
            out.append(due)
    return out


# ---- claim, send, record -------------------------------------------------------------------------

def _insert(conn):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(SentReminder.__table__)


def claim(due: Due, channel: str, now: datetime, owner: str, lease_seconds: float) -> list[str]:
    """The subjects of ``due`` this process now holds (in one transaction): new rows, or rows whose
    earlier claim expired unsent. Another process's live claim or a sent row is left alone."""
    T = SentReminder.__table__
    user = due.recipient.user_id
    held = []
    with db.engine.begin() as conn:
        for subject in due.subjects:
            row = {"user_id": user, "kind": due.kind, "subject": subject, "channel": channel, "owner": owner,
                   "tries": 1, "claimed_at": now}
            stmt = (_insert(conn).values(**row).on_conflict_do_nothing(index_elements=["user_id", "kind", "subject"])
                    .returning(T.c.id))
            if conn.execute(stmt).first() is not None:
                held.append(subject)
                continue
            retaken = conn.execute(update(T).where(
                T.c.user_id == user, T.c.kind == due.kind, T.c.subject == subject, T.c.sent_at.is_(None),
                T.c.claimed_at <= now - timedelta(seconds=lease_seconds), T.c.tries < MAX_TRIES,
            ).values(owner=owner, claimed_at=now, channel=channel, tries=T.c.tries + 1, error=None)).rowcount
            if retaken == 1:
                held.append(subject)
    return held


def _mark(user_id, kind, subjects, owner, **values):
    T = SentReminder.__table__
    with db.engine.begin() as conn:
        conn.execute(update(T).where(T.c.user_id == user_id, T.c.kind == kind, T.c.subject.in_(subjects),
                                     T.c.owner == owner, T.c.sent_at.is_(None)).values(**values))


def message_id(user_id: int, kind: str, subjects: list[str]) -> str:
    digest = hashlib.sha256("|".join([str(user_id), kind, *sorted(subjects)]).encode()).hexdigest()[:24]
    return f"rem-{kind}-{digest}"


def link_for(kind: str, config) -> str | None:
    base = str(config.get("PUBLIC_URL") or "").rstrip("/")
    return base + LINKS[kind] if base else None


def run_once(now: datetime, config, *, owner: str = "cli", channels: dict | None = None) -> Report:
    """Claims and sends every reminder due at ``now``. Needs an app context."""
    channels = configured_channels(config) if channels is None else channels
    report = Report()
    if not channels:
        return report
    lease = float(config.get("LEASE_SECONDS", 120))
    for item in due_reminders(now, config):
        person = item.recipient
        channel = channels.get(person.channel)
        address = channel.address_of(person) if channel else None
        if address is None:
            report.unreachable += 1
            continue
        subjects = claim(item, channel.name, now, owner, lease)
        if not subjects:
            continue
        item.subjects = subjects
        subject_line, text = item.words(link_for(item.kind, config), set(subjects))
        msg = Message(item.kind, person.language, subject_line, text, link_for(item.kind, config),
                      message_id(person.user_id, item.kind, subjects))
        try:
            channel.send(address, msg)
        except ChannelError as exc:
            _mark(person.user_id, item.kind, subjects, owner, error=bounded(str(exc), 200))
            report.failed[item.kind] += 1
            log.warning("reminder %s to user %s by %s failed: %s", item.kind, person.user_id, channel.name, exc)
            continue
        _mark(person.user_id, item.kind, subjects, owner, sent_at=now)
        report.sent[item.kind] += 1
        log.info("reminder %s (%d subject(s)) sent to user %s by %s", item.kind, len(subjects), person.user_id,
                 channel.name)
    return report


def send_test(user_id: int, config, now: datetime, *, channels: dict | None = None) -> str:
    """A test reminder to one user by their channel, outside the ledger. Returns the channel's name;
    raises ChannelError (or LookupError: no such user / channel off / no address)."""
    channels = configured_channels(config) if channels is None else channels
    person = next(iter(recipients(config.get("DEFAULT_LANGUAGE", "vi"), user_id)), None)
    if person is None:
        raise LookupError("no active facility user with that e-mail")
    channel = channels.get(person.channel)
    if channel is None:
        raise LookupError(f"the user's channel {person.channel!r} is not configured")
    address = channel.address_of(person)
    if address is None:
        raise LookupError(f"the user has no address for channel {person.channel!r}")
    name = db.session.get(Facility, person.facility_id).name
    link = link_for("test", config)
    subject_line, text = render.ping(person.language, name, link)
    stamp = now.strftime("%Y%m%d%H%M%S")
    channel.send(address, Message("test", person.language, subject_line, text, link,
                                  message_id(user_id, "test", [stamp])))
    return channel.name
