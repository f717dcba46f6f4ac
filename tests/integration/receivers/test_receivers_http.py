"""The http adapter against a real HTTP server on loopback that verifies every request with the
reference Standard Webhooks library."""

import base64
import json
import socket
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accommnotify.receivers.base import Outcome
from accommnotify.receivers.http import USER_AGENT, HttpReceiver

SECRET = "whsec_" + base64.b64encode(b"integration-secret-0123456789abc").decode()


class FakePolice:
    """A police-side receiving endpoint. ``responder(payload) -> (status, headers, body)``."""

    def __init__(self, secret: str):
        self.webhook = Webhook(secret)
        self.responder = lambda payload: (200, {}, b"")
        self.hang_seconds = 0.0
        self.received: list[dict] = []  # verified requests
        self.refused: list[str] = []  # verification failures
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output free of request lines
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = fake.webhook.verify(body, headers)
                except WebhookVerificationError as exc:
                    with fake.lock:
                        fake.refused.append(str(exc))
                    self._answer(401, {}, json.dumps({"error": "invalid signature"}).encode())
                    return
                with fake.lock:
                    fake.received.append(
                        {"headers": headers, "body": body, "payload": payload, "client": self.client_address}
                    )
                if fake.hang_seconds:
                    time.sleep(fake.hang_seconds)  # slower than the client's read timeout
                status, extra, out = fake.responder(payload)
                self._answer(status, extra, out)

            def _answer(self, status, extra, out):
                try:
                    self.send_response(status)
                    self.send_header("content-length", str(len(out)))
                    self.send_header("content-type", "application/json")
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(out)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/police/api/v1/batches"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def answer(self, status, body=None, headers=None):
        raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.responder = lambda payload: (status, headers or {}, raw)


@pytest.fixture
def police():
    fake = FakePolice(SECRET)
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def receiver(police):
    r = HttpReceiver("ward-police", url=police.url, secret=SECRET, read_timeout=5, connect_timeout=2)
    yield r
    r.close()


def test_200_with_results(police, receiver, make_batch):
    batch = make_batch(4)
    a, b, c, d = batch.ids

    def responder(payload):
        assert [n["id"] for n in payload["notifications"]] == batch.ids
        results = [
            {"id": a, "status": "accepted", "receipt": "R-1"},
            {"id": b, "status": "rejected", "code": "person.unknown", "message": "không tìm thấy"},
            {"id": c, "status": "pending"},  # unknown status -> retry
            {"id": "ntf_not_in_batch", "status": "accepted"},
        ]  # d not mentioned -> retry
        return 200, {}, json.dumps({"results": results}).encode()

    police.responder = responder
    delivery = receiver.send(batch)
    assert delivery.outcomes == {
        a: Outcome("accepted", receipt="R-1"),
        b: Outcome("rejected", code="person.unknown", message="không tìm thấy"),
        c: Outcome("retry"),
        d: Outcome("retry"),
    }
    assert delivery.http_status == 200 and delivery.error_class is None and delivery.alert is None

    (req,) = police.received
    assert req["payload"] == json.loads(json.dumps(batch.to_wire()))
    assert req["headers"]["webhook-id"] == batch.id
    assert abs(int(req["headers"]["webhook-timestamp"]) - time.time()) < 60
    assert req["headers"]["webhook-signature"].startswith("v1,")
    assert req["headers"]["content-type"] == "application/json"
    assert req["headers"]["user-agent"] == USER_AGENT
    assert "Nguyễn Thị Mẫu".encode() in req["body"]  # raw UTF-8, compact
    assert b'":"' in req["body"] and b'": "' not in req["body"]


def test_200_without_results_accepts_all(police, receiver, make_batch):
    police.answer(200)
    batch = make_batch(3)
    delivery = receiver.send(batch)
    assert delivery.outcomes == {nid: Outcome("accepted") for nid in batch.ids}
    assert delivery.http_status == 200


def test_session_reuses_the_connection(police, receiver, make_batch):
    police.answer(204)
    receiver.send(make_batch(1, "bat_a"))
    receiver.send(make_batch(1, "bat_b"))
    assert [r["headers"]["webhook-id"] for r in police.received] == ["bat_a", "bat_b"]
    assert police.received[0]["client"] == police.received[1]["client"]


