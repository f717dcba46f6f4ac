"""Student dormitories (issue 13, item 2; migration 0017): a facility's terms and which stays a
term's roster holds. Stays themselves are untouched (the intake service writes them as always)."""
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class Term(db.Model):
    """A semester ("HK1 2026-2027"): its students arrive at its start and leave at its end."""
    __tablename__ = "terms"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)   # "trm_…"
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (UniqueConstraint("facility_id", "name", name="uq_terms_facility_name"),)


class TermStay(db.Model):
    """A stay on a term's roster (one term per stay)."""
    __tablename__ = "term_stays"
    stay_id: Mapped[str] = mapped_column(ForeignKey("stays.id"), primary_key=True)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.id"), nullable=False, index=True)
