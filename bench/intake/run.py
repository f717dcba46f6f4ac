"""Intake benchmark: single-stay POST and bulk stays/s next to a bare Flask endpoint.

All three are served the same way (gunicorn, 4 sync workers) and loaded by the same wrk, in one run,
so the ratios compare like with like. After a short unmeasured warm-up, the three loads take turns
for --rounds rounds and each figure is the median of its rounds (the machine's 2 cores are shared
with everything else, and single 10 s runs moved by 10-15%). Usage:

    .venv/bin/python bench/intake/run.py [--backend sqlite|postgres|both] [--duration 10] [--rounds 3]

PostgreSQL: ACCOMMNOTIFY_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/
accommnotify_bench; the database is dropped and created).
"""
import argparse
import json
import os
import re
import secrets
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


_RUNS = iter(range(1, 10**6))


def wrk(url: str, script: str, env, duration: int, threads: int, connections: int) -> dict:
    # A fresh run id per invocation: a repeated external_ref would be a replay, not a new stay.
    env = {**env, "BENCH_RUN": f"{env['BENCH_RUN']}r{next(_RUNS)}"}
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
                          "--latency", "-s", str(HERE / script), url], env=env, check=True,
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return {"requests_per_s": rps, "requests": total, "non_2xx": int(errors.group(1)) if errors else 0,
            "p99": p99.group(1) if p99 else None}


def _median(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda r: r["requests_per_s"])
    return {**ordered[len(ordered) // 2], "all_requests_per_s": [r["requests_per_s"] for r in runs],
            "non_2xx": sum(r["non_2xx"] for r in runs)}


def run_backend(backend: str, args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        url = prepare_database(backend, tmp)
        env = {**os.environ, "ACCOMMNOTIFY_DATABASE_URL": url, "ACCOMMNOTIFY_SECRET_KEY": secrets.token_urlsafe(32),
               "BENCH_RUN": str(int(time.time()))}
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        sh(flask + ["db", "upgrade"], env)
        sh(flask + ["facility", "create", "--code", "BENCH", "--name", "Khách sạn Bench", "--kind",
                    "tourist_accommodation", "--ward", "16681"], env)
        env["BENCH_KEY"] = sh(flask + ["apikey", "create", "BENCH"], env).strip().splitlines()[-1]

        bare = serve("bare_app:app", args.port + 1, env, args.workers, args.worker_threads, chdir=HERE)
        app = serve("wsgi:app", args.port, env, args.workers, args.worker_threads)
        targets = {
            "bare": (f"http://127.0.0.1:{args.port + 1}/bare", "single.lua", args.connections),
            "single": (f"http://127.0.0.1:{args.port}/api/v1/stays", "single.lua", args.connections),
            "bulk": (f"http://127.0.0.1:{args.port}/api/v1/stays/bulk", "bulk.lua", args.bulk_connections),
        }
        env["BENCH_BULK"] = str(args.bulk)
        rounds: dict[str, list[dict]] = {name: [] for name in targets}
        posted = 0  # stays sent in 2xx-answered requests, to compare with what is stored at the end

        def measure(name, seconds):
            nonlocal posted
            target, script, connections = targets[name]
            result = wrk(target, script, env, seconds, args.threads, connections)
            if name != "bare":
                posted += (result["requests"] - result["non_2xx"]) * (args.bulk if name == "bulk" else 1)
            return result
        try:
            for name in targets:  # every worker warm, statements prepared
                measure(name, args.warmup)
            # Rounds interleave the three loads, so a slow spell of the shared machine hits all of them.
            for _ in range(args.rounds):
                for name in targets:
                    rounds[name].append(measure(name, args.duration))
        finally:
            for proc in (bare, app):
                proc.terminate()
                proc.wait()
        results = {name: _median(runs) for name, runs in rounds.items()}
        results["rounds"] = rounds
        results["bulk"]["stays_per_s"] = results["bulk"]["requests_per_s"] * args.bulk
        results["single_vs_bare"] = results["single"]["requests_per_s"] / results["bare"]["requests_per_s"]
        results["bulk_vs_single"] = results["bulk"]["stays_per_s"] / results["single"]["requests_per_s"]
        stored = sh(flask + ["shell"], env, input="from accommnotify.models import Stay\n"
                    "from accommnotify.extensions import db\nprint('STORED', db.session.query(Stay).count())\n")
        results["stays_stored"] = int(re.search(r"STORED (\d+)", stored).group(1))
        results["stays_posted"] = posted
        return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per load; the median is reported")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load per server first")
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
              f"(non-2xx {r['bulk']['non_2xx']}) = {r['bulk_vs_single']:.1f}x single | stored {r['stays_stored']} (>= {r['stays_posted']} answered 2xx)")
        print(f"  rounds, req/s: " + "; ".join(f"{name} {', '.join(f'{v:.0f}' for v in r[name]['all_requests_per_s'])}"
                                                for name in ("bare", "single", "bulk")))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"intake-{int(time.time())}.json").write_text(json.dumps(report, indent=2))
    lost = [b for b, r in report.items() if r["stays_stored"] < r["stays_posted"]]
    if lost:
        print(f"FAILED: fewer stays stored than answered 2xx on {', '.join(lost)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
