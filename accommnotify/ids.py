"""Sortable, URL-safe identifiers: 48-bit millisecond time + 80 random bits, Crockford base32.

Sorting by id is sorting by creation time, which cursor pagination and "oldest first" rely on.
"""
import os
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(prefix: str) -> str:
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return prefix + "_" + "".join(reversed(chars))
