"""The current (1 July 2025) administrative map: 34 provinces, 3,321 communes/wards.

Codes are strings: province 2 digits ("01", "40"), ward 5 digits ("00070", "16681").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from vietnam_provinces import Province, Ward

from .issues import Issue

PROVINCE_NAMES: dict[str, str] = {f"{p.code.value:02d}": p.name for p in Province.iter_all()}
WARD_NAMES: dict[str, str] = {}
WARD_PROVINCE: dict[str, str] = {}
for _w in Ward.iter_all():
    _code = f"{_w.code.value:05d}"
    WARD_NAMES[_code] = _w.name
    WARD_PROVINCE[_code] = f"{_w.province_code.value:02d}"
del _w, _code


def province_exists(code: object) -> bool:
    return isinstance(code, str) and code in PROVINCE_NAMES


def ward_exists(code: object) -> bool:
    return isinstance(code, str) and code in WARD_NAMES


def ward_province(ward_code: object) -> str | None:
    return WARD_PROVINCE.get(ward_code) if isinstance(ward_code, str) else None


def ward_name(code: object) -> str | None:
    return WARD_NAMES.get(code) if isinstance(code, str) else None


def province_name(code: object) -> str | None:
    return PROVINCE_NAMES.get(code) if isinstance(code, str) else None


#: The highest ward code of the map before 1 July 2025 (Cà Mau's last commune). The 2025 wards
#: reuse codes of that map, so a 5-digit code up to here that is not a ward today was most likely
#: a ward before the mergers.
LAST_PRE_2025_WARD = 32248


#: Pre-2025 ward code -> the 2025 ward code(s) it went into, the main one first: a data file shipped
#: with the project (built by tools/build_ward_conversion.py from the MIT-licensed vietnamadminunits
#: 1.0.4, its new wards matched to vietnam-provinces; licence beside it). vietnam-provinces' own
#: table ships only in its releases for Python >= 3.12 and is GPL-3.0.
CONVERSION_FILE = Path(__file__).with_name("data") / "ward_conversion_2025.csv"


@lru_cache(maxsize=1)
def _conversion() -> dict[str, tuple[str, ...]]:
    table = {}
    for line in CONVERSION_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            old, new = line.split(",", 1)
            table[old] = tuple(new.split())
    return table


def replacement_wards(old_code: object) -> list[str] | None:
    """Codes of the 2025 wards that a pre-2025 ward code went into, or None where the data does not
    know (the code is not in the table, or is a ward of today's map)."""
    if not isinstance(old_code, str) or old_code in WARD_NAMES:
        return None
    codes = [c for c in _conversion().get(old_code, ()) if c in WARD_NAMES]
    return codes or None


def _unknown_ward(ward_code: str) -> Issue:
    """`ward.replaced` (an old code; the data names the ward(s) that replaced it), `ward.pre_2025`
    (looks like a code of the old map) or `ward.unknown`."""
    new = replacement_wards(ward_code)
    if new:
        names = ", ".join(f"{WARD_NAMES[c]} ({c}, {PROVINCE_NAMES[WARD_PROVINCE[c]]})" for c in new)
        return Issue("ward_code", "ward.replaced", {"replaced_by": names})
    if len(ward_code) == 5 and ward_code.isascii() and ward_code.isdigit() and 0 < int(ward_code) <= LAST_PRE_2025_WARD:
        return Issue("ward_code", "ward.pre_2025")
    return Issue("ward_code", "ward.unknown")


def check_location(ward_code: str | None, province_code: str | None) -> list[Issue]:
    """A ward of the current map that belongs to the given province.

    ``province_code=None`` means "not given" (derive it with :func:`ward_province`); a missing
    ``ward_code`` is ``required``. A ward code not on the current map is ``ward.replaced``
    (an old code, with the 2025 ward(s) that replaced it where the data knows),
    ``ward.pre_2025`` (in the old map's range) or ``ward.unknown``.
    """
    issues: list[Issue] = []
    if ward_code is None or ward_code == "":
        issues.append(Issue("ward_code", "required"))
        ward_ok = False
    else:
        ward_ok = ward_exists(ward_code)
        if not ward_ok:
            issues.append(_unknown_ward(ward_code))
    if province_code is None:
        return issues
    if not province_exists(province_code):
        issues.append(Issue("province_code", "province.unknown"))
    elif ward_ok and WARD_PROVINCE[ward_code] != province_code:
        issues.append(Issue("ward_code", "ward.province_mismatch"))
    return issues
