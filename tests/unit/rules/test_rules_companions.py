"""Companions of a patient (issue 13 item 1): the `accompanies` links of a stay's guests."""
from accommnotify.rules.companions import check_companions, companions_of
from accommnotify.rules.messages import message


def codes(guests):
    return [(i.field, i.code) for i in check_companions(guests)]


def test_two_companions_of_one_patient_are_fine():
    guests = [{}, {"accompanies": 0}, {"accompanies": 0}]
    assert codes(guests) == []
    assert companions_of(guests, 0) == [1, 2] and companions_of(guests, 1) == []


def test_a_companion_may_be_listed_before_the_patient():
    assert codes([{"accompanies": 1}, {}]) == []


def test_unknown_index_self_and_chain_are_named_on_the_companion():
    assert codes([{}, {"accompanies": 2}]) == [("guests[1].accompanies", "guests.accompanies.unknown")]
    assert codes([{}, {"accompanies": -1}]) == [("guests[1].accompanies", "guests.accompanies.unknown")]
    assert codes([{}, {"accompanies": 1}]) == [("guests[1].accompanies", "guests.accompanies.self")]
    assert codes([{}, {"accompanies": 0}, {"accompanies": 1}]) == [
        ("guests[2].accompanies", "guests.accompanies.chain")]
    # Two guests naming each other: both are chains (no "patient" among them).
    assert codes([{"accompanies": 1}, {"accompanies": 0}]) == [
        ("guests[0].accompanies", "guests.accompanies.chain"), ("guests[1].accompanies", "guests.accompanies.chain")]


def test_a_boolean_is_not_an_index():
    assert codes([{}, {"accompanies": True}]) == [("guests[1].accompanies", "guests.accompanies.unknown")]


def test_the_codes_have_both_languages_and_no_personal_data():
    for code in ("guests.accompanies.unknown", "guests.accompanies.self", "guests.accompanies.chain",
                 "guests.accompanies.removed"):
        vi, en = message(code, "vi"), message(code, "en")
        assert vi != en and "{" not in vi + en


def test_check_stay_reports_the_links():
    from datetime import datetime, timezone
    from accommnotify.rules.stay import check_stay
    guest = {"full_name": "Nguyễn Văn An", "sex": "male", "nationality": "VNM", "id_number": "001090012345"}
    from datetime import date
    guest["date_of_birth"] = date(1990, 5, 17)
    stay = {"reason": "medical_treatment", "arrived_at": datetime(2026, 11, 27, 15, tzinfo=timezone.utc),
            "guests": [dict(guest), dict(guest, accompanies=0, id_number="001090012346"),
                       dict(guest, accompanies=5, id_number="001090012347")]}
    errors, _warnings = check_stay(stay, datetime(2026, 11, 27, 16, tzinfo=timezone.utc))
    assert [(e.field, e.code) for e in errors] == [("guests[2].accompanies", "guests.accompanies.unknown")]
