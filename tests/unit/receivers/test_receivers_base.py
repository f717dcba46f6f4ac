import base64
import json
from datetime import datetime, timezone

import pytest
from standardwebhooks.webhooks import Webhook

from accommnotify.receivers.base import Batch, Delivery, Outcome, Receiver, ReceiverConfigError
from accommnotify.receivers.http import HttpReceiver, decode_secret, parse_retry_after, sign

SECRET = "whsec_" + base64.b64encode(b"unit-test-key-0123456789abcdef!!").decode()


def test_batch_to_wire_renders_sent_at_in_vietnam_time(make_batch):
    batch = make_batch(2)
    wire = batch.to_wire()
    assert list(wire) == ["batch_id", "sent_at", "sender", "notifications"]
    assert wire["batch_id"] == "bat_test0001"
    assert wire["sent_at"] == "2026-11-27T15:00:00+07:00"
    assert wire["notifications"] == batch.notifications


def test_batch_requires_aware_sent_at():
    with pytest.raises(ValueError):
        Batch(id="b", receiver="r", sender="s", sent_at=datetime(2026, 1, 1), notifications=[])


def test_delivery_all_builds_uniform_outcomes(make_batch):
    batch = make_batch(3)
    d = Delivery.all(batch, "retry", error_class="ConnectTimeout", excerpt="x" * 5000)
    assert set(d.outcomes) == set(batch.ids)
    assert all(o == Outcome.retry() for o in d.outcomes.values())
    assert d.error_class == "ConnectTimeout"
    assert len(d.excerpt) == 2000
    rej = Delivery.all(batch, "rejected", code="bad", message="nope")
    assert rej.counts() == {"accepted": 0, "rejected": 3, "retry": 0}
    assert rej.outcomes[batch.ids[0]] == Outcome("rejected", code="bad", message="nope")


def test_outcome_rejects_unknown_status():
    with pytest.raises(ValueError):
        Outcome("maybe")


def test_receiver_rejects_unknown_options_and_bad_max_batch():
    with pytest.raises(ReceiverConfigError) as err:
        Receiver("r1", max_batch=0, colour="blue")
    assert "unknown option(s): 'colour'" in str(err.value)
    assert "max_batch must be a positive integer" in str(err.value)
    assert len(err.value.problems) == 2


def test_signature_matches_reference_library(make_batch):
    batch = make_batch(2)
    body = HttpReceiver.body_of(batch)
    receiver = HttpReceiver("r", url="http://127.0.0.1:9/x", secret=SECRET)
    headers = receiver.signed_headers(batch.id, body)
    assert headers["webhook-id"] == batch.id
    assert headers["webhook-timestamp"].isdigit()
    assert Webhook(SECRET).verify(body, headers) == json.loads(body)
    # compact, UTF-8 (not \\u escapes)
    assert "Nguyễn Thị Mẫu".encode() in body and b", " not in body


def test_signature_over_other_body_does_not_verify(make_batch):
    body = HttpReceiver.body_of(make_batch(1))
    ts = int(datetime.now(timezone.utc).timestamp())
    sig = sign(decode_secret(SECRET), "bat_test0001", ts, body)
    headers = {"webhook-id": "bat_test0001", "webhook-timestamp": str(ts), "webhook-signature": sig}
    from standardwebhooks.webhooks import WebhookVerificationError

    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"101", b"102"), headers)


def test_decode_secret_accepts_unpadded_base64_and_rejects_garbage():
    assert decode_secret("whsec_" + base64.b64encode(b"abcd1").decode().rstrip("=")) == b"abcd1"
    for bad in ("abc", "whsec_", "whsec_***notbase64***"):
        with pytest.raises(ValueError):
            decode_secret(bad)


def test_parse_retry_after():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc).timestamp()
    assert parse_retry_after("Fri, 27 Nov 2026 08:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Fri, 27 Nov 2026 07:00:00 GMT", now=now) == 0.0


def test_http_receiver_repr_hides_secret():
    r = HttpReceiver("r", url="https://police.example/x", secret=SECRET)
    assert SECRET[6:] not in repr(r)
