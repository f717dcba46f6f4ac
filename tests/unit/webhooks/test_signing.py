"""Signing checked by the reference `standardwebhooks` library; URL policy."""
import base64

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accommnotify.timeutil import utcnow
from accommnotify.webhooks import signing
from accommnotify.webhooks.events import body
from accommnotify.webhooks.subscriptions import url_problem


def test_signature_verifies_with_the_reference_library():
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    now = utcnow()
    payload = body("notification.rejected", {"notification_id": "n_1", "status": "rejected"}, now)
    headers = signing.headers(secret, "msg_1", int(now.timestamp()), payload.encode())
    verified = Webhook(secret).verify(payload.encode(), headers)
    assert verified["type"] == "notification.rejected" and verified["data"]["status"] == "rejected"
    assert verified["timestamp"].endswith("+07:00")
    with pytest.raises(WebhookVerificationError):  # one changed byte
        Webhook(secret).verify(payload.replace("rejected", "accepted").encode(), headers)
    with pytest.raises(WebhookVerificationError):  # another subscription's secret
        Webhook(signing.new_secret()).verify(payload.encode(), headers)
    with pytest.raises(WebhookVerificationError):  # replayed under another id
        Webhook(secret).verify(payload.encode(), {**headers, "webhook-id": "msg_2"})


def test_secrets_are_random():
    assert len({signing.new_secret() for _ in range(50)}) == 50


@pytest.mark.parametrize("url, strict, relaxed", [
    ("https://pms.example.com/hook", None, None),
    ("https://203.0.113.7:8443/hook", "webhook.url_private", None),  # documentation range: not global
    ("https://8.8.8.8/hook", None, None),
    ("http://pms.example.com/hook", "webhook.url_https_required", None),
    ("https://localhost/hook", "webhook.url_private", None),
    ("https://app.localhost/hook", "webhook.url_private", None),
    ("https://192.168.1.10/hook", "webhook.url_private", None),
    ("https://[fe80::1]/hook", "webhook.url_private", None),
    ("https://169.254.169.254/latest", "webhook.url_private", None),  # cloud metadata
    ("ftp://pms.example.com/hook", "webhook.url_format", "webhook.url_format"),
    ("https:///hook", "webhook.url_format", "webhook.url_format"),
    ("https://u:p@pms.example.com/", "webhook.url_format", "webhook.url_format"),
    ("https://pms.example.com:99999/", "webhook.url_format", "webhook.url_format"),
    ("https://pms.exa mple.com/", "webhook.url_format", "webhook.url_format"),
    ("https://pms.example.com/\u2028x", "webhook.url_format", "webhook.url_format"),
])
def test_url_policy(url, strict, relaxed):
    assert url_problem(url, allow_insecure=False) == strict
    assert url_problem(url, allow_insecure=True) == relaxed
