"""Guest self check-in (issue 13 item 5): per-booking links and the entries waiting for staff.

Nothing personal is in clear here: a submission's guests are one AES-GCM value (crypto.Keyring)
of their JSON; a link's token is stored as its SHA-256 only. See docs/SELF_CHECKIN.md.
"""
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class CheckinLink(db.Model):
    """A link for one booking: a random token (hash stored), expiring, usable a few times."""
    __tablename__ = "checkin_links"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    booking_ref: Mapped[str | None] = mapped_column(String(64))
    uses_left: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)


class CheckinSubmission(db.Model):
    """What guests sent, waiting for staff: pending -> confirmed (stay_id) or rejected."""
    __tablename__ = "checkin_submissions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False, index=True)
    link_id: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(8), nullable=False)        # "desk" or "link"
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    guest_count: Mapped[int] = mapped_column(Integer, nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)            # encrypted JSON (crypto.Keyring)
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)
    decided_at = mapped_column(UTCDateTime)
    stay_id: Mapped[str | None] = mapped_column(String(32))
    reject_reason: Mapped[str | None] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(48), unique=True)   # the form's one-time value: a resend is not stored twice
