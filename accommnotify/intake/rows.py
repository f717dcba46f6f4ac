"""Turning checked stays into rows: the stay, its guests and their arrival notifications."""
import json

from flask import current_app

from ..ids import new_id
from ..rules.deadlines import arrival_deadline, category_for, followup_deadline
from ..routing import receiver_for

GUEST_COLUMNS = ("full_name", "date_of_birth", "sex", "nationality", "id_number", "passport_number",
                 "document_kind", "document_name",
                 "phone", "permanent_address", "entry_date", "entry_port", "purpose")


def warnings_json(warnings) -> str | None:
    return json.dumps([{"field": w.field, "code": w.code} for w in warnings]) if warnings else None


def stay_row(facility, data: dict, warnings, digest: str, now, source: str) -> dict:
    return {
        "id": new_id("st"), "facility_id": facility.id, "external_ref": data["external_ref"],
        "request_hash": digest, "status": "in_house", "room": data.get("room"), "reason": data["reason"],
        "reason_note": data.get("reason_note"), "arrived_at": data["arrived_at"],
        "expected_departure": data.get("expected_departure"), "departed_at": None, "cancelled_at": None,
        "cancel_reason": None, "warnings": warnings_json(warnings), "source": source,
        "created_at": now, "updated_at": now,
    }


def guest_fields(guest: dict) -> dict:
    """Column values of a loaded guest (nested document and visa flattened)."""
    row = {key: guest.get(key) for key in GUEST_COLUMNS}
    document = guest.get("document") or {}
    visa = guest.get("visa") or {}
    row.update(document_type=document.get("type"), document_number=document.get("number"),
               document_mrz=document.get("mrz"), visa_kind=visa.get("kind"),
               visa_number=visa.get("number"), visa_valid_until=visa.get("valid_until"))
    return row


def guest_row(stay_id: str, position: int, guest: dict) -> dict:
    row = guest_fields(guest)
    row.update(id=new_id("gu"), stay_id=stay_id, position=position, departed_at=None, removed_at=None,
               accompanies_guest_id=None)
    return row


def notification_row(facility, stay_id: str, guest_id: str, *, event: str, category: str,
                     deadline_at, now, amends: str | None = None) -> dict:
    return {
        "id": new_id("ntf"), "facility_id": facility.id, "stay_id": stay_id, "guest_id": guest_id,
        "event": event, "category": category,
        "receiver": receiver_for(category, facility.province_code, facility.ward_code),
        "status": "pending", "amends": amends,
        # Foreigners are declared "immediately": never held back to fill a batch.
        "urgent": event == "arrival" and category == "foreigner",
        "created_at": now, "updated_at": now, "deadline_at": deadline_at,
        # A late report is still accepted; it is flagged at once so the facility sees it.
        "late": deadline_at < now, "attempts": 0, "first_attempt_at": None, "next_attempt_at": now,
        "lease_owner": None, "lease_expires_at": None, "last_batch_id": None, "delivered_at": None,
        "receipt": None, "rejection_code": None, "rejection_message": None, "last_error": None,
    }


def arrival_row(facility, stay_id: str, guest_row_: dict, arrived_at, now) -> dict:
    category = category_for(guest_row_["nationality"])
    return notification_row(facility, stay_id, guest_row_["id"], event="arrival", category=category,
                            deadline_at=arrival_deadline(category, arrived_at), now=now)


def followup_row(facility, stay_id: str, guest_row_, event: str, now, amends: str | None = None) -> dict:
    hours = current_app.config["FOLLOWUP_DEADLINE_HOURS"]
    return notification_row(facility, stay_id, guest_row_["id"], event=event,
                            category=category_for(guest_row_["nationality"]),
                            deadline_at=followup_deadline(now, hours), now=now, amends=amends)


def rows_for_new_stay(facility, data: dict, warnings, digest: str, now, source: str):
    stay = stay_row(facility, data, warnings, digest, now, source)
    guests = [guest_row(stay["id"], i, g) for i, g in enumerate(data["guests"])]
    for row, guest in zip(guests, data["guests"]):
        if guest.get("accompanies") is not None:  # an index the rules checked
            row["accompanies_guest_id"] = guests[guest["accompanies"]]["id"]
    notes = [arrival_row(facility, stay["id"], g, data["arrived_at"], now) for g in guests]
    return stay, guests, notes
