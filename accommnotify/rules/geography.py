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


def check_location(ward_code: str | None, province_code: str | None) -> list[Issue]:
    """A ward of the current map that belongs to the given province.

    ``province_code=None`` means "not given" (derive it with :func:`ward_province`); a missing
    ``ward_code`` is ``required``.
    """
    issues: list[Issue] = []
    if ward_code is None or ward_code == "":
        issues.append(Issue("ward_code", "required"))
        ward_ok = False
    else:
        ward_ok = ward_exists(ward_code)
        if not ward_ok:
            issues.append(Issue("ward_code", "ward.unknown"))
    if province_code is None:
        return issues
    if not province_exists(province_code):
        issues.append(Issue("province_code", "province.unknown"))
    elif ward_ok and WARD_PROVINCE[ward_code] != province_code:
        issues.append(Issue("ward_code", "ward.province_mismatch"))
    return issues
