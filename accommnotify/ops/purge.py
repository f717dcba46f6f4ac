"""Retention: personal data is kept no longer than needed (Law on Personal Data Protection).

A stay is removed with its guests and notifications once it ended (departed or cancelled) more
than RETENTION_DAYS ago and none of its notifications is still on its way (pending, sending,
retrying, dead, awaiting_upload: those an operator or the facility must see through first).
Delivery attempts and police inbox rows older than the same period go too, and so do portal
files (record and file on disk) none of whose rows is left, and the reminders' ledger rows. The
police audit log is never touched here.
"""
import os
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, exists, func, or_, select

from ..extensions import db
from ..models import (DeliveryAttempt, Guest, InboxNotification, Notification, PortalFile, PortalFileRow,
                      SentReminder, Stay, TermStay, WebhookAttempt, WebhookMessage)
from ..timeutil import utcnow

UNFINISHED = ("pending", "sending", "retrying", "dead", "awaiting_upload")
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


def purge(days: int, *, dry_run: bool = False, now=None) -> PurgeReport:
    cutoff = (now or utcnow()) - timedelta(days=days)
    ended = or_(Stay.departed_at < cutoff, Stay.cancelled_at < cutoff)
    unfinished = exists().where(Notification.stay_id == Stay.id, Notification.status.in_(UNFINISHED))
    report = PurgeReport()
    while True:
        # Chunks keep each transaction (and, on SQLite, the write lock) short.
        ids = db.session.scalars(select(Stay.id).where(ended, ~unfinished).limit(CHUNK)).all()
        if not ids:
            break
        report.stays += len(ids)
        report.guests += db.session.scalar(select(func.count()).select_from(Guest).where(Guest.stay_id.in_(ids)))
        report.notifications += db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.stay_id.in_(ids)))
        if dry_run:
            db.session.rollback()
            break
        db.session.execute(delete(PortalFileRow).where(PortalFileRow.notification_id.in_(
            select(Notification.id).where(Notification.stay_id.in_(ids)))))
        db.session.execute(delete(Notification).where(Notification.stay_id.in_(ids)))
        db.session.execute(delete(Guest).where(Guest.stay_id.in_(ids)))
        db.session.execute(delete(TermStay).where(TermStay.stay_id.in_(ids)))   # a roster's link (0017)
        db.session.execute(delete(Stay).where(Stay.id.in_(ids)))
        db.session.commit()
    old_attempts = and_(DeliveryAttempt.started_at < cutoff, DeliveryAttempt.ended_at.is_not(None))
    old_inbox = InboxNotification.received_at < cutoff
    # webhook messages carry no personal data, but the outbox must not grow forever: delivered or
    # dead ones older than the cutoff go, with their attempts
    old_messages = select(WebhookMessage.id).where(WebhookMessage.created_at < cutoff,
                                                   WebhookMessage.status.in_(("delivered", "dead")))
    if dry_run:
        report.webhook_messages = db.session.scalar(select(func.count()).select_from(old_messages.subquery()))
        report.attempts = db.session.scalar(select(func.count()).select_from(DeliveryAttempt).where(old_attempts))
        report.inbox = db.session.scalar(select(func.count()).select_from(InboxNotification).where(old_inbox))
        db.session.rollback()
        return report
    _purge_portal_files(cutoff)
    # self check-in entries nobody decided before they expired (hours, not RETENTION_DAYS), decided ones
    from ..checkin.service import purge_expired
    report.checkin_entries = purge_expired(now)
    report.attempts = db.session.execute(delete(DeliveryAttempt).where(old_attempts)).rowcount
    report.inbox = db.session.execute(delete(InboxNotification).where(old_inbox)).rowcount
    # the reminders' ledger: ids only, and never consulted after REMINDER_LOOKBACK_HOURS
    db.session.execute(delete(SentReminder).where(SentReminder.claimed_at < cutoff))
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.message_id.in_(old_messages)))
    report.webhook_messages = db.session.execute(
        delete(WebhookMessage).where(WebhookMessage.id.in_(old_messages))).rowcount
    db.session.commit()
    return report


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
