"""Facilities, their API keys, stays, guests and the notification outbox."""
from typing import NamedTuple

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import EncryptedText, UTCDateTime


class Facility(db.Model):
    __tablename__ = "facilities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    ward_code: Mapped[str] = mapped_column(String(5), nullable=False, index=True)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at = mapped_column(UTCDateTime, nullable=False)


class FacilityRef(NamedTuple):
    """A facility as services need it: plain values that outlive the session that read them."""
    id: int
    code: str
    name: str
    kind: str
    address: str
    ward_code: str
    province_code: str

    @classmethod
    def of(cls, facility: "Facility") -> "FacilityRef":
        return cls(*(getattr(facility, f) for f in cls._fields))


class ApiKey(db.Model):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False, index=True)
    # Keys are long random tokens, so SHA-256 is enough; only the hash is stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at = mapped_column(UTCDateTime, nullable=False)
    revoked_at = mapped_column(UTCDateTime)


class Stay(db.Model):
    __tablename__ = "stays"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False)
    external_ref: Mapped[str] = mapped_column(String(100), nullable=False)
    # SHA-256 of the canonical request body: same ref + same body replays, a different body is 409.
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    room: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    reason_note: Mapped[str | None] = mapped_column(String(500))
    arrived_at = mapped_column(UTCDateTime, nullable=False)
    expected_departure = mapped_column(UTCDateTime)
    departed_at = mapped_column(UTCDateTime)
    cancelled_at = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    warnings: Mapped[str | None] = mapped_column(Text)  # JSON list of {field, code}
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="api")
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        UniqueConstraint("facility_id", "external_ref", name="uq_stays_facility_ref"),
        Index("ix_stays_facility_arrived", "facility_id", "arrived_at"),
        Index("ix_stays_facility_status_id", "facility_id", "status", "id"),
        Index("ix_stays_facility_id", "facility_id", "id"),
    )


class Guest(db.Model):
    __tablename__ = "guests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stay_id: Mapped[str] = mapped_column(ForeignKey("stays.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    full_name: Mapped[str] = mapped_column(String(100), nullable=False)
    date_of_birth = mapped_column(Date, nullable=False)
    sex: Mapped[str] = mapped_column(String(6), nullable=False)
    nationality: Mapped[str] = mapped_column(String(3), nullable=False)
    # Personal numbers: AES-GCM ciphertext in the database (crypto, migration 0009).
    id_number: Mapped[str | None] = mapped_column(EncryptedText)
    passport_number: Mapped[str | None] = mapped_column(EncryptedText)
    document_kind: Mapped[str | None] = mapped_column(String(16))   # citizens: cccd, can_cuoc, passport, other
    document_name: Mapped[str | None] = mapped_column(String(100))  # when document_kind is other
    phone: Mapped[str | None] = mapped_column(String(30))
    permanent_address: Mapped[str | None] = mapped_column(String(300))
    document_type: Mapped[str | None] = mapped_column(String(20))
    document_number: Mapped[str | None] = mapped_column(EncryptedText)
    document_mrz: Mapped[str | None] = mapped_column(EncryptedText)
    visa_kind: Mapped[str | None] = mapped_column(String(32))
    visa_number: Mapped[str | None] = mapped_column(String(50))
    visa_valid_until = mapped_column(Date)
    entry_date = mapped_column(Date)
    entry_port: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str | None] = mapped_column(String(200))
    departed_at = mapped_column(UTCDateTime)
    # Removed from the stay by a correction (entered by mistake; migration 0010): kept for its
    # notifications, no longer in house.
    removed_at = mapped_column(UTCDateTime)
    # The guest of the same stay this person accompanies (a patient's companion; migration 0016).
    # Not a foreign key: a stay's guests are written in one multi-row INSERT in any order, and the
    # intake service only ever links guests of the same stay (docs/HOSPITALS.md).
    accompanies_guest_id: Mapped[str | None] = mapped_column(String(32))


QUEUED_PREDICATE = "status IN ('pending', 'retrying')"
SENDING_PREDICATE = "status = 'sending'"
DEAD_PREDICATE = "status = 'dead'"
LATE_PREDICATE = "late"
AWAITING_PREDICATE = "status = 'awaiting_upload'"


class Notification(db.Model):
    """The outbox: one row per person per event, delivered at least once under a stable id."""
    __tablename__ = "notifications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False)
    stay_id: Mapped[str] = mapped_column(ForeignKey("stays.id"), nullable=False, index=True)
    # Not indexed: notifications are found by stay (and guests are never deleted before them).
    guest_id: Mapped[str] = mapped_column(ForeignKey("guests.id"), nullable=False)
    event: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    receiver: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    amends: Mapped[str | None] = mapped_column(String(32))
    # Foreigner arrivals must go at the next dispatch, never held for batching.
    urgent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)
    deadline_at = mapped_column(UTCDateTime, nullable=False)
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_attempt_at = mapped_column(UTCDateTime)
    next_attempt_at = mapped_column(UTCDateTime, nullable=False)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at = mapped_column(UTCDateTime)
    last_batch_id: Mapped[str | None] = mapped_column(String(32))
    delivered_at = mapped_column(UTCDateTime)
    receipt: Mapped[str | None] = mapped_column(String(200))
    rejection_code: Mapped[str | None] = mapped_column(String(100))
    rejection_message: Mapped[str | None] = mapped_column(String(500))
    last_error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_notifications_facility_status", "facility_id", "status", "id"),
        # Dispatch (migration 0004): the queue of one receiver in claim order, and in-flight leases.
        # Partial, so they stay small however many delivered rows the table holds. Queries must
        # spell the predicate with literals (accommnotify.dispatch.sql.QUEUED) for the planner.
        Index("ix_notifications_due", "receiver", "next_attempt_at", "id",
              postgresql_where=text(QUEUED_PREDICATE), sqlite_where=text(QUEUED_PREDICATE)),
        Index("ix_notifications_lease", "lease_expires_at",
              postgresql_where=text(SENDING_PREDICATE), sqlite_where=text(SENDING_PREDICATE)),
        Index("ix_notifications_dead", "receiver",
              postgresql_where=text(DEAD_PREDICATE), sqlite_where=text(DEAD_PREDICATE)),
        Index("ix_notifications_late", "receiver",
              postgresql_where=text(LATE_PREDICATE), sqlite_where=text(LATE_PREDICATE)),
        # vn_portal (migration 0007): in portal files, not confirmed yet; /metrics counts them and
        # watches their deadlines
        Index("ix_notifications_awaiting", "receiver", "deadline_at",
              postgresql_where=text(AWAITING_PREDICATE), sqlite_where=text(AWAITING_PREDICATE)),
    )
