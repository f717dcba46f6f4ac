"""Facility pages under load of history: p50/p95 of each page with 5,000 past stays in the facility
(and its 40 rooms listed: the in-house page shows the rooms board).

    .venv/bin/python bench/facility/pages.py                       # SQLite file in a temp dir
    .venv/bin/python bench/facility/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_fac
    .venv/bin/python bench/facility/pages.py --stays 5000 --in-house 40 --requests 200

Requests go through a real HTTP server (werkzeug, one thread) on 127.0.0.1 with a logged-in session,
one at a time, so the figures are the server's answer time for one person (the target is <= 100 ms
p95). Data is synthetic: past stays are made with the intake service (create_stays_bulk) and marked
departed with one UPDATE (fast set-up; the pages only read).
"""
import argparse
import http.cookiejar
import os
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from accommnotify import create_app  # noqa: E402
from accommnotify.extensions import db  # noqa: E402
from accommnotify.rules.id_number import make_id_number  # noqa: E402
from accommnotify.timeutil import VN_TZ  # noqa: E402

EMAIL, PASSWORD = "bench@example.com", "bench-password-123"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Gia Huy", "Ngọc Lan", "Đức Minh"]


def stay_payload(n: int, arrived: datetime) -> dict:
    dob = date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
    sex = "male" if n % 2 else "female"
    guests = [{"full_name": f"{SURNAMES[n % 8]} {GIVEN[(n // 8) % 8]}", "date_of_birth": dob.isoformat(), "sex": sex,
               "nationality": "VNM", "id_number": make_id_number("001", sex, dob, tail=f"{n % 1000000:06d}")}]
    if n % 3 == 0:
        guests.append({"full_name": "Trẻ Em Bench", "date_of_birth": "2018-02-03", "sex": "female", "nationality": "VNM"})
    return {"external_ref": f"BENCH-{n}", "room": str(100 + n % 40), "reason": "tourism",
            "arrived_at": arrived.isoformat(), "guests": guests}


def seed(app, stays: int, in_house: int):
    from flask_migrate import upgrade
    from sqlalchemy import update

    from accommnotify.facility.accounts import create_user
    from accommnotify.intake.facilities import create_facility
    from accommnotify.intake.service import create_stays_bulk
    from accommnotify.models import FacilityRef, Notification, Stay
    with app.app_context():
        upgrade()
        facility = FacilityRef.of(create_facility(code="BENCH-HOTEL", name="Khách sạn Bench",
                                                  kind="tourist_accommodation", ward_code="16681", address="1 Bench"))
        create_user(EMAIL, PASSWORD, facility.code)
        now = datetime.now(VN_TZ).replace(microsecond=0)
        total = stays + in_house
        started = time.perf_counter()
        for start in range(0, total, 500):
            batch = []
            for n in range(start, min(start + 500, total)):
                past = n < stays
                arrived = now - (timedelta(hours=2 + (stays - n) * 2) if past else timedelta(minutes=30 + n - stays))
                batch.append(stay_payload(n, arrived))
            results = create_stays_bulk(facility, {"stays": batch}, source="import")
            assert all(r["status"] == "created" for r in results), [r for r in results if r["status"] != "created"][:1]
        db.session.execute(update(Stay).where(Stay.external_ref.in_([f"BENCH-{n}" for n in range(stays)]))
                           .values(status="departed", departed_at=datetime.now(VN_TZ)))
        db.session.execute(update(Notification).values(status="accepted", receipt="RCPT"))
        db.session.commit()
        # the rooms board (issue 13 item 4): the 40 rooms the stays use, listed on two floors
        from accommnotify.rooms.service import add_rooms
        add_rooms(facility.id, [str(r) for r in range(100, 120)], section="Tầng 1", capacity=2)
        add_rooms(facility.id, [str(r) for r in range(120, 140)], section="Tầng 2", capacity=2)
        print(f"seeded {stays} past + {in_house} in-house stays in {time.perf_counter() - started:.1f}s", flush=True)


class Session:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path) as response:
            return response.read().decode()

    def login(self):
        page = self.get("/facility/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD}).encode()
        with self.opener.open(self.base + "/facility/login", data=body) as response:
            assert response.url.endswith("/facility/"), response.url


def measure(session, path, n):
    session.get(path)  # warm
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        session.get(path)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1], times[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--stays", type=int, default=5000)
    parser.add_argument("--in-house", type=int, default=40)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-facility-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    # plain http on loopback: the session cookie may not be Secure-only here (as `make run`)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "SESSION_COOKIE_SECURE": False})
    seed(app, args.stays, args.in_house)

    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    session = Session(f"http://127.0.0.1:{server.server_port}")
    session.login()
    history = session.get("/facility/history")
    cursor = re.search(r'cursor=([^"]+)" rel="next"', history).group(1)
    stay_id = re.search(r'/facility/stays/(st_[a-z0-9]+)"', history).group(1)
    pages = ["/facility/", "/facility/history", f"/facility/history?cursor={cursor}", "/facility/stays/new",
             f"/facility/stays/{stay_id}", f"/facility/stays/{stay_id}/correct", "/facility/import",
             "/facility/rooms", "/facility/long-stays", "/facility/terms", "/facility/checkins"]
    print(f"{'page':45} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   ({args.requests} sequential requests each, "
          f"{db.engine.dialect.name if False else url.split(':')[0]})")
    worst = 0.0
    for path in pages:
        p50, p95, top = measure(session, path, args.requests)
        worst = max(worst, p95)
        label = re.sub(r"st_[a-z0-9]+", "st_…", re.sub(r"cursor=[^&]+", "cursor=…", path))
        print(f"{label:45} {p50:8.1f} {p95:8.1f} {top:8.1f}")
    print(f"worst p95: {worst:.1f} ms ({'OK' if worst <= 100 else 'OVER'} the 100 ms target)")
    server.shutdown()
    if args.database_url is None:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("ACCOMMNOTIFY_LOG_LEVEL", "WARNING")
    main()
