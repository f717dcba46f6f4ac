import re
import string
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from accommnotify.rules import messages
from accommnotify.rules.messages import MESSAGES, message, pick_language

SPEC_CODES = {
    "required", "id_number.format", "id_number.legacy_cmnd", "id_number.unknown_prefix",
    "id_number.sex_century_mismatch", "id_number.birth_year_mismatch", "id_number.required",
    "document.required", "document.format", "nationality.unknown", "full_name.invalid",
    "date_of_birth.in_future", "date_of_birth.implausible", "stay.arrival_in_future",
    "stay.departure_before_arrival", "visa.expired", "visa.required", "entry_date.after_arrival",
    "mrz.check_digit", "mrz.mismatch", "guests.too_many",
}
GENERIC_CODES = {"required", "type", "unknown_field", "too_long", "too_short", "out_of_range", "choice",
                 "format", "invalid_json", "body_too_large"}
RULES_DIR = Path(messages.__file__).parent


def emitted_codes():
    """Every code literal passed to Issue(...) in the rules package."""
    found = set()
    for path in RULES_DIR.glob("*.py"):
        found |= set(re.findall(r'Issue\(\s*[^,]+,\s*"([a-z_.]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_has_both_languages():
    codes = emitted_codes()
    assert "id_number.legacy_cmnd" in codes and "scan.malformed" in codes  # the scan works
    missing = (codes | SPEC_CODES | GENERIC_CODES | {"mrz.format", "ward.unknown", "province.unknown",
               "ward.province_mismatch", "stay.temporary_residence_required", "id_number.not_applicable"}) - set(MESSAGES)
    assert missing == set()
    for code, entry in MESSAGES.items():
        assert set(entry) == {"vi", "en"}, code
        assert entry["vi"].strip() and entry["en"].strip()
        assert entry["vi"] != entry["en"], code


def test_vietnamese_has_diacritics():
    assert message("required", "vi") == "Trường này là bắt buộc."
    assert "01/01/2025" in message("id_number.legacy_cmnd", "vi")
    assert "chứng minh nhân dân" in message("id_number.legacy_cmnd", "vi")
    assert "2025" in message("id_number.legacy_cmnd", "en") and "CMND" in message("id_number.legacy_cmnd", "en")


def _placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_renders_without_params():
    for code in MESSAGES:
        for lang in ("vi", "en"):
            text = message(code, lang)
            assert "{" not in text and "}" not in text, (code, lang)


def test_params_filled():
    assert message("too_long", "en", max=32) == "Must be at most 32 characters long."
    assert message("too_long", "vi", max=32) == "Dài tối đa 32 ký tự."
    assert message("guests.too_many", "en") == "A stay can have at most 200 guests."
    assert message("choice", "en", choices=["male", "female"]) == "Not an allowed value; choose one of: male, female."
    assert message("mrz.mismatch", "vi", part="date_of_birth") == "Vùng MRZ không khớp với ngày sinh đã khai."
    assert message("mrz.mismatch", "en", part="document_number") == "The MRZ does not match the document number given."
    assert "composite" in message("mrz.check_digit", "en", part="composite")
    assert message("id_number.format", "en", length=12)  # extra params are ignored


def test_missing_params_fall_back():
    assert message("too_long", "en") == "The value is too long."
    assert message("out_of_range", "vi", min=1) == "Giá trị nằm ngoài phạm vi cho phép."
    assert message("mrz.mismatch", "en") == "The MRZ does not match the details given."


def test_unknown_code_and_language():
    assert message("no.such.code", "en") == "Invalid value."
    assert message("no.such.code", "vi") == "Giá trị không hợp lệ."
    assert message("required", "fr") == message("required", "vi")


def test_templates_take_only_non_personal_params():
    allowed = {"max", "min", "choices", "max_bytes", "part", "days", "replaced_by", "shown", "expected"}  # counts, limits, ward names
    for code, entry in MESSAGES.items():
        for lang, template in entry.items():
            assert _placeholders(template) <= allowed, (code, lang)


@pytest.mark.parametrize(
    "header,lang",
    [
        (None, "vi"),
        ("", "vi"),
        ("vi", "vi"),
        ("en", "en"),
        ("EN-us", "en"),
        ("en-US,en;q=0.9", "en"),
        ("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "vi"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "en"),
        ("fr,en;q=0.5,vi;q=0.6", "vi"),
        ("en;q=0.3, vi;q=0.8", "vi"),
        ("vi;q=0,en;q=0.1", "en"),
        ("en;q=0", "vi"),
        ("fr, de", "vi"),
        ("*", "vi"),
        ("en;q=abc", "vi"),
        ("en; q=0.5", "en"),
        ("  ,;;, en", "en"),
    ],
)
def test_pick_language(header, lang):
    assert pick_language(header) == lang


def test_messages_never_echo_personal_data():
    # rule issues carry only non-personal params, so no rendered message can contain input values
    from accommnotify.rules.id_number import make_id_number
    from accommnotify.rules.stay import check_stay

    number = make_id_number("001", "male", date(1990, 5, 17), "424242")
    now = datetime(2026, 3, 10, 5, 0, tzinfo=timezone.utc)
    stay = {
        "arrived_at": now + timedelta(hours=2),
        "expected_departure": now,
        "reason": "tourism",
        "guests": [{"full_name": "Nguyễn Văn 7", "date_of_birth": date(1991, 5, 17), "sex": "female",
                    "nationality": "VNM", "id_number": number}],
    }
    errors, _ = check_stay(stay, now)
    assert errors
    for issue in errors:
        for lang in ("vi", "en"):
            text = message(issue.code, lang, **issue.params)
            assert number not in text and "424242" not in text and "Nguyễn" not in text and "1991" not in text
