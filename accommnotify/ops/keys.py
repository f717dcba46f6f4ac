"""API keys: long random tokens, shown once, stored as SHA-256, revocable."""
import hashlib
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import ApiKey, Facility, FacilityRef
from ..timeutil import utcnow

KEY_PREFIX = "ak_"


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_key(facility: Facility, label: str | None = None) -> str:
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiKey(facility_id=facility.id, key_hash=hash_key(token), prefix=token[:11],
                          label=label, created_at=utcnow()))
    db.session.commit()
    return token


def revoke_api_key(key_or_prefix: str) -> int:
    """Revokes the key given whole, or every live key starting with the prefix shown at creation."""
    if len(key_or_prefix) > 20:
        keys = db.session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key_or_prefix))).all()
    else:
        keys = db.session.scalars(select(ApiKey).where(ApiKey.prefix == key_or_prefix)).all()
    now = utcnow()
    count = 0
    for key in keys:
        if key.revoked_at is None:
            key.revoked_at = now
            count += 1
    db.session.commit()
    return count


def facility_for_key(token: str) -> FacilityRef | None:
    """The facility a live key belongs to, or None. One indexed lookup per request."""
    row = db.session.execute(
        select(*(getattr(Facility, c) for c in FacilityRef._fields))
        .join(ApiKey, ApiKey.facility_id == Facility.id)
        .where(ApiKey.key_hash == hash_key(token), ApiKey.revoked_at.is_(None))
    ).first()
    db.session.rollback()  # end the read so the write that follows starts its own transaction
    return FacilityRef(*row) if row else None
