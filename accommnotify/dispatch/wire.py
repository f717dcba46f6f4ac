"""The wire format (SPEC §4) built at send time from the current rows.

An undelivered arrival is corrected in place by the intake service, so nothing is snapshotted:
one join (notification ⋈ guest ⋈ stay ⋈ facility) per batch gives every notification's payload.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import orjson
from sqlalchemy import String, any_, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY

from ..models import Facility, Guest, Notification, Stay

N, G, S, F = Notification.__table__, Guest.__table__, Stay.__table__, Facility.__table__
_VN = timezone(timedelta(hours=7))

_SEVEN_HOURS = timedelta(hours=7)


def _raw(column):
    """The driver's own value, without SQLAlchemy's per-value result processing (the hot path):
    SQLite gives the stored text ("2026-11-27 08:00:00.000000", naive UTC; dates "1990-05-17"),
    psycopg gives datetime / date objects."""
    return type_coerce(column, String).label(column.name)


COLUMNS = (
    N.c.id, N.c.event, N.c.category, _raw(N.c.created_at), _raw(N.c.deadline_at), N.c.amends,
    F.c.code.label("f_code"), F.c.name.label("f_name"), F.c.kind.label("f_kind"),
    F.c.address.label("f_address"), F.c.ward_code.label("f_ward"), F.c.province_code.label("f_province"),
    S.c.id.label("s_id"), S.c.external_ref, S.c.room, _raw(S.c.arrived_at), _raw(S.c.expected_departure),
    type_coerce(S.c.departed_at, String).label("s_departed_at"), S.c.reason,
    G.c.full_name, _raw(G.c.date_of_birth), G.c.sex, G.c.nationality, G.c.id_number, G.c.passport_number,
    G.c.document_kind, G.c.document_name,
    G.c.document_type, G.c.document_number, G.c.visa_kind, G.c.visa_number, _raw(G.c.visa_valid_until),
    _raw(G.c.entry_date), type_coerce(G.c.departed_at, String).label("g_departed_at"),
)


def batch_query(ids, dialect: str = "sqlite"):
    if dialect == "postgresql":  # pragma: postgresql
        # One array parameter (id = ANY): PostgreSQL then finds each row by primary key, where a
        # long IN list let it hash the whole notification table on every batch.
        picked = N.c.id == any_(type_coerce(list(ids), ARRAY(String)))
    else:
        picked = N.c.id.in_(list(ids))
    return (select(*COLUMNS)
            .join(G, G.c.id == N.c.guest_id).join(S, S.c.id == N.c.stay_id).join(F, F.c.id == N.c.facility_id)
            .where(picked)
            .order_by(N.c.next_attempt_at, N.c.id))


def _dt(value):
    """A stored UTC datetime as ISO 8601 with +07:00."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: naive UTC text
        return (datetime.fromisoformat(value) + _SEVEN_HOURS).isoformat() + "+07:00"
    return value.astimezone(_VN).isoformat()  # pragma: postgresql (psycopg gives datetimes)


def _d(value):
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()  # pragma: postgresql (psycopg gives dates)


def wire_notification(r) -> dict:
    """One notification of the wire format from one row of :func:`batch_query`."""
    document = None
    if r.document_number:
        document = {"type": r.document_type, "number": r.document_number}
    elif r.passport_number:  # a citizen living abroad gives a passport instead of an ID number
        document = {"type": "passport", "number": r.passport_number}
    visa = None
    if r.visa_kind:
        visa = {"kind": r.visa_kind, "number": r.visa_number, "valid_until": _d(r.visa_valid_until)}
    return {
        "id": r.id, "event": r.event, "category": r.category,
        "created_at": _dt(r.created_at), "deadline_at": _dt(r.deadline_at), "amends": r.amends,
        "facility": {"code": r.f_code, "name": r.f_name, "kind": r.f_kind, "address": r.f_address,
                     "ward_code": r.f_ward, "province_code": r.f_province},
        "stay": {"id": r.s_id, "external_ref": r.external_ref, "room": r.room,
                 "arrived_at": _dt(r.arrived_at), "expected_departure": _dt(r.expected_departure),
                 # A guest who left before the others carries their own departure time.
                 "departed_at": _dt(r.g_departed_at or r.s_departed_at), "reason": r.reason},
        "person": {"full_name": r.full_name, "date_of_birth": _d(r.date_of_birth), "sex": r.sex,
                   "nationality": r.nationality, "id_number": r.id_number, "document": document,
                   "visa": visa, "entry_date": _d(r.entry_date),
                   "document_kind": r.document_kind, "document_name": r.document_name},
    }


