"""Accent-free folding for search: "Nguyễn Văn Đức" and "nguyen van duc" fold alike.

Only for search keys; stored names always keep their accents exactly.
"""
import re
import unicodedata

# NUL (no PostgreSQL text column takes it) and UTF-16 surrogates (no UTF-8 text can hold one alone).
_INVALID = re.compile("[\x00\ud800-\udfff]")


def has_invalid_characters(text: str) -> bool:
    """True when `text` holds a NUL byte or a lone surrogate: input to refuse, never to store."""
    return _INVALID.search(text) is not None


def clean_label(text: str) -> str:
    """`text` with NUL bytes and lone surrogates replaced (U+FFFD), for echoing a field name."""
    return _INVALID.sub("\ufffd", text)

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
