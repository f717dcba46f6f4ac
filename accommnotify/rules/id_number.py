"""The 12-digit personal identification number (số định danh cá nhân) of SPEC §3.

Layout: ``PPP S YY RRRRRR``

* ``PPP`` - code of the province where the birth was registered, on the OLD (pre-2025) map of
  63 provinces, or 101-295 for a birth registered abroad. Never checked against today's map.
* ``S``   - sex and century: 0/1 male/female 1900-1999, 2/3 2000-2099, ... 8/9 2300-2399.
* ``YY``  - last two digits of the birth year.
* ``RRRRRR`` - random. There is no check digit.

A 9-digit number is an old ID card (CMND), invalid since 1 January 2025.
"""

from __future__ import annotations

import re
from datetime import date

from .issues import Issue

FIELD = "id_number"

#: Pre-2025 province codes used as the first three digits (code -> old province name).
OLD_PROVINCE_PREFIXES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa–Vũng Tàu",
    "079": "TP Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

#: Prefixes for a birth registered abroad.
ABROAD_PREFIXES: frozenset[str] = frozenset(f"{n:03d}" for n in range(101, 296))

#: Every accepted three-digit prefix.
VALID_PREFIXES: frozenset[str] = frozenset(OLD_PROVINCE_PREFIXES) | ABROAD_PREFIXES

_TWELVE = re.compile(r"[0-9]{12}")
_NINE = re.compile(r"[0-9]{9}")
_SEXES = ("male", "female")


def century_digit(sex: str, year: int) -> int:
    """The fourth digit for ``sex`` ("male"/"female") and birth ``year`` (1900-2399)."""
    if sex not in _SEXES:
        raise ValueError("sex must be 'male' or 'female'")
    if not 1900 <= year <= 2399:
        raise ValueError("birth year must be between 1900 and 2399")
    return (year - 1900) // 100 * 2 + (1 if sex == "female" else 0)


def decode_century_digit(digit: int) -> tuple[str, int]:
    """``(sex, first year of the century)`` for a fourth digit 0-9."""
    return ("female" if digit % 2 else "male"), 1900 + (digit // 2) * 100


def make_id_number(prefix: str, sex: str, date_of_birth: date, tail: str = "000001") -> str:
    """Build a valid number (for tests, benchmarks and demo data).

    Raises ``ValueError`` for an unusable prefix, sex, year or tail.
    """
    if prefix not in VALID_PREFIXES:
        raise ValueError("unknown prefix")
    if not (len(tail) == 6 and tail.isascii() and tail.isdigit()):
        raise ValueError("tail must be 6 digits")
    digit = century_digit(sex, date_of_birth.year)
    return f"{prefix}{digit}{date_of_birth.year % 100:02d}{tail}"


def check_id_number(number: str, date_of_birth: date | None, sex: str | None) -> list[Issue]:
    """Check a citizen's personal identification number against the person's data.

    ``date_of_birth`` and ``sex`` may be ``None`` (then those cross-checks are skipped).
    Codes: ``id_number.legacy_cmnd``, ``id_number.format``, ``id_number.unknown_prefix``,
    ``id_number.sex_century_mismatch``, ``id_number.birth_year_mismatch``.
    """
    if not isinstance(number, str) or not _TWELVE.fullmatch(number):
        if isinstance(number, str) and _NINE.fullmatch(number):
            return [Issue(FIELD, "id_number.legacy_cmnd")]
        return [Issue(FIELD, "id_number.format", {"length": 12})]

    issues: list[Issue] = []
    if number[:3] not in VALID_PREFIXES:
        issues.append(Issue(FIELD, "id_number.unknown_prefix"))

    digit_sex, century = decode_century_digit(ord(number[3]) - 48)
    if (sex in _SEXES and sex != digit_sex) or (
        date_of_birth is not None and not century <= date_of_birth.year < century + 100
    ):
        issues.append(Issue(FIELD, "id_number.sex_century_mismatch"))

    if date_of_birth is not None and int(number[4:6]) != date_of_birth.year % 100:
        issues.append(Issue(FIELD, "id_number.birth_year_mismatch"))
    return issues
