"""``POST /police/api/v1/batches``: a police-side instance receiving batches (SPEC §4, §6).

The sender signs per Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")>``). Each accepted sender is named
in the setting ``INBOUND_SECRETS``, a table per sender with its secret and the wards and/or
provinces (2025 map) it may notify for (issue 10, item 7)::

    [INBOUND_SECRETS.hotel-a]
    secret = "whsec_…"
    wards = ["16681"]
    provinces = []

or from the environment ``ACCOMMNOTIFY_INBOUND_SECRETS='{hotel-a = {secret = "whsec_…", wards =
["16681"]}}'``. The older forms that bound a secret to nothing (``INBOUND_SECRET``, one secret for
any sender; ``{sender = "whsec_…"}``; ``"sender-a=whsec_…,…"``) stop every process at start with a
message saying what to write instead (``check_inbound_config``).

A missing/bad signature or a timestamp more than 5 minutes away → 401 and nothing is stored; the
body's ``sender`` must be the one whose secret signed it. Per notification: a facility outside the
sender's wards/provinces (or a ward not of the province given) is ``rejected``
(``sender.out_of_scope``); the same (sender, id) again is answered as the first time, or
``rejected`` (``notification.conflict``) and audited when its content differs (``inbox.store``).
The answer is the wire format's response, ``{"results": [...]}``, with 200.
"""
from __future__ import annotations

import hmac
import json
import logging
import re
import time
import tomllib
from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, request

from ..receivers.http import decode_secret, sign
from ..rules.geography import province_exists, ward_exists, ward_province
from ..rules.text import has_invalid_characters

log = logging.getLogger("accommnotify.police.receiving")
bp = Blueprint("police_receiving", __name__, url_prefix="/police/api/v1")
TOLERANCE_SECONDS = 5 * 60
EXAMPLE = 'INBOUND_SECRETS = {hotel-a = {secret = "whsec_…", wards = ["16681"], provinces = []}}'


class InboundConfigError(ValueError):
    """INBOUND_SECRETS / INBOUND_SECRET cannot be used as they are: the message says why (never a secret)."""


def _problem(status: int, title: str, detail: str):
    resp = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail})
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


@dataclass(frozen=True)
class Sender:
    name: str
    key: bytes
    wards: frozenset
    provinces: frozenset

    def may_store(self, ward_code, province_code) -> bool:
        """Whether this sender may notify for a facility of that ward and province."""
        if ward_province(ward_code) != province_code:  # a ward must belong to the province it names
            return False
        return ward_code in self.wards or province_code in self.provinces


def inbound_senders(config) -> dict[str, Sender]:
    """{sender name: Sender} from INBOUND_SECRETS; InboundConfigError when it cannot be used."""
    if config.get("INBOUND_SECRET"):
        raise InboundConfigError("INBOUND_SECRET (one secret for any sender and any ward) is no longer "
                                 "accepted: name each sender and the wards/provinces it may notify for, "
                                 f"e.g. {EXAMPLE}")
    table = config.get("INBOUND_SECRETS") or {}
    if isinstance(table, str):
        text = table.strip()
        if not text:
            table = {}
        elif text.startswith("{"):
            try:
                table = tomllib.loads(f"value = {text}")["value"]
            except tomllib.TOMLDecodeError:
                raise InboundConfigError(f"INBOUND_SECRETS is not a TOML table, e.g. {EXAMPLE}") from None
        else:
            raise InboundConfigError("INBOUND_SECRETS as \"sender=whsec_…,…\" is no longer accepted: give each "
                                     f"sender a table with its secret and wards and/or provinces, e.g. {EXAMPLE}")
    if not isinstance(table, dict):
        raise InboundConfigError(f"INBOUND_SECRETS must be a table, e.g. {EXAMPLE}")
    senders: dict[str, Sender] = {}
    for name, entry in table.items():
        if not isinstance(entry, dict):
            raise InboundConfigError(f"INBOUND_SECRETS: sender {name!r} has only a secret; it needs a table "
                                     f"with secret and wards and/or provinces, e.g. {EXAMPLE}")
        unknown = set(entry) - {"secret", "wards", "provinces"}
        if unknown:
            raise InboundConfigError(f"INBOUND_SECRETS: sender {name!r} has unknown keys {sorted(unknown)}")
        try:
            key = decode_secret(str(entry.get("secret") or "").strip())
        except ValueError:
            raise InboundConfigError(f"INBOUND_SECRETS: the secret of sender {name!r} is not a valid "
                                     "whsec_ secret") from None
        wards, provinces = entry.get("wards") or [], entry.get("provinces") or []
        if not isinstance(wards, list) or not isinstance(provinces, list):
            raise InboundConfigError(f"INBOUND_SECRETS: wards and provinces of sender {name!r} are lists")
        bad = [w for w in wards if not ward_exists(w)] + [p for p in provinces if not province_exists(p)]
        if bad:
            raise InboundConfigError(f"INBOUND_SECRETS: sender {name!r}: unknown ward/province codes {bad} "
                                     "(5-digit wards and 2-digit provinces of the 2025 map)")
        if not wards and not provinces:
            raise InboundConfigError(f"INBOUND_SECRETS: sender {name!r} may notify for no ward: give wards "
                                     "and/or provinces")
        senders[str(name).strip()] = Sender(str(name).strip(), key, frozenset(wards), frozenset(provinces))
    return senders


