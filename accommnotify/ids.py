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


def new_id(prefix: str) -> str:
    value = _next_value()
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return prefix + "_" + "".join(reversed(chars))
