"""TD3 (passport) machine-readable zone: two lines of 44 characters (ICAO 9303 part 4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from .deadlines import VN_TZ
from .issues import Issue
from .nationality import icao_to_alpha3

LINE_LENGTH = 44
FIELD = "document.mrz"

_WEIGHTS = (7, 3, 1)
_VALUES: dict[str, int] = {"<": 0}
_VALUES.update({str(d): d for d in range(10)})
_VALUES.update({chr(ord("A") + i): 10 + i for i in range(26)})

_LINE1 = re.compile(r"P[A-Z<][A-Z<]{3}[A-Z<]{39}")
_LINE2 = re.compile(
    r"[A-Z0-9<]{9}[0-9][A-Z<]{3}[0-9]{6}[0-9][MFX<][0-9]{6}[0-9][A-Z0-9<]{14}[0-9<][0-9]"
)
_SEX = {"M": "male", "F": "female"}


def mrz_check_digit(s: str) -> str:
    """ICAO 9303 check digit of ``s`` (weights 7, 3, 1; '<' = 0, A = 10 ... Z = 35)."""
    total = 0
    for i, ch in enumerate(s):
        total += _VALUES[ch] * _WEIGHTS[i % 3]
    return str(total % 10)


@dataclass(frozen=True, slots=True)
class MrzData:
    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    full_name: str
    document_number: str
    nationality: str
    birth_yymmdd: str
    birth_date: date
    sex: str | None
    expiry_date: date


def split_td3(text: str) -> tuple[str, str] | None:
    """The two lines of a TD3 MRZ typed as two lines (``\\n``/``\\r\\n``), separated by white
    space, or 88 characters run together; surrounding white space tolerated. Upper-cased."""
    if not isinstance(text, str):
        return None
    parts = text.upper().split()
    if len(parts) == 2 and len(parts[0]) == LINE_LENGTH and len(parts[1]) == LINE_LENGTH:
        return parts[0], parts[1]
    if len(parts) == 1 and len(parts[0]) == 2 * LINE_LENGTH:
        return parts[0][:LINE_LENGTH], parts[0][LINE_LENGTH:]
    return None


def _ymd(yymmdd: str, century: int) -> date | None:
    try:
        return date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None


def _birth_date(yymmdd: str, today: date) -> date | None:
    """The latest date with these digits that is not in the future."""
    for century in (2000, 1900):
        d = _ymd(yymmdd, century)
        if d is not None and d <= today:
            return d
    # 29 February of a year that is a leap year in one century only, or still in the future
    return None


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    surname = " ".join(surname.replace("<", " ").split())
    given = " ".join(given.replace("<", " ").split())
    return surname, given


def parse_td3(
    line1: str, line2: str, *, today: date | None = None, field: str = "mrz"
) -> tuple[MrzData | None, list[Issue]]:
    """Parse and verify a TD3 MRZ.

    Returns ``(None, [mrz.format])`` when the lines cannot be read; otherwise the data and a
    (possibly empty) list of ``mrz.check_digit`` issues (``params["part"]`` names the field).
    ``today`` (default: today in Vietnam) resolves the century of the birth date.
    """
    if not isinstance(line1, str) or not isinstance(line2, str):
        return None, [Issue(field, "mrz.format")]
    line1, line2 = line1.strip().upper(), line2.strip().upper()
    if not _LINE1.fullmatch(line1) or not _LINE2.fullmatch(line2):
        return None, [Issue(field, "mrz.format")]
    surname, given = _names(line1[5:])
    if not surname:
        return None, [Issue(field, "mrz.format")]
    if today is None:
        today = datetime.now(VN_TZ).date()
    birth = line2[13:19]
    expiry = _ymd(line2[21:27], 2000)
    # A person is born before their passport expires: born "250315" with a passport that expired in
    # 2020 is 1925, not 2025.
    birth_date = _birth_date(birth, min(today, expiry) if expiry is not None else today)
    if birth_date is None or expiry is None:
        return None, [Issue(field, "mrz.format")]

    issues: list[Issue] = []
    personal = line2[28:42]
    checks = (
        ("document_number", line2[0:9], line2[9]),
        ("birth_date", birth, line2[19]),
        ("expiry_date", line2[21:27], line2[27]),
        ("personal_number", personal, line2[42]),
        ("composite", line2[0:10] + line2[13:20] + line2[21:43], line2[43]),
    )
    for part, data, digit in checks:
        if part == "personal_number" and digit == "<" and personal == "<" * 14:
            continue  # an empty optional field may have '<' as its check digit
        if mrz_check_digit(data) != digit:
            issues.append(Issue(field, "mrz.check_digit", {"part": part}))

    mrz = MrzData(
        document_type=line1[0:2].replace("<", ""),
        issuing_state=icao_to_alpha3(line1[2:5]),
        surname=surname,
        given_names=given,
        full_name=f"{surname} {given}" if given else surname,
        document_number=line2[0:9].replace("<", ""),
        nationality=icao_to_alpha3(line2[10:13]),
        birth_yymmdd=birth,
        birth_date=birth_date,
        sex=_SEX.get(line2[20]),
        expiry_date=expiry,
    )
    return mrz, issues


def check_mrz_against(
    mrz_text: str, number: str, date_of_birth: date, sex: str, nationality: str,
    *, arrival_date: date | None = None, warnings: list[Issue] | None = None,
) -> list[Issue]:
    """Verify a TD3 MRZ and that it agrees with the typed fields (field ``document.mrz``).

    Codes: ``mrz.format``, ``mrz.check_digit``, ``mrz.mismatch`` (``params["part"]`` is one of
    ``document_number``, ``date_of_birth``, ``sex``, ``nationality``; never the values).
    An MRZ sex of '<' or 'X' (unspecified) is not compared.
    A document that expired before ``arrival_date`` is accepted, with warning ``document.expired``
    appended to ``warnings`` (the facility sees it; it is not the facility's to refuse).
    """
    lines = split_td3(mrz_text)
    if lines is None:
        return [Issue(FIELD, "mrz.format")]
    data, issues = parse_td3(*lines, field=FIELD)
    if data is None:
        return issues
    if warnings is not None and arrival_date is not None and data.expiry_date < arrival_date:
        warnings.append(Issue(FIELD, "document.expired"))
    if not isinstance(number, str) or data.document_number != number.strip().upper():
        issues.append(Issue(FIELD, "mrz.mismatch", {"part": "document_number"}))
    if not isinstance(date_of_birth, date) or data.birth_yymmdd != date_of_birth.strftime("%y%m%d"):
        issues.append(Issue(FIELD, "mrz.mismatch", {"part": "date_of_birth"}))
    if data.sex is not None and data.sex != sex:
        issues.append(Issue(FIELD, "mrz.mismatch", {"part": "sex"}))
    if data.nationality != nationality:
        issues.append(Issue(FIELD, "mrz.mismatch", {"part": "nationality"}))
    return issues


def _pad(s: str, n: int) -> str:
    if len(s) > n:
        raise ValueError("field too long for the MRZ")
    return s + "<" * (n - len(s))


def make_td3(
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth_yymmdd: str,
    sex: str,
    expiry_yymmdd: str,
    personal_number: str = "",
    issuing_state: str | None = None,
) -> tuple[str, str]:
    """Build a TD3 MRZ with correct check digits (for tests, benchmarks and demo data).

    ``sex`` is the MRZ letter ("M", "F", "X" or "<"); names use A-Z and spaces.
    """
    name = surname.upper().replace(" ", "<") + "<<" + given_names.upper().replace(" ", "<")
    line1 = "P<" + _pad(issuing_state or nationality, 3) + _pad(name, 39)
    num = _pad(number, 9)
    personal = _pad(personal_number, 14)
    line2 = (
        num + mrz_check_digit(num) + _pad(nationality, 3)
        + birth_yymmdd + mrz_check_digit(birth_yymmdd) + sex
        + expiry_yymmdd + mrz_check_digit(expiry_yymmdd)
        + personal + mrz_check_digit(personal)
    )
    line2 += mrz_check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    return line1, line2
