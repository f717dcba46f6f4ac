"""Parse what a USB scanner types into the facility form: a chip ID card QR or a passport MRZ.

A malformed or partial scan fills nothing; an empty value is never put into ``fields`` (a scan
must never overwrite a typed field with an empty value).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from .guest import document_kind_from_issue_date
from .issues import Issue
from .mrz import parse_td3, split_td3
from .nationality import VIETNAM
from .person_name import normalize_full_name

_QR_PARTS = 7
_DIGITS12 = re.compile(r"[0-9]{12}")
_DDMMYYYY = re.compile(r"[0-9]{8}")
_SEX = {"nam": "male", "nữ": "female", "nu": "female"}


@dataclass(slots=True)
class ScanResult:
    kind: str | None  # "qr" | "mrz" | None
    fields: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def _malformed(kind: str | None) -> ScanResult:
    return ScanResult(kind, {}, [Issue("scan", "scan.malformed")])


def _ddmmyyyy(s: str) -> date | None:
    if not _DDMMYYYY.fullmatch(s):
        return None
    try:
        return date(int(s[4:]), int(s[2:4]), int(s[:2]))
    except ValueError:
        return None


def _parse_qr(text: str) -> ScanResult:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) != _QR_PARTS:
        return _malformed("qr")
    id_number, _old_cmnd, name, birth, sex, address, issued = parts
    dob = _ddmmyyyy(birth)
    full_name = normalize_full_name(name)
    sex_value = _SEX.get(sex.casefold())
    if (
        not _DIGITS12.fullmatch(id_number)
        or not full_name
        or dob is None
        or sex_value is None
        or _ddmmyyyy(issued) is None
    ):
        return _malformed("qr")
    fields = {
        "id_number": id_number,
        "full_name": full_name,
        "date_of_birth": dob,
        "sex": sex_value,
        "nationality": VIETNAM,
    }
    fields["document_kind"] = document_kind_from_issue_date(_ddmmyyyy(issued))
    address = " ".join(address.split())
    if address:
        fields["permanent_address"] = address
    return ScanResult("qr", fields, [])


def _parse_mrz(lines: tuple[str, str]) -> ScanResult:
    data, issues = parse_td3(*lines, field="scan")
    if data is None or issues:
        return _malformed("mrz")
    fields: dict = {"full_name": normalize_full_name(data.full_name)}
    fields["date_of_birth"] = data.birth_date
    if data.sex:
        fields["sex"] = data.sex
    if data.nationality:
        fields["nationality"] = data.nationality
    fields["document"] = {
        "type": "passport",
        "number": data.document_number,
        "mrz": "\n".join(lines),
    }
    if data.nationality == VIETNAM:
        # a citizen living abroad gives a passport number instead of an ID number
        fields["passport_number"] = data.document_number
    fields = {k: v for k, v in fields.items() if v not in (None, "")}
    return ScanResult("mrz", fields, [])


def parse_scan(text: str) -> ScanResult:
    """Recognise and parse a scan. ``kind`` is "qr", "mrz" or None (not recognised)."""
    if not isinstance(text, str):
        return _malformed(None)
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        return _malformed(None)
    if "|" in text:
        return _parse_qr(text)
    lines = split_td3(text)
    if lines is not None:
        return _parse_mrz(lines)
    if text[:1] in "Pp" and "<" in text:
        return _malformed("mrz")
    return _malformed(None)
