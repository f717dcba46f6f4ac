"""Files written for the national declaration portal, and which notification is in which row.

A portal file is a record (issue 9 §2): staff download it, upload it by hand, and confirm the
count the portal showed. Its notifications are ``awaiting_upload`` until then.
"""
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime

PORTAL_FILE_STATUSES = ("ready", "confirmed", "mismatch")
PORTAL_FILE_KINDS = ("citizens", "foreigners")


class PortalFile(db.Model):
    __tablename__ = "portal_files"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False)
    receiver: Mapped[str] = mapped_column(String(64), nullable=False)
    batch_id: Mapped[str] = mapped_column(String(32), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)        # citizens | foreigners
    format: Mapped[str] = mapped_column(String(8), nullable=False)       # xlsx | xml
    filename: Mapped[str] = mapped_column(String(200), nullable=False)   # no personal data
    path: Mapped[str] = mapped_column(Text, nullable=False)
    row_count: Mapped[int] = mapped_column(Integer, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)      # ready | confirmed | mismatch
    earliest_deadline = mapped_column(UTCDateTime)
    records_shown: Mapped[int | None] = mapped_column(Integer)          # the last count staff reported
    confirmed_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_portal_files_facility_status", "facility_id", "status", "created_at"),)


class PortalFileRow(db.Model):
    """Row ``row`` (the record number STT / so_thu_tu, 1..n) of a file is notification ``notification_id``.
    A notification is in at most one file (unique), whichever dispatcher wrote it."""
    __tablename__ = "portal_file_rows"
    file_id: Mapped[str] = mapped_column(ForeignKey("portal_files.id"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[str] = mapped_column(ForeignKey("notifications.id"), nullable=False, unique=True)
