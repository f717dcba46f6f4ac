"""A facility's webhook subscriptions: create (the secret is returned once), list, read, delete.

URL policy (docs/WEBHOOKS.md): http or https, at most 2000 characters, no user:password part.
Unless ACCOMMNOTIFY_WEBHOOK_ALLOW_INSECURE is on (development, tests), only https is accepted and a
host that is ``localhost`` or a loopback, private, link-local or reserved IP literal is refused.
"""
from __future__ import annotations

import ipaddress
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select

from ..extensions import db
from ..ids import new_id
from ..intake.errors import InvalidInput, NotFound
from ..models import Facility, WebhookAttempt, WebhookMessage, WebhookSubscription
from ..rules.issues import Issue
from ..timeutil import utcnow, vn_iso
from .signing import new_secret

MAX_URL = 2000
MAX_PER_FACILITY = 20
SUB, MSG, ATT = WebhookSubscription.__table__, WebhookMessage.__table__, WebhookAttempt.__table__


def url_problem(url: str, allow_insecure: bool) -> str | None:
    """The code of what is wrong with ``url``, or None."""
    if not url.isprintable() or any(c.isspace() for c in url):
        return "webhook.url_format"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "webhook.url_format"
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return "webhook.url_format"
    if allow_insecure:
        return None
    if parts.scheme != "https":
        return "webhook.url_https_required"
    if host == "localhost" or host.endswith(".localhost"):
        return "webhook.url_private"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not ip.is_global:
        return "webhook.url_private"
    return None


def view(sub: WebhookSubscription, secret: str | None = None) -> dict:
    out = {"id": sub.id, "url": sub.url, "events": sub.events.split(), "created_at": vn_iso(sub.created_at),
           "enabled": sub.disabled_at is None, "disabled_at": vn_iso(sub.disabled_at),
           "disabled_reason": sub.disabled_reason}
    if secret is not None:
        out["secret"] = secret
    return out


def create(facility_id: int, url: str, events: list[str], *, now: datetime | None = None) -> dict:
    now = now or utcnow()
    code = url_problem(url, bool(current_app.config.get("WEBHOOK_ALLOW_INSECURE")))
    if code:
        raise InvalidInput("The request has invalid fields.", [Issue("url", code)])
    count = db.session.execute(select(db.func.count()).select_from(SUB).where(SUB.c.facility_id == facility_id)).scalar()
    if count >= MAX_PER_FACILITY:
        db.session.rollback()
        raise InvalidInput("Too many webhook subscriptions.",
                           [Issue("url", "webhook.too_many", {"max": MAX_PER_FACILITY})])
    secret = new_secret()
    ordered = [e for e in dict.fromkeys(events)]
    sub = WebhookSubscription(id=new_id("wh"), facility_id=facility_id, url=url, events=" ".join(ordered),
                              secret=secret, created_at=now)
    db.session.add(sub)
    db.session.commit()
    return view(sub, secret)


def list_for(facility_id: int) -> list[dict]:
    subs = db.session.execute(select(WebhookSubscription).where(WebhookSubscription.facility_id == facility_id)
                              .order_by(WebhookSubscription.id)).scalars().all()
    out = [view(s) for s in subs]
    db.session.rollback()
    return out


def _get(facility_id: int, sub_id: str) -> WebhookSubscription:
    sub = db.session.get(WebhookSubscription, sub_id)
    if sub is None or sub.facility_id != facility_id:  # another facility's subscription does not exist
        db.session.rollback()
        raise NotFound("No such webhook subscription.")
    return sub


def get(facility_id: int, sub_id: str) -> dict:
    out = view(_get(facility_id, sub_id))
    db.session.rollback()
    return out


def remove(facility_id: int, sub_id: str) -> None:
    """The subscription, its undelivered and delivered messages and their attempts."""
    _get(facility_id, sub_id)
    messages = select(MSG.c.id).where(MSG.c.subscription_id == sub_id)
    db.session.execute(delete(ATT).where(ATT.c.message_id.in_(messages)))
    db.session.execute(delete(MSG).where(MSG.c.subscription_id == sub_id))
    db.session.execute(delete(SUB).where(SUB.c.id == sub_id))
    db.session.commit()


def set_enabled(sub_id: str, enabled: bool, *, now: datetime | None = None, reason: str | None = None) -> bool:
    """Operators: re-enable a subscription disabled by a 410 (its waiting messages become due now), or
    disable one. False when there is no such subscription."""
    now = now or utcnow()
    sub = db.session.get(WebhookSubscription, sub_id)
    if sub is None:
        db.session.rollback()
        return False
    if enabled:
        sub.disabled_at, sub.disabled_reason = None, None
        db.session.execute(MSG.update().where(MSG.c.subscription_id == sub_id,
                                              MSG.c.status.in_(("pending", "retrying")))
                           .values(next_attempt_at=now, updated_at=now))
    else:
        sub.disabled_at, sub.disabled_reason = now, reason or "disabled by an operator"
    db.session.commit()
    return True


def all_with_facility(code: str | None = None):
    """For the CLI: (facility code, subscription view), optionally of one facility."""
    F = Facility.__table__
    stmt = select(F.c.code, WebhookSubscription).join(F, F.c.id == WebhookSubscription.facility_id)
    if code:
        stmt = stmt.where(F.c.code == code)
    rows = [(c, view(s)) for c, s in db.session.execute(stmt.order_by(WebhookSubscription.id)).all()]
    db.session.rollback()
    return rows
