"""Rules for one person of a stay (SPEC §3 "Person"). Field paths are relative to the guest."""

from __future__ import annotations

import re
from datetime import date

from .id_number import check_id_number
from .issues import Issue
from .mrz import check_mrz_against
from .nationality import VIETNAM, is_known_nationality
from .person_name import check_full_name

MAX_AGE = 130
EARLIEST_BIRTH = date(1900, 1, 1)  # ID numbers start with the births of 1900 (SPEC §3)

SEXES = ("male", "female")
DOCUMENT_TYPES = ("passport", "travel_document")
#: Which card a citizen showed (issue 9 §4): the chip CCCD, the identity card issued from
#: 1 July 2024 (Thẻ Căn Cước), a passport, or another document (then named).
CITIZEN_DOCUMENT_KINDS = ("cccd", "can_cuoc", "passport", "other")
CAN_CUOC_SINCE = date(2024, 7, 1)


def document_kind_from_issue_date(issued: date) -> str:
    """The chip card's QR code does not name the card; its issue date does."""
    return "can_cuoc" if issued >= CAN_CUOC_SINCE else "cccd"

VISA_KINDS = (
    "visa",
    "e_visa",
    "visa_exempt",
    "temporary_residence_card",
    "permanent_residence_card",
    "abtc",
)
VISA_EXEMPT = "visa_exempt"

DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]{5,20}")


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years of age on the day ``on``."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def _document_number_ok(value: object) -> bool:
    return isinstance(value, str) and DOCUMENT_NUMBER.fullmatch(value) is not None


def check_guest(guest: dict, arrival_date: date, today: date, warnings: list[Issue] | None = None) -> list[Issue]:
    """Check one guest (already typed by the schema); returns the errors, and appends warnings
    (accepted, shown to the facility: ``document.expired``) to ``warnings`` when given.

    Does not emit ``id_number.required``: that needs the whole stay (see ``stay.check_stay``).
    """
    issues: list[Issue] = []
    get = guest.get

    issues += check_full_name(get("full_name") or "")

    dob = get("date_of_birth")
    if not isinstance(dob, date):
        issues.append(Issue("date_of_birth", "required"))
        dob = None
    elif dob > today:
        issues.append(Issue("date_of_birth", "date_of_birth.in_future"))
    elif age_on(dob, today) > MAX_AGE:
        issues.append(Issue("date_of_birth", "date_of_birth.implausible", {"max": MAX_AGE}))
    elif dob < EARLIEST_BIRTH:
        issues.append(Issue("date_of_birth", "date_of_birth.too_early", {"min": EARLIEST_BIRTH.year}))

    sex = get("sex")
    if not sex:
        issues.append(Issue("sex", "required"))
    elif sex not in SEXES:
        issues.append(Issue("sex", "choice", {"choices": SEXES}))

    nationality = get("nationality")
    if not nationality:
        issues.append(Issue("nationality", "required"))
        return issues  # citizen or foreigner rules cannot be chosen
    if not is_known_nationality(nationality):
        issues.append(Issue("nationality", "nationality.unknown"))

    if nationality == VIETNAM:
        id_number = get("id_number")
        if id_number:
            issues += check_id_number(id_number, dob, sex if sex in SEXES else None)
        passport_number = get("passport_number")
        if passport_number and not _document_number_ok(passport_number):
            issues.append(Issue("passport_number", "document.format"))
        issues += _check_document_kind(get("document_kind"), get("document_name"), id_number, passport_number)
        return issues

    # Foreigner
    if get("id_number"):
        issues.append(Issue("id_number", "id_number.not_applicable"))
    if get("document_kind") or get("document_name"):
        issues.append(Issue("document_kind", "document_kind.not_applicable"))

    document = get("document")
    if not document:
        issues.append(Issue("document", "document.required"))
    else:
        dtype = document.get("type")
        if not dtype:
            issues.append(Issue("document.type", "required"))
        elif dtype not in DOCUMENT_TYPES:
            issues.append(Issue("document.type", "choice", {"choices": DOCUMENT_TYPES}))
        number = document.get("number")
        if not number:
            issues.append(Issue("document.number", "required"))
        elif not _document_number_ok(number):
            issues.append(Issue("document.number", "document.format"))
        mrz = document.get("mrz")
        if mrz:
            issues += check_mrz_against(mrz, number or "", dob, sex, nationality,
                                        arrival_date=arrival_date, warnings=warnings)

    visa = get("visa")
    if not visa:
        issues.append(Issue("visa", "visa.required"))
    else:
        kind = visa.get("kind")
        if not kind:
            issues.append(Issue("visa.kind", "required"))
        elif kind not in VISA_KINDS:
            issues.append(Issue("visa.kind", "choice", {"choices": VISA_KINDS}))
        valid_until = visa.get("valid_until")
        if valid_until is None:
            if kind != VISA_EXEMPT:
                issues.append(Issue("visa.valid_until", "visa.required"))
        elif valid_until < arrival_date:
            issues.append(Issue("visa.valid_until", "visa.expired"))

    entry_date = get("entry_date")
    if entry_date is None:
        issues.append(Issue("entry_date", "required"))
    elif entry_date > arrival_date:
        issues.append(Issue("entry_date", "entry_date.after_arrival"))
    return issues


def _check_document_kind(kind, name, id_number, passport_number) -> list[Issue]:
    if kind is None:
        return [Issue("document_name", "document_kind.name_without_other")] if name else []
    if kind not in CITIZEN_DOCUMENT_KINDS:
        return [Issue("document_kind", "choice", {"choices": CITIZEN_DOCUMENT_KINDS})]
    if kind in ("cccd", "can_cuoc") and not id_number:
        return [Issue("document_kind", "document_kind.mismatch")]
    if kind == "passport" and not passport_number:
        return [Issue("document_kind", "document_kind.mismatch")]
    if kind == "other" and not name:
        return [Issue("document_name", "required")]
    if kind != "other" and name:
        return [Issue("document_name", "document_kind.name_without_other")]
    return []
