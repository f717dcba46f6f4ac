"""Rooms of a facility, or a hospital's beds in departments (issue 13 item 4, migration 0015).

A room is a label that stays name in their free-text `room`; occupancy is not stored (see
accommnotify/rules/rooms.py). A retired room keeps its row (and its id), so history and a later
re-listing of the same name find it again."""
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class Room(db.Model):
    __tablename__ = "rooms"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)   # "rm_…"
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)   # as typed (normalised), e.g. "P101"
    name_key: Mapped[str] = mapped_column(String(150), nullable=False)  # rules.rooms.room_key(name)
    section: Mapped[str | None] = mapped_column(String(50))        # a floor; a hospital's department
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)
    retired_at = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("facility_id", "name_key", name="uq_rooms_facility_name_key"),)
