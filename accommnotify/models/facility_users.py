"""Accounts of facility staff who use the /facility pages (facility pages issue)."""
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class FacilityUser(db.Model):
    """One person of one facility. Passwords are argon2id hashes; never stored or logged in clear."""
    __tablename__ = "facility_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False, index=True)
    # Stored lower-cased, so logging in is case-insensitive on both databases.
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    # Failed logins are counted per submitted e-mail, not here (security.Throttle; migration 0006).
    last_login_at = mapped_column(UTCDateTime)
    disabled_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False)

    # Flask-Login protocol (one login manager serves police and facility users: ids are "<kind>:<id>").
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def get_id(self) -> str:
        return f"facility:{self.id}"
