"""The police-side inbox: what a police receiver keeps of each notification it received.

A row is a copy of the wire format (SPEC §4), so a police-side instance needs no facility tables.
A notification is known by (source = the sender, notification_id) (migration 0008): a replayed
batch changes nothing, and one sender can never occupy or overwrite another sender's ids. The row
`id` (used in police URLs) is the notification id, unless another sender already used that id:
then it is derived from both (inbox.row_id).
"""
from sqlalchemy import Boolean, Date, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import EncryptedText, UTCDateTime


def _same_as_id(context):
    return context.get_current_parameters()["id"]


class InboxNotification(db.Model):
    __tablename__ = "inbox_notifications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The sender's id of the notification; (source, notification_id) is unique.
    notification_id: Mapped[str] = mapped_column(String(32), nullable=False, default=_same_as_id)
    # SHA-256 of what was stored: the same id with another content is refused (NULL: stored before 0008).
    body_hash: Mapped[str | None] = mapped_column(String(64))
    received_at = mapped_column(UTCDateTime, nullable=False)
    source: Mapped[str] = mapped_column(String(100), nullable=False)
    batch_id: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)
    deadline_at = mapped_column(UTCDateTime, nullable=False)
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    amends: Mapped[str | None] = mapped_column(String(32))
    facility_code: Mapped[str] = mapped_column(String(32), nullable=False)
    facility_name: Mapped[str] = mapped_column(String(200), nullable=False)
    facility_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    facility_address: Mapped[str | None] = mapped_column(String(300))
    ward_code: Mapped[str] = mapped_column(String(5), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    stay_id: Mapped[str] = mapped_column(String(32), nullable=False)
    external_ref: Mapped[str | None] = mapped_column(String(100))
    room: Mapped[str | None] = mapped_column(String(50))
    arrived_at = mapped_column(UTCDateTime, nullable=False)
    expected_departure = mapped_column(UTCDateTime)
    departed_at = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(100), nullable=False)
    # Lower-case, accents and đ folded: "nguyen van an" finds "Nguyễn Văn An".
    name_search: Mapped[str] = mapped_column(String(100), nullable=False)
    date_of_birth = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(6))
    nationality: Mapped[str | None] = mapped_column(String(3))
    # Encrypted (crypto); exact search compares the keyed blind indexes (migration 0009).
    id_number: Mapped[str | None] = mapped_column(EncryptedText)
    id_number_bidx: Mapped[str | None] = mapped_column(String(32))
    document_type: Mapped[str | None] = mapped_column(String(20))
    document_number: Mapped[str | None] = mapped_column(EncryptedText)
    document_number_bidx: Mapped[str | None] = mapped_column(String(32))
    visa_kind: Mapped[str | None] = mapped_column(String(32))
    visa_number: Mapped[str | None] = mapped_column(String(50))
    visa_valid_until = mapped_column(Date)
    entry_date = mapped_column(Date)
    acknowledged_at = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_inbox_ward_received", "ward_code", "received_at"),
        Index("ix_inbox_province_received", "province_code", "received_at"),
        Index("ix_inbox_id_number_bidx", "id_number_bidx"),
        Index("ix_inbox_document_number_bidx", "document_number_bidx"),
        Index("ix_inbox_name_search", "name_search"),
        Index("ix_inbox_facility", "facility_code", "received_at"),
        Index("uq_inbox_source_notification", "source", "notification_id", unique=True),
    )


@event.listens_for(InboxNotification, "before_insert")
@event.listens_for(InboxNotification, "before_update")
def _blind_indexes(mapper, connection, target):
    """A row written through the ORM gets the blind indexes of its numbers too (inbox.store, the
    Core path, sets them itself)."""
    from ..crypto import keyring
    keys = keyring()
    target.id_number_bidx = keys.blind_index(target.id_number) if target.id_number else None
    target.document_number_bidx = (keys.blind_index(target.document_number.upper())
                                   if target.document_number else None)
