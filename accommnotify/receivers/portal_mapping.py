"""The one mapping table from the product's vocabularies to the portal template's list codes.

Each entry names the template's **code** (the part before `` - ``); the exact cell text is
always copied from the template's list at start-up, never composed. Where the public facts give
no code (reasons ``medical_treatment`` and ``caregiving``, document kind ``other``), the entry
names words of the label instead, and the one entry of the list whose label contains them is used.

:func:`resolve` builds, for one loaded template, the lookup the writer uses and the list of
values the template does not list (the receiver raises a start-up alert naming them).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pycountry

from ..rules.guest import CITIZEN_DOCUMENT_KINDS, SEXES
from ..rules.stay import REASONS

__all__ = ["MAPPING", "DOCUMENT_KINDS", "RESIDENCE", "Resolved", "resolve", "nationality_codes"]

#: Citizens' document kinds (issue 9 §4). The portal file uses them for column F.
DOCUMENT_KINDS = CITIZEN_DOCUMENT_KINDS
#: Current residence (column J): we know only a permanent address.
RESIDENCE = ("permanent",)

# value -> ("code", X) or ("label", words)
MAPPING: dict[str, dict[str, tuple[str, str]]] = {
    "sex": {"male": ("code", "M"), "female": ("code", "F")},
    "document_kind": {"cccd": ("code", "1"), "can_cuoc": ("code", "8"), "passport": ("code", "4"),
                      "other": ("label", "khác")},
    "reason": {"tourism": ("code", "1"), "business": ("code", "2"), "study": ("code", "3"),
               "family_visit": ("code", "4"), "work": ("code", "19"), "other": ("code", "20"),
               "medical_treatment": ("label", "chữa bệnh"), "caregiving": ("label", "chăm sóc")},
    "residence": {"permanent": ("code", "1")},
    # nationality: our ISO 3166-1 alpha-3 (and ICAO XXA/XXB/XXC/XXX) code is the template's code
}

_ICAO = ("XXA", "XXB", "XXC", "XXX")

#: NHẬP LÝ DO when a reason the template does not list is declared as "Mục đích khác".
REASON_WORDS_VI = {"tourism": "Du lịch", "business": "Công tác", "family_visit": "Thăm viếng",
                   "medical_treatment": "Khám, chữa bệnh", "caregiving": "Chăm sóc người bệnh", "study": "Học tập",
                   "work": "Lao động", "other": "Mục đích khác"}


def nationality_codes() -> list[str]:
    """Every nationality value the product accepts (SPEC §3)."""
    return sorted({c.alpha_3 for c in pycountry.countries} | set(_ICAO))


@dataclass
class Resolved:
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # list -> our value -> exact cell text
    missing: dict[str, list[str]] = field(default_factory=dict)     # list -> our values it lacks

    def alert(self) -> str | None:
        if not self.missing:
            return None
        parts = [f"{name}: {', '.join(vals)}"
                 for name, vals in sorted(self.missing.items())]
        return "the portal template does not list these values (rows with them wait): " + "; ".join(parts)


def resolve(template, lists=("sex", "document_kind", "reason", "residence", "nationality")) -> Resolved:
    out = Resolved()
    for name in lists:
        table = out.values.setdefault(name, {})
        if name == "nationality":
            entries = {c: c for c in nationality_codes()}
            rules = {c: ("code", c) for c in entries}
        else:
            rules = MAPPING[name]
        for value, (how, key) in rules.items():
            text = template.by_code.get(name, {}).get(key) if how == "code" else template.find_label(name, key)
            if text is None:
                out.missing.setdefault(name, []).append(value)
            else:
                table[value] = text
    return out


# The vocabularies the mapping must cover (a test checks MAPPING against them).
VOCABULARIES = {"sex": SEXES, "reason": REASONS, "document_kind": DOCUMENT_KINDS, "residence": RESIDENCE}
