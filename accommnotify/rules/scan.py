"""Parse what a USB scanner types into the facility form: a chip ID card QR or a passport MRZ.

A malformed or cut-off scan fills nothing; an empty value is never put into ``fields`` (a scan
must never overwrite a typed field with an empty value). An ID-card QR with a birth year alone (older
people's cards) fills the rest and lists the birth date in ``review``.
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
LAISSEZ_PASSER = frozenset({"UNO", "UNA", "UNK", "EUE"})
_DIGITS12 = re.compile(r"[0-9]{12}")
_DDMMYYYY = re.compile(r"[0-9]{8}")
_YEAR = re.compile(r"(19|20)[0-9]{2}")
_OLD_ID = re.compile(r"[0-9]{9}|[0-9]{12}|")      # the old ID card number (CMND) field, maybe empty
_SEX = {"nam": "male", "nữ": "female", "nu": "female"}


@dataclass(slots=True)
class ScanResult:
    kind: str | None  # "qr" | "mrz" | None
    fields: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    #: Fields the scan could not fill although it was read (a birth year alone): the rest was
    #: filled; these need a look (``scan.birth_year_only``).
    review: list[Issue] = field(default_factory=list)


def _malformed(kind: str | None) -> ScanResult:
    return ScanResult(kind, {}, [Issue("scan", "scan.malformed")])


def _ddmmyyyy(s: str) -> date | None:
    if not _DDMMYYYY.fullmatch(s):
        return None
    try:
        return date(int(s[4:]), int(s[2:4]), int(s[:2]))
    except ValueError:
        return None


def _qr_layout(parts: list[str]) -> list[str] | None:
    """The seven fields (ID, old ID, name, birth, sex, address, issue date) of the layouts seen in
    the wild, or None: the 7-field layout (old-ID field possibly empty) with extra trailing fields
    of newer cards ignored, and a 6-field layout without the old-ID field (its second field is the
    name, not digits). Empty trailing fields (a trailing '|') are dropped first."""
    while parts and parts[-1] == "":
        parts = parts[:-1]
    if len(parts) >= _QR_PARTS and _OLD_ID.fullmatch(parts[1]):
        return parts[:_QR_PARTS]
    if len(parts) >= _QR_PARTS - 1 and not _OLD_ID.fullmatch(parts[1]):
        return [parts[0], ""] + parts[1:_QR_PARTS - 1]
    return None


def _parse_qr(text: str) -> ScanResult:
    """A chip ID card QR. Everything must read (a misread scan is scanned again), except a birth date
    given as a year only (older people's cards): the rest is filled and the birth date is marked
    for a look (``scan.birth_year_only``)."""
    layout = _qr_layout([p.strip() for p in text.split("|")])
    if layout is None:
        return _malformed("qr")
    id_number, _old_cmnd, name, birth, sex, address, issued = layout
    dob = _ddmmyyyy(birth)
    year_only = dob is None and _YEAR.fullmatch(birth) is not None
    full_name = normalize_full_name(name)
    sex_value = _SEX.get(sex.casefold())
    if (
        not _DIGITS12.fullmatch(id_number)
        or not full_name
        or (dob is None and not year_only)
        or sex_value is None
        or _ddmmyyyy(issued) is None
    ):
        return _malformed("qr")
    fields = {"id_number": id_number, "full_name": full_name, "sex": sex_value, "nationality": VIETNAM}
    review: list[Issue] = []
    if dob is not None:
        fields["date_of_birth"] = dob
    else:
        review.append(Issue("date_of_birth", "scan.birth_year_only"))
    fields["document_kind"] = document_kind_from_issue_date(_ddmmyyyy(issued))
    address = " ".join(address.split())
    if address:
        fields["permanent_address"] = address
    return ScanResult("qr", fields, [], review)


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
        # the UN's and the EU's laissez-passer are travel documents, not passports
        "type": "travel_document" if data.nationality in LAISSEZ_PASSER else "passport",
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
    text = unicodedata.normalize("NFC", text).lstrip("\ufeff").strip()   # some scanners send a BOM
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
