"""Retention: personal data is kept no longer than needed (Law on Personal Data Protection).

Retention counts in whole months (UTC): the cutoff is the first day of the month in which the
RETENTION_DAYS period began. A stay declared before the month preceding the cutoff month is
removed with its guests and notifications once it ended (departed or cancelled) before the
cutoff, none of its notifications was made since, and none is still on its way (pending,
sending, retrying, dead, awaiting_upload: those an operator or the facility must see through
first): a stay is kept RETENTION_DAYS after it ended and up to two months more. Police inbox
rows and delivery attempts of a month before the cutoff (by the time in their ids) go too (kept
up to one month more), and so do portal files (record and file on disk) none of whose rows is
left, and the reminders' ledger rows. The police audit log is never touched here.
On PostgreSQL whole months are dropped (ops.partitions, docs/PARTITIONS.md); SQLite removes the
same rows one by one.
"""
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select, text

from ..extensions import db
from ..models import (Guest, Notification, PortalFile, PortalFileRow, SentReminder, Stay, TermStay,
                      WebhookAttempt, WebhookMessage)
from ..models.intake import AWAITING_PREDICATE, DEAD_PREDICATE, QUEUED_PREDICATE, SENDING_PREDICATE
from ..timeutil import utcnow
from . import partitions as parts

CHUNK = 1000


@dataclass
class PurgeReport:
    stays: int = 0
    guests: int = 0
    notifications: int = 0
    attempts: int = 0
    inbox: int = 0
    webhook_messages: int = 0
    checkin_entries: int = 0


def retention_cutoff(days: int, now: datetime | None = None) -> datetime:
    """Whole months: what is older than the first day (UTC) of the month in which the retention
    period began goes, so that PostgreSQL drops months and SQLite removes the very same rows."""
    return parts.month_start_utc(parts.first_of_month((now or utcnow()) - timedelta(days=days)))


def _params(cutoff: datetime) -> dict:
    month = cutoff.date()
    declared = parts.add_months(month, -1)
    return {"c": cutoff, "sb": parts.id_bound("st", declared), "nd": parts.id_bound("ntf", declared),
            "nb": parts.id_bound("ntf", month), "bb": parts.id_bound("bat", month)}


# A stay goes when it was declared before the month preceding the cutoff month (:sb), ended
# before the cutoff, has no notification still on its way and none made since the cutoff (a late
# correction holds the stay). One month of slack between declared and ended: the stays of a
# dropped month that ended early in the next one (a good share of them) go with it, instead of
# being moved aside and purged again a month later. The stays kept by their notifications are
# few: they are listed first (each query on its own partial index) and passed as a list, which
# keeps every plan a simple one however many rows the tables hold.
_UNFINISHED_STAYS = [f"SELECT DISTINCT stay_id FROM notifications WHERE {predicate}"
                     for predicate in (QUEUED_PREDICATE, SENDING_PREDICATE, DEAD_PREDICATE, AWAITING_PREDICATE)]
_LATE_STAYS = "SELECT DISTINCT stay_id FROM notifications WHERE id >= :nb AND stay_id < :sb"
_ENDED = "(stays.departed_at < :c OR stays.cancelled_at < :c)"
_OPEN_OLD_STAYS = f"SELECT stays.id FROM stays WHERE stays.id < :sb AND NOT COALESCE({_ENDED}, false)"


def _kept_by_notifications(conn, params: dict) -> list[str]:
    kept = set()
    for sql in _UNFINISHED_STAYS + [_LATE_STAYS]:
        kept.update(stay for stay in conn.execute(text(sql), params).scalars() if stay < params["sb"])
    return sorted(kept)


def _purgeable(conn, params: dict) -> tuple[str, dict]:
    """The purgeable stays' ids as SQL, with its parameters (the kept list bound per dialect)."""
    kept = _kept_by_notifications(conn, params)
    if conn.dialect.name == "postgresql":  # pragma: postgresql
        not_kept, bound = "stays.id <> ALL(:kept)", kept
    else:
        import json
        not_kept, bound = "stays.id NOT IN (SELECT value FROM json_each(:kept))", json.dumps(kept)
    return (f"SELECT stays.id FROM stays WHERE stays.id < :sb AND {_ENDED} AND {not_kept}",
            {**params, "kept": bound})


