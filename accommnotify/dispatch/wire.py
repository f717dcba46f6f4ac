"""The wire format (SPEC §4) built at send time from the current rows.

An undelivered arrival is corrected in place by the intake service, so nothing is snapshotted:
one join (notification ⋈ guest ⋈ stay ⋈ facility) per batch gives every notification's payload.
"""
from __future__ import annotations

from datetime import timedelta, timezone

from sqlalchemy import select

from ..models import Facility, Guest, Notification, Stay

N, G, S, F = Notification.__table__, Guest.__table__, Stay.__table__, Facility.__table__
_VN = timezone(timedelta(hours=7))

COLUMNS = (
    N.c.id, N.c.event, N.c.category, N.c.created_at, N.c.deadline_at, N.c.amends,
    F.c.code.label("f_code"), F.c.name.label("f_name"), F.c.kind.label("f_kind"),
    F.c.address.label("f_address"), F.c.ward_code.label("f_ward"), F.c.province_code.label("f_province"),
    S.c.id.label("s_id"), S.c.external_ref, S.c.room, S.c.arrived_at, S.c.expected_departure,
    S.c.departed_at.label("s_departed_at"), S.c.reason,
    G.c.full_name, G.c.date_of_birth, G.c.sex, G.c.nationality, G.c.id_number, G.c.passport_number,
    G.c.document_type, G.c.document_number, G.c.visa_kind, G.c.visa_number, G.c.visa_valid_until,
    G.c.entry_date, G.c.departed_at.label("g_departed_at"),
)


def batch_query(ids):
    return (select(*COLUMNS)
            .join(G, G.c.id == N.c.guest_id).join(S, S.c.id == N.c.stay_id).join(F, F.c.id == N.c.facility_id)
            .where(N.c.id.in_(list(ids)))
            .order_by(N.c.next_attempt_at, N.c.id))


def _dt(value):
    return None if value is None else value.astimezone(_VN).isoformat()


def _d(value):
    return None if value is None else value.isoformat()


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
                   "visa": visa, "entry_date": _d(r.entry_date)},
    }
