from datetime import date

import pytest

from accommnotify.rules.guest import age_on, check_guest
from accommnotify.rules.id_number import make_id_number
from accommnotify.rules.issues import Issue
from accommnotify.rules.mrz import make_td3

ARRIVAL = date(2026, 3, 10)
TODAY = date(2026, 3, 10)
DOB = date(1990, 5, 17)


def citizen(**kw):
    g = {
        "full_name": "Nguyễn Văn An",
        "date_of_birth": DOB,
        "sex": "male",
        "nationality": "VNM",
        "id_number": make_id_number("001", "male", DOB, "123456"),
    }
    g.update(kw)
    return g


def foreigner(**kw):
    g = {
        "full_name": "John Example",
        "date_of_birth": DOB,
        "sex": "male",
        "nationality": "USA",
        "document": {"type": "passport", "number": "C1234567"},
        "visa": {"kind": "e_visa", "number": "EV123", "valid_until": date(2026, 4, 1)},
        "entry_date": date(2026, 3, 9),
        "entry_port": "SGN",
        "purpose": "tourism",
    }
    g.update(kw)
    return g


def pairs(issues):
    return [(i.field, i.code) for i in issues]


def test_age_on():
    assert age_on(date(2000, 3, 10), date(2026, 3, 10)) == 26
    assert age_on(date(2000, 3, 11), date(2026, 3, 10)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_valid_citizen():
    assert check_guest(citizen(), ARRIVAL, TODAY) == []


def test_valid_citizen_without_numbers_here():
    # id_number.required is the stay's business, not the guest's
    assert check_guest(citizen(id_number=None), ARRIVAL, TODAY) == []
    g = citizen()
    del g["id_number"]
    assert check_guest(g, ARRIVAL, TODAY) == []


def test_valid_foreigner():
    assert check_guest(foreigner(), ARRIVAL, TODAY) == []


def test_full_name_rules():
    assert pairs(check_guest(citizen(full_name=""), ARRIVAL, TODAY)) == [("full_name", "required")]
    assert pairs(check_guest(citizen(full_name="An 2"), ARRIVAL, TODAY)) == [("full_name", "full_name.invalid")]


def test_date_of_birth_rules():
    tomorrow = date(2026, 3, 11)
    assert pairs(check_guest(citizen(date_of_birth=tomorrow, id_number=None), ARRIVAL, TODAY)) == [
        ("date_of_birth", "date_of_birth.in_future")
    ]
    assert check_guest(citizen(date_of_birth=TODAY, id_number=None), ARRIVAL, TODAY) == []
    old = date(1895, 3, 10)  # 131 years
    assert pairs(check_guest(citizen(date_of_birth=old, id_number=None), ARRIVAL, TODAY)) == [
        ("date_of_birth", "date_of_birth.implausible")
    ]
    # 130 years old, but born before 1900 (issue 10: births not before 1900)
    assert pairs(check_guest(citizen(date_of_birth=date(1896, 3, 10), id_number=None), ARRIVAL, TODAY)) == [
        ("date_of_birth", "date_of_birth.too_early")
    ]
    assert check_guest(citizen(date_of_birth=date(1900, 1, 1), id_number=None), ARRIVAL, TODAY) == []
    assert pairs(check_guest(citizen(date_of_birth=None, id_number=None), ARRIVAL, TODAY)) == [
        ("date_of_birth", "required")
    ]


def test_nationality_unknown():
    # an unknown nationality is not Vietnam, so the foreigner rules apply too
    assert pairs(check_guest(foreigner(nationality="ZZZ"), ARRIVAL, TODAY)) == [("nationality", "nationality.unknown")]


def test_missing_sex_and_nationality():
    assert pairs(check_guest(citizen(sex=None, nationality=None), ARRIVAL, TODAY)) == [
        ("sex", "required"),
        ("nationality", "required"),
    ]
    assert pairs(check_guest(citizen(sex="other"), ARRIVAL, TODAY)) == [("sex", "choice")]


# ---- citizens ---------------------------------------------------------------------------


def test_citizen_id_number_checked():
    assert pairs(check_guest(citizen(id_number="123456789"), ARRIVAL, TODAY)) == [("id_number", "id_number.legacy_cmnd")]
    assert pairs(check_guest(citizen(sex="female"), ARRIVAL, TODAY)) == [("id_number", "id_number.sex_century_mismatch")]
    n = make_id_number("001", "male", date(1991, 1, 1))
    assert pairs(check_guest(citizen(id_number=n), ARRIVAL, TODAY)) == [("id_number", "id_number.birth_year_mismatch")]
    n = "003" + make_id_number("001", "male", DOB)[3:]
    assert pairs(check_guest(citizen(id_number=n), ARRIVAL, TODAY)) == [("id_number", "id_number.unknown_prefix")]
    assert pairs(check_guest(citizen(id_number="12ab"), ARRIVAL, TODAY)) == [("id_number", "id_number.format")]


def test_citizen_passport_number():
    assert check_guest(citizen(id_number=None, passport_number="B1234567"), ARRIVAL, TODAY) == []
    for bad in ("b1234567", "B12", "B-1234567", "B" * 21):
        assert pairs(check_guest(citizen(id_number=None, passport_number=bad), ARRIVAL, TODAY)) == [
            ("passport_number", "document.format")
        ]


def test_citizen_ignores_foreigner_fields():
    g = citizen(
        document={"type": "passport", "number": "x"},
        visa={"kind": "visa", "valid_until": date(2000, 1, 1)},
        entry_date=date(2030, 1, 1),
    )
    assert check_guest(g, ARRIVAL, TODAY) == []


# ---- foreigners ---------------------------------------------------------------------------


def test_foreigner_document_required():
    assert pairs(check_guest(foreigner(document=None), ARRIVAL, TODAY)) == [("document", "document.required")]
    g = foreigner()
    del g["document"]
    assert pairs(check_guest(g, ARRIVAL, TODAY)) == [("document", "document.required")]


@pytest.mark.parametrize("number", ["C123", "c1234567", "C 1234567", "C" * 21, "Ç1234567"])
def test_foreigner_document_format(number):
    g = foreigner(document={"type": "travel_document", "number": number})
    assert pairs(check_guest(g, ARRIVAL, TODAY)) == [("document.number", "document.format")]


def test_foreigner_document_shape():
    g = foreigner(document={"type": "id_card", "number": "C1234567"})
    assert pairs(check_guest(g, ARRIVAL, TODAY)) == [("document.type", "choice")]
    g = foreigner(document={"type": "passport"})
    assert pairs(check_guest(g, ARRIVAL, TODAY)) == [("document.number", "required")]


def test_foreigner_mrz():
    l1, l2 = make_td3("EXAMPLE", "JOHN", "C1234567", "USA", "900517", "M", "300101")
    ok = foreigner(document={"type": "passport", "number": "C1234567", "mrz": l1 + "\n" + l2})
    assert check_guest(ok, ARRIVAL, TODAY) == []
    wrong = foreigner(
        document={"type": "passport", "number": "C1234567", "mrz": l1 + "\n" + l2}, sex="female", nationality="CAN"
    )
    assert check_guest(wrong, ARRIVAL, TODAY) == [
        Issue("document.mrz", "mrz.mismatch", {"part": "sex"}),
        Issue("document.mrz", "mrz.mismatch", {"part": "nationality"}),
    ]
    bad = foreigner(document={"type": "passport", "number": "C1234567", "mrz": l1 + "\n" + l2[:43] + "9"})
    assert pairs(check_guest(bad, ARRIVAL, TODAY)) == [("document.mrz", "mrz.check_digit")]
    garbage = foreigner(document={"type": "passport", "number": "C1234567", "mrz": "hello"})
    assert pairs(check_guest(garbage, ARRIVAL, TODAY)) == [("document.mrz", "mrz.format")]


def test_foreigner_visa_rules():
    assert pairs(check_guest(foreigner(visa=None), ARRIVAL, TODAY)) == [("visa", "visa.required")]
    assert pairs(check_guest(foreigner(visa={"kind": "visa"}), ARRIVAL, TODAY)) == [("visa.valid_until", "visa.required")]
    assert pairs(check_guest(foreigner(visa={"kind": "abtc", "valid_until": None}), ARRIVAL, TODAY)) == [
        ("visa.valid_until", "visa.required")
    ]
    assert check_guest(foreigner(visa={"kind": "visa_exempt"}), ARRIVAL, TODAY) == []
    assert check_guest(foreigner(visa={"kind": "visa", "valid_until": ARRIVAL}), ARRIVAL, TODAY) == []
    assert pairs(check_guest(foreigner(visa={"kind": "visa", "valid_until": date(2026, 3, 9)}), ARRIVAL, TODAY)) == [
        ("visa.valid_until", "visa.expired")
    ]
    assert pairs(
        check_guest(foreigner(visa={"kind": "visa_exempt", "valid_until": date(2026, 3, 9)}), ARRIVAL, TODAY)
    ) == [("visa.valid_until", "visa.expired")]
    assert pairs(check_guest(foreigner(visa={"kind": "tourist", "valid_until": ARRIVAL}), ARRIVAL, TODAY)) == [
        ("visa.kind", "choice")
    ]


@pytest.mark.parametrize("kind", ["visa", "e_visa", "temporary_residence_card", "permanent_residence_card", "abtc"])
def test_every_visa_kind_needs_valid_until(kind):
    assert pairs(check_guest(foreigner(visa={"kind": kind}), ARRIVAL, TODAY)) == [("visa.valid_until", "visa.required")]


def test_foreigner_entry_date():
    assert pairs(check_guest(foreigner(entry_date=None), ARRIVAL, TODAY)) == [("entry_date", "required")]
    assert check_guest(foreigner(entry_date=ARRIVAL), ARRIVAL, TODAY) == []
    assert pairs(check_guest(foreigner(entry_date=date(2026, 3, 11)), ARRIVAL, TODAY)) == [
        ("entry_date", "entry_date.after_arrival")
    ]


def test_foreigner_id_number_not_applicable():
    g = foreigner(id_number=make_id_number("001", "male", DOB))
    assert pairs(check_guest(g, ARRIVAL, TODAY)) == [("id_number", "id_number.not_applicable")]


def test_stateless_person_is_a_foreigner():
    assert check_guest(foreigner(nationality="XXA"), ARRIVAL, TODAY) == []
    assert pairs(check_guest(foreigner(nationality="XXA", visa=None), ARRIVAL, TODAY)) == [("visa", "visa.required")]
