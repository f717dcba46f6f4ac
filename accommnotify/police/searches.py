"""The inbox search text, kept out of URLs and out of the cookie: it lives server-side, in the
`police_searches` table (encrypted, it may be an ID number), under a short random handle.

The search form posts the text (with its CSRF token) to `POST /police/search`, which stores it here
and redirects to `GET /police/?s=<handle>&…`. Links (pages, detail "back", the export form) carry the
handle only, so a name or ID / passport number never reaches an access log, browser history, a proxy,
a Referer -- or the session cookie, which is signed but readable and holds only a random owner token.
A handle is found only with the session that made it. Only the last few searches of a session are
kept, none older than KEEP_HOURS; an unknown or expired handle means "no search". Logging in or out
forgets the searches.
"""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import session
from sqlalchemy import delete, select

from ..extensions import db
from ..models import PoliceSearch
from ..timeutil import utcnow

OWNER_KEY = "police_search_owner"
KEEP = 5
KEEP_HOURS = 12
MAX_TEXT = 100
_HANDLE = re.compile(r"[A-Za-z0-9_-]{6,22}")
# Where the detail page's "back" link goes: the last inbox view of this session (path and non-personal
# query only; the search is its handle), so detail URLs carry nothing but the notification id.
BACK_KEY = "police_inbox_back"
T = PoliceSearch.__table__


def _owner(create: bool) -> str | None:
    owner = session.get(OWNER_KEY)
    if isinstance(owner, str) and 20 <= len(owner) <= 43:
        return owner
    if not create:
        return None
    owner = session[OWNER_KEY] = secrets.token_urlsafe(32)
    return owner


def _entries(owner: str):
    return db.session.execute(select(T.c.handle, T.c.text).where(T.c.owner == owner)
                              .order_by(T.c.id.desc())).all()


def remember(text: str) -> str:
    """The handle for `text`: the same one again if this session searched it lately, else a new one."""
    text = text[:MAX_TEXT]
    owner = _owner(create=True)
    now = utcnow()
    entries = _entries(owner)
    handle = next((h for h, t in entries if t == text), None)
    if handle is None:
        handle = secrets.token_urlsafe(9)
        db.session.execute(T.insert().values(handle=handle, owner=owner, text=text, created_at=now))
        drop = [h for h, _ in entries[KEEP - 1:]]
        if drop:
            db.session.execute(delete(T).where(T.c.handle.in_(drop)))
        db.session.execute(delete(T).where(T.c.created_at < now - timedelta(hours=KEEP_HOURS)))
        db.session.commit()
    return handle


def lookup(handle) -> str | None:
    if not isinstance(handle, str) or not _HANDLE.fullmatch(handle):
        return None
    owner = _owner(create=False)
    if owner is None:
        return None
    return db.session.execute(select(T.c.text).where(
        T.c.handle == handle, T.c.owner == owner,
        T.c.created_at >= utcnow() - timedelta(hours=KEEP_HOURS))).scalar()


def forget_all() -> None:
    owner = session.pop(OWNER_KEY, None)
    session.pop(BACK_KEY, None)
    session.pop("police_searches", None)  # the old cookie-held searches, if a session still has them
    if isinstance(owner, str):
        db.session.execute(delete(T).where(T.c.owner == owner))
        db.session.commit()


def remember_inbox_view(url: str) -> None:
    if session.get(BACK_KEY) != url:
        session[BACK_KEY] = url


def last_inbox_view() -> str | None:
    value = session.get(BACK_KEY)
    return value if isinstance(value, str) else None
