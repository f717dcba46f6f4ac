"""Intake benchmark: single-stay POST and bulk stays/s next to a bare Flask endpoint.

All three are served the same way (gunicorn, 4 sync workers) and loaded by the same wrk, in one run,
so the ratios compare like with like. Usage:

    .venv/bin/python bench/intake/run.py [--backend sqlite|postgres|both] [--duration 10]

PostgreSQL: ACCOMMNOTIFY_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/
accommnotify_bench; the database is dropped and created).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
PG_URL = os.environ.get("ACCOMMNOTIFY_BENCH_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/accommnotify_bench")


def sh(args, env, **kw):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True, text=True, **kw).stdout


def prepare_database(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}"
    name = PG_URL.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return PG_URL


def serve(app_spec: str, port: int, env, workers: int, threads: int, chdir: Path = ROOT):
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
                             "--bind", f"127.0.0.1:{port}",
                             "--chdir", str(chdir), "--log-level", "warning", app_spec], env=env, cwd=ROOT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if "wsgi" in app_spec else
                                   f"http://127.0.0.1:{port}/nothing", timeout=1)
            return proc
        except urllib.error.HTTPError:
            return proc  # it answers
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{app_spec} did not start")


def wrk(url: str, script: str, env, duration: int, threads: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
                          "--latency", "-s", str(HERE / script), url], env=env, check=True,
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return {"requests_per_s": rps, "non_2xx": int(errors.group(1)) if errors else 0,
            "p99": p99.group(1) if p99 else None}


def run_backend(backend: str, args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        url = prepare_database(backend, tmp)
        env = {**os.environ, "ACCOMMNOTIFY_DATABASE_URL": url, "ACCOMMNOTIFY_SECRET_KEY": "bench",
               "BENCH_RUN": str(int(time.time()))}
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        sh(flask + ["db", "upgrade"], env)
        sh(flask + ["facility", "create", "--code", "BENCH", "--name", "Khách sạn Bench", "--kind",
                    "tourist_accommodation", "--ward", "16681"], env)
        env["BENCH_KEY"] = sh(flask + ["apikey", "create", "BENCH"], env).strip().splitlines()[-1]

        results = {}
        bare = serve("bare_app:app", args.port + 1, env, args.workers, args.worker_threads, chdir=HERE)
        try:
            results["bare"] = wrk(f"http://127.0.0.1:{args.port + 1}/bare", "single.lua", env, args.duration,
                                  args.threads, args.connections)
        finally:
            bare.terminate()
            bare.wait()
        app = serve("wsgi:app", args.port, env, args.workers, args.worker_threads)
        try:
            results["single"] = wrk(f"http://127.0.0.1:{args.port}/api/v1/stays", "single.lua", env,
                                    args.duration, args.threads, args.connections)
            env["BENCH_BULK"] = str(args.bulk)
            results["bulk"] = wrk(f"http://127.0.0.1:{args.port}/api/v1/stays/bulk", "bulk.lua", env,
                                  args.duration, args.threads, args.bulk_connections)
        finally:
            app.terminate()
            app.wait()
        results["bulk"]["stays_per_s"] = results["bulk"]["requests_per_s"] * args.bulk
        results["single_vs_bare"] = results["single"]["requests_per_s"] / results["bare"]["requests_per_s"]
        results["bulk_vs_single"] = results["bulk"]["stays_per_s"] / results["single"]["requests_per_s"]
        stored = sh(flask + ["shell"], env, input="from accommnotify.models import Stay\n"
                    "from accommnotify.extensions import db\nprint('STORED', db.session.query(Stay).count())\n")
        results["stays_stored"] = int(re.search(r"STORED (\d+)", stored).group(1))
        return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--bulk", type=int, default=500)
    parser.add_argument("--bulk-connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-threads", type=int, default=1,
                        help="gunicorn --threads for both servers (gthread; 1 = sync workers)")
    parser.add_argument("--port", type=int, default=5601)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    report = {b: run_backend(b, args) for b in backends}
    for backend, r in report.items():
        print(f"{backend}: bare {r['bare']['requests_per_s']:.0f} req/s | single {r['single']['requests_per_s']:.0f} "
              f"req/s (p99 {r['single']['p99']}, non-2xx {r['single']['non_2xx']}) = "
              f"{r['single_vs_bare']:.2f}x bare | bulk {r['bulk']['stays_per_s']:.0f} stays/s "
              f"(non-2xx {r['bulk']['non_2xx']}) = {r['bulk_vs_single']:.1f}x single | stored {r['stays_stored']}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"intake-{int(time.time())}.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
