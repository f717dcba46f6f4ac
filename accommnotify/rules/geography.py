"""The current (1 July 2025) administrative map: 34 provinces, 3,321 communes/wards.

Codes are strings: province 2 digits ("01", "40"), ward 5 digits ("00070", "16681").
"""

from __future__ import annotations

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


def _conversion_lookup():
    """vietnam-provinces' 2025 conversion table (old ward -> the new ward(s) it went into), where
    the installed release has one (its releases for Python >= 3.12 do; 2025.10.1 does not)."""
    try:
        from vietnam_provinces._ward_conversion_2025 import find_new_wards
    except ImportError:
        return None
    return find_new_wards


_find_new_wards = _conversion_lookup()


def replacement_wards(old_code: object) -> list[str] | None:
    """Codes of the 2025 wards that a pre-2025 ward code went into, or None where the data does not
    know (no conversion table installed, or the code is not in it)."""
    if _find_new_wards is None or not isinstance(old_code, str) or not (old_code.isascii() and old_code.isdigit()):
        return None
    try:
        entry = _find_new_wards(int(old_code))
    except (LookupError, ValueError):
        return None
    if not entry:
        return None
    codes = [f"{w.code:05d}" for w in entry.new_wards if f"{w.code:05d}" in WARD_NAMES]
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
