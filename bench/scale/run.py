"""Scale benchmark (issue 14 item 3), one command: a fresh PostgreSQL database filled by COPY with
N notifications over the last 12-13 months, then the police officers' pages, a month's purge and the
database size; then the intake and drain benchmarks on the same schema (--no-write-paths skips them).

    .venv/bin/python bench/scale/run.py                       # 10,000,000 notifications (~20 min)
    nice -n 10 .venv/bin/python bench/scale/run.py --notifications 200000 --people 50000   # a quick check

What is generated (all synthetic; names from bench/police/bench_inbox.py's parts, random numbers):
- facilities over all 3,321 wards of the 34 provinces (rules.geography); one province (--big-province,
  default 79, the largest) gets a quarter of the stays; wards weighted (log-normal), so some are busy;
- N/4 stays of 2 guests, spread evenly in time from the first day of the month 12 months back to now;
  each guest an arrival and (stay ended) a departure notification; ~2% of stays still open;
- notifications 'delivered' (the last minutes' 'pending', a few 'dead'), each with its police inbox row
  (same id, received seconds later), and one delivery attempt per 500 notifications.
Ids carry the row's creation time (ids.encode((ms << 80) | random)), so a monthly partitioned schema
(accommnotify.ops.partitions, when present) routes each row to its month. People come from a pool of
pre-encrypted ID / passport numbers with their blind indexes (the same people stay again): nothing is
encrypted per row. Foreign keys are not checked during the load (session_replication_role = replica);
the rows are consistent by construction.

Then, through the Flask test client (full request: session, scope, query, template, audit insert),
for a ward officer (the busiest ward of the big province) and a province officer (the big province):
first inbox page, exact ID search, accent-free name search (targets p95 100 / 50 / 200 ms). Then,
after VACUUM (as autovacuum leaves a year-old database), the purge as a monthly run meets it: a
warm-up purge whose cutoff is the second generated month (the police inbox's oldest month goes),
then the timed one, whose cutoff is the third (the stays' oldest month, the inbox's second; target
≤ 1 s; docs/PARTITIONS.md), and pg_database_size and per-table sizes (partitions summed with
pg_partition_tree). The purge is cancelled after --purge-timeout seconds (default 300; it is then
reported as such): a schema without partitions deletes row by row.

With --keep, the database stays and bench/results/kept-<database>.json holds what a later run needs
to time the officers' pages again on it, without loading (its keys and sampled searches, synthetic):

    .venv/bin/python bench/scale/run.py --keep --no-purge
    .venv/bin/python bench/scale/run.py --reuse accommnotify_bench_scale_…     # pages only
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "police"))


from accommnotify.extensions import db  # noqa: E402
from accommnotify.ids import encode  # noqa: E402
from accommnotify.rules.geography import WARD_PROVINCE  # noqa: E402
from accommnotify.rules.text import fold  # noqa: E402
from bench_inbox import (FAMILY, GIVEN, MIDDLE, bench_keys, fresh_postgres_database, measure,  # noqa: E402
                         migrated_app, search_url)

UTC = timezone.utc
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
VN_OFFSET_MS = 7 * HOUR_MS            # Asia/Ho_Chi_Minh has no DST
SOURCE = "accommnotify"               # config SENDER: the inbox adapter stores batch.sender
RECEIVER = "police-inbox"
TABLES = ("facilities", "stays", "guests", "notifications", "inbox_notifications", "delivery_attempts",
          "police_audit_log")
FOREIGN = ["KOR", "CHN", "USA", "JPN", "FRA", "DEU", "AUS", "THA", "RUS", "GBR", "IND", "TWN"]
KINDS = ["tourist_accommodation"] * 6 + ["rental_rooms"] * 2 + ["household", "student_dormitory",
                                                                "medical_facility", "other"]
REASONS = ["tourism"] * 5 + ["business", "business", "family_visit", "work", "study", "medical_treatment",
                             "caregiving", "other"]

STAY_COLS = ("id", "facility_id", "external_ref", "request_hash", "status", "room", "reason", "arrived_at",
             "expected_departure", "departed_at", "source", "created_at", "updated_at")
GUEST_COLS = ("id", "stay_id", "position", "full_name", "date_of_birth", "sex", "nationality", "id_number",
              "document_kind", "document_type", "document_number", "entry_date", "departed_at")
NOTE_COLS = ("id", "facility_id", "stay_id", "guest_id", "event", "category", "receiver", "status", "urgent",
             "created_at", "updated_at", "deadline_at", "late", "attempts", "first_attempt_at",
             "next_attempt_at", "last_batch_id", "delivered_at", "last_error")
INBOX_COLS = ("id", "notification_id", "body_hash", "received_at", "source", "batch_id", "event", "category",
              "created_at", "deadline_at", "late", "facility_code", "facility_name", "facility_kind",
              "facility_address", "ward_code", "province_code", "stay_id", "external_ref", "room", "arrived_at",
              "expected_departure", "departed_at", "reason", "full_name", "name_search", "date_of_birth", "sex",
              "nationality", "id_number", "id_number_bidx", "document_type", "document_number",
              "document_number_bidx")
BATCH_COLS = ("id", "receiver", "dispatcher", "started_at", "ended_at", "notification_count", "http_status",
              "accepted", "rejected", "retried")
FACILITY_COLS = ("id", "code", "name", "kind", "address", "ward_code", "province_code", "created_at")
N_ = "\\N"


# ---------------------------------------------------------------- time and ids, fast
_days: dict[int, str] = {}
_TOD = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
_MS = [f".{f:03d}+00" for f in range(1000)]


def ts(ms: int) -> str:
    """A UTC timestamp literal for COPY text, from epoch milliseconds (no datetime objects: this is
    the generator's hottest function)."""
    d, r = divmod(ms, DAY_MS)
    day = _days.get(d)
    if day is None:
        day = _days[d] = (date(1970, 1, 1) + timedelta(days=d)).isoformat() + " "
    s, f = divmod(r, 1000)
    return day + _TOD[s] + _MS[f]


def ms_of(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def month_start(d: date, back: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - back, 12)
    return date(y, m + 1, 1)


def residence_deadline(arrived_ms: int) -> int:
    """rules.deadlines.arrival_deadline for residence, in ms: 23:00 local that day, or 08:00 the next
    day when arriving 23:00-23:59."""
    local = arrived_ms + VN_OFFSET_MS
    day, tod = divmod(local, DAY_MS)
    if tod < 23 * HOUR_MS:
        return day * DAY_MS + 23 * HOUR_MS - VN_OFFSET_MS
    return (day + 1) * DAY_MS + 8 * HOUR_MS - VN_OFFSET_MS


# ---------------------------------------------------------------- the generated world
def facilities_plan(rng: random.Random, n_facilities: int, big: str):
    """Facilities over every ward (at least one each), more in heavier wards; a quarter of the stays go
    to the big province. Returns (rows, big-province facility indexes, other indexes, busiest big ward)."""
    wards = sorted(WARD_PROVINCE)
    weight = {w: rng.lognormvariate(0, 1.0) for w in wards}
    big_wards = [w for w in wards if WARD_PROVINCE[w] == big]
    other_wards = [w for w in wards if WARD_PROVINCE[w] != big]
    n_big = max(len(big_wards), n_facilities // 4)
    n_other = max(len(other_wards), n_facilities - n_big)
    assign = list(big_wards) + rng.choices(big_wards, [weight[w] for w in big_wards], k=n_big - len(big_wards))
    assign += list(other_wards) + rng.choices(other_wards, [weight[w] for w in other_wards],
                                              k=n_other - len(other_wards))
    rows, big_idx, other_idx = [], [], []
    for i, ward in enumerate(assign):
        code = f"BF{i + 1:07d}"
        kind = rng.choice(KINDS)
        address = f"{rng.randint(1, 400)} Đường Số {rng.randint(1, 60)}"
        rows.append({"id": i + 1, "code": code, "name": f"Cơ sở {code}", "kind": kind, "address": address,
                     "ward_code": ward, "province_code": WARD_PROVINCE[ward]})
        (big_idx if WARD_PROVINCE[ward] == big else other_idx).append(i)
    counts: dict[str, int] = {}
    for i in big_idx:
        counts[rows[i]["ward_code"]] = counts.get(rows[i]["ward_code"], 0) + 1
    busiest = max(counts, key=counts.get)
    return rows, big_idx, other_idx, busiest


def people_pool(rng: random.Random, n: int, keys):
    """n people, numbers encrypted once with their blind indexes (what the app stores)."""
    pool = []
    for _ in range(n):
        middle = rng.choice(MIDDLE)
        name = " ".join(p for p in (rng.choice(FAMILY), middle, rng.choice(GIVEN)) if p)
        foreign = rng.random() < 0.08
        if foreign:
            nat = rng.choice(FOREIGN)
            doc = f"P{rng.randint(0, 99999999):08d}"
            id_number, id_enc, id_bidx = None, N_, N_
            doc_enc, doc_bidx, doc_type, doc_kind = keys.encrypt(doc), keys.blind_index(doc.upper()), "passport", N_
            name = name.replace("đ", "d").replace("Đ", "D")
        else:
            nat = "VNM"
            id_number = f"0{rng.randint(1, 96):02d}{rng.randint(0, 3)}{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}"
            id_enc, id_bidx = keys.encrypt(id_number), keys.blind_index(id_number)
            doc_enc = doc_bidx = doc_type = N_
            doc_kind = "cccd"
        dob = date(1945 + rng.randint(0, 60), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        pool.append({"name": name, "fold": fold(name), "dob": dob, "sex": rng.choice(("male", "female")),
                     "nat": nat, "foreign": foreign, "id_number": id_number, "id_enc": id_enc,
                     "id_bidx": id_bidx, "doc_enc": doc_enc, "doc_bidx": doc_bidx, "doc_type": doc_type,
                     "doc_kind": doc_kind})
    return pool


class Generator:
    def __init__(self, app, args, now: datetime):
        self.rng = rng = random.Random(args.seed)
        self.n_stays = max(1, args.notifications // 4)
        self.now_ms = ms_of(now)
        self.start = month_start(now.date(), 12)           # the oldest generated month
        self.start_ms = ms_of(datetime.combine(self.start, datetime.min.time(), UTC))
        n_fac = max(2 * len(WARD_PROVINCE), self.n_stays // 50)
        self.facilities, self.big_idx, self.other_idx, self.ward = facilities_plan(rng, n_fac, args.big_province)
        self.big = args.big_province
        with app.app_context():
            from accommnotify.crypto import keyring
            t0 = time.perf_counter()
            self.people = people_pool(rng, min(args.people, max(1000, self.n_stays)), keyring())
            self.pool_s = time.perf_counter() - t0
        self.fac_text = [
            "\t".join((f["code"], f["name"], f["kind"], f["address"], f["ward_code"], f["province_code"]))
            for f in self.facilities]
        self.samples = {"ward_id": [], "ward_name": [], "province_id": [], "province_name": []}
        self.counts = dict.fromkeys(("stays", "guests", "notifications", "inbox", "attempts", "open",
                                     "pending", "dead"), 0)
        self.batch_id, self.batch_left = None, 0
        self.batches: list[str] = []

    def rid(self, prefix: str, ms: int) -> str:
        return prefix + "_" + encode((ms << 80) | self.rng.getrandbits(79))

    def _batch(self, created_ms: int) -> tuple[str, int]:
        if self.batch_left == 0:
            started = created_ms + 2000
            self.batch_id, self.batch_started, self.batch_left = self.rid("bat", started), started, 500
            self.batches.append("\t".join((self.batch_id, RECEIVER, "bench", ts(started), ts(started + 150),
                                           "500", "200", "500", "0", "0")))
            self.counts["attempts"] += 1
        self.batch_left -= 1
        return self.batch_id, self.batch_started

    def chunk(self, first: int, last: int):
        """Stays first..last-1, evenly spread in time (so ids come roughly in order): COPY text per table."""
        rng, now_ms, span = self.rng, self.now_ms, self.now_ms - self.start_ms - 60_000
        stays, guests, notes, inbox = [], [], [], []
        people, facilities = self.people, self.facilities
        c = self.counts
        for i in range(first, last):
            created = self.start_ms + int(span * (i + rng.random()) / self.n_stays)
            fi = rng.choice(self.big_idx) if rng.random() < 0.25 else rng.choice(self.other_idx)
            fac = facilities[fi]
            late_report = rng.random() < 0.03
            arrived = created - (rng.randint(12, 40) * HOUR_MS if late_report else rng.randint(60_000, 1_800_000))
            nights = rng.choice((1, 1, 1, 2, 2, 3, 4, 7))
            departed = arrived + nights * DAY_MS + rng.randint(-4 * HOUR_MS, 4 * HOUR_MS)
            expected = arrived + nights * DAY_MS
            open_ = departed > now_ms - 600_000 or (now_ms - created < 90 * DAY_MS and rng.random() < 0.06)
            sid = self.rid("st", created)
            t_departed = N_ if open_ else ts(departed)
            room = str(rng.randint(101, 520))
            reason = rng.choice(REASONS)
            ref = f"R{i}"
            stays.append("\t".join((sid, str(fac["id"]), ref, f"{rng.getrandbits(256):064x}",
                                    "in_house" if open_ else "departed", room, reason, ts(arrived), ts(expected),
                                    t_departed, "api", ts(created),
                                    ts(created if open_ else departed + 60_000))))
            c["stays"] += 1
            c["open"] += open_
            stay_inbox = "\t".join((ts(arrived), ts(expected)))
            for pos in range(2):
                p = people[rng.randrange(len(people))]
                gid = self.rid("gu", created)
                guests.append("\t".join((gid, sid, str(pos), p["name"], p["dob"], p["sex"], p["nat"], p["id_enc"],
                                         p["doc_kind"], p["doc_type"], p["doc_enc"],
                                         ts(created - 5 * DAY_MS)[:10] if p["foreign"] else N_,
                                         t_departed)))
                c["guests"] += 1
                category = "foreigner" if p["foreign"] else "residence"
                events = [("arrival", created, arrived + 12 * HOUR_MS if p["foreign"] else residence_deadline(arrived))]
                if not open_:
                    # a stay declared after it ended gets its departure at declaration, as intake does
                    dcreated = max(departed, created) + rng.randint(60_000, 3_600_000)
                    events.append(("departure", dcreated, dcreated + 24 * HOUR_MS))
                for event, ncreated, deadline in events:
                    nid = self.rid("ntf", ncreated)
                    c["notifications"] += 1
                    base = (nid, str(fac["id"]), sid, gid, event, category, RECEIVER)
                    urgent = "t" if event == "arrival" and p["foreign"] else "f"
                    late = "t" if ncreated > deadline else "f"
                    if now_ms - ncreated < 300_000:          # the last minutes: still queued
                        c["pending"] += 1
                        notes.append("\t".join(base + ("pending", urgent, ts(ncreated), ts(ncreated), ts(deadline),
                                                       late, "0", N_, ts(ncreated), N_, N_, N_)))
                        continue
                    if rng.random() < 0.00005:              # a few dead: the receiver refused them for good
                        c["dead"] += 1
                        notes.append("\t".join(base + ("dead", urgent, ts(ncreated), ts(ncreated + 3_600_000),
                                                       ts(deadline), late, "8", ts(ncreated + 2000),
                                                       ts(ncreated + 3_600_000), N_, N_, "http 500")))
                        continue
                    bid, bstart = self._batch(ncreated)
                    received = max(ncreated + rng.randint(2000, 40_000), bstart + 100)
                    t_created, t_received, t_deadline = ts(ncreated), ts(received), ts(deadline)
                    notes.append("\t".join(base + ("delivered", urgent, t_created, t_received, t_deadline,
                                                   late, "1", ts(bstart), t_created, bid, t_received, N_)))
                    inbox.append("\t".join((
                        nid, nid, f"{rng.getrandbits(256):064x}", t_received, SOURCE, bid, event, category,
                        t_created, t_deadline, "t" if received > deadline else "f", self.fac_text[fi], sid,
                        ref, room, stay_inbox, N_ if event == "arrival" else t_departed, reason, p["name"],
                        p["fold"], p["dob"], p["sex"], p["nat"], p["id_enc"], p["id_bidx"], p["doc_type"],
                        p["doc_enc"], p["doc_bidx"])))
                    c["inbox"] += 1
                    if fac["province_code"] == self.big:
                        self._sample("province", p)
                        if fac["ward_code"] == self.ward:
                            self._sample("ward", p)
        batches, self.batches = self.batches, []
        return stays, guests, notes, inbox, batches

    def _sample(self, kind: str, p):
        ids, names = self.samples[kind + "_id"], self.samples[kind + "_name"]
        if p["id_number"] and len(ids) < 2000 and self.rng.random() < 0.2:
            ids.append(p["id_number"])
        if len(names) < 2000 and self.rng.random() < 0.2:
            names.append(p["fold"])


# ---------------------------------------------------------------- database
def copy_lines(cur, table: str, cols, lines) -> None:
    if not lines:
        return
    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
        for k in range(0, len(lines), 5000):
            cp.write("\n".join(lines[k:k + 5000]) + "\n")


def check_columns(cur) -> None:
    """Every NOT NULL column without a default is written (the schema may have grown since)."""
    given = {"stays": STAY_COLS, "guests": GUEST_COLS, "notifications": NOTE_COLS,
             "inbox_notifications": INBOX_COLS, "delivery_attempts": BATCH_COLS, "facilities": FACILITY_COLS}
    missing = []
    for table, cols in given.items():
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND "
                    "table_name = %s AND is_nullable = 'NO' AND column_default IS NULL", (table,))
        missing += [f"{table}.{c}" for (c,) in cur.fetchall() if c not in cols]
    if missing:
        raise SystemExit(f"the schema has NOT NULL columns this bench does not fill: {', '.join(missing)}")


def load(app, gen: Generator, chunk_stays: int, writers: int = 2, progress: bool = True) -> dict:
    """COPY chunk by chunk. With writers=2 the outbox tables and the inbox go through two connections
    in threads while the next chunk is generated (foreign keys are not checked during the load, so
    the connections need not see each other's rows)."""
    from concurrent.futures import ThreadPoolExecutor
    started = time.perf_counter()
    gen_s = 0.0
    with app.app_context():
        conns = [db.engine.raw_connection() for _ in range(max(1, writers))]
        pool = ThreadPoolExecutor(len(conns))
        try:
            curs = [c.cursor() for c in conns]
            check_columns(curs[0])
            for cur in curs:
                # Rows are consistent by construction: no per-row foreign key triggers during the load.
                cur.execute("SET session_replication_role = replica")
            fac_lines = ["\t".join((str(f["id"]), f["code"], f["name"], f["kind"], f["address"], f["ward_code"],
                                    f["province_code"], ts(gen.start_ms - 30 * DAY_MS))) for f in gen.facilities]
            copy_lines(curs[0], "facilities", FACILITY_COLS, fac_lines)
            curs[0].execute("SELECT setval(pg_get_serial_sequence('facilities', 'id'), %s)", (len(fac_lines),))
            conns[0].commit()

            def write(k: int, jobs):
                for table, cols, lines in jobs:
                    copy_lines(curs[k], table, cols, lines)
                conns[k].commit()

            pending = []
            step = max(1, gen.n_stays // 10)
            for first in range(0, gen.n_stays, chunk_stays):
                last = min(gen.n_stays, first + chunk_stays)
                t0 = time.perf_counter()
                stays, guests, notes, inbox, batches = gen.chunk(first, last)
                gen_s += time.perf_counter() - t0
                for f in pending:
                    f.result()
                jobs = [("stays", STAY_COLS, stays), ("guests", GUEST_COLS, guests),
                        ("notifications", NOTE_COLS, notes), ("inbox_notifications", INBOX_COLS, inbox),
                        ("delivery_attempts", BATCH_COLS, batches)]
                if len(conns) == 1:
                    pending = [pool.submit(write, 0, jobs)]
                else:
                    pending = [pool.submit(write, 0, jobs[:3]), pool.submit(write, 1, jobs[3:])]
                if progress and last // step != first // step:
                    el = time.perf_counter() - started
                    print(f"  {last:,}/{gen.n_stays:,} stays, {gen.counts['notifications']:,} notifications, "
                          f"{el:.0f} s", flush=True)
            for f in pending:
                f.result()
            for cur, conn in zip(curs, conns):
                cur.execute("SET session_replication_role = origin")
                conn.commit()
            copy_s = time.perf_counter() - started
            t0 = time.perf_counter()
            # a year-old database has been vacuumed (autovacuum): visibility maps set, statistics
            # fresh; a freshly COPYed one has neither
            psycopg_conn = conns[0].driver_connection
            psycopg_conn.autocommit = True
            psycopg_conn.execute("VACUUM (ANALYZE)")
            # nor has it gigabytes of freshly written pages still to reach the disk: the checkpointer
            # would write them during the timed requests (2-3 times their p95 when it did, session 21)
            psycopg_conn.execute("CHECKPOINT")
            psycopg_conn.autocommit = False
            analyze_s = time.perf_counter() - t0
        finally:
            pool.shutdown()
            for c in conns:
                c.close()
    c = gen.counts
    rows = len(gen.facilities) + c["stays"] + c["guests"] + c["notifications"] + c["inbox"] + c["attempts"]
    return {"rows": rows, "copy_s": round(copy_s, 1), "generate_s": round(gen_s, 1),
            "analyze_s": round(analyze_s, 1), "rows_per_s": round(rows / copy_s),
            "notifications_per_s": round(c["notifications"] / copy_s), "people_pool_s": round(gen.pool_s, 1),
            "writers": len(conns)}


def sizes(cur) -> dict:
    out = {}
    for table in TABLES:
        cur.execute("SELECT coalesce(sum(pg_total_relation_size(relid)), 0), count(*) FILTER (WHERE isleaf) "
                    "FROM pg_partition_tree(%s::regclass)", (table,))
        total, leaves = cur.fetchone()
        if not leaves:       # a plain table: pg_partition_tree gives no rows
            cur.execute("SELECT pg_total_relation_size(%s::regclass)", (table,))
            total = cur.fetchone()[0]
        out[table] = {"bytes": int(total), "partitions": int(leaves)}
    cur.execute("SELECT pg_database_size(current_database())")
    out["database"] = {"bytes": cur.fetchone()[0]}
    return out


def table_counts(cur) -> dict:
    out = {}
    for table in ("stays", "guests", "notifications", "inbox_notifications", "delivery_attempts"):
        cur.execute(f"SELECT count(*) FROM {table}")
        out[table] = cur.fetchone()[0]
    return out


def ensure_partitions(app, since: date, now: datetime):
    try:
        from accommnotify.ops import partitions
    except ImportError:
        return "accommnotify.ops.partitions not present: unpartitioned schema"
    with app.app_context():
        partitions.ensure(since=since, ahead=2, now=now)
    return f"partitions.ensure(since={since}, ahead=2)"


# ---------------------------------------------------------------- the run
def officer_times(app, username: str, samples_id, samples_name, n: int, seed: int) -> dict:
    client = app.test_client()
    r = client.post("/police/login", data={"username": username, "password": "bench-password-1"})
    assert r.status_code == 302, r.status_code
    rng = random.Random(seed)
    ids = [rng.choice(samples_id) for _ in range(n)]
    names = [rng.choice(samples_name) for _ in range(n)]
    # half full names, half a two-word fragment ("van an"), as bench_inbox does
    names = [nm if i % 2 else " ".join(nm.split()[-2:]) for i, nm in enumerate(names)]
    for warm in ("/police/", search_url(client, ids[0]), search_url(client, "nguyen")):
        client.get(warm)
    return {"first_page": measure(client, ["/police/"] * n),
            "exact_id_search": measure(client, (search_url(client, x) for x in ids)),
            "name_search": measure(client, (search_url(client, x) for x in names))}


class Watchdog:
    """Cancels the bench database's running statements (pg_cancel_backend, through the admin
    connection) once `limit` seconds have passed, until stopped: a row-by-row purge of millions of
    rows would otherwise run for hours."""

    def __init__(self, admin, dbname: str, limit: float):
        import threading
        self.admin, self.dbname, self.limit, self.fired = admin, dbname, limit, False
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        if self.stop.wait(self.limit):
            return
        self.fired = True
        while not self.stop.is_set():
            self.admin.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                               "AND pid <> pg_backend_pid() AND state = 'active'", (self.dbname,))
            self.stop.wait(0.5)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def run_purge(app, days: int, now: datetime, watchdog: Watchdog | None = None) -> dict:
    from accommnotify.ops.purge import purge
    out = {"now": now.isoformat(), "days": days}
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            before = table_counts(raw.cursor())
        finally:
            raw.close()
        try:
            dry = purge(days, dry_run=True, now=now)
            out["dry_run"] = {k: v for k, v in vars(dry).items()}
        except TypeError:
            out["dry_run"] = None
        db.session.remove()
    with app.app_context():
        t0 = time.perf_counter()
        try:
            if watchdog is None:
                report = purge(days, now=now)
            else:
                with watchdog:
                    report = purge(days, now=now)
            out["report"] = {k: v for k, v in vars(report).items()} if hasattr(report, "__dict__") else str(report)
        except Exception as exc:  # noqa: BLE001 - cancelled by the watchdog
            if watchdog is None or not watchdog.fired:
                raise
            out["report"] = f"cancelled after {watchdog.limit:g} s ({type(exc).__name__}); chunks committed before stay"
            db.session.rollback()
        out["seconds"] = round(time.perf_counter() - t0, 3)
        out["timed_out"] = watchdog is not None and watchdog.fired
        db.session.remove()
        raw = db.engine.raw_connection()
        try:
            after = table_counts(raw.cursor())
        finally:
            raw.close()
    out["removed"] = {t: before[t] - after[t] for t in before}
    return out


def mib(b: int) -> str:
    return f"{b / 2**20:,.1f} MiB"


def summary(res: dict) -> str:
    L = res["load"]
    c = res["generated"]
    lines = [f"## Scale benchmark, {res['started']} ({res['notifications_requested']:,} notifications requested)", "",
             f"Generated: {c['stays']:,} stays ({c['open']:,} open), {c['guests']:,} guests, "
             f"{c['notifications']:,} notifications ({c['pending']:,} pending, {c['dead']:,} dead), "
             f"{c['inbox']:,} inbox rows, {c['attempts']:,} delivery attempts, {res['facilities']:,} facilities "
             f"over {res['wards']:,} wards / {res['provinces']} provinces; big province {res['big_province']} "
             f"({res['big_share']:.1%} of stays), ward officer's ward {res['ward']} "
             f"({res['ward_inbox_rows']:,} inbox rows). Schema: {res['partitions']}.", "",
             f"Load (COPY): {L['rows']:,} rows in {L['copy_s']} s = **{L['rows_per_s']:,} rows/s** "
             f"({L['notifications_per_s']:,} notifications/s; Python generation {L['generate_s']} s of it; "
             f"people pool {L['people_pool_s']} s; {L['writers']} COPY connection(s); VACUUM ANALYZE {L['analyze_s']} s)", "",
             "| officer | first page p50 / p95 / max | ID search p50 / p95 / max | name search p50 / p95 / max |",
             "| --- | --- | --- | --- |"]
    for who in ("ward", "province"):
        t = res["requests"][who]
        cells = [f"{t[k]['p50_ms']} / **{t[k]['p95_ms']}** / {t[k]['max_ms']} ms"
                 for k in ("first_page", "exact_id_search", "name_search")]
        lines.append(f"| {who} | " + " | ".join(cells) + " |")
    lines.append("| target p95 | ≤ 100 ms | ≤ 50 ms | ≤ 200 ms |")
    p = res["purge"]
    lines += ["", f"Purge of the oldest month (now = {p['now']}, {p['days']} days): **{p['seconds']} s** "
                  f"(target ≤ 1 s){' — CANCELLED at the time limit' if p.get('timed_out') else ''}; removed {p['removed']}; dry run said {p['dry_run']}", "",
              "| table | size | partitions |", "| --- | --- | --- |"]
    for t, s in res["sizes"].items():
        parts = s.get("partitions")
        lines.append(f"| {t} | {mib(s['bytes'])} | {parts if parts else ('—' if t != 'database' else '')} |")
    if res.get("held_rows"):
        lines += ["", f"Rows in the DEFAULT partitions (should be 0): {res['held_rows']}"]
    lines += ["", f"Database size per million stays: **{mib(res['db_bytes_per_million_stays'])}** "
                  f"(per million notifications: {mib(res['db_bytes_per_million_notifications'])}; the tables above alone: "
                  f"{mib(res['table_bytes_per_million_stays'])} per million stays)"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                    help="URL of an existing database on the server (a fresh one is made next to it)")
    # 2% of stays are still open (no departure yet): 10.1 M asked gives 10.0 M notifications
    ap.add_argument("--notifications", type=int, default=10_100_000)
    ap.add_argument("--requests", type=int, default=50, help="timed requests per figure")
    ap.add_argument("--days", type=int, help="retention (default: the app's RETENTION_DAYS)")
    ap.add_argument("--big-province", default="79")
    ap.add_argument("--people", type=int, default=2_000_000,
                    help="distinct people (pre-encrypted numbers): 2 M gives about 5 inbox rows a person")
    ap.add_argument("--chunk", type=int, default=20_000, help="stays per COPY round / transaction")
    ap.add_argument("--writers", type=int, default=2, choices=(1, 2),
                    help="COPY connections (2: outbox tables and inbox in parallel, next chunk generated meanwhile)")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--no-purge", action="store_true")
    ap.add_argument("--purge-timeout", type=float, default=300,
                    help="cancel the purge after this many seconds (0: never); reported as timed out")
    ap.add_argument("--no-write-paths", action="store_true",
                    help="skip the intake and drain benchmarks run after the 10 M database is dropped")
    ap.add_argument("--reuse", metavar="DATABASE", help="time the officers' pages again on a database "
                    "kept by --keep (no load, no purge)")
    args = ap.parse_args()
    if args.reuse:
        return reuse(args)
    scale(args)
    if not args.no_write_paths:
        write_paths()


def write_paths() -> None:
    """The issue's two write-path targets on the same (partitioned, PostgreSQL) schema, each by its
    own benchmark in a database of its own, once the 10 M database is gone: a single-stay POST
    against bare Flask (≥ 0.25 ×) and a 100,000-notification drain (≥ 10,000/s)."""
    import re
    import subprocess
    lines = []
    for name, command, pattern in (
            ("intake", ["bench/intake/run.py", "--backend", "postgres"], r"^postgres: bare .*"),
            ("drain", ["bench/dispatch/drain.py", "--backend", "postgres", "--count", "100000"],
             r"^postgres: \d+ accepted; pass .*")):
        print(f"\n{name}: {' '.join(command)}", flush=True)
        out = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True)
        found = re.search(pattern, out.stdout, re.M)
        lines.append(f"- {name}: " + (found.group(0) if found and out.returncode == 0
                                      else f"FAILED (exit {out.returncode}): {out.stdout[-500:]}{out.stderr[-500:]}"))
    print("\nWrite paths (targets: single ≥ 0.25 × bare; drain ≥ 10,000/s):\n" + "\n".join(lines))


def scale(args) -> None:
    """The 10 M database: load, the officers' pages, the purge, the sizes."""
    admin, name, url = fresh_postgres_database(args.postgres, "accommnotify_bench_scale")
    print(f"database {name}", flush=True)
    now = datetime.now(UTC).replace(microsecond=0)
    res = {"started": now.isoformat(timespec="seconds"), "database": name,
           "notifications_requested": args.notifications}
    keys = bench_keys()
    try:
        app = migrated_app(url, keys)
        res["partitions"] = ensure_partitions(app, month_start(now.date(), 13), now)
        print(res["partitions"], flush=True)

        gen = Generator(app, args, now)
        with app.app_context():
            from accommnotify.police.accounts import create_officer
            create_officer("bench-ward", [f"ward:{gen.ward}"], password="bench-password-1")
            create_officer("bench-province", [f"province:{gen.big}"], password="bench-password-1")
        print(f"people pool of {len(gen.people):,} in {gen.pool_s:.1f} s; loading {gen.n_stays:,} stays "
              f"from {gen.start} ...", flush=True)
        res["load"] = load(app, gen, args.chunk, args.writers)
        # The generator's two million pooled people are the bench's, not a web process's: a full
        # garbage collection walking them would be timed as the officers' requests.
        gen.people = None
        gc.collect()
        res["generated"] = dict(gen.counts)
        res.update(facilities=len(gen.facilities), wards=len({f["ward_code"] for f in gen.facilities}),
                   provinces=len({f["province_code"] for f in gen.facilities}), big_province=gen.big, ward=gen.ward,
                   oldest_month=gen.start.isoformat())
        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("SELECT count(*) FILTER (WHERE province_code = %s), count(*) FILTER (WHERE ward_code = %s), "
                            "count(*) FROM inbox_notifications", (gen.big, gen.ward))
                big_n, ward_n, all_n = cur.fetchone()
                res["big_share"], res["ward_inbox_rows"] = big_n / max(1, all_n), ward_n
                res["sizes"] = sizes(cur)
                # rows that fell into a DEFAULT partition (<table>_held): should be none if the months exist
                res["held_rows"] = {}
                for table in TABLES:
                    cur.execute("SELECT to_regclass(%s)", (f"{table}_held",))
                    if cur.fetchone()[0] is not None:
                        cur.execute(f'SELECT count(*) FROM "{table}_held"')
                        res["held_rows"][table] = cur.fetchone()[0]
            finally:
                raw.close()
        print(f"loaded: {res['load']}", flush=True)

        res["requests"] = {
            "ward": officer_times(app, "bench-ward", gen.samples["ward_id"], gen.samples["ward_name"],
                                  args.requests, 3),
            "province": officer_times(app, "bench-province", gen.samples["province_id"],
                                      gen.samples["province_name"], args.requests, 4)}
        print(f"requests: {json.dumps(res['requests'])}", flush=True)

        days = args.days or app.config["RETENTION_DAYS"]
        # Steady state, as a monthly purge meets it (docs/PARTITIONS.md): the police inbox's oldest
        # month went a month earlier (warm-up purge, cutoff = the second month), then the timed purge
        # (cutoff = the third month) drops the stays' oldest month and the inbox's second.
        second_month, third_month = month_start(now.date(), 11), month_start(now.date(), 10)
        warm_now = datetime.combine(second_month, datetime.min.time(), UTC) + timedelta(days=days)
        purge_now = datetime.combine(third_month, datetime.min.time(), UTC) + timedelta(days=days)
        if not args.no_purge:
            res["purge_warm_up"] = run_purge(app, days, warm_now, None)
            print(f"warm-up purge: {json.dumps(res['purge_warm_up'], default=str)}", flush=True)
            res["purge"] = run_purge(app, days, purge_now,
                                     Watchdog(admin, name, args.purge_timeout) if args.purge_timeout else None)
        db_bytes = res["sizes"]["database"]["bytes"]
        res["db_bytes_per_million_stays"] = round(db_bytes / (gen.counts["stays"] / 1e6))
        res["db_bytes_per_million_notifications"] = round(db_bytes / (gen.counts["notifications"] / 1e6))
        table_bytes = sum(s["bytes"] for t, s in res["sizes"].items() if t != "database")
        res["table_bytes_per_million_stays"] = round(table_bytes / (gen.counts["stays"] / 1e6))
        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                res["sizes_after_purge"] = sizes(raw.cursor())
            finally:
                raw.close()
            db.engine.dispose()
        if args.no_purge:
            res["purge"] = {"now": "-", "days": days, "seconds": None, "removed": None, "dry_run": None}
        print(summary(res))
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"scale-{now.strftime('%Y%m%dT%H%M%S')}.json"
        path.write_text(json.dumps(res, indent=2, default=str))
        print(f"\nJSON: {path.relative_to(ROOT)}")
    finally:
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        elif "gen" in locals():
            kept = ROOT / "bench" / "results" / f"kept-{name}.json"
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_text(json.dumps({"url": url, "keys": keys, "samples": gen.samples}))
            print(f"kept database {name}: --reuse {name}")
        admin.close()


def reuse(args) -> None:
    """The officers' figures again on a kept database."""
    kept = json.loads((ROOT / "bench" / "results" / f"kept-{args.reuse}.json").read_text())
    app = migrated_app(kept["url"], kept["keys"])
    s = kept["samples"]
    requests = {"ward": officer_times(app, "bench-ward", s["ward_id"], s["ward_name"], args.requests, 3),
                "province": officer_times(app, "bench-province", s["province_id"], s["province_name"],
                                          args.requests, 4)}
    for who, figures in requests.items():
        print(who, "  ".join(f"{k} p50 {v['p50_ms']} p95 {v['p95_ms']} ms" for k, v in figures.items()))
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
