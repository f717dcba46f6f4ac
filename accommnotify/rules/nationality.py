"""Nationality codes: ISO 3166-1 alpha-3 plus the ICAO codes for stateless persons/refugees."""

from __future__ import annotations

import pycountry

VIETNAM = "VNM"

#: ICAO 9303 codes for a stateless person (XXA), refugees (XXB, XXC) and unspecified (XXX).
ICAO_SPECIAL = frozenset({"XXA", "XXB", "XXC", "XXX"})

#: ICAO 9303 codes of issuers that are not ISO 3166 states, written in the nationality field of
#: their travel documents: the United Nations (UNO), its specialised agencies (UNA), its
#: administration in Kosovo (UNK), the Sovereign Military Order of Malta (XOM), the EU
#: laissez-passer (EUE) and Kosovo (RKS).
ICAO_ISSUERS = frozenset({"UNO", "UNA", "UNK", "XOM", "EUE", "RKS"})

KNOWN_NATIONALITIES: frozenset[str] = (
    frozenset(c.alpha_3 for c in pycountry.countries) | ICAO_SPECIAL | ICAO_ISSUERS
)

#: MRZ nationality / issuing-state codes that are not ISO alpha-3 codes.
_ICAO_TO_ALPHA3: dict[str, str] = {
    "D": "DEU",  # Germany writes "D<<"
    "GBD": "GBR",  # British Overseas Territories Citizen
    "GBN": "GBR",  # British National (Overseas)
    "GBO": "GBR",  # British Overseas Citizen
    "GBP": "GBR",  # British Protected Person
    "GBS": "GBR",  # British Subject
}


def is_known_nationality(code: object) -> bool:
    return isinstance(code, str) and code in KNOWN_NATIONALITIES


def icao_to_alpha3(code: str) -> str:
    """Map an MRZ code (``"D<<"``, ``"GBN"``, ``"UTO"``...) to alpha-3. Others are kept as they
    are (``UNO``/``UNA``/``UNK``, ``EUE``, the specimen state ``UTO``)."""
    c = code.replace("<", "").strip().upper()
    return _ICAO_TO_ALPHA3.get(c, c)
