"""The new-stay form as plain data: form fields <-> the API's JSON payload, issues -> fields, scans.

No validation happens here: the payload goes to the intake service, which runs the one rule set
(the same as the API and file import). This module only moves values between shapes, so that
whatever a person typed comes back exactly as typed when the service finds a problem.
"""
import re
from datetime import date

from ..rules.messages import message
from ..rules.nationality import VIETNAM
from ..rules.scan import parse_scan

STAY_FIELDS = ("external_ref", "room", "reason", "reason_note", "arrived_at", "expected_departure")
GUEST_FIELDS = ("kind", "full_name", "date_of_birth", "sex", "nationality", "id_number", "passport_number",
                "document_kind", "document_name",
                "phone", "permanent_address", "document_type", "document_number", "document_mrz",
                "visa_kind", "visa_number", "visa_valid_until", "entry_date", "entry_port", "purpose", "scan")
CITIZEN, FOREIGNER = "citizen", "foreigner"
MAX_GUEST_ROWS = 200
_GUEST_KEY = GUEST_KEY = re.compile(r"^g-(\d{1,3})-([a-z_]+)$")

# Where an issue of the rule set is shown: a path below "guests[i]." -> a field of the guest row.
_GUEST_PATHS = {"document": "document_number", "document.type": "document_type",
                "document.number": "document_number", "document.mrz": "document_mrz",
                "visa": "visa_kind", "visa.kind": "visa_kind", "visa.number": "visa_number",
                "visa.valid_until": "visa_valid_until"}
_GUEST_PATH = re.compile(r"^guests\[(\d+)\](?:\.(.+))?$")


def empty_guest(kind: str = CITIZEN) -> dict:
    guest = {name: "" for name in GUEST_FIELDS}
    guest["kind"] = kind
    return guest


def read_form(form) -> tuple[dict, list[dict]]:
    """(stay fields, guest rows) from a posted form, values as typed (never trimmed away)."""
    stay = {name: form.get(name, "") for name in STAY_FIELDS}
    rows: dict[int, dict] = {}
    for key in form.keys():
        match = _GUEST_KEY.match(key)
        if match and match.group(2) in GUEST_FIELDS:
            rows.setdefault(int(match.group(1)), empty_guest())[match.group(2)] = form.get(key, "")
    guests = [rows[i] for i in sorted(rows)][:MAX_GUEST_ROWS]
    for guest in guests:
        if guest["kind"] not in (CITIZEN, FOREIGNER):
            guest["kind"] = CITIZEN
    return stay, guests


def _put(target: dict, key: str, value: str):
    value = (value or "").strip()
    if value:
        target[key] = value


def guest_payload(row: dict) -> dict:
    """One guest row as the API's guest object; empty fields are left out (the rules say what is missing)."""
    guest: dict = {}
    for key in ("full_name", "date_of_birth", "sex", "phone", "permanent_address"):
        _put(guest, key, row.get(key))
    if row.get("kind") == FOREIGNER:
        _put(guest, "nationality", (row.get("nationality") or "").upper())
        if any((row.get(k) or "").strip() for k in ("document_number", "document_mrz")):
            document = {"type": (row.get("document_type") or "").strip() or "passport"}
            _put(document, "number", row.get("document_number"))
            _put(document, "mrz", row.get("document_mrz"))
            guest["document"] = document
        if (row.get("visa_kind") or "").strip():
            visa: dict = {}
            for key in ("kind", "number", "valid_until"):
                _put(visa, key, row.get(f"visa_{key}"))
            guest["visa"] = visa
        for key in ("entry_date", "entry_port", "purpose"):
            _put(guest, key, row.get(key))
    else:
        guest["nationality"] = VIETNAM
        _put(guest, "id_number", row.get("id_number"))
        _put(guest, "passport_number", row.get("passport_number"))
        _put(guest, "document_kind", row.get("document_kind"))
        _put(guest, "document_name", row.get("document_name"))
    return guest


def stay_payload(stay: dict, guests: list[dict], default_ref: str) -> dict:
    payload: dict = {"external_ref": (stay.get("external_ref") or "").strip() or default_ref}
    for key in ("room", "reason", "reason_note", "arrived_at", "expected_departure"):
        _put(payload, key, stay.get(key))
    payload["guests"] = [guest_payload(g) for g in guests]
    return payload


def field_for(path: str) -> tuple[int | None, str]:
    """An issue path of the service -> (guest index or None, form field name)."""
    match = _GUEST_PATH.match(path)
    if not match:
        return None, path.split(".")[0].split("[")[0]
    rest = match.group(2) or ""
    return int(match.group(1)), _GUEST_PATHS.get(rest, rest.split(".")[0] or "kind")


def errors_by_field(issues, lang: str, text=message) -> dict:
    """{"arrived_at": [msg], "g-0-id_number": [msg], …}: the key is the form field's name (`text`:
    the message function, the rule set's by default; the guest pages add Chinese and Korean)."""
    errors: dict[str, list[str]] = {}
    for issue in issues:
        index, name = field_for(issue.field)
        key = name if index is None else f"g-{index}-{name}"
        said = text(issue.code, lang, **dict(issue.params))
        if said not in errors.setdefault(key, []):
            errors[key].append(said)
    return errors


def scan_to_form(fields: dict) -> dict:
    """What `parse_scan` found, as guest-row form values. Never yields an empty value."""
    out: dict[str, str] = {}
    for key, value in fields.items():
        if key == "document":
            for sub, form_key in (("type", "document_type"), ("number", "document_number"), ("mrz", "document_mrz")):
                if value.get(sub):
                    out[form_key] = str(value[sub])
        elif isinstance(value, date):
            out[key] = value.isoformat()
        elif value not in (None, ""):
            out[key] = str(value)
    if out.get("nationality"):
        out["kind"] = CITIZEN if out["nationality"] == VIETNAM else FOREIGNER
    return {k: v for k, v in out.items() if v.strip()}


def apply_scans(guests: list[dict], lang: str, say=message, limit: int | None = None) -> tuple[dict, bool]:
    """Fills each guest row that carries a scan (chip-ID QR or MRZ, at most `limit` characters read);
    returns ({"g-i-scan": [error]}, whether any row had a scan)."""
    errors, scanned = {}, False
    for i, guest in enumerate(guests):
        if guest["scan"].strip():
            scanned = True
            error = apply_scan(guest, guest["scan"][:limit], lang, say=say)
            if error:
                errors[f"g-{i}-scan"] = [error]
    return errors, scanned


def apply_scan(row: dict, text: str, lang: str, say=message) -> str | None:
    """Fills `row` from a scan (the rules' parser); returns an error text and fills nothing if malformed,
    or fills what was read and returns what needs a look (a birth year alone, an unreadable field)."""
    result = parse_scan(text)
    if result.issues or not result.fields:
        code = result.issues[0].code if result.issues else "scan.malformed"
        return say(code, lang)
    row.update(scan_to_form(result.fields))
    row["scan"] = ""
    if result.review:     # filled in part: say what needs a look (shown under the scan box)
        return " ".join(say(i.code, lang, **i.params) for i in result.review)
    return None
