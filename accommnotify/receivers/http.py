"""``http`` adapter: POST the batch as JSON, signed per Standard Webhooks (SPEC §4).

Headers: ``webhook-id`` (batch id), ``webhook-timestamp`` (integer seconds),
``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` keyed with the base64 part
of the ``whsec_…`` secret.

Status mapping:

=========================  ====================================================================
2xx + ``results``          as given; ids the receiver did not mention, or unknown status → retry
2xx without results        all accepted (no receipt)
422 + ``results``          as given (rejected / accepted); ids not mentioned → retry
422 without results        all retry + alert
408, 425, 429, 5xx         all retry (``retry_after`` from Retry-After)
timeouts, conn. errors     all retry, ``error_class`` = exception class name
410 Gone                   all retry + ``disable_receiver`` + alert
other 1xx/3xx/4xx          all retry + alert (configuration error, not the guests' fault)
=========================  ====================================================================
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from .base import (
    ACCEPTED,
    EXCERPT_LIMIT,
    REJECTED,
    Batch,
    Delivery,
    Outcome,
    Receiver,
    bounded,
)

__all__ = ["HttpReceiver", "sign", "decode_secret", "parse_retry_after", "USER_AGENT"]

log = logging.getLogger(__name__)

USER_AGENT = "accommnotify/1.0 (+receivers.http)"
SECRET_PREFIX = "whsec_"
RETRYABLE_STATUSES = frozenset({408, 425, 429})
#: A response body larger than this is not read further (results of 500 items fit easily).
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
_RECEIPT_LIMIT = 200
_CODE_LIMIT = 100


def decode_secret(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; ValueError when malformed or empty."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise ValueError("secret must start with 'whsec_'")
    b64 = secret[len(SECRET_PREFIX):].strip()
    b64 += "=" * (-len(b64) % 4)  # unpadded base64 is common (and accepted by the reference lib)
    try:
        key = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("secret after 'whsec_' is not valid base64") from exc
    if not key:
        raise ValueError("secret after 'whsec_' is empty")
    return key


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>``."""
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode(), hashlib.sha256)
    mac.update(body)
    return "v1," + base64.b64encode(mac.digest()).decode("ascii")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        now_ts = time.time() if now is None else now
        return max(0.0, when.timestamp() - now_ts)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


