from hypothesis import given
from hypothesis import strategies as st

from accommnotify.ids import encode, new_id

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def test_ids_sort_in_creation_order_even_within_a_millisecond():
    ids = [new_id("st") for _ in range(5000)]  # thousands per millisecond
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("st_") and len(i) == 29 for i in ids)


@given(st.integers(0, 2**130 - 1))
def test_encoding_is_base32_crockford_digits_most_significant_first(value):
    digits = encode(value)
    assert len(digits) == 26
    assert sum(CROCKFORD.index(d) * 32 ** i for i, d in enumerate(reversed(digits))) == value


def test_encoding_edges():
    assert encode(0) == "0" * 26
    assert encode(31) == "0" * 25 + "z"
    assert encode(2**130 - 1) == "z" * 26
