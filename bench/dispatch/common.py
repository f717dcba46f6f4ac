"""Helpers shared by the dispatch benchmarks: a fresh database, a fast backlog, the receiver process."""
import base64
import os
import socket
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SECRET = "whsec_" + base64.b64encode(b"bench-secret-0123456789abcdef").decode()
PY = str(ROOT / ".venv" / "bin" / "python")
FLASK = str(ROOT / ".venv" / "bin" / "flask")


def fresh_database(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:6]}.db"
        url = f"sqlite:///{path}"
    else:
        base = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        import psycopg
        from sqlalchemy.engine import make_url
        u = make_url(base)
        name = f"accommnotify_bench_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                             dbname="postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        url = u.set(database=name).render_as_string(hide_password=False)
    from accommnotify import create_app
    from accommnotify.extensions import db
    from flask_migrate import upgrade
    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg
    from sqlalchemy.engine import make_url
    u = make_url(url)
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                         dbname="postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')


def receivers_file(workdir: Path, port: int, max_batch: int = 500) -> str:
    path = workdir / "bench-receivers.toml"
    path.write_text(f"""
[receivers.bench]
adapter = "http"
url = "http://127.0.0.1:{port}/police/api/v1/batches"
secret = "{SECRET}"
max_batch = {max_batch}

[[routes]]
category = "residence"
receiver = "bench"

[[routes]]
category = "foreigner"
receiver = "bench"
""")
    return str(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_receiver(port: int, times_file: str | None = None) -> subprocess.Popen:
    proc = subprocess.Popen([PY, str(Path(__file__).parent / "receiver.py"), str(port), SECRET]
                            + ([times_file] if times_file else []),
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def stop_receiver(proc) -> dict:
    import json
    proc.terminate()
    out = proc.stdout.read()
    proc.wait()
    return json.loads(out.strip().splitlines()[-1])


def fill_backlog(url: str, receivers: str, count: int) -> None:
    """``count`` pending residence arrivals (one guest per stay), inserted in bulk."""
    from sqlalchemy import insert
    from accommnotify import create_app
    from accommnotify.extensions import db
    from accommnotify.ids import new_id
    from accommnotify.models import Guest, Notification, Stay
    from accommnotify.intake.facilities import create_facility
    from accommnotify.timeutil import utcnow
    from datetime import date
    app = create_app({"DATABASE_URL": url, "RECEIVERS": receivers})
    with app.app_context():
        f = create_facility(code="BENCH-1", name="Khách sạn Đo Tải", kind="tourist_accommodation",
                            ward_code="16681", address="1 Đường Thử")
        fid = f.id
        now = utcnow()
        chunk = 5000
        for start in range(0, count, chunk):
            stays, guests, notes = [], [], []
            for i in range(start, min(count, start + chunk)):
                sid, gid = new_id("st"), new_id("gu")
                stays.append({"id": sid, "facility_id": fid, "external_ref": f"B-{i}", "request_hash": "x" * 64,
                              "status": "in_house", "room": "101", "reason": "tourism", "arrived_at": now,
                              "created_at": now, "updated_at": now, "source": "api"})
                guests.append({"id": gid, "stay_id": sid, "position": 0, "full_name": "Nguyễn Văn Thử",
                               "date_of_birth": date(1990, 1, 1), "sex": "male", "nationality": "VNM",
                               "id_number": f"0010900{i % 100000:05d}"})
                notes.append({"id": new_id("ntf"), "facility_id": fid, "stay_id": sid, "guest_id": gid,
                              "event": "arrival", "category": "residence", "receiver": "bench", "status": "pending",
                              "urgent": False, "created_at": now, "updated_at": now,
                              "deadline_at": now + timedelta(hours=6), "late": False, "attempts": 0,
                              "next_attempt_at": now})
            db.session.execute(insert(Stay.__table__), stays)
            db.session.execute(insert(Guest.__table__), guests)
            db.session.execute(insert(Notification.__table__), notes)
            db.session.commit()
        db.engine.dispose()


def env_for(url: str, receivers: str, **settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOMMNOTIFY_")}
    env.update(ACCOMMNOTIFY_DATABASE_URL=url, ACCOMMNOTIFY_RECEIVERS=receivers)
    env.update({f"ACCOMMNOTIFY_{k}": str(v) for k, v in settings.items()})
    return env
