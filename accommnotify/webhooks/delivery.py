"""Webhook delivery, a round of the dispatcher process: recover expired leases, then claim → send → record.

The same discipline as notifications (dispatch.core): a short transaction claims up to ``BATCH``
due messages under a lease (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite one writer at a time) and
logs an attempt for each; the HTTP requests go out with no transaction open (in parallel, each its
own request); results are written in one transaction guarded by status, lease owner and attempt
id, so a dispatcher whose lease ran out changes nothing. A killed dispatcher's messages come back
when their lease expires and go again under the same ``webhook-id`` (the receiver dedupes on it).

Outcomes: 2xx delivered; 410 Gone disables the subscription (its messages wait, nothing is lost;
``flask webhooks enable ID``); anything else (other status, timeout, connection error) retries on
the schedule of dispatch.retry (30 s, 2 min, 10 min, …), dead 72 h after the first attempt.
"""
from __future__ import annotations

import ipaddress
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import urllib3
from sqlalchemy import any_, bindparam, case, delete, func, insert, literal, select, text, update

from ..dispatch import retry
from ..ids import new_id
from ..models import WebhookAttempt, WebhookMessage, WebhookSubscription
from ..models.types import UTCDateTime
from ..models.webhooks import WEBHOOK_DEAD_PREDICATE, WEBHOOK_QUEUED_PREDICATE, WEBHOOK_SENDING_PREDICATE
from ..receivers.base import bounded
from ..receivers.http import parse_retry_after
from ..timeutil import utcnow
from . import signing

log = logging.getLogger("accommnotify.webhooks")
MSG, ATT, SUB = WebhookMessage.__table__, WebhookAttempt.__table__, WebhookSubscription.__table__
QUEUED = text("webhook_messages." + WEBHOOK_QUEUED_PREDICATE)
SENDING = text("webhook_messages." + WEBHOOK_SENDING_PREDICATE)
DEAD = text("webhook_messages." + WEBHOOK_DEAD_PREDICATE)
USER_AGENT = "accommnotify-webhooks/1.0"
BATCH = 100
EXCERPT = 300
READ_LIMIT = 4096
DRAIN_LIMIT = 64 * 1024  # the rest of an answer read to keep its connection alive


@dataclass
class Result:
    """What one HTTP request gave."""
    http_status: int | None = None
    error_class: str | None = None
    excerpt: str | None = None
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300

    def describe(self) -> str:
        return f"HTTP {self.http_status}" if self.http_status is not None else (self.error_class or "error")


@dataclass
class Claimed:
    id: str
    attempt_id: str
    subscription_id: str
    payload: str
    attempts: int
    first_attempt_at: datetime | None
    url: str = ""
    secret: str = ""


@dataclass
class Report:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    disabled: list = field(default_factory=list)
    recovered: int = 0
    lost_leases: int = 0
    unsent: int = 0   # claimed, but not started in time: back in the queue

    def add(self, other: "Report") -> None:
        for key, value in other.__dict__.items():
            setattr(self, key, getattr(self, key) + value)

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if v}


class PrivateAddress(Exception):
    """The receiver's name led to an address that is not public (loopback, private, link-local …). Not an
    OSError: urllib3 would report that as a broken connection, and the attempt log should say why."""


def _public_only(connection_cls):
    """A connection class that refuses, once connected and before a byte is sent, a peer address that is
    not global: the subscription check sees only the name, and a name can point (or be re-pointed, DNS
    rebinding) at the dispatcher's own network."""
    class PublicOnly(connection_cls):
        def _new_conn(self):
            sock = super()._new_conn()
            if not ipaddress.ip_address(sock.getpeername()[0].split("%")[0]).is_global:
                sock.close()
                raise PrivateAddress("the webhook host resolved to an address that is not public")
            return sock
    return PublicOnly


