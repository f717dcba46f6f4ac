from datetime import date

import pytest

from accommnotify.rules.issues import Issue
from accommnotify.rules.mrz import check_mrz_against, make_td3, mrz_check_digit, parse_td3, split_td3


def build_td3(surname="NGUYEN", given="VAN AN", number="C1234567", nationality="USA",
              birth="900517", sex="M", expiry="300101", personal=""):
    return make_td3(surname, given, number, nationality, birth, sex, expiry, personal)

ICAO1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
ICAO2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
TODAY = date(2026, 3, 10)


def test_check_digit_icao_example():
    assert mrz_check_digit("L898902C3") == "6"
    assert mrz_check_digit("740812") == "2"
    assert mrz_check_digit("120415") == "9"
    assert mrz_check_digit("ZE184226B<<<<<") == "1"
    assert mrz_check_digit(ICAO2[0:10] + ICAO2[13:20] + ICAO2[21:43]) == "0"
    assert mrz_check_digit("<<<<<<<<<<<<<<") == "0"
    assert mrz_check_digit("") == "0"


def test_parse_icao_example():
    data, issues = parse_td3(ICAO1, ICAO2, today=TODAY)
    assert issues == []
    assert data.document_type == "P"
    assert data.issuing_state == "UTO"
    assert data.surname == "ERIKSSON"
    assert data.given_names == "ANNA MARIA"
    assert data.full_name == "ERIKSSON ANNA MARIA"
    assert data.document_number == "L898902C3"
    assert data.nationality == "UTO"
    assert data.birth_yymmdd == "740812"
    assert data.birth_date == date(1974, 8, 12)
    assert data.sex == "female"
    assert data.expiry_date == date(2012, 4, 15)


def test_birth_century_latest_not_in_future():
    l1, l2 = build_td3(birth="240101")
    assert parse_td3(l1, l2, today=TODAY)[0].birth_date == date(2024, 1, 1)
    l1, l2 = build_td3(birth="260311")  # tomorrow in 2026 -> 1926
    assert parse_td3(l1, l2, today=TODAY)[0].birth_date == date(1926, 3, 11)
    l1, l2 = build_td3(birth="260310")  # today
    assert parse_td3(l1, l2, today=TODAY)[0].birth_date == date(2026, 3, 10)
    l1, l2 = build_td3(birth="000229")
    assert parse_td3(l1, l2, today=TODAY)[0].birth_date == date(2000, 2, 29)


def test_make_td3_reproduces_icao_example():
    assert make_td3("ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", "740812", "F", "120415", "ZE184226B") == (
        ICAO1,
        ICAO2,
    )


def test_built_mrz_parses():
    l1, l2 = build_td3(surname="TRAN", given="THI BICH", number="B7654321", nationality="D", sex="<")
    data, issues = parse_td3(l1, l2, today=TODAY)
    assert issues == []
    assert data.nationality == "DEU" and data.issuing_state == "DEU"
    assert data.sex is None
    assert data.full_name == "TRAN THI BICH"
    assert data.document_number == "B7654321"


def test_no_given_names():
    l1, l2 = build_td3(surname="MONONYM", given="")
    data, issues = parse_td3(l1, l2, today=TODAY)
    assert issues == [] and data.full_name == "MONONYM" and data.given_names == ""


@pytest.mark.parametrize(
    "l1,l2",
    [
        (ICAO1[:-1], ICAO2),
        (ICAO1, ICAO2 + "<"),
        ("V" + ICAO1[1:], ICAO2),  # not a passport
        (ICAO1.lower().replace("p<uto", "P1UTO"), ICAO2),
        (ICAO1, ICAO2[:13] + "741312" + ICAO2[19:]),  # month 13
        (ICAO1, ICAO2[:20] + "Z" + ICAO2[21:]),  # sex
        (ICAO1, ICAO2[:9] + "<" + ICAO2[10:]),  # check digit not a digit
        ("P<UTO<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", ICAO2[:44]),  # no name
        (None, ICAO2),
    ],
)
def test_format(l1, l2):
    assert parse_td3(l1, l2, today=TODAY) == (None, [Issue("mrz", "mrz.format")])


@pytest.mark.parametrize(
    "pos,part",
    [(9, "document_number"), (19, "birth_date"), (27, "expiry_date"), (42, "personal_number")],
)
def test_check_digits(pos, part):
    wrong = str((int(ICAO2[pos]) + 1) % 10)
    l2 = ICAO2[:pos] + wrong + ICAO2[pos + 1 :]
    data, issues = parse_td3(ICAO1, l2, today=TODAY)
    assert data is not None
    # the composite covers the changed digit too (except the personal-number check digit)
    expected = [Issue("mrz", "mrz.check_digit", {"part": part})]
    expected.append(Issue("mrz", "mrz.check_digit", {"part": "composite"}))
    assert issues == expected