# A police inbox row goes with the month of its notification (the time in the sender's id); a row
# whose id carries no time of ours goes by when it was received. Attempts likewise, once ended.
_OLD_INBOX = ("(notification_id >= 'ntf_' AND notification_id < :nb) OR NOT (notification_id >= 'ntf_' "
              "AND notification_id < 'ntf`') AND received_at < :c")
_OLD_ATTEMPTS = ("ended_at IS NOT NULL AND ((id >= 'bat_' AND id < :bb) OR NOT (id >= 'bat_' "
                 "AND id < 'bat`') AND started_at < :c)")


def purge(days: int, *, dry_run: bool = False, now=None) -> PurgeReport:
    now = now or utcnow()
    cutoff = retention_cutoff(days, now)
    params = _params(cutoff)
    # what holds no personal data of a month (files emptied of rows, ledgers, the webhook outbox)
    # keeps the exact period
    exact = now - timedelta(days=days)
    report = PurgeReport()
    if dry_run:
        return _count(report, params, exact)
    if parts.is_partitioned(db.session.connection()):  # pragma: postgresql
        db.session.rollback()
        _purge_months(report, cutoff.date(), params)
    else:
        _purge_rows(report, params)
    _purge_portal_files(exact)
    # self check-in entries nobody decided before they expired (hours, not RETENTION_DAYS), decided ones
    from ..checkin.service import purge_expired
    report.checkin_entries = purge_expired(now)
    # the reminders' ledger: ids only, and never consulted after REMINDER_LOOKBACK_HOURS
    db.session.execute(delete(SentReminder).where(SentReminder.claimed_at < exact))
    # webhook messages carry no personal data, but the outbox must not grow forever: delivered or
    # dead ones older than the cutoff go, with their attempts
    old_messages = _old_webhook_messages(exact)
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.message_id.in_(old_messages)))
    report.webhook_messages = db.session.execute(
        delete(WebhookMessage).where(WebhookMessage.id.in_(old_messages))).rowcount
    db.session.commit()
    return report


def _old_webhook_messages(cutoff):
    return select(WebhookMessage.id).where(WebhookMessage.created_at < cutoff,
                                           WebhookMessage.status.in_(("delivered", "dead")))


def _count(report: PurgeReport, params: dict, exact) -> PurgeReport:
    def count(sql):
        return db.session.execute(text(f"SELECT count(*) FROM ({sql}) AS c"), params).scalar()
    purgeable, params = _purgeable(db.session.connection(), params)
    report.stays = count(purgeable)
    report.guests = count(f"SELECT 1 FROM guests WHERE stay_id IN ({purgeable})")
    report.notifications = count(f"SELECT 1 FROM notifications WHERE stay_id IN ({purgeable})")
    report.inbox = count(f"SELECT 1 FROM inbox_notifications WHERE {_OLD_INBOX}")
    report.attempts = count(f"SELECT 1 FROM delivery_attempts WHERE {_OLD_ATTEMPTS}")
    report.webhook_messages = db.session.scalar(
        select(func.count()).select_from(_old_webhook_messages(exact).subquery()))
    db.session.rollback()
    return report


def _purge_rows(report: PurgeReport, params: dict) -> None:
    """Plain tables (SQLite, or PostgreSQL before migration 0021): row by row, in chunks that keep
    each transaction (and SQLite's write lock) short."""
    while True:
        purgeable, bound = _purgeable(db.session.connection(), params)
        ids = db.session.execute(text(purgeable + " LIMIT :n"), {**bound, "n": CHUNK}).scalars().all()
        if not ids:
            break
        report.stays += len(ids)
        db.session.execute(delete(PortalFileRow).where(PortalFileRow.notification_id.in_(
            select(Notification.id).where(Notification.stay_id.in_(ids)))))
        report.notifications += db.session.execute(delete(Notification).where(Notification.stay_id.in_(ids))).rowcount
        report.guests += db.session.execute(delete(Guest).where(Guest.stay_id.in_(ids))).rowcount
        db.session.execute(delete(TermStay).where(TermStay.stay_id.in_(ids)))   # a roster's link (0017)
        db.session.execute(delete(Stay).where(Stay.id.in_(ids)))
        db.session.commit()
    report.inbox = db.session.execute(text(f"DELETE FROM inbox_notifications WHERE {_OLD_INBOX}"), params).rowcount
    report.attempts = db.session.execute(text(f"DELETE FROM delivery_attempts WHERE {_OLD_ATTEMPTS}"),
                                         params).rowcount
    db.session.commit()