def connection_pool(workers: int, allow_private: bool = False) -> urllib3.PoolManager:
    """One pool for a sender's threads: keep-alive connections (a PMS gets many events: no TCP and TLS
    handshake each), no retries of its own (dispatch.retry schedules them), no redirects followed, and
    no cookie jar at all, so one receiver's Set-Cookie never travels to the next request. urllib3 rather
    than requests: a round spends most of its CPU in the client, and requests' layers over urllib3 cost
    half again per message (bench/webhooks). Unless `allow_private` (WEBHOOK_ALLOW_INSECURE: development
    and tests on loopback), only public addresses are connected to."""
    pool = urllib3.PoolManager(num_pools=64, maxsize=workers, block=False, retries=False)
    if not allow_private:
        pool.pool_classes_by_scheme = {
            scheme: type(f"PublicOnly{cls.__name__}", (cls,), {"ConnectionCls": _public_only(cls.ConnectionCls)})
            for scheme, cls in pool.pool_classes_by_scheme.items()}
    return pool


def post(pool: urllib3.PoolManager, url: str, secret: str, message_id: str, payload: str, now: datetime,
         timeout: tuple) -> Result:
    """One signed POST; never raises."""
    body = payload.encode()
    headers = {"content-type": "application/json", "user-agent": USER_AGENT,
               **signing.headers(secret, message_id, int(now.timestamp()), body)}
    try:
        response = pool.request("POST", url, body=body, headers=headers, redirect=False, preload_content=False,
                                timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]))
        try:
            excerpt = response.read(READ_LIMIT, decode_content=True)
        finally:
            # Keep the connection only when the rest of the answer is known to be short: read timeouts
            # are per read, so draining an endless (or dripping) answer would hold this thread for ever.
            left = response.length_remaining
            if left is not None and left <= DRAIN_LIMIT:
                response.drain_conn()
            else:
                response.close()
            response.release_conn()
        return Result(response.status, None, bounded(excerpt.decode("utf-8", "replace"), EXCERPT),
                      parse_retry_after(response.headers.get("Retry-After")))
    except Exception as exc:  # noqa: BLE001 - a bad URL, a timeout or a broken answer must not stop the dispatcher
        return Result(None, type(exc).__name__, None)


def queue_counts(conn) -> dict:
    """{"pending", "retrying", "sending", "dead": messages, "disabled": subscriptions} from the
    partial indexes (cheap however many delivered messages the table holds), for /metrics."""
    out = {"pending": 0, "retrying": 0, "sending": 0, "dead": 0}
    out.update(conn.execute(select(MSG.c.status, func.count()).where(QUEUED).group_by(MSG.c.status)).all())
    out["sending"] = conn.execute(select(func.count()).select_from(MSG).where(SENDING)).scalar()
    out["dead"] = conn.execute(select(func.count()).select_from(MSG).where(DEAD)).scalar()
    out["disabled"] = conn.execute(select(func.count()).select_from(SUB).where(SUB.c.disabled_at.is_not(None))).scalar()
    return out


