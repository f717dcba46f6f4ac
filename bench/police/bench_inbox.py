"""Police inbox benchmark (not a test): generate N synthetic inbox rows, then time, for a ward
officer, exact ID searches, accent-free name searches and the first inbox page.

Numbers are stored encrypted with their blind indexes, as the app writes them (issue 10 item 12).

Targets (issue 4): exact ID search p95 <= 50 ms, name search p95 <= 200 ms, first page p95 <= 100 ms.
Measured through the Flask test client (full request: session, scope, query, template, audit insert).
A search is posted to the inbox form first (untimed; it only stores the text in the session) and the
timed request is the GET of `/police/?s=<handle>` it redirects to, which runs the search.

    # PostgreSQL, 1,000,000 rows (a fresh database is created and dropped)
    .venv/bin/python bench/police/bench_inbox.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres --rows 1000000
    # SQLite, 200,000 rows (a file under /tmp)
    .venv/bin/python bench/police/bench_inbox.py --sqlite --rows 200000

All data is synthetic (random names from common Vietnamese name parts, random numbers).
"""
from __future__ import annotations

import argparse
import io
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from accommnotify import create_app  # noqa: E402
from accommnotify.extensions import db  # noqa: E402
from accommnotify.rules.geography import WARD_PROVINCE  # noqa: E402
from accommnotify.rules.text import fold  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
          "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Tô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Xuân", "Thu", "Hoài", "Gia", "Bảo", ""]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Huy", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngọc", "Phong", "Phúc", "Quân", "Quyên", "Sơn", "Tâm",
         "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Tú", "Uyên", "Việt", "Vy", "Yến", "Ánh", "Đông", "Lộc"]
OFFICER_WARD = "16681"
COLUMNS = ["id", "received_at", "source", "event", "category", "created_at", "deadline_at", "late",
           "facility_code", "facility_name", "facility_kind", "facility_address", "ward_code", "province_code",
           "stay_id", "external_ref", "room", "arrived_at", "reason", "full_name", "name_search",
           "date_of_birth", "sex", "nationality", "id_number", "document_type", "document_number", "notification_id",
           "id_number_bidx", "document_number_bidx"]


def generate(n: int, keys, seed: int = 7):
    """Rows as tuples, numbers encrypted and blind-indexed as the app stores them (crypto). 10% in the officer's ward (a busy city ward), the rest over 400 other wards;
    received over the last 365 days, ~120 rows in the officer's ward today."""
    rng = random.Random(seed)
    wards = [w for w in sorted(WARD_PROVINCE) if w != OFFICER_WARD]
    others = rng.sample(wards, 400)
    now = datetime.now(timezone.utc)
    facilities = {w: [f"F{w}-{i}" for i in range(8 if w == OFFICER_WARD else 3)] for w in others + [OFFICER_WARD]}
    samples = {"id": [], "name": []}
    for i in range(n):
        mine = rng.random() < 0.10
        ward = OFFICER_WARD if mine else others[i % len(others)]
        if mine and rng.random() < 0.012:
            received = now - timedelta(seconds=rng.randint(0, 6 * 3600))          # today
        else:
            received = now - timedelta(seconds=rng.randint(0, 365 * 86400))
        middle = rng.choice(MIDDLE)
        name = " ".join(p for p in (rng.choice(FAMILY), middle, rng.choice(GIVEN)) if p)
        foreign = rng.random() < 0.08
        id_number = None if foreign else f"0{rng.randint(1, 96):02d}{rng.randint(0, 3)}{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}"
        doc = f"P{rng.randint(0, 99999999):08d}" if foreign else None
        fac = rng.choice(facilities[ward])
        if mine and len(samples["id"]) < 2000 and id_number:
            samples["id"].append(id_number)
        if mine and len(samples["name"]) < 2000:
            samples["name"].append(fold(name))
        late = rng.random() < 0.05
        nid = f"ntf_b{i:012d}{uuid.uuid4().hex[:12]}"
        yield ((nid, received, "bench", "arrival",
                "foreigner" if foreign else "residence", received - timedelta(minutes=3),
                received + (timedelta(hours=-2) if late else timedelta(hours=6)), late, fac, f"Cơ sở {fac}",
                "tourist_accommodation", "1 Đường Thử", ward, WARD_PROVINCE[ward], f"st_b{i}", f"R{i}",
                str(rng.randint(100, 999)), received - timedelta(minutes=10), "tourism", name, fold(name),
                date(1950 + rng.randint(0, 55), rng.randint(1, 12), rng.randint(1, 28)),
                rng.choice(("male", "female")), "SWE" if foreign else "VNM", keys.encrypt(id_number),
                "passport" if foreign else None, keys.encrypt(doc), nid, keys.blind_index(id_number),
                keys.blind_index(doc)), samples)