@contextmanager
def _step(engine, *, lock_timeout: str | None = None):  # pragma: postgresql
    """One of purge's short transactions on PostgreSQL, set up for what it does:
    - by index only: the statistics cannot know that the rows purge looks for are few (old stays'
      rows in recent months, the held partitions' rows of stays just removed), and the planner
      would read whole tables (4.4 s a month at 10 million notifications, bench/scale);
    - no JIT: a statement left with a sequential scan (a month's few attempts) is then priced in
      the billions, and compiling it took 70-140 ms, for a few hundred rows;
    - asynchronous commit: a purge lost to a crash in the next fraction of a second is done again
      by the next one, so its commits need not wait for the disk (PostgreSQL still waits for a
      transaction that drops a table)."""
    with engine.begin() as conn:
        conn.execute(text("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), "
                          "set_config('synchronous_commit', 'off', true)"
                          + (", set_config('lock_timeout', :lt, true)" if lock_timeout else "")),
                     {"lt": lock_timeout} if lock_timeout else {})
        yield conn


# A correction of an old stay made while purge runs must keep that stay (and its new notification
# a stay). Its notification's id is younger than the purge by at most this (clocks of other machines).
_CLOCK_MARGIN = timedelta(minutes=10)
_ORPHANED = ("SELECT DISTINCT n.stay_id FROM notifications n WHERE n.id >= :recent AND n.stay_id < :sb "
             "AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.id = n.stay_id)")


def _purge_months(report: PurgeReport, cutoff_month, params: dict) -> None:  # pragma: postgresql
    """Partitioned tables (PostgreSQL): whole months are detached and dropped (inbox rows and
    attempts before the cutoff month, dropped while the purgeable stays are deleted; then
    notifications and guests before the month preceding the cutoff month); the rows of a stay still
    there (open, ended since the cutoff, or with a notification still on its way) and unfinished
    attempts are first put back, into the held partition, where later purges remove them row by
    row once they may go. One purge at a time (an advisory lock); each month detached in its own
    short transaction."""
    engine = db.engine
    with engine.connect() as lock:
        if not lock.execute(text("SELECT pg_try_advisory_lock(hashtext('accommnotify.purge'))")).scalar():
            return  # another purge is running: it removes the same
        try:
            _purge_months_locked(report, cutoff_month, params, engine)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(hashtext('accommnotify.purge'))"))
            lock.commit()


# What is kept of an old month when it is dropped. Police copies and attempts go by their own month,
# whatever the stays (an attempt not ended is evidence: kept). A stay's rows go with the stay; a
# notification made (on a machine whose clock lagged) before its stay was declared belongs to a
# stay of a later month: kept too.
_BY_OWN_MONTH = {"inbox_notifications": None, "delivery_attempts": "ended_at IS NULL"}
_BY_STAY = {"notifications": "stay_id = ANY(:held) OR stay_id >= :sb", "guests": "stay_id = ANY(:held)"}


def _purge_months_locked(report, cutoff_month, params, engine) -> None:  # pragma: postgresql
    with _step(engine) as conn:
        held = set(conn.execute(text(_OPEN_OLD_STAYS), params).scalars()) | set(_kept_by_notifications(conn, params))
        # a stay's rows go by the month before the cutoff month; the police copies and attempts by the cutoff's
        declared = parts.add_months(cutoff_month, -1)
        old = {spec.table: sorted(m for m in parts.months(conn, spec)
                                  if m < (declared if spec.table in _BY_STAY else cutoff_month))
               for spec in parts.TABLES}
    _detach(engine, old, _BY_OWN_MONTH, params)
    # Releasing a dropped month's files is the file system's work (0.5 s a month at 10 million
    # notifications here): it waits on the disk, not on a core, so months are dropped on a second
    # connection while this one deletes the stays, then the rows left of them.
    with ThreadPoolExecutor(max_workers=1) as background:
        drops = [background.submit(_drop_detached, engine, _BY_OWN_MONTH)]
        held = _delete_stays(report, engine, params, held)
        if held is not None:
            # What is left of the stays declared before :sb is exactly `held`: every other row of
            # theirs goes. (No join with stays: the deleted rows are not vacuumed yet, and walking
            # past them cost 0.76 s a month at 10 million notifications.)
            gone = {**params, "held": sorted(held)}
            _detach(engine, old, _BY_STAY, gone)
            drops.append(background.submit(_drop_detached, engine, _BY_STAY))
        with _step(engine) as conn:
            report.inbox = conn.execute(text(f"DELETE FROM inbox_notifications_held WHERE {_OLD_INBOX}"),
                                        params).rowcount
            report.attempts = conn.execute(text(f"DELETE FROM delivery_attempts_held WHERE {_OLD_ATTEMPTS}"),
                                           params).rowcount
            if held is not None:
                _delete_rows_left(report, conn, gone)
        dropped = {table: rows for drop in drops for table, rows in drop.result().items()}
    report.inbox += dropped["inbox_notifications"]
    report.attempts += dropped["delivery_attempts"]
    report.guests += dropped.get("guests", 0)
    report.notifications += dropped.get("notifications", 0)