# --- PostgreSQL: the database writes each notification's JSON -----------------------------------
# Building ~40 fields per notification in Python and encoding them again was most of the
# dispatcher's CPU; PostgreSQL builds the same document in C, on its own core. The text is what
# the http adapter sends as it is (no second encoding); other adapters get it decoded.
# The personal numbers are encrypted in the database (crypto): PostgreSQL puts their ciphertext in
# the document and `decrypt_encoded` swaps each for the plain number, which receivers must get.

def _pg_moment(expr: str) -> str:
    """ISO 8601 with +07:00, microseconds only when there are some (as Python's isoformat())."""
    local = f"({expr}) AT TIME ZONE 'Asia/Ho_Chi_Minh'"
    return (f"CASE WHEN {expr} IS NULL THEN NULL ELSE to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN extract(microseconds FROM {local})::bigint % 1000000 = 0 THEN '' "
            f"ELSE to_char({local}, '.US') END || '+07:00' END")


ENCODED_SQL = f"""
SELECT n.id, json_build_object(
  'id', n.id, 'event', n.event, 'category', n.category,
  'created_at', {_pg_moment('n.created_at')}, 'deadline_at', {_pg_moment('n.deadline_at')},
  'amends', n.amends,
  'facility', json_build_object('code', f.code, 'name', f.name, 'kind', f.kind, 'address', f.address,
                                'ward_code', f.ward_code, 'province_code', f.province_code),
  'stay', json_build_object('id', s.id, 'external_ref', s.external_ref, 'room', s.room,
                            'arrived_at', {_pg_moment('s.arrived_at')},
                            'expected_departure', {_pg_moment('s.expected_departure')},
                            'departed_at', {_pg_moment('coalesce(g.departed_at, s.departed_at)')},
                            'reason', s.reason),
  'person', json_build_object('full_name', g.full_name, 'date_of_birth', g.date_of_birth, 'sex', g.sex,
                              'nationality', g.nationality, 'id_number', g.id_number,
    'document', CASE WHEN g.document_number IS NOT NULL
                       THEN json_build_object('type', g.document_type, 'number', g.document_number)
                     WHEN g.passport_number IS NOT NULL
                       THEN json_build_object('type', 'passport', 'number', g.passport_number) END,
    'visa', CASE WHEN g.visa_kind IS NOT NULL
                   THEN json_build_object('kind', g.visa_kind, 'number', g.visa_number,
                                          'valid_until', g.visa_valid_until) END,
    'entry_date', g.entry_date, 'document_kind', g.document_kind, 'document_name', g.document_name))::text,
    g.id_number, g.document_number, g.passport_number
FROM notifications n
JOIN guests g ON g.id = n.guest_id JOIN stays s ON s.id = n.stay_id JOIN facilities f ON f.id = n.facility_id
WHERE n.id = ANY(CAST(:ids AS text[]))
ORDER BY n.next_attempt_at, n.id
"""


def decrypt_encoded(rows, keys) -> list[str]:
    """The JSON texts of ENCODED_SQL's rows with each encrypted number replaced by the plain one.
    A ciphertext is ASCII (``e1.<kid>.<base64url>``, no character JSON escapes) and random, so its
    quoted form occurs exactly where the database put it."""
    out = []
    for row in rows:
        text_ = row[1]
        for token in row[2:]:
            if token is not None:
                text_ = text_.replace(f'"{token}"', orjson.dumps(keys.decrypt(token)).decode(), 1)
        out.append(text_)
    return out