class WebhookSender:
    def __init__(self, app, engine, owner: str, lease: timedelta, rng: random.Random | None = None):
        cfg = app.config
        self.engine = engine
        self.owner = owner
        self.lease = lease
        self.rng = rng or random.Random()
        self.sqlite = engine.dialect.name == "sqlite"
        self.timeout = (float(cfg.get("WEBHOOK_CONNECT_TIMEOUT", 5)), float(cfg.get("WEBHOOK_READ_TIMEOUT", 10)))
        self.workers = max(1, int(cfg.get("WEBHOOK_CONCURRENCY", 8)))
        # A claim must be sent and recorded well within its lease even if every request times out.
        # Rather than claiming only what worst-case timeouts allow (16-32 messages: a round's database
        # work then costs more than its requests), a round claims BATCH and a request that could not
        # end within half the lease is not started: its message goes back to the queue (see `send`).
        self.claim_size = BATCH
        self.send_window = lease.total_seconds() / 2
        # kept from pass to pass, so are its threads' keep-alive connections
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="webhook")
        self.http = connection_pool(self.workers, allow_private=bool(cfg.get("WEBHOOK_ALLOW_INSECURE")))

    def run(self, now: datetime | None = None, stopping=None) -> Report:
        report = Report()
        report.recovered = self.recover_expired_leases(now or utcnow())
        while stopping is None or not stopping.is_set():
            t = now or utcnow()
            claimed = self.claim(t, self.claim_size)
            if not claimed:
                break
            results = self.send(claimed, now)
            self.record(claimed, results, now or utcnow(), report)
            if len(claimed) < self.claim_size:
                break
        return report

    def send(self, claimed: list[Claimed], now: datetime | None) -> list[Result | None]:
        """Post each claimed message, `workers` at a time; None for one whose request would start too late
        to end (connect + read timeout) within the send window. The first `workers` always start, so a
        lease shorter than the timeouts still makes progress."""
        last_start = time.monotonic() + self.send_window - sum(self.timeout)

        def one(i: int, c: Claimed) -> Result | None:
            if i >= self.workers and time.monotonic() > last_start:
                return None
            return post(self.http, c.url, c.secret, c.id, c.payload, now or utcnow(), self.timeout)
        return list(self.pool.map(one, range(len(claimed)), claimed))

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.http.clear()

    def recover_expired_leases(self, now: datetime) -> int:
        with self.engine.begin() as conn:
            rows = conn.execute(update(MSG).where(SENDING, MSG.c.lease_expires_at < now)
                                .values(status="retrying", next_attempt_at=now, lease_owner=None,
                                        lease_expires_at=None, last_error="lease expired", updated_at=now)
                                .returning(MSG.c.last_attempt_id)).scalars().all()
            if rows:
                conn.execute(update(ATT).where(ATT.c.id.in_(rows), ATT.c.ended_at.is_(None))
                             .values(ended_at=now, error_class="LeaseExpired"))
        if rows:
            log.warning("webhooks: recovered %d message(s) whose lease expired", len(rows))
        return len(rows)

    def claim(self, now: datetime, limit: int = BATCH) -> list[Claimed]:
        due = (select(MSG.c.id).join(SUB, SUB.c.id == MSG.c.subscription_id)
               .where(QUEUED, MSG.c.next_attempt_at <= now, SUB.c.disabled_at.is_(None))
               .order_by(MSG.c.next_attempt_at, MSG.c.id).limit(limit))
        claim_id = new_id("whc")
        values = dict(status="sending", lease_owner=self.owner, lease_expires_at=now + self.lease,
                      last_attempt_id=claim_id, attempts=MSG.c.attempts + 1,
                      first_attempt_at=func.coalesce(MSG.c.first_attempt_at, literal(now, UTCDateTime())),
                      updated_at=now)
        if self.sqlite:
            stmt = update(MSG).where(MSG.c.id.in_(due.scalar_subquery()))
        else:  # pragma: postgresql
            picked = due.with_for_update(skip_locked=True, of=MSG).scalar_subquery()
            stmt = update(MSG).where(MSG.c.id == any_(func.array(picked)))
        stmt = stmt.values(**values).returning(MSG.c.id, MSG.c.subscription_id, MSG.c.payload, MSG.c.attempts,
                                               MSG.c.first_attempt_at)
        with self.engine.begin() as conn:
            rows = conn.execute(stmt).all()
            if not rows:
                return []
            # one attempt id per message, also its lease token (the claim's id is only a placeholder)
            claimed = [Claimed(r.id, new_id("wha"), r.subscription_id, r.payload, r.attempts, r.first_attempt_at)
                       for r in rows]
            # one statement, not one per message: the claim's cost is most of a round's database time
            conn.execute(update(MSG).where(MSG.c.id.in_([c.id for c in claimed]), MSG.c.last_attempt_id == claim_id)
                         .values(last_attempt_id=case({c.id: c.attempt_id for c in claimed}, value=MSG.c.id)))
            conn.execute(insert(ATT), [{"id": c.attempt_id, "message_id": c.id, "subscription_id": c.subscription_id,
                                        "dispatcher": self.owner, "started_at": now} for c in claimed])
            subs = {s.id: s for s in conn.execute(
                select(SUB.c.id, SUB.c.url, SUB.c.secret).where(SUB.c.id.in_({c.subscription_id for c in claimed})))}
        for c in claimed:
            c.url, c.secret = subs[c.subscription_id].url, subs[c.subscription_id].secret
        return claimed

    def record(self, claimed: list[Claimed], results: list[Result], now: datetime, report: Report) -> None:
        """Write a round's outcomes. Each write is guarded by the message's attempt id (also its lease
        token: an attempt id belongs to one message only), status and lease owner, so a round whose lease
        ran out changes nothing. Delivered messages, nearly all of them, go in one statement per
        distinct answer; failures one at a time (each has its own retry time)."""
        delivered, failed, gone, unsent = {}, [], set(), []
        for c, r in zip(claimed, results):
            if r is None:
                unsent.append(c)
                continue
            if r.delivered:
                report.delivered += 1
                delivered.setdefault((r.http_status, r.excerpt), []).append(c)
                continue
            p = {"mid": c.id, "aid": c.attempt_id, "http": r.http_status, "error": bounded(r.describe(), 200), "eclass": r.error_class,
                 "text": r.excerpt, "next": now}
            if r.http_status == 410:
                gone.add(c.subscription_id)
                p["st"] = "retrying"  # waits for the subscription to be enabled again
                report.retried += 1
            else:
                status, when = retry.next_attempt(c.attempts, c.first_attempt_at, now, r.retry_after, self.rng)
                p["st"], p["next"] = status, when or now
                report.dead += status == "dead"
                report.retried += status != "dead"
            failed.append(p)
        leased = (SENDING, MSG.c.lease_owner == self.owner)
        released = dict(lease_owner=None, lease_expires_at=None, updated_at=now)
        counts = []
        with self.engine.begin() as conn:
            for (http, excerpt), done in delivered.items():
                aids = [c.attempt_id for c in done]
                counts.append(conn.execute(
                    update(MSG).where(MSG.c.id.in_([c.id for c in done]), MSG.c.last_attempt_id.in_(aids), *leased)
                    .values(status="delivered", delivered_at=now, next_attempt_at=now, last_http_status=http,
                            last_error=None, **released)).rowcount)
                conn.execute(update(ATT).where(ATT.c.id.in_(aids))
                             .values(ended_at=now, http_status=http, error_class=None, excerpt=excerpt))
            if failed:
                counts.append(conn.execute(
                    update(MSG).where(MSG.c.id == bindparam("mid"), MSG.c.last_attempt_id == bindparam("aid"), *leased)
                    .values(status=bindparam("st"), next_attempt_at=bindparam("next"), last_http_status=bindparam("http"),
                            last_error=bindparam("error"), **released),
                    failed).rowcount)
                conn.execute(update(ATT).where(ATT.c.id == bindparam("aid"))
                             .values(ended_at=now, http_status=bindparam("http"), error_class=bindparam("eclass"),
                                     excerpt=bindparam("text")), failed)
            if unsent:  # not attempted: due again at once, the attempt neither counted nor logged
                counts.append(conn.execute(
                    update(MSG).where(MSG.c.id.in_([c.id for c in unsent]),
                                      MSG.c.last_attempt_id.in_([c.attempt_id for c in unsent]), *leased)
                    .values(status="retrying", next_attempt_at=now, attempts=MSG.c.attempts - 1, **released)).rowcount)
                conn.execute(delete(ATT).where(ATT.c.id.in_([c.attempt_id for c in unsent])))
                report.unsent += len(unsent)
            if gone:
                conn.execute(update(SUB).where(SUB.c.id.in_(gone), SUB.c.disabled_at.is_(None))
                             .values(disabled_at=now, disabled_reason="HTTP 410 Gone from the receiver"))
        written = sum(counts)
        if all(n is not None and n >= 0 for n in counts) and written < len(claimed):  # -1: driver cannot tell
            report.lost_leases += len(claimed) - written
            log.warning("webhooks: %d result(s) not written: the lease expired and the messages were taken back",
                        len(claimed) - written)
        for sid in sorted(gone):
            report.disabled.append(sid)
            log.error("webhook subscription %s disabled after HTTP 410; re-enable with `flask webhooks enable %s`",
                      sid, sid)
