"""Reception displays of the desk QR code (docs/SELF_CHECKIN.md): one row per facility once staff
stopped its displays; the display links carry the generation they were made in."""
from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class CheckinDisplay(db.Model):
    __tablename__ = "checkin_displays"
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    stopped_at = mapped_column(UTCDateTime)
