"""From a posted body to a checked stay: shape (marshmallow), normalisation, then the rule set.

This is the single entry to validation for the API, the facility form and file import.
"""
import hashlib
import json
import weakref
from datetime import date, datetime

from marshmallow import ValidationError

from ..rules.nationality import VIETNAM
from ..rules.person_name import normalize_full_name
from ..rules.stay import check_stay
from ..rules.issues import Issue
from .errors import IntakeError, InvalidInput, issues_from_marshmallow
from .fastload import FALLBACK, compile_schema
from .schemas import StaySchema

STAY_SCHEMA = StaySchema()
_STRIPPED = ("id_number", "passport_number", "phone", "permanent_address", "entry_port", "purpose")
_COMPILED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _fast_loader(schema):
    try:
        return _COMPILED[schema]
    except KeyError:
        loader = _COMPILED[schema] = compile_schema(schema)
        return loader


def load(schema, payload):
    """Shape only: raises InvalidInput with field paths and codes."""
    if not isinstance(payload, dict):
        raise IntakeError("The body must be a JSON object.", issues_from_marshmallow("type"))
    fast = _fast_loader(schema)
    if fast is not None:
        data = fast(payload)
        if data is not FALLBACK:
            return data
    try:
        return schema.load(payload)
    except ValidationError as exc:
        raise InvalidInput("The request has invalid fields.", issues_from_marshmallow(exc.messages))


def normalize_guest(guest: dict) -> dict:
    """Forgiving clean-up before the rules: spacing, case of codes. Never strips accents."""
    if guest.get("full_name") is not None:
        guest["full_name"] = normalize_full_name(guest["full_name"])
    if guest.get("nationality"):
        guest["nationality"] = guest["nationality"].strip().upper()
    for key in _STRIPPED:
        value = guest.get(key)
        if isinstance(value, str):
            guest[key] = value.strip() or None
    if guest.get("passport_number"):
        guest["passport_number"] = guest["passport_number"].replace(" ", "").upper()
    document = guest.get("document")
    if document and document.get("number"):
        document["number"] = document["number"].replace(" ", "").upper()
    return guest


def check(data: dict, now: datetime, facility=None) -> list:
    """Runs the rule set on a loaded stay; raises InvalidInput, returns the warnings.

    With ``facility``, also what the receiver of its notifications requires (issue 9 §3)."""
    for guest in data["guests"]:
        normalize_guest(guest)
    if data.get("room") is not None:
        data["room"] = data["room"].strip() or None
    errors, warnings = check_stay(data, now)
    if facility is not None:
        from .receiver_rules import receiver_issues
        errors = list(errors) + receiver_issues(data, facility)
    if errors:
        raise InvalidInput("The stay breaks one or more rules.", errors)
    return warnings


def prepare_stay(payload, now: datetime, facility=None) -> tuple[dict, list]:
    data = load(STAY_SCHEMA, payload)
    # `facility_code` chose the facility before the stay was read (POST /stays takes it off the body); a
    # stay of a bulk request may repeat it, but never name another facility, and it is not part of the
    # stored stay or its idempotency hash
    code = data.pop("facility_code", None)
    if code is not None and facility is not None and code != facility.code:
        raise InvalidInput("The stay names another facility than its request.",
                           [Issue("facility_code", "facility_code.other")])
    return data, check(data, now, facility)


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def request_hash(data: dict) -> str:
    """Hash of the loaded stay, so equal stays written differently (key order, spacing) replay."""
    canonical = json.dumps(data, sort_keys=True, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_citizen(guest) -> bool:
    return guest["nationality"] == VIETNAM