def _delete_rows_left(report, conn, gone: dict) -> None:  # pragma: postgresql
    """The removed stays' rows no month dropped: their notifications made in the month after their
    own (departures), and those in the held partitions; their rosters' links and portal file rows."""
    report.notifications = conn.execute(text(
        "DELETE FROM notifications WHERE id >= :nd AND id < :nb AND stay_id < :sb AND stay_id <> ALL(:held)"),
        gone).rowcount
    report.notifications += conn.execute(text(
        "DELETE FROM notifications_held WHERE stay_id < :sb AND stay_id <> ALL(:held)"), gone).rowcount
    report.guests = conn.execute(text(
        "DELETE FROM guests_held WHERE stay_id < :sb AND stay_id <> ALL(:held)"), gone).rowcount
    conn.execute(text("DELETE FROM term_stays WHERE stay_id < :sb AND stay_id <> ALL(:held)"), gone)
    conn.execute(text("DELETE FROM portal_file_rows WHERE notification_id < :nb AND NOT EXISTS "
                      "(SELECT 1 FROM notifications n WHERE n.id = portal_file_rows.notification_id)"), gone)


def _delete_stays(report, engine, params: dict, held: set) -> set | None:  # pragma: postgresql
    """Deletes the old stays that ended before the cutoff, `held` excepted; returns the stays held
    after all, or None when corrections kept arriving (the next purge tries again).
    A correction that locked a stay before the DELETE reached it is seen by the next statement (a
    new snapshot); its stay is then kept, and the DELETE tried again without it. Once they are gone,
    a correction of one of them finds no stay (404)."""
    recent = {**params, "recent": parts.id_floor("ntf", utcnow() - _CLOCK_MARGIN)}
    for _attempt in range(3):
        with _step(engine) as conn:
            report.stays = conn.execute(text(
                f"DELETE FROM stays WHERE stays.id < :sb AND {_ENDED} AND stays.id <> ALL(:held)"),
                {**params, "held": sorted(held)}).rowcount
            corrected = set(conn.execute(text(_ORPHANED), recent).scalars())
            if not corrected:
                return held
            conn.rollback()
            held = held | corrected
    report.stays = 0
    return None


def _detach(engine, old: dict, keep: dict, params: dict) -> None:  # pragma: postgresql
    """Each old month of these tables in its own short transaction (the table in use waits for
    that one only), the rows `keep` keeps moved back."""
    for table, keep_where in keep.items():
        for month in old[table]:
            with _step(engine, lock_timeout="10s") as conn:
                parts.detach_month(conn, parts.BY_NAME[table], month, keep_where, params)


def _drop_detached(engine, tables) -> dict[str, int]:  # pragma: postgresql
    """Drops the detached months of these tables (this purge's, and any a stopped purge left)."""
    with _step(engine) as conn:
        return parts.drop_detached(conn, tuple(tables))


def _purge_portal_files(cutoff) -> None:
    """Portal files older than the cutoff with no row left: the file (personal data) and its record."""
    empty = ~exists().where(PortalFileRow.file_id == PortalFile.id)
    for file_id, path in db.session.execute(
            select(PortalFile.id, PortalFile.path).where(PortalFile.created_at < cutoff, empty)).all():
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError:
            continue  # try again at the next purge
        db.session.execute(delete(PortalFile).where(PortalFile.id == file_id))
