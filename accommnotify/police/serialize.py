"""Inbox rows out: the wire format (SPEC §4) plus what the police side adds, and a CSV for Excel."""
import csv
import io
import re

from ..rules.geography import ward_name
from ..timeutil import to_vn, vn_iso
from . import labels

BOM = "\ufeff"
_NUMBER_RE = re.compile(r"^-\d+([.,]\d+)?$")


def _d(value):
    return value.isoformat() if value is not None else None


def to_json(row) -> dict:
    document = ({"type": row.document_type, "number": row.document_number}
                if row.document_number else None)
    visa = ({"kind": row.visa_kind, "number": row.visa_number, "valid_until": _d(row.visa_valid_until)}
            if row.visa_kind else None)
    return {
        "id": row.id, "event": row.event, "category": row.category,
        "created_at": vn_iso(row.created_at), "deadline_at": vn_iso(row.deadline_at),
        "received_at": vn_iso(row.received_at), "late": bool(row.late), "amends": row.amends,
        "acknowledged_at": vn_iso(row.acknowledged_at), "acknowledged_by": row.acknowledged_by,
        "facility": {"code": row.facility_code, "name": row.facility_name, "kind": row.facility_kind,
                     "address": row.facility_address, "ward_code": row.ward_code,
                     "province_code": row.province_code},
        "stay": {"id": row.stay_id, "external_ref": row.external_ref, "room": row.room,
                 "arrived_at": vn_iso(row.arrived_at), "expected_departure": vn_iso(row.expected_departure),
                 "departed_at": vn_iso(row.departed_at), "reason": row.reason},
        "person": {"full_name": row.full_name, "date_of_birth": _d(row.date_of_birth), "sex": row.sex,
                   "nationality": row.nationality, "id_number": row.id_number, "document": document,
                   "visa": visa, "entry_date": _d(row.entry_date)},
    }


def vn_text(value) -> str:
    """"2026-11-27 14:05" in Vietnam time."""
    return to_vn(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _cell(value) -> str:
    if value is None:
        return ""
    text = ("1" if value else "0") if isinstance(value, bool) else str(value)
    if text and (text[0] in "=+@\t\r" or (text[0] == "-" and not _NUMBER_RE.match(text))):
        text = "'" + text   # never a formula in Excel
    return text



def N_(msgid: str) -> str:
    """Marks a msgid for extraction; translated at export time."""
    return msgid


# (header msgid, value) — headers are translated at export time. Each coded column keeps its code
# (for other software) and is followed by a column with the code in words, in the export's language.
CSV_COLUMNS = (
    (N_("Notification id"), lambda r: r.id),
    (N_("Received"), lambda r: vn_text(r.received_at)),
    (N_("Event"), lambda r: r.event),
    (N_("Event (in words)"), lambda r: labels.event_label(r.event)),
    (N_("Category"), lambda r: r.category),
    (N_("Category (in words)"), lambda r: labels.category_label(r.category)),
    (N_("Late"), lambda r: bool(r.late)),
    (N_("Deadline"), lambda r: vn_text(r.deadline_at)),
    (N_("Facility code"), lambda r: r.facility_code),
    (N_("Facility"), lambda r: r.facility_name),
    (N_("Address"), lambda r: r.facility_address),
    (N_("Ward"), lambda r: ward_name(r.ward_code) or r.ward_code),
    (N_("Room"), lambda r: r.room),
    (N_("Arrived"), lambda r: vn_text(r.arrived_at)),
    (N_("Expected departure"), lambda r: vn_text(r.expected_departure)),
    (N_("Departed"), lambda r: vn_text(r.departed_at)),
    (N_("Reason"), lambda r: r.reason),
    (N_("Reason (in words)"), lambda r: labels.reason_label(r.reason)),
    (N_("Full name"), lambda r: r.full_name),
    (N_("Date of birth"), lambda r: _d(r.date_of_birth)),
    (N_("Sex"), lambda r: r.sex),
    (N_("Sex (in words)"), lambda r: labels.sex_label(r.sex)),
    (N_("Nationality"), lambda r: r.nationality),
    (N_("Nationality (in words)"), lambda r: labels.nationality_label(r.nationality)),
    (N_("ID number"), lambda r: r.id_number),
    (N_("Document type"), lambda r: r.document_type),
    (N_("Document type (in words)"), lambda r: labels.document_label(r.document_type)),
    (N_("Document number"), lambda r: r.document_number),
    (N_("Visa"), lambda r: r.visa_kind),
    (N_("Visa (in words)"), lambda r: labels.visa_label(r.visa_kind)),
    (N_("Visa number"), lambda r: r.visa_number),
    (N_("Visa valid until"), lambda r: _d(r.visa_valid_until)),
    (N_("Entry date"), lambda r: _d(r.entry_date)),
    (N_("Acknowledged"), lambda r: vn_text(r.acknowledged_at)),
    (N_("Acknowledged by"), lambda r: r.acknowledged_by),
)


def csv_bytes(rows, translate=lambda s: s) -> bytes:
    """UTF-8 with BOM and CRLF: Excel opens it with Vietnamese intact. (Excel may still show a
    12-digit ID number as a number when a file is double-clicked; importing the column as text keeps
    its leading zero. See docs/POLICE.md.)"""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([translate(h) for h, _ in CSV_COLUMNS])
    for row in rows:
        writer.writerow([_cell(get(row)) for _, get in CSV_COLUMNS])
    return (BOM + buf.getvalue()).encode("utf-8")