def check_inbound_config(config) -> None:
    """At start (create_app): raises InboundConfigError for a configuration that cannot be used."""
    inbound_senders(config)


def verify(headers, body: bytes, keys: dict, now: float | None = None) -> str:
    """The name of the sender whose key ({name: key}) signed; raises ValueError with a reason."""
    msg_id = headers.get("webhook-id")
    ts = headers.get("webhook-timestamp")
    sig_header = headers.get("webhook-signature")
    if not msg_id or not ts or not sig_header:
        raise ValueError("missing webhook-id, webhook-timestamp or webhook-signature header")
    # A sane integer only (at most 12 digits): a 400-digit "1000…" would overflow the float clock.
    if not re.fullmatch(r"-?[0-9]{1,12}", ts):
        raise ValueError("webhook-timestamp is not an integer")
    timestamp = int(ts)
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise ValueError("webhook-timestamp is outside the ±5 minute window")
    given = [s for s in sig_header.split() if s.startswith("v1,")]
    for sender, key in keys.items():
        expected = sign(key, msg_id, timestamp, body)
        if any(hmac.compare_digest(expected.encode(), g.encode()) for g in given):
            return sender
    raise ValueError("no valid signature for any accepted sender")


@bp.post("/batches")
def receive_batch():
    from ..inbox import store_batch

    senders = inbound_senders(current_app.config)  # checked at start: does not raise here
    if not senders:
        return _problem(503, "Receiving not configured",
                        "Set ACCOMMNOTIFY_INBOUND_SECRETS (a table per sender: secret, wards, provinces) "
                        "to accept batches.")
    body = request.get_data(cache=False)
    try:
        signer = verify(request.headers, body, {name: s.key for name, s in senders.items()})
    except ValueError as exc:
        log.warning("refused a batch from %s: %s", request.remote_addr, exc)
        return _problem(401, "Unauthorized", str(exc))
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: a deeply nested body ("[" x 100,000)
        return _problem(400, "Bad Request", "The body is not JSON.")
    if not isinstance(doc, dict) or not isinstance(doc.get("notifications"), list):
        return _problem(400, "Bad Request", "Expected {batch_id, sent_at, sender, notifications: [...]}.")
    sender = doc.get("sender")
    if not isinstance(sender, str) or not sender:
        return _problem(400, "Bad Request", "The batch has no sender.")
    if sender != signer:
        log.warning("refused batch %s: signed with the secret of another sender", request.headers.get("webhook-id"))
        return _problem(401, "Unauthorized", "The batch's sender does not match the signing secret.")
    batch_id = doc.get("batch_id")
    if not isinstance(batch_id, str) or has_invalid_characters(batch_id):  # stored: no NUL, no lone surrogate
        batch_id = request.headers.get("webhook-id")
    results = store_batch(doc["notifications"], source=sender, batch_id=(batch_id or "")[:64] or None,
                          may_store=senders[signer].may_store)
    rejected = sum(1 for r in results if r["status"] == "rejected")
    log.info("received batch %s from %s: %d notification(s), %d rejected", batch_id, sender, len(results), rejected)
    return jsonify({"results": results})


def init_app(app):
    from ..web_auth import csrf
    csrf.exempt(bp)
    app.register_blueprint(bp)
