"""``POST /police/api/v1/batches``: a police-side instance receiving batches (SPEC §4, §6).

The sender signs per Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")>``). Accepted senders and their
secrets come from the settings:

* ``INBOUND_SECRETS`` - a table ``{sender = "whsec_…"}`` (or, from the environment
  ``ACCOMMNOTIFY_INBOUND_SECRETS``, ``"sender-a=whsec_…,sender-b=whsec_…"``): the body's
  ``sender`` must be the one whose secret signed it;
* ``INBOUND_SECRET`` (``ACCOMMNOTIFY_INBOUND_SECRET=whsec_…``) - one secret, any sender name.

A missing/bad signature or a timestamp more than 5 minutes away → 401 and nothing is stored.
Each notification is stored once (its id is the key): a replayed batch changes nothing and gets
the same answers. The answer is the wire format's response, ``{"results": [...]}``, with 200.
"""
from __future__ import annotations

import hmac
import json
import logging
import time

from flask import Blueprint, current_app, jsonify, request

from ..receivers.http import decode_secret, sign

log = logging.getLogger("accommnotify.police.receiving")
bp = Blueprint("police_receiving", __name__, url_prefix="/police/api/v1")
TOLERANCE_SECONDS = 5 * 60


def _problem(status: int, title: str, detail: str):
    resp = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail})
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


def inbound_secrets(config) -> dict[str | None, bytes]:
    """{sender or None (any sender): HMAC key} from INBOUND_SECRETS / INBOUND_SECRET."""
    out: dict[str | None, bytes] = {}
    table = config.get("INBOUND_SECRETS")
    if isinstance(table, str):
        pairs = [p.strip() for p in table.split(",") if p.strip()]
        table = dict(p.split("=", 1) for p in pairs if "=" in p)
    for sender, secret in (table or {}).items():
        try:
            out[sender.strip()] = decode_secret(secret.strip())
        except ValueError:
            log.error("INBOUND_SECRETS: the secret of sender %r is not a valid whsec_ secret", sender)
    single = config.get("INBOUND_SECRET")
    if single:
        try:
            out[None] = decode_secret(single.strip())
        except ValueError:
            log.error("INBOUND_SECRET is not a valid whsec_ secret")
    return out


def verify(headers, body: bytes, keys: dict, now: float | None = None) -> str | None:
    """The matching sender (None = the any-sender secret); raises ValueError with a reason."""
    msg_id = headers.get("webhook-id")
    ts = headers.get("webhook-timestamp")
    sig_header = headers.get("webhook-signature")
    if not msg_id or not ts or not sig_header:
        raise ValueError("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        timestamp = int(ts)
    except ValueError:
        raise ValueError("webhook-timestamp is not an integer") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise ValueError("webhook-timestamp is outside the ±5 minute window")
    given = [s for s in sig_header.split() if s.startswith("v1,")]
    for sender, key in keys.items():
        expected = sign(key, msg_id, timestamp, body)
        if any(hmac.compare_digest(expected.encode(), g.encode()) for g in given):
            return sender if sender is not None else "*"
    raise ValueError("no valid signature for any accepted sender")


@bp.post("/batches")
def receive_batch():
    from ..inbox import store_batch

    keys = inbound_secrets(current_app.config)
    if not keys:
        return _problem(503, "Receiving not configured",
                        "Set ACCOMMNOTIFY_INBOUND_SECRET (or INBOUND_SECRETS) to accept batches.")
    body = request.get_data(cache=False)
    try:
        signer = verify(request.headers, body, keys)
    except ValueError as exc:
        log.warning("refused a batch from %s: %s", request.remote_addr, exc)
        return _problem(401, "Unauthorized", str(exc))
    try:
        doc = json.loads(body)
    except ValueError:
        return _problem(400, "Bad Request", "The body is not JSON.")
    if not isinstance(doc, dict) or not isinstance(doc.get("notifications"), list):
        return _problem(400, "Bad Request", "Expected {batch_id, sent_at, sender, notifications: [...]}.")
    sender = doc.get("sender")
    if not isinstance(sender, str) or not sender:
        return _problem(400, "Bad Request", "The batch has no sender.")
    if signer != "*" and sender != signer:
        log.warning("refused batch %s: signed with the secret of another sender", request.headers.get("webhook-id"))
        return _problem(401, "Unauthorized", "The batch's sender does not match the signing secret.")
    batch_id = doc.get("batch_id") if isinstance(doc.get("batch_id"), str) else request.headers.get("webhook-id")
    results = store_batch(doc["notifications"], source=sender, batch_id=(batch_id or "")[:64] or None)
    rejected = sum(1 for r in results if r["status"] == "rejected")
    log.info("received batch %s from %s: %d notification(s), %d rejected", batch_id, sender, len(results), rejected)
    return jsonify({"results": results})


def init_app(app):
    from ..web_auth import csrf
    csrf.exempt(bp)
    app.register_blueprint(bp)
