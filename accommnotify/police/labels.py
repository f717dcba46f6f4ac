"""Words, not codes, for what an officer reads (issue 11 item 2): reason, document and visa kinds,
events, categories, sex, nationality (country names from Babel's CLDR data, in the page's language)
and the audit log as sentences. Each function takes a code and gives the label in the request's
language (police catalog); an unknown code is shown as it is. The CSV keeps the codes and adds these
labels beside them."""
from __future__ import annotations

import json
from functools import lru_cache

import pycountry
from babel import Locale
from flask_babel import get_locale

from ..timeutil import fmt_date, fmt_time
from .i18n import _


def N_(msgid: str) -> str:
    return msgid


EVENTS = {"arrival": N_("Arrival"), "amendment": N_("Amendment"), "departure": N_("Departure"),
          "cancellation": N_("Cancellation")}
CATEGORIES = {"residence": N_("Citizen (residence)"), "foreigner": N_("Foreigner")}
REASONS = {"tourism": N_("Tourism"), "business": N_("Business trip"), "family_visit": N_("Family visit"),
           "medical_treatment": N_("Medical treatment"), "caregiving": N_("Caring for a patient"),
           "study": N_("Study"), "work": N_("Work"), "other": N_("Other")}
SEXES = {"male": N_("Male"), "female": N_("Female")}
DOCUMENT_TYPES = {"passport": N_("Passport"), "travel_document": N_("Travel document")}
VISA_KINDS = {"visa": N_("Visa"), "e_visa": N_("E-visa"), "visa_exempt": N_("Visa exemption"),
              "temporary_residence_card": N_("Temporary residence card"),
              "permanent_residence_card": N_("Permanent residence card"), "abtc": N_("APEC business travel card")}
# ICAO 9303 codes that are not ISO 3166 countries (rules/nationality.py accepts them)
SPECIAL_NATIONALITIES = {
    "XXA": N_("Stateless person"), "XXB": N_("Refugee (1951 Convention)"), "XXC": N_("Refugee (other)"),
    "XXX": N_("Nationality unspecified"), "UNO": N_("United Nations"), "UNA": N_("United Nations agency"),
    "UNK": N_("UN interim administration in Kosovo"), "XOM": N_("Sovereign Military Order of Malta"),
    "EUE": N_("European Union"), "RKS": N_("Kosovo"),
}


def _label(table: dict, code) -> str:
    if not code:
        return ""
    msgid = table.get(code)
    return _(msgid) if msgid else str(code)


def event_label(code) -> str:
    return _label(EVENTS, code)


def category_label(code) -> str:
    return _label(CATEGORIES, code)


def reason_label(code) -> str:
    return _label(REASONS, code)


def sex_label(code) -> str:
    return _label(SEXES, code)


def document_label(code) -> str:
    return _label(DOCUMENT_TYPES, code)


def visa_label(code) -> str:
    return _label(VISA_KINDS, code)


def _lang() -> str:
    return "en" if str(get_locale() or "vi") == "en" else "vi"


@lru_cache(maxsize=4)
def _countries(lang: str) -> dict[str, str]:
    """alpha-3 -> the country's name in `lang` (CLDR through Babel; pycountry's English name if CLDR
    has none)."""
    territories = Locale.parse(lang).territories
    return {c.alpha_3: territories.get(c.alpha_2) or c.name for c in pycountry.countries}


def nationality_label(code) -> str:
    if not code:
        return ""
    if code in SPECIAL_NATIONALITIES:
        return _(SPECIAL_NATIONALITIES[code])
    return _countries(_lang()).get(code, code)


# --- the audit log as sentences -----------------------------------------------------------------