def load(app, n: int):
    started = time.perf_counter()
    samples = None
    with app.app_context():
        from accommnotify.crypto import keyring
        keys = keyring()
        engine = db.engine
        if engine.dialect.name == "postgresql":
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                with cur.copy(f"COPY inbox_notifications ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row, samples in generate(n, keys):
                        copy.write_row(row)
                cur.execute("ANALYZE inbox_notifications")
                raw.commit()
            finally:
                raw.close()
        else:
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("BEGIN")
                sql = f"INSERT INTO inbox_notifications ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
                batch = []
                for row, samples in generate(n, keys):
                    row = list(row)
                    for k in (1, 5, 6, 17):
                        row[k] = row[k].replace(tzinfo=None).isoformat(sep=" ")
                    row[21] = row[21].isoformat()
                    batch.append(row)
                    if len(batch) >= 20000:
                        cur.executemany(sql, batch)
                        batch.clear()
                if batch:
                    cur.executemany(sql, batch)
                cur.execute("COMMIT")
                cur.execute("ANALYZE")
            finally:
                raw.close()
    return samples, time.perf_counter() - started


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def search_url(client, text: str) -> str:
    """Posts the inbox search form (untimed) and returns the URL it redirects to: /police/?s=<handle>.
    The search text never goes into a URL; the timed request is the GET of that page."""
    r = client.post("/police/search", data={"q": text})
    assert r.status_code == 303, r.status_code
    return r.headers["Location"]


def measure(client, urls):
    """Times one GET per url; `urls` may be a generator whose untimed work (a search form post) runs
    between the timed requests."""
    times = []
    for url in urls:
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return {"n": len(times), "p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 95), 1),
            "p99_ms": round(pct(times, 99), 1), "max_ms": round(max(times), 1)}


def fresh_postgres_database(server_url: str, prefix: str):
    """A new database next to `server_url`'s: (autocommit admin connection, name, its URL)."""
    import psycopg
    u = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:6]}"
    admin = psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                            dbname=u.database or "postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    return admin, name, u.set(database=name).render_as_string(hide_password=False)


def bench_keys() -> dict:
    """Fresh random app keys for one bench database."""
    return {"SECRET_KEY": secrets.token_urlsafe(32), "DATA_KEY": secrets.token_urlsafe(32)}


def migrated_app(url: str, keys: dict | None = None):
    """The app on `url`, migrated; `keys` (default: fresh random ones), cheap password hashing for
    bench logins."""
    app = create_app({"DATABASE_URL": url, **(keys or bench_keys()), "WTF_CSRF_ENABLED": False,
                      "POLICE_ARGON2_TIME_COST": 1, "POLICE_ARGON2_MEMORY_KIB": 1024,
                      "POLICE_ARGON2_PARALLELISM": 1})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    return app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", help="URL of an existing database on the server (a fresh one is made)")
    ap.add_argument("--sqlite", action="store_true")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = ap.parse_args()
    admin = None
    if args.postgres:
        admin, name, url = fresh_postgres_database(args.postgres, "accommnotify_bench_police")
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    try:
        app = migrated_app(url)
        with app.app_context():
            from accommnotify.police.accounts import create_officer
            create_officer("bench-ward", [f"ward:{OFFICER_WARD}"], password="bench-password-1")
        samples, load_s = load(app, args.rows)
        print(f"loaded {args.rows} rows into {make_url(url).get_backend_name()} in {load_s:.0f} s", flush=True)
        client = app.test_client()
        r = client.post("/police/login", data={"username": "bench-ward", "password": "bench-password-1"})
        assert r.status_code == 302
        rng = random.Random(3)
        n = args.requests
        ids = [rng.choice(samples["id"]) for _ in range(n)]
        names = [rng.choice(samples["name"]) for _ in range(n)]
        # half full names, half a two-word fragment ("van an") — substring search either way
        names = [nm if i % 2 else " ".join(nm.split()[-2:]) for i, nm in enumerate(names)]
        for warm in ("/police/", search_url(client, ids[0]), search_url(client, "nguyen")):
            client.get(warm)
        results = {
            "backend": make_url(url).get_backend_name(), "rows": args.rows,
            "first_page": measure(client, ["/police/"] * n),
            "exact_id_search": measure(client, (search_url(client, x) for x in ids)),
            "name_search": measure(client, (search_url(client, x) for x in names)),
        }
        print(json.dumps(results, indent=2))
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"police-{results['backend']}-{args.rows}.json").write_text(json.dumps(results, indent=2))
        with app.app_context():
            db.engine.dispose()
    finally:
        if admin is not None and not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


if __name__ == "__main__":
    main()
