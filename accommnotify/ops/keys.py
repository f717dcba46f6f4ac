"""API keys: long random tokens, shown once, stored as SHA-256, revocable (see ..security)."""
import time

from sqlalchemy import bindparam, select

from ..database import read_only
from ..extensions import db
from ..models import ApiKey, Facility, FacilityRef
from ..security import issue_token, revoke_tokens, token_hash

KEY_PREFIX = "ak_"
hash_key = token_hash  # SHA-256 hex of a key, as stored


def create_api_key(facility: Facility, label: str | None = None) -> str:
    """A new key of the facility; returns the key itself, which is shown once and not stored."""
    return issue_token(ApiKey, ApiKey.key_hash, KEY_PREFIX, facility_id=facility.id, label=label)


def revoke_api_key(key_or_prefix: str) -> int:
    """Revokes the key given whole, or every live key starting with the prefix shown at creation."""
    count = revoke_tokens(ApiKey, ApiKey.key_hash, key_or_prefix)
    _key_cache.clear()
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