def test_422_with_per_item_rejection(police, receiver, make_batch):
    batch = make_batch(3)
    a, b, c = batch.ids
    police.answer(
        422,
        {"results": [
            {"id": a, "status": "rejected", "code": "id_number.format", "message": "bad number"},
            {"id": b, "status": "accepted", "receipt": "R-2"},
        ]},
    )
    delivery = receiver.send(batch)
    assert delivery.outcomes == {
        a: Outcome("rejected", code="id_number.format", message="bad number"),
        b: Outcome("accepted", receipt="R-2"),
        c: Outcome("retry"),
    }
    assert delivery.http_status == 422 and delivery.alert is None


def test_422_without_results_retries_and_alerts(police, receiver, make_batch):
    police.answer(422, {"error": "schema mismatch"})
    delivery = receiver.send(make_batch(2))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.alert and "422" in delivery.alert
    assert "schema mismatch" in delivery.excerpt


def test_503_retries_with_excerpt(police, receiver, make_batch):
    police.answer(503, b"maintenance " * 1000)
    batch = make_batch(2)
    delivery = receiver.send(batch)
    assert delivery.outcomes == {nid: Outcome("retry") for nid in batch.ids}
    assert delivery.http_status == 503 and delivery.alert is None and not delivery.disable_receiver
    assert delivery.excerpt.startswith("maintenance") and len(delivery.excerpt) == 2000


def test_429_retry_after_seconds(police, receiver, make_batch):
    police.answer(429, {"error": "slow down"}, {"Retry-After": "120"})
    delivery = receiver.send(make_batch(2))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.http_status == 429 and delivery.retry_after == 120.0 and delivery.alert is None


def test_503_retry_after_http_date(police, receiver, make_batch):
    when = datetime.now(timezone.utc) + timedelta(seconds=600)
    police.answer(503, None, {"Retry-After": format_datetime(when, usegmt=True)})
    delivery = receiver.send(make_batch(1))
    assert 500 < delivery.retry_after <= 600


def test_410_disables_receiver(police, receiver, make_batch):
    police.answer(410, {"error": "gone"})
    delivery = receiver.send(make_batch(2))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.disable_receiver is True
    assert "410" in delivery.alert and "ward-police" in delivery.alert


def test_400_is_a_configuration_error(police, receiver, make_batch):
    police.answer(400, {"error": "unknown sender"})
    delivery = receiver.send(make_batch(2))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.http_status == 400 and not delivery.disable_receiver
    assert "configuration error, not the guests' fault" in delivery.alert


def test_hang_longer_than_read_timeout(police, make_batch):
    police.hang_seconds = 3.0
    police.answer(200)
    receiver = HttpReceiver("slow", url=police.url, secret=SECRET, read_timeout=0.5)
    try:
        started = time.monotonic()
        delivery = receiver.send(make_batch(2))
        elapsed = time.monotonic() - started
    finally:
        receiver.close()
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.error_class == "ReadTimeout" and delivery.http_status is None
    assert elapsed < 2.5


def test_connection_refused(make_batch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    receiver = HttpReceiver("down", url=f"http://127.0.0.1:{port}/x", secret=SECRET, connect_timeout=1)
    delivery = receiver.send(make_batch(2))
    receiver.close()
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.error_class == "ConnectionError" and delivery.excerpt


def test_wrong_secret_is_refused_by_the_verifier(police, make_batch):
    other = "whsec_" + base64.b64encode(b"some-other-secret-0123456789abcd").decode()
    receiver = HttpReceiver("wrong", url=police.url, secret=other)
    delivery = receiver.send(make_batch(1))
    receiver.close()
    assert police.received == [] and police.refused == ["No matching signature found"]
    assert delivery.http_status == 401 and delivery.alert and "secret" in delivery.alert


def test_body_tampered_after_signing_is_refused(police, receiver, make_batch):
    police.answer(200)
    receiver.send(make_batch(2))
    (original,) = police.received
    sent = {k: v for k, v in original["headers"].items() if k.startswith("webhook-")}
    tampered = original["body"].replace(b'"room":"101"', b'"room":"102"')
    assert tampered != original["body"]
    resp = requests.post(police.url, data=tampered, headers=sent, timeout=5)
    assert resp.status_code == 401
    assert police.refused == ["No matching signature found"]
    assert len(police.received) == 1
    # the untouched body with the same headers still verifies (replay protection is the receiver's dedupe)
    assert requests.post(police.url, data=original["body"], headers=sent, timeout=5).status_code == 200
