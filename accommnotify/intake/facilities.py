"""Registering a facility: its code, kind and place on the 2025 administrative map."""
import re

from ..extensions import db
from ..models import Facility
from ..rules.geography import check_location, ward_province
from ..rules.messages import message
from ..timeutil import utcnow
from .vocab import FACILITY_CODE_PATTERN, FACILITY_KINDS


class FacilityError(ValueError):
    pass


def create_facility(*, code: str, name: str, kind: str, ward_code: str, province_code: str | None = None,
                    address: str = "", phone: str | None = None, email: str | None = None) -> Facility:
    problems = []
    if not re.match(FACILITY_CODE_PATTERN, code or ""):
        problems.append("code must match [A-Z0-9-]{2,32}")
    if kind not in FACILITY_KINDS:
        problems.append("kind must be one of " + ", ".join(FACILITY_KINDS))
    if not (name or "").strip():
        problems.append("name is required")
    ward_code = str(ward_code).zfill(5)
    given_province = str(province_code).zfill(2) if province_code else None
    # Not given: the ward's own province; an unknown ward then gets one error, not a second one
    # about a province nobody gave.
    for issue in check_location(ward_code, given_province):
        problems.append(f"{issue.field}: {issue.code} ({message(issue.code, 'en', **issue.params)})")
    province_code = given_province or ward_province(ward_code)
    if db.session.query(Facility.id).filter_by(code=code).first():
        problems.append(f"a facility with code {code} already exists")
    if problems:
        raise FacilityError("; ".join(problems))
    facility = Facility(code=code, name=name.strip(), kind=kind, ward_code=ward_code,
                        province_code=province_code, address=address or "", phone=phone, email=email,
                        created_at=utcnow())
    db.session.add(facility)
    db.session.commit()
    return facility
