"""Sortable, URL-safe identifiers: 48-bit millisecond time + 80 random bits, Crockford base32.

Sorting by id is sorting by creation time, which cursor pagination and "oldest first" rely on.
Within one process ids are strictly increasing even inside one millisecond (the random part is
then incremented, as monotonic ULIDs do); across processes, ids of the same millisecond have no
defined order.
"""
import os
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
# Two digits (10 bits) per lookup: three ids per new stay and guest made the digit-by-digit loop a
# visible share of a bulk post.
_DIGIT_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_PAIR_SHIFTS = tuple(range(120, -1, -10))
_lock = threading.Lock()
_last = [0, 0]  # millisecond, random part


def _next_value() -> int:
    ms = int(time.time() * 1000)
    with _lock:
        if ms <= _last[0]:
            ms, rand = _last[0], _last[1] + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1  # room to count up within the ms
        _last[0], _last[1] = ms, rand
    return (ms << 80) | rand


def encode(value: int) -> str:
    """The low 130 bits of `value` as 26 Crockford base32 digits, most significant first."""
    return "".join([_DIGIT_PAIRS[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])


def new_id(prefix: str) -> str:
    return prefix + "_" + encode(_next_value())
