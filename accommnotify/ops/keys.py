"""API keys: long random tokens, shown once, stored as SHA-256, revocable."""
import hashlib
import secrets
import time

from sqlalchemy import bindparam, select

from ..database import read_only
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
    _key_cache.clear()
    for key in keys:
        if key.revoked_at is None:
            key.revoked_at = now
            count += 1
    db.session.commit()
    return count


_FACILITY_BY_KEY = (
    select(*(getattr(Facility, c) for c in FacilityRef._fields))
    .join(ApiKey, ApiKey.facility_id == Facility.id)
    .where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))
)


# Live keys are remembered for a few seconds per process: the lookup is a third of a small request.
# A revocation therefore takes effect within KEY_CACHE_SECONDS in other processes (at once in this one).
KEY_CACHE_SECONDS = 5.0
_key_cache: dict[str, tuple[float, FacilityRef]] = {}


def facility_for_key(token: str) -> FacilityRef | None:
    """The facility a live key belongs to, or None."""
    key_hash = hash_key(token)
    cached = _key_cache.get(key_hash)
    now = time.monotonic()
    if cached and cached[0] > now:
        return cached[1]
    with read_only(), db.engine.connect() as connection:
        row = connection.execute(_FACILITY_BY_KEY, {"key_hash": key_hash}).first()
    if row is None:
        _key_cache.pop(key_hash, None)
        return None
    if len(_key_cache) > 10_000:
        _key_cache.clear()
    facility = FacilityRef(*row)
    _key_cache[key_hash] = (now + KEY_CACHE_SECONDS, facility)
    return facility
