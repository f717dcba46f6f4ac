"""The inbox search text, kept out of URLs: it lives in the signed session under a short random handle.

The search form posts the text (with its CSRF token) to `POST /police/search`, which remembers it here
and redirects to `GET /police/?s=<handle>&…`. Links (pages, detail "back", the export form) carry the
handle only, so a name or ID / passport number never reaches an access log, browser history, a proxy or
a Referer. Only the last few searches of a session are kept; an unknown or expired handle means "no
search". The session cookie is signed, not encrypted: it holds what the officer typed into this
browser, nothing read from the database. Logging in or out forgets the searches.
"""
from __future__ import annotations

import re
import secrets

from flask import session

SESSION_KEY = "police_searches"
KEEP = 5
MAX_TEXT = 100
_HANDLE = re.compile(r"[A-Za-z0-9_-]{6,16}")
# Where the detail page's "back" link goes: the last inbox view of this session (path and non-personal
# query only; the search is its handle), so detail URLs carry nothing but the notification id.
BACK_KEY = "police_inbox_back"


def _entries() -> list[list[str]]:
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, list):
        return []
    return [e for e in raw if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)]


def remember(text: str) -> str:
    """The handle for `text`: the same one again if this session searched it lately, else a new one."""
    text = text[:MAX_TEXT]
    entries = _entries()
    handle = next((h for h, t in entries if t == text), None) or secrets.token_urlsafe(6)
    entries = [e for e in entries if e[0] != handle] + [[handle, text]]
    session[SESSION_KEY] = entries[-KEEP:]
    return handle


def lookup(handle) -> str | None:
    if not isinstance(handle, str) or not _HANDLE.fullmatch(handle):
        return None
    return next((t for h, t in _entries() if h == handle), None)


def forget_all() -> None:
    session.pop(SESSION_KEY, None)
    session.pop(BACK_KEY, None)


def remember_inbox_view(url: str) -> None:
    if session.get(BACK_KEY) != url:
        session[BACK_KEY] = url


def last_inbox_view() -> str | None:
    value = session.get(BACK_KEY)
    return value if isinstance(value, str) else None
