"""Chains (issue 13, item 3): an organisation owns facilities; its API key posts for any of them.

An organisation key starts with "ok_" (facility keys with "ak_"), is stored as SHA-256 like a
facility key and is shown once. A request with it names the facility (`facility_code`); a facility
outside the organisation is "not found", exactly like an unknown one.
"""
import re

from sqlalchemy import select

from ..database import read_only
from ..extensions import db
from ..intake.vocab import FACILITY_CODE_PATTERN
from ..models import Facility, FacilityRef, Organisation, OrganisationFacility, OrganisationKey
from ..models.chains import OrganisationRef
from ..security import issue_token, revoke_tokens, token_hash
from ..timeutil import utcnow

ORG_KEY_PREFIX = "ok_"


class OrganisationError(ValueError):
    pass


def _organisation(code: str) -> Organisation:
    org = db.session.execute(select(Organisation).filter_by(code=code)).scalar_one_or_none()
    if org is None:
        raise OrganisationError(f"no organisation with code {code}")
    return org


def create_organisation(code: str, name: str) -> Organisation:
    if not re.match(FACILITY_CODE_PATTERN, code or ""):
        raise OrganisationError("code must match [A-Z0-9-]{2,32}")
    if not (name or "").strip() or len(name) > 200:
        raise OrganisationError("name is required (at most 200 characters)")
    if db.session.execute(select(Organisation.id).filter_by(code=code)).first():
        raise OrganisationError(f"an organisation with code {code} already exists")
    org = Organisation(code=code, name=name.strip(), created_at=utcnow())
    db.session.add(org)
    db.session.commit()
    return org


def attach_facility(organisation_code: str, facility_code: str) -> None:
    """Puts the facility in the organisation; a facility belongs to one organisation at most."""
    org = _organisation(organisation_code)
    facility = db.session.execute(select(Facility).filter_by(code=facility_code)).scalar_one_or_none()
    if facility is None:
        raise OrganisationError(f"no facility with code {facility_code}")
    link = db.session.execute(select(OrganisationFacility).filter_by(facility_id=facility.id)).scalar_one_or_none()
    if link is not None and link.organisation_id != org.id:
        raise OrganisationError(f"facility {facility_code} belongs to another organisation")
    if link is None:
        db.session.add(OrganisationFacility(organisation_id=org.id, facility_id=facility.id))
        db.session.commit()


def create_organisation_key(organisation_code: str, label: str | None = None) -> str:
    org = _organisation(organisation_code)
    return issue_token(OrganisationKey, OrganisationKey.key_hash, ORG_KEY_PREFIX, organisation_id=org.id,
                       label=label)


def revoke_organisation_key(key_or_prefix: str) -> int:
    return revoke_tokens(OrganisationKey, OrganisationKey.key_hash, key_or_prefix)


def organisation_for_key(token: str) -> OrganisationRef | None:
    stmt = (select(Organisation.id, Organisation.code)
            .join(OrganisationKey, OrganisationKey.organisation_id == Organisation.id)
            .where(OrganisationKey.key_hash == token_hash(token), OrganisationKey.revoked_at.is_(None)))
    row = _first(stmt)
    return OrganisationRef(*row) if row else None


def _first(stmt):
    """Read on a connection of its own, so the request's session opens no transaction (and the
    intake service keeps its fast paths)."""
    with read_only(), db.engine.connect() as connection:
        return connection.execute(stmt).first()


def _facilities_of(organisation_id: int):
    return (select(*(getattr(Facility, c) for c in FacilityRef._fields))
            .join(OrganisationFacility, OrganisationFacility.facility_id == Facility.id)
            .where(OrganisationFacility.organisation_id == organisation_id))


def organisation_facility(organisation_id: int, facility_code: str) -> FacilityRef | None:
    """The organisation's facility with this code, or None (unknown, or another organisation's)."""
    row = _first(_facilities_of(organisation_id).where(Facility.code == facility_code))
    return FacilityRef(*row) if row else None


def organisation_facility_by_id(organisation_id: int, facility_id: int | None) -> FacilityRef | None:
    if facility_id is None:
        return None
    row = _first(_facilities_of(organisation_id).where(Facility.id == facility_id))
    return FacilityRef(*row) if row else None


def facility_id_of(model, row_id: str) -> int | None:
    """The facility_id of a stay or portal file, or None."""
    return (_first(select(model.facility_id).where(model.id == row_id)) or (None,))[0]
