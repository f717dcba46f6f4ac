"""Webhooks to the facility's own software (issue 12 §1): subscriptions, the outbox of messages and
the log of delivery attempts (Svix / Hook0 style).

A message is one event for one subscription, written in the same transaction as the state change
it reports, and delivered at least once by the dispatcher under its stable id (``webhook-id``).
"""
from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import EncryptedText, UTCDateTime

WEBHOOK_QUEUED_PREDICATE = "status IN ('pending', 'retrying')"
WEBHOOK_SENDING_PREDICATE = "status = 'sending'"
WEBHOOK_DEAD_PREDICATE = "status = 'dead'"


class WebhookSubscription(db.Model):
    __tablename__ = "webhook_subscriptions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False, index=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    events: Mapped[str] = mapped_column(String(500), nullable=False)   # space-separated event types
    # The whsec_… secret, AES-GCM encrypted at rest like the personal numbers (it signs every message).
    secret: Mapped[str] = mapped_column(EncryptedText, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    disabled_at = mapped_column(UTCDateTime)                        # set by an HTTP 410 or an operator
    disabled_reason: Mapped[str | None] = mapped_column(String(200))


class WebhookMessage(db.Model):
    """The outbox: one event for one subscription; ``id`` is the ``webhook-id`` on every attempt."""
    __tablename__ = "webhook_messages"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscriptions.id"), nullable=False)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False)
    event_type: Mapped[str] = mapped_column(String(40), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)      # the JSON body, sent byte for byte
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # pending sending retrying delivered dead
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_attempt_at = mapped_column(UTCDateTime)
    next_attempt_at = mapped_column(UTCDateTime, nullable=False)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at = mapped_column(UTCDateTime)
    last_attempt_id: Mapped[str | None] = mapped_column(String(32))
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))
    delivered_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_webhook_messages_due", "next_attempt_at", "id",
              postgresql_where=text(WEBHOOK_QUEUED_PREDICATE), sqlite_where=text(WEBHOOK_QUEUED_PREDICATE)),
        Index("ix_webhook_messages_lease", "lease_expires_at",
              postgresql_where=text(WEBHOOK_SENDING_PREDICATE), sqlite_where=text(WEBHOOK_SENDING_PREDICATE)),
        Index("ix_webhook_messages_dead", "subscription_id",
              postgresql_where=text(WEBHOOK_DEAD_PREDICATE), sqlite_where=text(WEBHOOK_DEAD_PREDICATE)),
        Index("ix_webhook_messages_subscription", "subscription_id", "created_at"),
    )


class WebhookAttempt(db.Model):
    """One HTTP request of one message (the attempt log)."""
    __tablename__ = "webhook_attempts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("webhook_messages.id"), nullable=False, index=True)
    subscription_id: Mapped[str] = mapped_column(String(32), nullable=False)
    dispatcher: Mapped[str | None] = mapped_column(String(64))
    started_at = mapped_column(UTCDateTime, nullable=False)
    ended_at = mapped_column(UTCDateTime)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_class: Mapped[str | None] = mapped_column(String(100))
    excerpt: Mapped[str | None] = mapped_column(String(500))       # the start of the answer, bounded