class HttpReceiver(Receiver):
    adapter = "http"

    def __init__(
        self,
        name: str,
        *,
        url: str | None = None,
        secret: str | None = None,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        headers: dict[str, str] | None = None,
        max_batch: int = 500,
        **options: Any,
    ):
        problems = self._init_base(name, max_batch, options)
        if url is None:
            problems.append("missing required option 'url'")
        else:
            parts = urlsplit(url) if isinstance(url, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                problems.append(f"url {url!r} is not an http:// or https:// URL")
        self._key = b""
        if secret is None:
            problems.append("missing required option 'secret' (a Standard Webhooks 'whsec_…' secret)")
        else:
            try:
                self._key = decode_secret(secret)
            except ValueError as exc:
                problems.append(str(exc))  # never echo the secret itself
        if not _positive_number(connect_timeout):
            problems.append(f"connect_timeout must be a positive number of seconds, got {connect_timeout!r}")
        if not _positive_number(read_timeout):
            problems.append(f"read_timeout must be a positive number of seconds, got {read_timeout!r}")
        if headers is not None and (
            not isinstance(headers, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
        ):
            problems.append("headers must be a table of string values")
        self.raise_problems(problems)

        self.url: str = url  # type: ignore[assignment]
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.extra_headers = dict(headers or {})
        self._session: requests.Session | None = None

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def session(self) -> requests.Session:
        if self._session is None:
            s = requests.Session()
            s.headers.update({"user-agent": USER_AGENT, "accept": "application/json"})
            s.headers.update(self.extra_headers)
            self._session = s
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def __repr__(self) -> str:  # never the secret
        return f"<HttpReceiver {self.name!r} url={self.url!r} max_batch={self.max_batch}>"

    def signed_headers(self, msg_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        ts = int(time.time()) if timestamp is None else int(timestamp)
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(ts),
            "webhook-signature": sign(self._key, msg_id, ts, body),
            "content-type": "application/json",
        }

    @staticmethod
    def body_of(batch: Batch) -> bytes:
        if batch.encoded is None:
            return json.dumps(batch.to_wire(), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        head = batch.to_wire()
        del head["notifications"]
        prefix = json.dumps(head, separators=(",", ":"), ensure_ascii=False)[:-1]
        return (prefix + ',"notifications":[' + ",".join(batch.encoded) + "]}").encode("utf-8")

    # -- send -------------------------------------------------------------------------------
    def send(self, batch: Batch) -> Delivery:
        body = self.body_of(batch)
        headers = self.signed_headers(batch.id, body)
        started = time.monotonic()
        try:
            resp = self.session.post(
                self.url,
                data=body,
                headers=headers,
                timeout=(self.connect_timeout, self.read_timeout),
                allow_redirects=False,
                stream=True,
            )
            try:
                raw = self._read_limited(resp)
            finally:
                resp.close()
        except (requests.RequestException, OSError) as exc:
            log.info(
                "receiver %s batch %s (%d items): %s after %.3fs",
                self.name, batch.id, len(batch.notifications), type(exc).__name__,
                time.monotonic() - started,
            )
            return Delivery.all(batch, "retry", error_class=type(exc).__name__, excerpt=bounded(str(exc)))
        delivery = self._interpret(batch, resp.status_code, resp.headers, raw)
        log.info(
            "receiver %s batch %s (%d items): HTTP %d in %.3fs -> %s",
            self.name, batch.id, len(batch.notifications), resp.status_code,
            time.monotonic() - started, delivery.counts(),
        )
        return delivery

    @staticmethod
    def _read_limited(resp: requests.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_content(chunk_size=65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                break
        return b"".join(chunks)

    def _interpret(self, batch: Batch, status: int, headers: Any, raw: bytes) -> Delivery:
        excerpt = bounded(raw[: EXCERPT_LIMIT * 4].decode("utf-8", errors="replace"))
        retry_after = parse_retry_after(headers.get("retry-after"))
        facts: dict[str, Any] = {"http_status": status, "excerpt": excerpt, "retry_after": retry_after}

        if 200 <= status < 300 or status == 422:
            results, problem = self._results_of(raw)
            if problem is not None:
                return Delivery.all(
                    batch, "retry", error_class="InvalidResponse",
                    alert=f"receiver {self.name!r} answered HTTP {status} with {problem}; "
                    "all notifications will be retried",
                    **facts,
                )
            if results is None:
                if status == 422:
                    return Delivery.all(
                        batch, "retry",
                        alert=f"receiver {self.name!r} answered 422 without per-item results; "
                        "the batch is retried. Check the wire format the receiver expects.",
                        **facts,
                    )
                return Delivery.all(batch, ACCEPTED, **facts)
            return Delivery(outcomes=self._outcomes(batch, results), **facts)

        if status in RETRYABLE_STATUSES or 500 <= status < 600:
            return Delivery.all(batch, "retry", **facts)

        if status == 410:
            return Delivery.all(
                batch, "retry", disable_receiver=True,
                alert=f"receiver {self.name!r} ({self.url}) answered 410 Gone: the receiver is "
                "disabled; fix or remove it in the receivers config, then re-enable it",
                **facts,
            )

        hint = ""
        if status in (401, 403):
            hint = " (check the shared 'secret' and the receiver's access rules)"
        elif status == 404:
            hint = " (check the 'url')"
        elif status == 413:
            hint = " (the batch is too large: lower 'max_batch')"
        elif 300 <= status < 400:
            hint = f" (redirect to {headers.get('location')!r}: update the 'url')"
        return Delivery.all(
            batch, "retry",
            alert=f"receiver {self.name!r} ({self.url}) answered HTTP {status}{hint}: a "
            "configuration error, not the guests' fault; the batch is retried with backoff",
            **facts,
        )

    @staticmethod
    def _results_of(raw: bytes) -> tuple[list | None, str | None]:
        """(results, problem): results None when the body has no ``results``."""
        if not raw.strip():
            return None, None
        try:
            doc = json.loads(raw)
        except ValueError:
            return None, None  # a non-JSON 2xx body carries no per-item results
        if not isinstance(doc, dict) or "results" not in doc:
            return None, None
        results = doc["results"]
        if results is None:
            return None, None
        if not isinstance(results, list):
            return None, "a 'results' member that is not a list"
        return results, None

    @staticmethod
    def _outcomes(batch: Batch, results: list) -> dict[str, Outcome]:
        outcomes: dict[str, Outcome] = {nid: Outcome.retry() for nid in batch.ids}
        seen: set[str] = set()
        for item in results:
            if not isinstance(item, dict):
                continue
            nid = item.get("id")
            if not isinstance(nid, str) or nid not in outcomes or nid in seen:
                continue
            seen.add(nid)
            status = item.get("status")
            if status == ACCEPTED:
                receipt = item.get("receipt")
                outcomes[nid] = Outcome.accepted(
                    bounded(receipt, _RECEIPT_LIMIT) if receipt is not None else None
                )
            elif status == REJECTED:
                code = item.get("code")
                message = item.get("message")
                outcomes[nid] = Outcome.rejected(
                    bounded(code, _CODE_LIMIT) if code is not None else None,
                    bounded(message) if message is not None else None,
                )
            # "retry" or anything unknown: stays retry
        return outcomes