def _filters(entry) -> dict:
    try:
        data = json.loads(entry.filters) if entry.filters else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _filter_words(data: dict) -> list[str]:
    words = []
    start, end = data.get("date_from"), data.get("date_to")
    if start and start == end:
        words.append(_("received %(day)s", day=fmt_date(start)))
    elif start or end:
        words.append(_("received %(start)s – %(end)s", start=fmt_date(start) if start else "…",
                       end=fmt_date(end) if end else "…"))
    elif data.get("q"):
        words.append(_("all dates"))
    if data.get("facility"):
        words.append(_("facility %(code)s", code=data["facility"]))
    if data.get("category"):
        words.append(category_label(data["category"]))
    if data.get("event"):
        words.append(event_label(data["event"]))
    if data.get("late"):
        words.append(_("late only"))
    if data.get("unack"):
        words.append(_("unacknowledged only"))
    if isinstance(data.get("page"), int) and data["page"] > 1:
        words.append(_("page %(page)s", page=data["page"]))
    return words


def audit_sentence(entry) -> str:
    """"demo-police searched by name “nguyen van an”, 3 results (all dates)" — what an entry says, in
    the page's language. The search text is shown: knowing who looked for whom is what the log is for."""
    data = _filters(entry)
    who, n, action = entry.username, entry.row_count, entry.action
    if action in ("search", "api_list") and data.get("q"):
        kind = data.get("search")
        if kind == "number":
            text = _("%(who)s searched by ID / passport number “%(q)s”, %(n)s result(s)", who=who, q=data["q"], n=n)
        else:
            text = _("%(who)s searched by name “%(q)s”, %(n)s result(s)", who=who, q=data["q"], n=n)
    elif action == "list":
        text = _("%(who)s viewed the inbox, %(n)s notification(s)", who=who, n=n)
    elif action == "detail":
        text = _("%(who)s opened a notification", who=who)
    elif action == "export":
        text = _("%(who)s exported a CSV file, %(n)s row(s)", who=who, n=n)
    elif action == "late":
        text = _("%(who)s viewed the late notifications, %(n)s shown", who=who, n=n)
    elif action == "acknowledge":
        text = _("%(who)s acknowledged %(n)s notification(s)", who=who, n=n)
    elif action == "api_list":
        text = _("%(who)s fetched notifications, %(n)s returned", who=who, n=n)
    elif action == "api_detail":
        text = _("%(who)s fetched one notification", who=who)
    else:
        text = f"{who}: {action}, {n}"
    words = _filter_words(data)
    if entry.via == "api":
        words.insert(0, _("through the API"))
    return text + (" (" + ", ".join(words) + ")" if words else "")


AUDIT_ACTIONS = {"list": N_("Inbox views"), "search": N_("Searches"), "detail": N_("Notifications opened"),
                 "export": N_("CSV exports"), "late": N_("Late list views"), "acknowledge": N_("Acknowledgements"),
                 "api_list": N_("API: lists and searches"), "api_detail": N_("API: one notification")}


def audit_action_label(code) -> str:
    return _label(AUDIT_ACTIONS, code)


# --- what an amendment changed ------------------------------------------------------------------

def _text(value) -> str:
    return "" if value is None else str(value)


CHANGE_FIELDS = (
    (N_("Full name"), "full_name", _text),
    (N_("Date of birth"), "date_of_birth", fmt_date),
    (N_("Sex"), "sex", sex_label),
    (N_("Nationality"), "nationality", nationality_label),
    (N_("ID number"), "id_number", _text),
    (N_("Document type"), "document_type", document_label),
    (N_("Document number"), "document_number", _text),
    (N_("Visa"), "visa_kind", visa_label),
    (N_("Visa number"), "visa_number", _text),
    (N_("Visa valid until"), "visa_valid_until", fmt_date),
    (N_("Entry date"), "entry_date", fmt_date),
    (N_("Room"), "room", _text),
    (N_("Arrived"), "arrived_at", fmt_time),
    (N_("Expected departure"), "expected_departure", fmt_time),
    (N_("Departed"), "departed_at", fmt_time),
    (N_("Reason"), "reason", reason_label),
)


def amendment_changes(before, after) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each field that differs, as people read them."""
    out = []
    for label, attr, show in CHANGE_FIELDS:
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            out.append((_(label), show(old), show(new)))
    return out


HELPERS = {f.__name__: f for f in (event_label, category_label, reason_label, sex_label, document_label,
                                   visa_label, nationality_label, audit_sentence, audit_action_label,
                                   amendment_changes)}
