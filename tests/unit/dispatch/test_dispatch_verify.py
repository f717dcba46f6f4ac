"""The receiving endpoint's signature check agrees with the reference standardwebhooks library."""
import base64
import re
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks.webhooks import Webhook

from accommnotify.police.receiving import InboundConfigError, inbound_senders, verify
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


def test_senders_from_settings():
    senders = inbound_senders({"INBOUND_SECRETS": {"a": {"secret": SECRET, "wards": ["16681"]},
                                                   "b": {"secret": OTHER, "provinces": ["01"]}}})
    assert set(senders) == {"a", "b"}
    assert senders["a"].may_store("16681", "40") and not senders["a"].may_store("17329", "40")
    assert senders["b"].may_store("00070", "01") and not senders["b"].may_store("16681", "40")
    assert not senders["a"].may_store("16681", "01")  # a ward is not of another province
    text = '{a = {secret = "%s", wards = ["16681"]}}' % SECRET
    assert set(inbound_senders({"INBOUND_SECRETS": text})) == {"a"}


@pytest.mark.parametrize("config, words", [
    ({"INBOUND_SECRET": SECRET}, "INBOUND_SECRET (one secret for any sender"),
    ({"INBOUND_SECRETS": f"a={SECRET}, b={OTHER}"}, "no longer accepted"),
    ({"INBOUND_SECRETS": {"a": SECRET}}, "has only a secret"),
    ({"INBOUND_SECRETS": {"a": {"secret": SECRET}}}, "may notify for no ward"),
    ({"INBOUND_SECRETS": {"a": {"secret": SECRET, "wards": ["99999"]}}}, "unknown ward/province"),
    ({"INBOUND_SECRETS": {"a": {"secret": "whsec_!!!", "wards": ["16681"]}}}, "not a valid whsec_"),
])
def test_unusable_inbound_settings_are_clear_errors(config, words):
    with pytest.raises(InboundConfigError, match=re.escape(words)) as info:
        inbound_senders(config)
    assert SECRET[6:] not in str(info.value)  # the message never holds a secret
