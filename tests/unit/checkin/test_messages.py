"""The guest pages' Chinese and Korean rule messages: same codes as the rule set, every one in both
languages, parameters filled; other codes read English."""
import re

import pytest

from accommnotify.checkin.messages import GUEST_MESSAGES, guest_message
from accommnotify.rules.messages import MESSAGES, message

# The codes a guest's own entry can meet (SPEC §5's stable codes a person causes, and the scan's).
GUEST_CODES = {"required", "id_number.format", "id_number.legacy_cmnd", "id_number.unknown_prefix",
               "id_number.sex_century_mismatch", "id_number.birth_year_mismatch", "id_number.required",
               "document.required", "document.format", "nationality.unknown", "full_name.invalid",
               "date_of_birth.in_future", "date_of_birth.implausible", "visa.expired", "visa.required",
               "entry_date.after_arrival", "mrz.check_digit", "mrz.mismatch", "scan.malformed",
               "scan.birth_year_only"}


def test_every_code_a_guest_meets_has_chinese_and_korean():
    assert GUEST_CODES <= set(GUEST_MESSAGES)
    assert set(GUEST_MESSAGES) <= set(MESSAGES)      # no code of its own: the rule set's codes only
    for code, texts in GUEST_MESSAGES.items():
        assert set(texts) == {"zh", "ko"}, code
        assert set(re.findall(r"{(\w+)}", texts["zh"])) == set(re.findall(r"{(\w+)}", texts["ko"])), code


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_parameters_are_filled(lang):
    assert "100" in guest_message("full_name.invalid", lang)                 # the rule set's default
    assert "7" in guest_message("too_long", lang, max=7)
    assert "{" not in guest_message("too_long", lang)                        # missing: English fallback
    assert guest_message("ward.unknown", lang) == message("ward.unknown", "en")


def test_vietnamese_and_english_are_the_rule_sets_own():
    for lang in ("vi", "en"):
        assert guest_message("id_number.format", lang) == message("id_number.format", lang)
