"""One dispatcher pass: recover expired leases, re-route orphans, then per receiver claim → send → record.

Claiming (SPEC §4): one short transaction per batch marks up to ``max_batch`` due notifications
``sending`` under a lease (owner, expiry, batch id) and reads their payload with one join; it
commits BEFORE the receiver is called, so no transaction is ever open across the network.
PostgreSQL claims with ``FOR UPDATE SKIP LOCKED`` (any number of dispatchers take disjoint rows);
SQLite with one ``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`` under ``BEGIN IMMEDIATE``
(writers are serialised, so two dispatchers cannot take the same row). Results are written with
one executemany UPDATE guarded by ``status = 'sending' AND last_batch_id AND lease_owner``: a
dispatcher whose lease expired and whose rows were re-queued or re-claimed changes nothing.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson
from sqlalchemy import String, and_, any_, bindparam, distinct, func, insert, literal, select, text, type_coerce, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects import postgresql, sqlite

from ..crypto import keyring_of
from ..database import read_only
from ..extensions import db
from ..ids import new_id
from ..models import Facility, PortalFile, PortalFileRow
from ..models.types import UTCDateTime
from ..receivers.base import ACCEPTED, AWAITING_UPLOAD, REJECTED, Batch, Delivery, Outcome, bounded
from ..routing import receivers_config
from ..timeutil import UTC, utcnow
from ..webhooks import events as webhook_events
from . import retry
from .sql import ATTEMPTS, N, QUEUED, SENDING, STATES
from .wire import ENCODED_SQL, batch_query, decrypt_encoded, wire_notification

_ENCODED = text(ENCODED_SQL)

log = logging.getLogger("accommnotify.dispatch")
F = Facility.__table__
PF, PFR = PortalFile.__table__, PortalFileRow.__table__


def new_owner() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{new_id('d')[-6:]}"


@dataclass
class Claimed:
    batch_id: str
    receiver: str
    now: datetime
    meta: dict          # id -> (attempts, first_attempt_at, deadline_at, late)
    notifications: list  # wire dicts, oldest first
    encoded: list | None = None  # the same notifications as JSON text, when the database wrote them


@dataclass
class ReceiverReport:
    batches: int = 0
    accepted: int = 0
    rejected: int = 0
    retried: int = 0
    dead: int = 0
    lost_leases: int = 0
    awaiting_upload: int = 0  # written into portal files (vn_portal), delivered once confirmed
    skipped: str | None = None  # why the receiver was not served ("disabled", "paused")

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass
class PassReport:
    receivers: dict = field(default_factory=dict)
    recovered: int = 0
    rerouted: int = 0
    seconds: float = 0.0
    webhooks: object = None  # webhooks.delivery.Report of this pass

    def totals(self) -> dict:
        out = {"batches": 0, "accepted": 0, "rejected": 0, "retried": 0, "dead": 0}
        for r in self.receivers.values():
            for k in out:
                out[k] += getattr(r, k)
        return out


def _upsert(conn, table, values: dict, key: str, update_cols: dict):
    make = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = make(table).values(**values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[key], set_=update_cols))


class Dispatcher:
    """Holds no state between passes except configuration; everything else is in the database."""

    def __init__(self, app, *, owner: str | None = None, rng: random.Random | None = None, config=None):
        self.app = app
        self.owner = owner or new_owner()
        self.rng = rng or random.Random()
        cfg = app.config
        self.lease = timedelta(seconds=float(cfg["LEASE_SECONDS"]))
        self.max_wait = timedelta(seconds=float(cfg["BATCH_MAX_WAIT"]))
        self.margin = timedelta(seconds=float(cfg["DEADLINE_MARGIN"]))
        self.sender = cfg["SENDER"]
        self.config = config or receivers_config(app)
        with app.app_context():
            self.engine = db.engine
        self.sqlite = self.engine.dialect.name == "sqlite"
        self.lanes = max(1, int(cfg.get("DISPATCH_LANES", 1)))
        self.stopping = threading.Event()
        self._claim_stmts: dict = {}
        from ..webhooks.delivery import WebhookSender
        self.webhooks = WebhookSender(app, self.engine, self.owner, self.lease, self.rng)

    # -- a pass -------------------------------------------------------------------------------
    def run_pass(self, now: datetime | None = None, flush: bool = False, webhooks: bool = True) -> PassReport:
        """One pass over every receiver, then the webhooks to the facilities (unless ``webhooks`` is
        False: `dispatcher run` gives them their own job, so a slow PMS never delays the police).
        ``now`` fixes the clock (tests drive the retry schedule)."""
        started = time.monotonic()
        report = PassReport()
        t0 = now or utcnow()
        report.recovered = self.recover_expired_leases(t0)
        report.rerouted = self.reroute_orphans(t0)
        disabled = self.disabled_receivers()
        self.sync_receiver_alerts(t0)
        todo = []
        for name, receiver in self.config.receivers.items():
            rr = report.receivers[name] = ReceiverReport()
            if name in disabled:
                rr.skipped = "disabled"
                continue
            if getattr(receiver, "paused", None):
                # e.g. vn_portal with a template that does not match: its notifications wait
                # (no attempt is spent, so none dies) until the operator fixes the template
                rr.skipped = "paused"
                continue
            todo.append((receiver, rr))
        if len(todo) == 1:
            self._drain_in_context(*todo[0], now, flush)
        elif todo:
            # Receivers are independent: a slow or hanging one must not hold back the others
            # (foreigner arrivals go "at the next dispatch").
            with ThreadPoolExecutor(max_workers=min(8, len(todo)), thread_name_prefix="dispatch") as pool:
                futures = [pool.submit(self._drain_in_context, receiver, rr, now, flush)
                           for receiver, rr in todo]
                for f in futures:
                    f.result()
        if webhooks:
            # after the receivers, so the events their results wrote leave in this pass
            report.webhooks = self.webhooks.run(now, self.stopping)
        report.seconds = time.monotonic() - started
        return report

    def _drain_in_context(self, receiver, rr, now, flush):
        if self.lanes == 1:
            with self.app.app_context():
                self._drain(receiver, rr, now, flush)
            return
        # Several batches of one receiver in flight at once: while one waits for the receiver or
        # the database, another is being claimed or built. Claims never overlap (SKIP LOCKED on
        # PostgreSQL, one writer at a time on SQLite).
        reports = [ReceiverReport() for _ in range(self.lanes)]

        def lane(report):
            with self.app.app_context():
                self._drain(receiver, report, now, flush)

        with ThreadPoolExecutor(max_workers=self.lanes, thread_name_prefix=f"lane-{receiver.name}") as pool:
            for f in [pool.submit(lane, r) for r in reports]:
                f.result()
        for report in reports:
            for key in ("batches", "accepted", "rejected", "retried", "dead", "lost_leases", "awaiting_upload"):
                setattr(rr, key, getattr(rr, key) + getattr(report, key))

    def _drain(self, receiver, rr: ReceiverReport, now, flush):
        # Once a pass has sent a full batch, the rest of the queue goes in the same pass: batching
        # waits exist to avoid tiny batches in quiet hours, not to hold items back in busy ones
        # (at steady intake, a remainder left for the next pass would wait a whole extra interval).
        busy = flush
        while not self.stopping.is_set():
            t = now or utcnow()
            if not busy and not self.is_due(receiver, t):
                return
            claimed = self.claim(receiver, t)
            if claimed is None:
                return
            delivery = self.send(receiver, claimed)
            stats = self.record(claimed, delivery, now or utcnow())
            rr.batches += 1
            for k, v in stats.items():
                setattr(rr, k, getattr(rr, k) + v)
            if delivery.disable_receiver or len(claimed.meta) < receiver.max_batch:
                return
            busy = True

    # -- housekeeping ---------------------------------------------------------------------------
    def recover_expired_leases(self, now: datetime) -> int:
        """Claims whose lease ran out (a dispatcher died or hung) go back to the queue at once."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                update(N).where(SENDING, N.c.lease_expires_at < now)
                .values(status="retrying", next_attempt_at=now, lease_owner=None, lease_expires_at=None,
                        updated_at=now, last_error="lease expired")
                .returning(N.c.last_batch_id)).scalars().all()
            batches = sorted({b for b in rows if b})
            if batches:
                conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.id.in_(batches), ATTEMPTS.c.ended_at.is_(None))
                             .values(ended_at=now, error_class="LeaseExpired",
                                     excerpt="the dispatcher did not finish this batch before its lease expired"))
        if rows:
            log.warning("recovered %d notification(s) of %d batch(es) whose lease expired", len(rows), len(batches))
        return len(rows)

    def reroute_orphans(self, now: datetime) -> int:
        """Queued notifications of a receiver no longer in the file follow today's routes."""
        known = set(self.config.receivers)
        with self.engine.begin() as conn:
            names = conn.execute(select(distinct(N.c.receiver)).where(QUEUED)).scalars().all()
            orphans = [n for n in names if n not in known]
            moved = 0
            for old in orphans:
                groups = conn.execute(
                    select(N.c.category, N.c.facility_id, F.c.province_code, F.c.ward_code)
                    .join(F, F.c.id == N.c.facility_id)
                    .where(QUEUED, N.c.receiver == old).distinct()).all()
                for category, facility_id, province, ward in groups:
                    new = self.config.route_for(category, province, ward)
                    result = conn.execute(update(N).where(QUEUED, N.c.receiver == old, N.c.category == category,
                                                          N.c.facility_id == facility_id)
                                          .values(receiver=new, updated_at=now))
                    moved += result.rowcount
                    log.warning("re-routed %d queued %s notification(s) from receiver %r (not in %s any more) "
                                "to %r", result.rowcount, category, old, self.config.path, new)
        return moved

    def sync_receiver_alerts(self, now: datetime) -> None:
        """Receivers that watch their own configuration (vn_portal: the template file) re-check it
        and their current alert (or none) is stored for `dispatcher status` and /metrics."""
        for name, receiver in self.config.receivers.items():
            reload = getattr(receiver, "reload", None)
            if not callable(reload) or not hasattr(receiver, "alert"):
                continue
            reload()
            alert = bounded(receiver.alert)
            with read_only(), self.engine.connect() as conn:
                stored = conn.execute(select(STATES.c.alert).where(STATES.c.name == name)).first()
                conn.rollback()
            if (stored[0] if stored else None) == alert:
                continue
            with self.engine.begin() as conn:
                _upsert(conn, STATES, {"name": name, "disabled": False, "alert": alert, "updated_at": now},
                        "name", {"alert": alert, "updated_at": now})

    def disabled_receivers(self) -> set[str]:
        with read_only(), self.engine.connect() as conn:
            names = set(conn.execute(select(STATES.c.name).where(STATES.c.disabled.is_(True))).scalars())
            conn.rollback()
        return names

    # -- batching rules -----------------------------------------------------------------------
    def _due_query(self, receiver_name, now, limit, *columns):
        return (select(*columns).where(N.c.receiver == receiver_name, QUEUED, N.c.next_attempt_at <= now)
                .order_by(N.c.next_attempt_at, N.c.id).limit(limit))

    def is_due(self, receiver, now: datetime) -> bool:
        """Send when full, when the oldest waited batch_max_wait, when a deadline is within
        deadline_margin, for urgent (foreigner arrival) items at once, and for retries whose
        backoff has elapsed (they have waited already)."""
        with read_only(), self.engine.connect() as conn:
            rows = conn.execute(self._due_query(receiver.name, now, receiver.max_batch, N.c.next_attempt_at,
                                                N.c.deadline_at, N.c.urgent, N.c.attempts)).all()
            conn.rollback()
        if not rows:
            return False
        if len(rows) >= receiver.max_batch:
            return True
        if rows[0].next_attempt_at <= now - self.max_wait:
            return True
        soon = now + self.margin
        return any(r.urgent or r.attempts > 0 or r.deadline_at <= soon for r in rows)

    # -- claim ----------------------------------------------------------------------------------
    def _by_primary_key(self, conn):
        """A batch is a few hundred rows found by primary key. PostgreSQL's planner otherwise
        hashed whole tables (notifications, guests, stays) for each batch, so claiming and
        recording grew with the table; this keeps both to index probes, in this transaction only."""
        if not self.sqlite:
            conn.exec_driver_sql("SET LOCAL enable_hashjoin = off")
            conn.exec_driver_sql("SET LOCAL enable_mergejoin = off")

    def claim(self, receiver, now: datetime) -> Claimed | None:
        batch_id = new_id("bat")
        values = dict(status="sending", lease_owner=self.owner, lease_expires_at=now + self.lease,
                      last_batch_id=batch_id, attempts=N.c.attempts + 1,
                      first_attempt_at=func.coalesce(N.c.first_attempt_at, literal(now, UTCDateTime())),
                      updated_at=now)
        due = self._due_query(receiver.name, now, receiver.max_batch, N.c.id)
        if self.sqlite:
            stmt = update(N).where(N.c.id.in_(due.scalar_subquery()))
        else:
            # id = ANY(ARRAY(subquery)): the picked ids are computed once and each row is then
            # found by primary key (a join to a CTE made PostgreSQL hash the whole table).
            picked = due.with_for_update(skip_locked=True).scalar_subquery()
            stmt = update(N).where(N.c.id == any_(func.array(picked)))
        stmt = stmt.values(**values).returning(N.c.id, N.c.attempts, N.c.first_attempt_at, N.c.deadline_at,
                                               N.c.late)
        with self.engine.begin() as conn:
            self._by_primary_key(conn)
            rows = conn.execute(stmt).all()
            if not rows:
                return None
            meta = {r.id: (r.attempts, r.first_attempt_at, r.deadline_at, r.late) for r in rows}
            if self.sqlite:
                notifications = [wire_notification(r) for r in conn.execute(batch_query(meta))]
                encoded = None
            else:
                encoded = decrypt_encoded(conn.execute(_ENCODED, {"ids": list(meta)}), keyring_of(conn))
                notifications = [orjson.loads(text_) for text_ in encoded]
            conn.execute(insert(ATTEMPTS).values(
                id=batch_id, receiver=receiver.name, dispatcher=self.owner, started_at=now,
                notification_count=len(meta), accepted=0, rejected=0, retried=0))
        return Claimed(batch_id, receiver.name, now, meta, notifications, encoded)

    # -- send -----------------------------------------------------------------------------------
    def send(self, receiver, claimed: Claimed) -> Delivery:
        batch = Batch(id=claimed.batch_id, receiver=receiver.name, sender=self.sender, sent_at=utcnow(),
                      notifications=claimed.notifications, encoded=claimed.encoded)
        try:
            delivery = receiver.send(batch)
        except Exception as exc:  # noqa: BLE001 - a broken adapter must not stop the dispatcher
            log.error("receiver %s batch %s: adapter raised %s; the batch will be retried",
                      receiver.name, claimed.batch_id, type(exc).__name__)
            log.debug("adapter traceback", exc_info=True)  # debug only: messages may carry data
            return Delivery.all(batch, "retry", error_class=type(exc).__name__,
                                excerpt=f"adapter raised {type(exc).__name__}",
                                alert=f"receiver {receiver.name!r}: the adapter raised {type(exc).__name__}")
        if not isinstance(delivery, Delivery):
            return Delivery.all(batch, "retry", error_class="InvalidDelivery",
                                alert=f"receiver {receiver.name!r}: send() did not return a Delivery")
        return delivery

    # -- record ---------------------------------------------------------------------------------
    # Results: ONE statement per batch, whatever its size. The per-item values travel as one JSON
    # document joined to the table (UPDATE … FROM), guarded so that only the current lease holder
    # of this very batch can write. (An executemany of 500 UPDATEs cost more than the whole claim.)
    _RESULT_COLUMNS = """status = v.status, delivered_at = v.delivered_at, receipt = v.receipt,
        rejection_code = v.code, rejection_message = v.message, next_attempt_at = v.next, late = v.late,
        last_error = v.error, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now"""
    _RESULT_SQLITE = text(f"""UPDATE notifications SET {_RESULT_COLUMNS}
        FROM (SELECT value ->> '$.id' AS id, value ->> '$.status' AS status,
                     value ->> '$.delivered_at' AS delivered_at, value ->> '$.receipt' AS receipt,
                     value ->> '$.code' AS code, value ->> '$.message' AS message, value ->> '$.next' AS next,
                     value ->> '$.late' AS late, value ->> '$.error' AS error
              FROM json_each(:doc)) AS v
        WHERE notifications.id = v.id AND notifications.status = 'sending'
          AND notifications.last_batch_id = :batch AND notifications.lease_owner = :owner"""
                          ).bindparams(bindparam("now", type_=UTCDateTime()))
    _RESULT_PG = text(f"""UPDATE notifications SET {_RESULT_COLUMNS}
        FROM json_to_recordset(CAST(:doc AS json)) AS v(id text, status text, delivered_at timestamptz,
             receipt text, code text, message text, next timestamptz, late boolean, error text)
        WHERE notifications.id = v.id AND notifications.id = ANY(CAST(:ids AS text[]))
          AND notifications.status = 'sending'
          AND notifications.last_batch_id = :batch AND notifications.lease_owner = :owner"""
                      ).bindparams(bindparam("now", type_=UTCDateTime()))
    # (`id = ANY(:ids)` lets PostgreSQL find the batch's rows by primary key and hash the 500
    # results; without it, it scanned every row in flight against the JSON once per row.)

    def _stamp(self, value):
        """A datetime as the column stores it (SQLite: naive UTC text, the format SQLAlchemy writes)."""
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value.isoformat()

    def _record_files(self, conn, claimed, delivery, params, outcomes, stats, now) -> None:
        """Store the files an adapter wrote (vn_portal) in this transaction, each only if this
        dispatcher still holds the lease of every notification in it. A file whose notifications
        were taken back is not recorded (a complete but unlisted file may stay on disk; nobody is
        shown it) and they go back to the queue, so a notification is in one recorded file only."""
        ids = [nid for f in delivery.files for nid, _ in f.rows]
        owned_q = select(N.c.id).where(N.c.id.in_(ids), SENDING, N.c.last_batch_id == claimed.batch_id,
                                       N.c.lease_owner == self.owner)
        if not self.sqlite:
            owned_q = owned_q.with_for_update()
        owned = set(conn.execute(owned_q).scalars())
        codes = {f.facility_code for f in delivery.files}
        facility_ids = dict(conn.execute(select(F.c.code, F.c.id).where(F.c.code.in_(codes))).all())
        by_id = {p["id"]: p for p in params}
        for f in delivery.files:
            file_ids = [nid for nid, _ in f.rows]
            if not set(file_ids) <= owned or f.facility_code not in facility_ids:
                for nid in file_ids:
                    by_id[nid].update(status="retrying", error="file not recorded: lease lost")
                    outcomes[nid] = {"status": "retry"}
                    stats["awaiting_upload"] -= 1
                    stats["retried"] += 1
                log.warning("receiver %s batch %s: file %s not recorded (the lease of its notifications was lost)",
                            claimed.receiver, claimed.batch_id, f.id)
                continue
            earliest = datetime.fromisoformat(f.earliest_deadline) if f.earliest_deadline else None
            conn.execute(insert(PF).values(
                id=f.id, facility_id=facility_ids[f.facility_code], receiver=claimed.receiver,
                batch_id=claimed.batch_id, kind=f.kind, format=f.format, filename=f.filename, path=f.path,
                row_count=f.row_count, size=f.size, sha256=f.sha256, status="ready", earliest_deadline=earliest,
                created_at=now, updated_at=now))
            conn.execute(insert(PFR), [{"file_id": f.id, "row": row, "notification_id": nid} for nid, row in f.rows])
            webhook_events.enqueue_portal_file(conn, facility_ids[f.facility_code], "portal_file.ready",
                                               webhook_events.portal_file_data(
                                                   file_id=f.id, facility_code=f.facility_code, kind=f.kind,
                                                   format=f.format, status="ready", row_count=f.row_count,
                                                   earliest_deadline=earliest), now)
            for nid, row in f.rows:
                outcomes[nid] = {"status": AWAITING_UPLOAD, "file": f.id, "row": row}

    def record(self, claimed: Claimed, delivery: Delivery, now: datetime) -> dict:
        error = None
        if delivery.error_class:
            error = delivery.error_class
        elif delivery.http_status and not 200 <= delivery.http_status < 300:
            error = f"HTTP {delivery.http_status}"
        stats = {"accepted": 0, "rejected": 0, "retried": 0, "dead": 0}
        if delivery.files:
            stats["awaiting_upload"] = 0
        params, outcomes = [], {}
        missing = Outcome.retry()
        stamp_now = self._stamp(now)
        for nid, (attempts, first_at, deadline_at, late) in claimed.meta.items():
            o = delivery.outcomes.get(nid, missing)
            p = {"id": nid, "delivered_at": None, "receipt": None, "code": None, "message": None,
                 "next": stamp_now, "late": bool(late), "error": None}
            if o.status == ACCEPTED:
                p.update(status="accepted", delivered_at=stamp_now, receipt=bounded(o.receipt, 200),
                         late=bool(late) or now > deadline_at)
                outcomes[nid] = {"status": "accepted", "receipt": o.receipt}
                stats["accepted"] += 1
            elif o.status == AWAITING_UPLOAD:
                # in a portal file: not delivered until the facility confirms the count; the
                # deadline keeps running and `late` is decided at confirmation
                p.update(status=AWAITING_UPLOAD)
                outcomes[nid] = {"status": AWAITING_UPLOAD}
                stats["awaiting_upload"] += 1
            elif o.status == REJECTED:
                p.update(status="rejected", code=bounded(o.code, 100), message=bounded(o.message, 500))
                outcomes[nid] = {"status": "rejected", "code": o.code, "message": o.message}
                stats["rejected"] += 1
            else:
                status, when = retry.next_attempt(attempts, first_at, now, delivery.retry_after, self.rng)
                p.update(status=status, next=self._stamp(when or now), error=bounded(error or "retry", 200))
                outcomes[nid] = {"status": status if status == "dead" else "retry",
                                 **({"next_attempt_at": when.isoformat()} if when else {})}
                stats["dead" if status == "dead" else "retried"] += 1
            params.append(p)
        with self.engine.begin() as conn:
            if delivery.files:
                self._record_files(conn, claimed, delivery, params, outcomes, stats, now)
            if self.sqlite:
                for p in params:
                    p["late"] = int(p["late"])
            written = conn.execute(self._RESULT_SQLITE if self.sqlite else self._RESULT_PG,
                                   {"doc": orjson.dumps(params).decode(), "batch": claimed.batch_id,
                                    "owner": self.owner, "now": now,
                                    **({} if self.sqlite else {"ids": list(claimed.meta)})}).rowcount
            if stats["accepted"] or stats["rejected"] or stats["dead"]:
                # webhooks to the facilities, in this transaction: only rows this batch wrote
                ids = (N.c.id.in_(list(claimed.meta)) if self.sqlite else  # by primary key on PostgreSQL
                       N.c.id == any_(type_coerce(list(claimed.meta), ARRAY(String))))
                webhook_events.enqueue_notifications(conn, and_(ids, N.c.last_batch_id == claimed.batch_id), now)
            conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == claimed.batch_id).values(
                ended_at=now, http_status=delivery.http_status, error_class=delivery.error_class,
                excerpt=bounded(delivery.excerpt), accepted=stats["accepted"], rejected=stats["rejected"],
                retried=stats["retried"] + stats["dead"], outcomes=orjson.dumps(outcomes).decode(),
                alert=bounded(delivery.alert)))
            if delivery.disable_receiver or delivery.alert:
                values = {"name": claimed.receiver, "disabled": bool(delivery.disable_receiver),
                          "disabled_at": now if delivery.disable_receiver else None,
                          "alert": bounded(delivery.alert), "updated_at": now}
                update_cols = {"alert": values["alert"], "updated_at": now}
                if delivery.disable_receiver:
                    update_cols.update(disabled=True, disabled_at=now)
                _upsert(conn, STATES, values, "name", update_cols)
        if written is not None and 0 <= written < len(params):
            stats["lost_leases"] = len(params) - written
            log.warning("receiver %s batch %s: %d result(s) not written: the lease expired and the "
                        "notifications were taken back", claimed.receiver, claimed.batch_id, len(params) - written)
        if delivery.disable_receiver:
            log.error("receiver %s disabled after HTTP 410; re-enable with `flask dispatcher enable %s`",
                      claimed.receiver, claimed.receiver)
        elif delivery.alert:
            log.error("receiver %s: %s", claimed.receiver, delivery.alert)
        log.info("receiver %s batch %s: %d item(s) %s%s", claimed.receiver, claimed.batch_id, len(params),
                 {k: v for k, v in stats.items() if v},
                 f" (HTTP {delivery.http_status})" if delivery.http_status else
                 (f" ({delivery.error_class})" if delivery.error_class else ""))
        return stats
