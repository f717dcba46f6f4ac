"""Chains (issue 13, item 3): organisations owning several facilities, their API keys, and staff
who work for several facilities with a role in each (migration 0014)."""
from typing import NamedTuple

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime

ROLES = ("staff", "manager")


class Organisation(db.Model):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)


class OrganisationRef(NamedTuple):
    id: int
    code: str


class OrganisationFacility(db.Model):
    """A facility belongs to at most one organisation (unique facility_id)."""
    __tablename__ = "organisation_facilities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False, unique=True)


class OrganisationKey(db.Model):
    """Like ApiKey, for a whole organisation: the request names the facility (facility_code)."""
    __tablename__ = "organisation_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at = mapped_column(UTCDateTime, nullable=False)
    revoked_at = mapped_column(UTCDateTime)


class FacilityMembership(db.Model):
    """A facility user's role at a facility other than (or overriding the role at) their own."""
    __tablename__ = "facility_memberships"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("facility_users.id"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (UniqueConstraint("user_id", "facility_id", name="uq_membership_user_facility"),)
