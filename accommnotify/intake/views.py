"""Stays as the facility API shows them (SPEC §5), built from rows in a fixed number of queries."""
import json

from sqlalchemy import select

from ..extensions import db
from ..models import Guest, Notification, Stay
from ..timeutil import vn_iso
from .errors import NotFound

GUESTS = Guest.__table__
NOTIFICATIONS = Notification.__table__
STAYS = Stay.__table__
_SHOW_NEXT_ATTEMPT = ("pending", "retrying")


def _iso_date(value):
    return value.isoformat() if value is not None else None


def notification_view(n) -> dict:
    rejection = None
    if n["rejection_code"]:
        rejection = {"code": n["rejection_code"], "message": n["rejection_message"]}
    return {
        "id": n["id"], "event": n["event"], "category": n["category"], "receiver": n["receiver"],
        "status": n["status"], "deadline_at": vn_iso(n["deadline_at"]), "late": bool(n["late"]),
        "receipt": n["receipt"], "rejection": rejection,
        "next_attempt_at": vn_iso(n["next_attempt_at"]) if n["status"] in _SHOW_NEXT_ATTEMPT else None,
    }


def guest_view(g, notifications) -> dict:
    document = None
    if g["document_type"] or g["document_number"]:
        document = {"type": g["document_type"], "number": g["document_number"], "mrz": g["document_mrz"]}
    visa = None
    if g["visa_kind"]:
        visa = {"kind": g["visa_kind"], "number": g["visa_number"],
                "valid_until": _iso_date(g["visa_valid_until"])}
    return {
        "id": g["id"], "full_name": g["full_name"], "date_of_birth": _iso_date(g["date_of_birth"]),
        "sex": g["sex"], "nationality": g["nationality"], "id_number": g["id_number"],
        "passport_number": g["passport_number"], "document_kind": g["document_kind"],
        "document_name": g["document_name"], "phone": g["phone"],
        "permanent_address": g["permanent_address"], "document": document, "visa": visa,
        "entry_date": _iso_date(g["entry_date"]), "entry_port": g["entry_port"], "purpose": g["purpose"],
        "departed_at": vn_iso(g["departed_at"]), "accompanies": g["accompanies_guest_id"],
        "removed_at": vn_iso(g["removed_at"]),
        "notifications": [notification_view(n) for n in notifications],
    }


def stay_view(s, facility_code: str, guests, notifications_by_guest) -> dict:
    return {
        "id": s["id"], "external_ref": s["external_ref"], "facility_code": facility_code,
        "status": s["status"], "room": s["room"], "reason": s["reason"], "reason_note": s["reason_note"],
        "arrived_at": vn_iso(s["arrived_at"]), "expected_departure": vn_iso(s["expected_departure"]),
        "departed_at": vn_iso(s["departed_at"]), "cancelled_at": vn_iso(s["cancelled_at"]),
        "created_at": vn_iso(s["created_at"]),
        "warnings": json.loads(s["warnings"]) if s["warnings"] else [],
        "guests": [guest_view(g, notifications_by_guest.get(g["id"], ())) for g in guests],
    }


def load_stay_views(stay_rows, facility_code: str) -> list[dict]:
    """Three queries whatever the number of stays and guests."""
    stay_rows = list(stay_rows)
    if not stay_rows:
        return []
    ids = [s["id"] for s in stay_rows]
    guests_by_stay: dict[str, list] = {}
    for g in db.session.execute(select(GUESTS).where(GUESTS.c.stay_id.in_(ids))
                                .order_by(GUESTS.c.stay_id, GUESTS.c.position)).mappings():
        guests_by_stay.setdefault(g["stay_id"], []).append(g)
    notes: dict[str, list] = {}
    for n in db.session.execute(select(NOTIFICATIONS).where(NOTIFICATIONS.c.stay_id.in_(ids))
                                .order_by(NOTIFICATIONS.c.id)).mappings():
        notes.setdefault(n["guest_id"], []).append(n)
    return [stay_view(s, facility_code, guests_by_stay.get(s["id"], []), notes) for s in stay_rows]


def stay_row(facility, stay_id: str, *, for_update: bool = False):
    """The facility's own stay; another facility's stay is "not found", never "forbidden"."""
    stmt = select(STAYS).where(STAYS.c.facility_id == facility.id, STAYS.c.id == stay_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = db.session.execute(stmt).mappings().first()
    if row is None:
        raise NotFound("No such stay.")
    return row
