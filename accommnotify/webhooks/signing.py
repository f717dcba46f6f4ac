"""Standard Webhooks signing (https://www.standardwebhooks.com): the same HMAC as the ``http``
receiver adapter (receivers.http.sign), with a fresh ``whsec_`` secret per subscription."""
from __future__ import annotations

import base64
import secrets

from ..receivers.http import SECRET_PREFIX, decode_secret, sign

SECRET_BYTES = 24  # 192 bits, as Svix generates


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """``webhook-id`` (stable per message: the receiver's idempotency key), ``webhook-timestamp``
    (integer seconds) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``)."""
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(decode_secret(secret), message_id, timestamp, body)}
