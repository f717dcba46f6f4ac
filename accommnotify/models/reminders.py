"""Reminders to a facility's users (issue 12 item 2): who wants which, and what was sent.

`ReminderSettings` holds one user's choices; a user without a row has the defaults
(`reminders.service.DEFAULTS`). `SentReminder` is the claim ledger: one row per (user, kind,
subject), unique, inserted *before* sending, so two dispatcher processes or a restart never send
the same reminder twice (docs/REMINDERS.md).
"""
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime

REMINDER_KINDS = ("problems", "deadline", "digest")


class ReminderSettings(db.Model):
    __tablename__ = "reminder_settings"
    user_id: Mapped[int] = mapped_column(ForeignKey("facility_users.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="vi")
    problems: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    deadline: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    digest: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="email")
    # The address for a non-e-mail channel (a phone number for an SMS / Zalo gateway).
    phone: Mapped[str | None] = mapped_column(String(20))
    updated_at = mapped_column(UTCDateTime, nullable=False)


class SentReminder(db.Model):
    """A claimed reminder. `sent_at` is set once the channel took it; a claim left without it (a
    crash, a failed send) may be taken again after the lease, at most MAX_TRIES times in all."""
    __tablename__ = "sent_reminders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("facility_users.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    subject: Mapped[str] = mapped_column(String(64), nullable=False)  # notification / portal file id, or a date
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    owner: Mapped[str] = mapped_column(String(64), nullable=False)
    tries: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    claimed_at = mapped_column(UTCDateTime, nullable=False)
    sent_at = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "subject", name="uq_sent_reminders_user_kind_subject"),
        Index("ix_sent_reminders_claimed", "claimed_at"),
    )