def test_composite_check_digit():
    l2 = ICAO2[:43] + "1"
    assert parse_td3(ICAO1, l2, today=TODAY)[1] == [Issue("mrz", "mrz.check_digit", {"part": "composite"})]


def test_tampered_number_detected():
    l2 = "L898902C4" + ICAO2[9:]
    issues = parse_td3(ICAO1, l2, today=TODAY)[1]
    assert Issue("mrz", "mrz.check_digit", {"part": "document_number"}) in issues


def test_empty_personal_number_with_filler_check_digit():
    l1, l2 = build_td3()
    assert l2[28:43] == "<" * 14 + "0"
    l2b = l2[:42] + "<" + l2[43:]
    # position 42 is part of the composite: recompute it
    composite = l2b[0:10] + l2b[13:20] + l2b[21:43]
    l2b = l2b[:43] + mrz_check_digit(composite)
    assert parse_td3(l1, l2b, today=TODAY)[1] == []


def test_split_td3():
    assert split_td3(ICAO1 + "\n" + ICAO2) == (ICAO1, ICAO2)
    assert split_td3("  " + ICAO1 + "\r\n" + ICAO2 + "\r\n") == (ICAO1, ICAO2)
    assert split_td3(ICAO1 + ICAO2) == (ICAO1, ICAO2)
    assert split_td3(ICAO1 + " " + ICAO2) == (ICAO1, ICAO2)
    assert split_td3(ICAO1.lower() + "\n" + ICAO2.lower()) == (ICAO1, ICAO2)
    assert split_td3(ICAO1) is None
    assert split_td3(ICAO1 + "\n" + ICAO2 + "\n" + ICAO2) is None
    assert split_td3("") is None and split_td3(None) is None


# ---- check_mrz_against --------------------------------------------------------------------

F = "document.mrz"
L1, L2 = build_td3(number="C1234567", nationality="USA", birth="900517", sex="M")
TEXT = L1 + "\n" + L2


def test_against_ok():
    assert check_mrz_against(TEXT, "C1234567", date(1990, 5, 17), "male", "USA") == []
    assert check_mrz_against("\r\n " + L1 + "\r\n" + L2 + " \r\n", "C1234567", date(1990, 5, 17), "male", "USA") == []
    assert check_mrz_against(L1 + L2, "C1234567", date(1990, 5, 17), "male", "USA") == []


def test_against_each_mismatch():
    assert check_mrz_against(TEXT, "C7654321", date(1990, 5, 17), "male", "USA") == [
        Issue(F, "mrz.mismatch", {"part": "document_number"})
    ]
    assert check_mrz_against(TEXT, "C1234567", date(1990, 5, 18), "male", "USA") == [
        Issue(F, "mrz.mismatch", {"part": "date_of_birth"})
    ]
    assert check_mrz_against(TEXT, "C1234567", date(1990, 5, 17), "female", "USA") == [
        Issue(F, "mrz.mismatch", {"part": "sex"})
    ]
    assert check_mrz_against(TEXT, "C1234567", date(1990, 5, 17), "male", "CAN") == [
        Issue(F, "mrz.mismatch", {"part": "nationality"})
    ]


def test_against_compares_yymmdd_only():
    # the MRZ only holds two year digits: 1890 and 1990 look the same
    assert check_mrz_against(TEXT, "C1234567", date(1890, 5, 17), "male", "USA") == []


def test_against_unspecified_sex_not_compared():
    l1, l2 = build_td3(sex="X")
    assert check_mrz_against(l1 + "\n" + l2, "C1234567", date(1990, 5, 17), "female", "USA") == []


def test_against_icao_nationality_mapped():
    l1, l2 = build_td3(nationality="GBN")
    assert check_mrz_against(l1 + "\n" + l2, "C1234567", date(1990, 5, 17), "male", "GBR") == []


def test_against_format_and_check_digit():
    assert check_mrz_against("not an mrz", "C1234567", date(1990, 5, 17), "male", "USA") == [Issue(F, "mrz.format")]
    bad = L2[:19] + str((int(L2[19]) + 1) % 10) + L2[20:]
    issues = check_mrz_against(L1 + "\n" + bad, "C1234567", date(1990, 5, 17), "male", "USA")
    assert [i.code for i in issues] == ["mrz.check_digit", "mrz.check_digit"]
    assert all(i.field == F for i in issues)


def test_against_params_never_hold_values():
    issues = check_mrz_against(TEXT, "Z9999999", date(1985, 1, 1), "female", "FRA")
    assert {i.params["part"] for i in issues} == {"document_number", "date_of_birth", "sex", "nationality"}
    for i in issues:
        assert set(i.params) == {"part"}
