"""In-process timing of POST /api/v1/stays (Flask test client), next to a bare endpoint.

    .venv/bin/python bench/intake/inprocess.py [--backend sqlite|postgres] [-n 2000] [--profile]

No HTTP server, no load generator: what one request costs in this process, to find where time goes.
"""
import argparse
import cProfile
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("ACCOMMNOTIFY_BENCH_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/accommnotify_bench_inproc")


def body(i, run):
    return {"external_ref": f"P-{run}-{i}", "room": "101", "reason": "tourism",
            "arrived_at": "2026-11-27T08:00:00+07:00",
            "guests": [{"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "sex": "male",
                        "nationality": "VNM", "id_number": "001090012345"}]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--bulk", type=int, default=0, metavar="N",
                        help="time bulk posts of N stays each instead (per stay, next to the single POST)")
    parser.add_argument("--no-fastwrite", action="store_true", help="the SQLAlchemy Core path, to compare")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    if args.backend == "sqlite":
        url = f"sqlite:///{tmp}/inproc.db"
    else:
        name = PG_URL.rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        url = PG_URL
    os.environ["ACCOMMNOTIFY_DATABASE_URL"] = url
    from flask import Flask, jsonify, request
    from flask_migrate import upgrade

    from accommnotify import create_app
    from accommnotify.extensions import db
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    if args.no_fastwrite:
        from accommnotify.intake import fastwrite
        fastwrite.supported = lambda connection: False
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32),
                      "DATA_KEY": secrets.token_urlsafe(32)})
    with app.app_context():
        upgrade()
        fac = create_facility(code="BENCH", name="Khách sạn Bench", kind="tourist_accommodation",
                              ward_code="16681", address="x")
        key = create_api_key(fac, "bench")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}

    bare = Flask("bare")

    @bare.post("/bare")
    def _bare():
        return jsonify(ok=True, size=len(request.get_json())), 201
    bare_client = bare.test_client()

    run = int(time.time())
    for i in range(200):  # warm up
        assert client.post("/api/v1/stays", json=body(-i - 1, run), headers=headers).status_code == 201
        bare_client.post("/bare", json=body(i, run))
    t, c = time.perf_counter(), time.process_time()
    for i in range(args.n):
        bare_client.post("/bare", json=body(i, run))
    bare_ms = (time.perf_counter() - t) / args.n * 1000
    bare_cpu = (time.process_time() - c) / args.n * 1000
    prof = cProfile.Profile() if args.profile and not args.bulk else None
    t, c = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    for i in range(args.n):
        r = client.post("/api/v1/stays", json=body(i, run), headers=headers)
        assert r.status_code == 201, r.get_json()
    if prof:
        prof.disable()
    single_ms = (time.perf_counter() - t) / args.n * 1000
    single_cpu = (time.process_time() - c) / args.n * 1000
    if args.bulk:
        prof = cProfile.Profile() if args.profile else None
        requests = max(1, args.n // args.bulk)
        payloads = [{"stays": [body(f"b{r}-{i}", run) for i in range(args.bulk)]} for r in range(requests)]
        t, c = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        for payload in payloads:
            r = client.post("/api/v1/stays/bulk", json=payload, headers=headers)
            assert r.status_code == 200, r.status_code
        if prof:
            prof.disable()
        stays = requests * args.bulk
        bulk_ms = (time.perf_counter() - t) / stays * 1000
        bulk_cpu = (time.process_time() - c) / stays * 1000
        print(f"{args.backend}: POST /stays {single_ms:.3f} ms (cpu {single_cpu:.3f}) | bulk of {args.bulk} "
              f"{bulk_ms:.3f} ms per stay (cpu {bulk_cpu:.3f}) | ratio {single_ms / bulk_ms:.2f}")
    else:
        print(f"{args.backend}{' (no fastwrite)' if args.no_fastwrite else ''}: bare {bare_ms:.3f} ms "
              f"(cpu {bare_cpu:.3f}) | POST /stays {single_ms:.3f} ms (cpu {single_cpu:.3f}) | "
              f"ratio {bare_ms / single_ms:.2f}")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(int(os.environ.get("PROF_LINES", "45")))


if __name__ == "__main__":
    main()
