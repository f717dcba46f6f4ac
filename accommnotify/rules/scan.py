"""Parse what a USB scanner types into the facility form: a chip ID card QR or a passport MRZ.

A malformed or cut-off scan fills nothing; an empty value is never put into ``fields`` (a scan
must never overwrite a typed field with an empty value). A recognised ID-card QR whose name, birth
date or sex cannot be read (a birth year alone, on older people's cards) fills the rest and lists
those fields in ``review``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

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
    #: What was filled only in part or could not be read although the scan was recognised: the
    #: fields were filled where readable; these need a look (``scan.check``, ``scan.birth_year_only``).
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
    """A chip ID card QR. The 12-digit ID and a readable issue date (the last field: the scan is
    whole) are required, else nothing is filled; a name, birth date or sex that cannot be read is
    left empty and marked for a look, the rest is filled."""
    layout = _qr_layout([p.strip() for p in text.split("|")])
    if layout is None:
        return _malformed("qr")
    id_number, _old_cmnd, name, birth, sex, address, issued = layout
    if not _DIGITS12.fullmatch(id_number) or _ddmmyyyy(issued) is None:
        return _malformed("qr")
    fields = {"id_number": id_number, "nationality": VIETNAM}
    review: list[Issue] = []
    full_name = normalize_full_name(name)
    if full_name:
        fields["full_name"] = full_name
    else:
        review.append(Issue("full_name", "scan.check", {"part": "full_name"}))
    dob = _ddmmyyyy(birth)
    if dob is not None:
        fields["date_of_birth"] = dob
    elif _YEAR.fullmatch(birth):
        review.append(Issue("date_of_birth", "scan.birth_year_only"))   # older people's cards
    else:
        review.append(Issue("date_of_birth", "scan.check", {"part": "date_of_birth"}))
    sex_value = _SEX.get(sex.casefold())
    if sex_value is not None:
        fields["sex"] = sex_value
    else:
        review.append(Issue("sex", "scan.check", {"part": "sex"}))
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
