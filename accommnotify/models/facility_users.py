"""Accounts of facility staff who use the /facility pages (facility pages issue)."""
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates

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
    # Bumped on logout, password change and disabling: every session made before is refused
    # (web_auth; migration 0008).
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    # Flask-Login protocol (one login manager serves police and facility users: ids are "<kind>:<id>").
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def get_id(self) -> str:
        return f"facility:{self.id}"

    @validates("disabled_at")
    def _disabling_ends_sessions(self, _key, value):
        if value is not None and self.disabled_at is None:
            self.session_version = (self.session_version or 0) + 1
        return value
