"""Staff who work for several facilities (chains, issue 13 item 3).

A user's own facility (facility_users.facility_id) is theirs as "manager", as every account was
before memberships existed, unless a membership row gives it another role. A membership adds a
facility with a role. The facility the pages show is kept in the server-side session
(`session["facility_id"]`) and checked against the user's facilities on every request, so a stale
or forged value falls back to the user's own facility.

Roles: "staff" enter stays, correct, check out and cancel them and see the history; "manager"
may also import files and handle portal files (the pages that send or confirm on the facility's
behalf in bulk).
"""
from typing import NamedTuple

from flask import session
from sqlalchemy import select

from ..extensions import db
from ..models import Facility, FacilityMembership, FacilityRef
from ..models.chains import ROLES
from ..models.facility_users import FacilityUser
from ..timeutil import utcnow
from .accounts import AccountError, normalize_email

PERMISSIONS = {"staff": frozenset({"stays"}), "manager": frozenset({"stays", "manage"})}
SESSION_KEY = "facility_id"


class Membership(NamedTuple):
    facility: FacilityRef
    role: str

    def may(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, ())


def memberships_of(user: FacilityUser) -> list[Membership]:
    """The user's facilities, their own first, then by name."""
    roles = dict(db.session.execute(select(FacilityMembership.facility_id, FacilityMembership.role)
                                    .where(FacilityMembership.user_id == user.id)).all())
    roles.setdefault(user.facility_id, "manager")
    facilities = db.session.scalars(select(Facility).where(Facility.id.in_(roles))).all()
    found = [Membership(FacilityRef.of(f), roles[f.id]) for f in facilities]
    return sorted(found, key=lambda m: (m.facility.id != user.facility_id, m.facility.name, m.facility.code))


def current_membership(user: FacilityUser, memberships: list[Membership]) -> Membership:
    """The facility chosen in this session, if still one of the user's; else their own."""
    chosen = session.get(SESSION_KEY)
    for membership in memberships:
        if membership.facility.id == chosen:
            return membership
    return memberships[0]


def switch_to(memberships: list[Membership], facility_code: str) -> Membership | None:
    """Makes the user's facility with this code the current one; None when it is not theirs."""
    for membership in memberships:
        if membership.facility.code == facility_code:
            session[SESSION_KEY] = membership.facility.id
            return membership
    return None


def add_membership(email: str, facility_code: str, role: str) -> None:
    """Gives the user `role` at the facility (a second call changes the role)."""
    if role not in ROLES:
        raise AccountError("role must be one of " + ", ".join(ROLES))
    user = db.session.execute(select(FacilityUser).filter_by(email=normalize_email(email))).scalar_one_or_none()
    if user is None:
        raise AccountError("no such user")
    facility = db.session.execute(select(Facility).filter_by(code=facility_code)).scalar_one_or_none()
    if facility is None:
        raise AccountError(f"no facility with code {facility_code}")
    row = db.session.execute(select(FacilityMembership).filter_by(user_id=user.id, facility_id=facility.id)
                             ).scalar_one_or_none()
    if row is None:
        db.session.add(FacilityMembership(user_id=user.id, facility_id=facility.id, role=role, created_at=utcnow()))
    else:
        row.role = role
    db.session.commit()


def remove_membership(email: str, facility_code: str) -> int:
    user = db.session.execute(select(FacilityUser).filter_by(email=normalize_email(email))).scalar_one_or_none()
    facility = db.session.execute(select(Facility).filter_by(code=facility_code)).scalar_one_or_none()
    if user is None or facility is None:
        return 0
    rows = db.session.scalars(select(FacilityMembership).filter_by(user_id=user.id, facility_id=facility.id)).all()
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    return len(rows)
