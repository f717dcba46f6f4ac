"""The receiving endpoint's signature check agrees with the reference standardwebhooks library."""
import base64
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks.webhooks import Webhook

from accommnotify.police.receiving import inbound_secrets, verify
from accommnotify.receivers.http import decode_secret

SECRET = "whsec_" + base64.b64encode(b"unit-secret-0123456789abcdef").decode()
OTHER = "whsec_" + base64.b64encode(b"another-secret-0123456789ab").decode()


def _headers(msg_id, ts, body, secret=SECRET):
    when = datetime.fromtimestamp(ts, timezone.utc)
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts),
            "webhook-signature": Webhook(secret).sign(msg_id, when, body.decode())}


def test_reference_signature_identifies_the_sender():
    keys = {"a": decode_secret(SECRET), "b": decode_secret(OTHER)}
    body = b'{"x": 1}'
    now = int(time.time())
    assert verify(_headers("bat_1", now, body), body, keys) == "a"
    assert verify(_headers("bat_1", now, body, OTHER), body, keys) == "b"


@pytest.mark.parametrize("mutate", ["body", "id", "old", "future", "missing"])
def test_refusals(mutate):
    keys = {None: decode_secret(SECRET)}
    body = b'{"x": 1}'
    now = int(time.time())
    headers = _headers("bat_1", now, body)
    if mutate == "body":
        body = b'{"x": 2}'
    elif mutate == "id":
        headers["webhook-id"] = "bat_2"
    elif mutate == "old":
        headers = _headers("bat_1", now - 301, body)
    elif mutate == "future":
        headers = _headers("bat_1", now + 301, body)
    else:
        del headers["webhook-signature"]
    with pytest.raises(ValueError):
        verify(headers, body, keys)


def test_secrets_from_settings():
    assert set(inbound_secrets({"INBOUND_SECRET": SECRET})) == {None}
    assert set(inbound_secrets({"INBOUND_SECRETS": f"a={SECRET}, b={OTHER}"})) == {"a", "b"}
    assert set(inbound_secrets({"INBOUND_SECRETS": {"a": SECRET}, "INBOUND_SECRET": OTHER})) == {"a", None}
