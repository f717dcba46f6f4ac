"""The HTTP channel: the shape of an SMS or Zalo gateway. Setting REMINDER_HTTP (a TOML table):

    [REMINDER_HTTP]
    url = "https://sms.example.vn/send?to={phone}"
    body = {to = "{phone}", text = "{text}", lang = "{lang}"}   # any JSON shape; or a JSON string
    headers = {Authorization = "Bearer …"}
    timeout = 10

``{phone} {email} {subject} {text} {link} {kind} {lang} {id}`` are replaced: in the URL
percent-encoded, in the body inside the JSON strings (so any text stays valid JSON). A 2xx answer
is success; anything else, or no answer, fails the send (it is tried again later).
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote, urlsplit

import requests

from . import ChannelConfigError, ChannelError, Message, Recipient

PLACEHOLDER = re.compile(r"\{(phone|email|subject|text|link|kind|lang|id)\}")


def _fill(template: str, values: dict, encode=lambda v: v) -> str:
    return PLACEHOLDER.sub(lambda m: encode(values[m.group(1)]), template)


def _fill_json(node, values: dict):
    if isinstance(node, str):
        return _fill(node, values)
    if isinstance(node, list):
        return [_fill_json(x, values) for x in node]
    if isinstance(node, dict):
        return {k: _fill_json(v, values) for k, v in node.items()}
    return node


class HttpChannel:
    name = "http"

    def __init__(self, url: str, body, headers: dict[str, str], timeout: float):
        self.url, self.body, self.headers, self.timeout = url, body, headers, timeout

    def __repr__(self) -> str:  # never the headers (they hold the gateway's key)
        return f"<HttpChannel {urlsplit(self.url).netloc}>"

    def address_of(self, recipient: Recipient) -> str | None:
        return recipient.phone or None

    def request_of(self, address: str, message: Message) -> tuple[str, bytes]:
        values = {"phone": address, "email": "", "subject": message.subject, "text": message.text,
                  "link": message.link or "", "kind": message.kind, "lang": message.lang, "id": message.message_id}
        url = _fill(self.url, values, lambda v: quote(v, safe=""))
        return url, json.dumps(_fill_json(self.body, values), ensure_ascii=False).encode()

    def send(self, address: str, message: Message) -> None:
        url, body = self.request_of(address, message)
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.message_id,
                   **self.headers}
        try:
            # stream: the answer's body is never read (only its status counts), however large it is
            response = requests.post(url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False,
                                     stream=True)
        except (requests.RequestException, OSError) as exc:
            raise ChannelError(type(exc).__name__) from None
        response.close()
        if not 200 <= response.status_code < 300:
            raise ChannelError(f"HTTP {response.status_code}")


def from_settings(config) -> HttpChannel | None:
    table = config.get("REMINDER_HTTP") or {}
    if not table:
        return None
    where = "ACCOMMNOTIFY_REMINDER_HTTP"
    if not isinstance(table, dict):
        raise ChannelConfigError(f"{where} must be a TOML table")
    unknown = set(table) - {"url", "body", "headers", "timeout"}
    if unknown:
        raise ChannelConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    url = table.get("url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ChannelConfigError(f"{where}.url must be an http(s) URL template")
    body = table.get("body", {"to": "{phone}", "text": "{text}"})
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            raise ChannelConfigError(f"{where}.body is not valid JSON") from None
    headers = table.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ChannelConfigError(f"{where}.headers must be a table of strings")
    timeout = table.get("timeout", config.get("REMINDER_SEND_TIMEOUT", 10))
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 120:
        raise ChannelConfigError(f"{where}.timeout must be a number of seconds, 1-120")
    return HttpChannel(url, body, dict(headers), float(timeout))
