"""Full names: NFC, inner white space collapsed, letters of any script; accents are kept."""

from __future__ import annotations

import re
import unicodedata

from .issues import Issue

FIELD = "full_name"
MAX_LENGTH = 100

_PUNCTUATION = frozenset(" '’-.")
_ASCII_OK = re.compile(r"[A-Za-z '’.\-]*")


def normalize_full_name(raw: str) -> str:
    """NFC-normalise, strip, and collapse every inner run of white space to one space."""
    if not raw:
        return ""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def _char_ok(ch: str) -> bool:
    return ch in _PUNCTUATION or unicodedata.category(ch)[0] in "LM"


def check_full_name(normalized: str) -> list[Issue]:
    """Check an already normalised name: ``required`` or ``full_name.invalid``."""
    if not normalized or not isinstance(normalized, str):
        return [Issue(FIELD, "required")]
    if len(normalized) > MAX_LENGTH:
        return [Issue(FIELD, "full_name.invalid", {"max": MAX_LENGTH})]
    if _ASCII_OK.fullmatch(normalized):
        ok = any(ch.isalpha() for ch in normalized)
    else:
        ok = all(map(_char_ok, normalized)) and any(
            unicodedata.category(ch)[0] == "L" for ch in normalized
        )
    if not ok:
        return [Issue(FIELD, "full_name.invalid", {"max": MAX_LENGTH})]
    return []
