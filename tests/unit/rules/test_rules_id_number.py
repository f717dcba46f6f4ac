from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from accommnotify.rules.id_number import (
    ABROAD_PREFIXES,
    OLD_PROVINCE_PREFIXES,
    VALID_PREFIXES,
    check_id_number,
    make_id_number,
)
from accommnotify.rules.issues import Issue

F = "id_number"
DOB = date(1990, 5, 17)


def codes(issues):
    return [i.code for i in issues]


def test_prefix_tables():
    assert len(OLD_PROVINCE_PREFIXES) == 63
    assert OLD_PROVINCE_PREFIXES["001"] == "Hà Nội"
    assert OLD_PROVINCE_PREFIXES["079"] == "TP Hồ Chí Minh"
    assert OLD_PROVINCE_PREFIXES["096"] == "Cà Mau"
    assert "003" not in OLD_PROVINCE_PREFIXES
    assert len(ABROAD_PREFIXES) == 195 and "101" in ABROAD_PREFIXES and "295" in ABROAD_PREFIXES
    assert "100" not in VALID_PREFIXES and "296" not in VALID_PREFIXES
    assert len(VALID_PREFIXES) == 63 + 195


@pytest.mark.parametrize(
    "sex,year,digit",
    [
        ("male", 1900, "0"), ("female", 1999, "1"), ("male", 2000, "2"), ("female", 2099, "3"),
        ("male", 2100, "4"), ("female", 2150, "5"), ("male", 2200, "6"), ("female", 2299, "7"),
        ("male", 2300, "8"), ("female", 2399, "9"),
    ],
)
def test_make_id_number_century_digit(sex, year, digit):
    n = make_id_number("001", sex, date(year, 1, 1), "123456")
    assert n == f"001{digit}{year % 100:02d}123456"
    assert check_id_number(n, date(year, 1, 1), sex) == []


def test_make_id_number_rejects_bad_input():
    with pytest.raises(ValueError):
        make_id_number("003", "male", DOB)
    with pytest.raises(ValueError):
        make_id_number("001", "other", DOB)
    with pytest.raises(ValueError):
        make_id_number("001", "male", date(1899, 1, 1))
    with pytest.raises(ValueError):
        make_id_number("001", "male", DOB, "12345")


def test_valid_number():
    n = make_id_number("040", "female", date(2003, 2, 28), "987654")
    assert n == "040303987654"
    assert check_id_number(n, date(2003, 2, 28), "female") == []
    assert check_id_number(n, None, None) == []


@pytest.mark.parametrize("value", ["", "12345678901", "1234567890123", "00119000000a", " 001190000001",
                                  "001190000001 ", "００１１９０００００１", "0011900000-1", "12345678"])
def test_format(value):
    assert check_id_number(value, DOB, "male") == [Issue(F, "id_number.format", {"length": 12})]


def test_format_non_string():
    assert codes(check_id_number(None, DOB, "male")) == ["id_number.format"]  # type: ignore[arg-type]
    assert codes(check_id_number(1234567890123, DOB, "male")) == ["id_number.format"]  # type: ignore[arg-type]


def test_legacy_cmnd():
    assert check_id_number("123456789", DOB, "male") == [Issue(F, "id_number.legacy_cmnd")]


@pytest.mark.parametrize("prefix", ["000", "003", "005", "097", "099", "100", "296", "500", "999"])
def test_unknown_prefix(prefix):
    n = prefix + make_id_number("001", "male", DOB)[3:]
    assert check_id_number(n, DOB, "male") == [Issue(F, "id_number.unknown_prefix")]


def test_sex_mismatch():
    n = make_id_number("001", "male", DOB)
    assert check_id_number(n, DOB, "female") == [Issue(F, "id_number.sex_century_mismatch")]


def test_century_mismatch():
    n = make_id_number("001", "male", date(2005, 1, 1))  # digit 2
    assert check_id_number(n, date(1905, 1, 1), "male") == [Issue(F, "id_number.sex_century_mismatch")]


def test_birth_year_mismatch():
    n = make_id_number("001", "male", date(1991, 1, 1))
    assert check_id_number(n, DOB, "male") == [Issue(F, "id_number.birth_year_mismatch")]


def test_several_problems_reported_together():
    n = "003" + "1" + "91" + "000001"  # unknown prefix, female digit, year 91
    assert codes(check_id_number(n, DOB, "male")) == [
        "id_number.unknown_prefix",
        "id_number.sex_century_mismatch",
        "id_number.birth_year_mismatch",
    ]


def test_unknown_sex_skips_sex_check():
    n = make_id_number("001", "female", DOB)
    assert check_id_number(n, DOB, None) == []


# ---- property-based -----------------------------------------------------------------------

prefixes = st.sampled_from(sorted(VALID_PREFIXES))
sexes = st.sampled_from(["male", "female"])
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31))
tails = st.text(alphabet="0123456789", min_size=6, max_size=6)
unused_prefixes = st.integers(0, 999).map(lambda n: f"{n:03d}").filter(lambda p: p not in VALID_PREFIXES)


@settings(max_examples=400)
@given(prefixes, sexes, births, tails)
def test_every_built_number_is_accepted(prefix, sex, dob, tail):
    n = make_id_number(prefix, sex, dob, tail)
    assert len(n) == 12 and n.isdigit()
    assert check_id_number(n, dob, sex) == []


@given(unused_prefixes, sexes, births, tails)
def test_unused_prefix_rejected(bad, sex, dob, tail):
    n = bad + make_id_number("001", sex, dob, tail)[3:]
    assert check_id_number(n, dob, sex) == [Issue(F, "id_number.unknown_prefix")]


def test_unused_prefixes_cover_gaps():
    gaps = {f"{n:03d}" for n in range(0, 1000)} - VALID_PREFIXES
    assert {"000", "003", "100", "296", "999", "013", "097"} <= gaps
    for p in gaps:
        n = p + make_id_number("001", "male", DOB)[3:]
        assert codes(check_id_number(n, DOB, "male")) == ["id_number.unknown_prefix"]


@given(prefixes, sexes, births, tails, st.integers(0, 9))
def test_other_fourth_digit_rejected(prefix, sex, dob, tail, digit):
    n = make_id_number(prefix, sex, dob, tail)
    assume(str(digit) != n[3])
    changed = n[:3] + str(digit) + n[4:]
    assert check_id_number(changed, dob, sex) == [Issue(F, "id_number.sex_century_mismatch")]


@given(prefixes, sexes, births, tails, st.integers(0, 99))
def test_other_year_digits_rejected(prefix, sex, dob, tail, yy):
    n = make_id_number(prefix, sex, dob, tail)
    assume(f"{yy:02d}" != n[4:6])
    changed = n[:4] + f"{yy:02d}" + n[6:]
    assert check_id_number(changed, dob, sex) == [Issue(F, "id_number.birth_year_mismatch")]


@given(st.text(alphabet="0123456789", min_size=0, max_size=20).filter(lambda s: len(s) not in (9, 12)))
def test_wrong_length_is_format(value):
    assert codes(check_id_number(value, DOB, "male")) == ["id_number.format"]
