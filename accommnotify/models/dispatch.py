"""What the dispatcher remembers: every delivery attempt, and receivers switched off by a 410."""
from sqlalchemy import Boolean, Integer, String, Text, Index
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class DeliveryAttempt(db.Model):
    """One batch sent once. Its id is the batch id (the `webhook-id`)."""
    __tablename__ = "delivery_attempts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    receiver: Mapped[str] = mapped_column(String(64), nullable=False)
    dispatcher: Mapped[str | None] = mapped_column(String(64))
    started_at = mapped_column(UTCDateTime, nullable=False)
    ended_at = mapped_column(UTCDateTime)
    notification_count: Mapped[int] = mapped_column(Integer, nullable=False)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_class: Mapped[str | None] = mapped_column(String(100))
    excerpt: Mapped[str | None] = mapped_column(Text)
    accepted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    retried: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    outcomes: Mapped[str | None] = mapped_column(Text)  # JSON {notification id: outcome}
    alert: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_delivery_attempts_receiver_started", "receiver", "started_at"),)


class ReceiverState(db.Model):
    __tablename__ = "receiver_states"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    disabled_at = mapped_column(UTCDateTime)
    alert: Mapped[str | None] = mapped_column(Text)
    updated_at = mapped_column(UTCDateTime, nullable=False)
