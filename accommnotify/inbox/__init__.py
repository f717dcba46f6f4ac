"""Storing wire-format notifications (SPEC §4) into the police inbox (``inbox_notifications``).

Shared by the built-in ``inbox`` receiver adapter (same database) and the receiving endpoint
``POST /police/api/v1/batches`` (another instance delivering over HTTP). A notification is known by
(sender, id) (issue 10, item 7): an id this sender already stored is answered ``accepted`` with the
same receipt and nothing changes, so a replayed or retried batch is harmless — unless its content
differs from what was stored: then it is ``rejected`` (``notification.conflict``), logged and written
to the audit log. Another sender's use of the same id is another notification (its row id is then
derived from both, see ``row_id``). The receiving endpoint also passes ``may_store``: a
notification for a facility outside the sender's wards/provinces is ``rejected``
(``sender.out_of_scope``).

Each item is checked on its own; a malformed item is ``rejected`` with a stable code and a message
naming the field (never its value: no personal data in answers or logs), the others are stored.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..crypto import keyring
from ..extensions import db
from ..intake.vocab import CATEGORIES, EVENTS
from ..models import AuditEntry, InboxNotification
from ..rules.text import clean_label, fold, has_invalid_characters
from ..timeutil import UTC, utcnow

INBOX = InboxNotification.__table__
AUDIT = AuditEntry.__table__
log = logging.getLogger("accommnotify.inbox")
# Fields of a row that are not the notification's content (when and how it arrived, what police did).
_NOT_CONTENT = {"id", "notification_id", "body_hash", "received_at", "source", "batch_id", "late",
                "acknowledged_at", "acknowledged_by", "name_search"}
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def content_hash(row: dict) -> str:
    """SHA-256 of a row's content as stored (not of the raw JSON: key order, unknown keys and the
    way an offset is written do not make a retry "different")."""
    content = {k: (v.isoformat() if isinstance(v, (date, datetime)) else v)
               for k, v in row.items() if k not in _NOT_CONTENT}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def row_id(source: str, notification_id: str) -> str:
    """The row id of a notification whose id another sender already used: derived from both."""
    return "x" + hashlib.sha256(f"{source}\n{notification_id}".encode()).hexdigest()[:31]


def receipt_for(notification_id: str) -> str:
    """Deterministic, so a replay gets the same receipt as the first delivery."""
    return f"inbox:{notification_id}"


class WireError(ValueError):
    def __init__(self, field: str, code: str = "wire.invalid"):
        super().__init__(field)
        self.field, self.code = field, code


def _text(obj: dict, key: str, path: str, *, required=True, max_len=None):
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None or value == "":
        if required:
            raise WireError(f"{path}.{key}" if path else key, "wire.required")
        return None
    if not isinstance(value, str) or (max_len and len(value) > max_len) or has_invalid_characters(value):
        # a NUL byte or a lone surrogate: PostgreSQL cannot store it, the answer could not encode it
        raise WireError(f"{path}.{key}" if path else key)
    return value


def _datetime(obj: dict, key: str, path: str, *, required=True):
    raw = _text(obj, key, path, required=required)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise WireError(f"{path}.{key}" if path else key) from None
    if value.tzinfo is None:  # the wire format always carries an offset
        raise WireError(f"{path}.{key}" if path else key)
    try:
        value.astimezone(UTC)  # 0001-01-01T00:00+14:00 is no instant UTC can hold (stored as UTC)
    except OverflowError:
        raise WireError(f"{path}.{key}" if path else key) from None
    return value


def _date(obj: dict, key: str, path: str):
    raw = _text(obj, key, path, required=False)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise WireError(f"{path}.{key}" if path else key) from None


def _object(obj: dict, key: str, *, required=True) -> dict | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise WireError(key, "wire.required")
        return None
    if not isinstance(value, dict):
        raise WireError(key)
    return value


def row_from_wire(item, *, source: str, batch_id: str | None, received_at: datetime) -> dict:
    """One inbox row from one wire notification; WireError when malformed."""
    if not isinstance(item, dict):
        raise WireError("notification")
    nid = _text(item, "id", "")
    if not _ID_RE.match(nid):
        raise WireError("id")
    event = _text(item, "event", "")
    if event not in EVENTS:
        raise WireError("event")
    category = _text(item, "category", "")
    if category not in CATEGORIES:
        raise WireError("category")
    facility = _object(item, "facility")
    stay = _object(item, "stay")
    person = _object(item, "person")
    document = person.get("document")
    visa = person.get("visa")
    if document is not None and not isinstance(document, dict):
        raise WireError("person.document")
    if visa is not None and not isinstance(visa, dict):
        raise WireError("person.visa")
    full_name = _text(person, "full_name", "person", max_len=100)
    # Stored encrypted (the column type); exact search goes by the keyed blind index (crypto).
    keys = keyring()
    id_number = _text(person, "id_number", "person", required=False, max_len=12)
    document_number = _text(document or {}, "number", "person.document", required=False, max_len=20)
    deadline_at = _datetime(item, "deadline_at", "")
    row = {
        "id": nid, "received_at": received_at, "source": source[:100], "batch_id": batch_id,
        "event": event, "category": category,
        "created_at": _datetime(item, "created_at", ""), "deadline_at": deadline_at,
        "late": received_at > deadline_at,
        "amends": _text(item, "amends", "", required=False, max_len=32),
        "facility_code": _text(facility, "code", "facility", max_len=32),
        "facility_name": _text(facility, "name", "facility", max_len=200),
        "facility_kind": _text(facility, "kind", "facility", max_len=32),
        "facility_address": _text(facility, "address", "facility", required=False, max_len=300),
        "ward_code": _text(facility, "ward_code", "facility", max_len=5),
        "province_code": _text(facility, "province_code", "facility", max_len=2),
        "stay_id": _text(stay, "id", "stay", max_len=32),
        "external_ref": _text(stay, "external_ref", "stay", required=False, max_len=100),
        "room": _text(stay, "room", "stay", required=False, max_len=50),
        "arrived_at": _datetime(stay, "arrived_at", "stay"),
        "expected_departure": _datetime(stay, "expected_departure", "stay", required=False),
        "departed_at": _datetime(stay, "departed_at", "stay", required=False),
        "reason": _text(stay, "reason", "stay", required=False, max_len=32),
        "full_name": full_name, "name_search": fold(full_name)[:100],
        "date_of_birth": _date(person, "date_of_birth", "person"),
        "sex": _text(person, "sex", "person", required=False, max_len=6),
        "nationality": _text(person, "nationality", "person", required=False, max_len=3),
        "id_number": id_number, "id_number_bidx": keys.blind_index(id_number) if id_number else None,
        "document_type": _text(document or {}, "type", "person.document", required=False, max_len=20),
        "document_number": document_number,
        "document_number_bidx": keys.blind_index(document_number.upper()) if document_number else None,
        "visa_kind": _text(visa or {}, "kind", "person.visa", required=False, max_len=32),
        "visa_number": _text(visa or {}, "number", "person.visa", required=False, max_len=50),
        "visa_valid_until": _date(visa or {}, "valid_until", "person.visa"),
        "entry_date": _date(person, "entry_date", "person"),
        "acknowledged_at": None, "acknowledged_by": None,
    }
    return row


def store(conn, notifications: list, *, source: str, batch_id: str | None = None,
          now: datetime | None = None, may_store=None) -> list[dict]:
    """Store what is new, inside the caller's transaction on ``conn``; per-item results in order.

    ``may_store(ward_code, province_code)``, when given, says whether the sender may notify for that
    facility. Results use the wire format's response shape: ``{"id", "status": "accepted",
    "receipt"}`` or ``{"id", "status": "rejected", "code", "message"}``.
    """
    now = now or utcnow()
    source = source[:100]
    results: list[dict | None] = []
    pending: list[tuple[int, dict]] = []
    for index, item in enumerate(notifications):
        nid = item.get("id") if isinstance(item, dict) else None
        try:
            row = row_from_wire(item, source=source, batch_id=batch_id, received_at=now)
        except WireError as exc:
            # the id is echoed with a NUL or a lone surrogate replaced (U+FFFD): JSON cannot carry the latter
            results.append({"id": clean_label(nid) if isinstance(nid, str) else None, "status": "rejected",
                            "code": exc.code, "message": f"notifications[{index}]: field {exc.field} is "
                            + ("missing" if exc.code == "wire.required" else "invalid")})
            continue
        if may_store is not None and not may_store(row["ward_code"], row["province_code"]):
            results.append({"id": row["id"], "status": "rejected", "code": "sender.out_of_scope",
                            "message": f"notifications[{index}]: facility.ward_code is outside the wards "
                                       "this sender may notify"})
            continue
        row["notification_id"] = row["id"]
        row["body_hash"] = content_hash(row)
        pending.append((len(results), row))
        results.append(None)

    ids = list({row["notification_id"] for _, row in pending})
    mine: dict[str, tuple[str, str | None]] = {}
    taken: set[str] = set()
    if ids:
        for rid, nid, digest in conn.execute(
                select(INBOX.c.id, INBOX.c.notification_id, INBOX.c.body_hash)
                .where(INBOX.c.source == source, INBOX.c.notification_id.in_(ids))):
            mine[nid] = (rid, digest)
        taken = set(conn.execute(select(INBOX.c.id).where(INBOX.c.id.in_(ids))).scalars())
    new_rows: dict[str, dict] = {}
    conflicts: list[str] = []
    for position, row in pending:
        nid = row["notification_id"]
        if nid in mine:
            rid, digest = mine[nid]
            same = digest is None or digest == row["body_hash"]  # None: stored before hashes were kept
        elif nid in new_rows:  # the same id twice in one batch
            rid, same = new_rows[nid]["id"], new_rows[nid]["body_hash"] == row["body_hash"]
        else:
            rid = nid if nid not in taken else row_id(source, nid)
            row["id"] = rid
            new_rows[nid] = row
            same = True
        if same:
            results[position] = {"id": nid, "status": "accepted", "receipt": receipt_for(rid)}
        else:
            conflicts.append(rid)
            results[position] = {"id": nid, "status": "rejected", "code": "notification.conflict",
                                 "message": "this id was already received from this sender with other "
                                            "content; send a correction as an amendment with a new id"}
    if new_rows:
        make = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(make(INBOX).on_conflict_do_nothing(), list(new_rows.values()))
    if conflicts:
        log.warning("batch %s from %s: %d notification(s) sent again with other content: rejected",
                    batch_id, source, len(conflicts))
        conn.execute(AUDIT.insert(), [
            {"at": now, "officer_id": 0, "username": f"sender:{source}"[:64], "via": "receive",
             "action": "receive_conflict", "filters": json.dumps({"batch_id": batch_id}), "row_count": 1,
             "record_id": rid} for rid in conflicts])
    return results  # type: ignore[return-value]


def store_batch(notifications: list, *, source: str, batch_id: str | None = None,
                now: datetime | None = None, may_store=None) -> list[dict]:
    """:func:`store` in a short transaction of its own."""
    with db.engine.begin() as conn:
        return store(conn, notifications, source=source, batch_id=batch_id, now=now, may_store=may_store)


def stored_ids(ids) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(select(INBOX.c.id).where(INBOX.c.id.in_(list(ids)))).scalars())
