"""Accent-free folding for search: "Nguyễn Văn Đức" and "nguyen van duc" fold alike.

Only for search keys; stored names always keep their accents exactly.
"""
import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
