"""Accept → delivered latency at steady intake (default 200 stays/s for 60 s).

    .venv/bin/python bench/dispatch/latency.py --backend sqlite|postgres [--rate 200] [--seconds 60] [--interval 10]

Real processes: gunicorn (4 workers) serves the API, one `flask dispatcher run` with the given
interval delivers over HTTP to a local receiver that notes when each notification id arrives. The
load generator notes when each stay was accepted (201). Target: p99 ≤ interval + 2 s.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
import common  # noqa: E402

GUEST = {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "sex": "male", "nationality": "VNM",
         "id_number": "001090012345"}


def wait_http(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def arguments():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--interval", type=int, default=10)
    return ap.parse_args()


def start_api(env, web_port, code, name, procs) -> str:
    """A facility and its API key (returned), and gunicorn (4 workers) serving the API (into ``procs``)."""
    flask = [common.FLASK, "--app", "wsgi"]
    run = dict(cwd=str(common.ROOT), env=env, capture_output=True, text=True, check=True)
    subprocess.run(flask + ["facility", "create", "--code", code, "--name", name, "--kind",
                            "tourist_accommodation", "--ward", "16681"], **run)
    key = subprocess.run(flask + ["apikey", "create", code], **run).stdout.strip().splitlines()[-1]
    procs.append(subprocess.Popen([str(common.ROOT / ".venv/bin/gunicorn"), "--workers", "4", "--bind",
                                   f"127.0.0.1:{web_port}", "--log-level", "warning", "wsgi:app"],
                                  cwd=str(common.ROOT), env=env))
    wait_http(f"http://127.0.0.1:{web_port}/healthz")
    return key


def steady_intake(web_port, key, rate, seconds, prefix="L"):
    """POST ``rate`` single stays per second for ``seconds``: {notification id: time its 201 came}, seconds taken."""
    accepted, lock = {}, threading.Lock()
    session = threading.local()
    arrived = (datetime.now().astimezone() - timedelta(minutes=5)).isoformat()

    def post(i):
        s = getattr(session, "s", None) or requests.Session()
        session.s = s
        body = {"external_ref": f"{prefix}-{i}", "reason": "tourism", "arrived_at": arrived, "guests": [GUEST]}
        r = s.post(f"http://127.0.0.1:{web_port}/api/v1/stays", json=body,
                   headers={"Authorization": f"Bearer {key}"}, timeout=30)
        done = time.time()
        assert r.status_code == 201, r.text
        with lock:
            accepted[r.json()["guests"][0]["notifications"][0]["id"]] = done

    total = int(rate * seconds)
    start = time.time()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for i in range(total):
            delay = start + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)  # pacing the load generator, not synchronising a test
            pool.submit(post, i)
    return accepted, time.time() - start


def main():
    args = arguments()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = common.fresh_database(args.backend, work)
        procs = []
        try:
            port, web_port = common.free_port(), common.free_port()
            receivers = common.receivers_file(work, port)
            env = common.env_for(url, receivers, DISPATCH_INTERVAL=args.interval)
            flask = [common.FLASK, "--app", "wsgi"]
            run = dict(cwd=str(common.ROOT), env=env, capture_output=True, text=True, check=True)
            times_file = str(work / "arrivals.json")
            receiver = common.start_receiver(port, times_file)
            key = start_api(env, web_port, "LAT", "Khách sạn Trễ", procs)
            procs.append(subprocess.Popen(flask + ["dispatcher", "run"], cwd=str(common.ROOT), env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

            accepted, intake_s = steady_intake(web_port, key, args.rate, args.seconds)
            deadline = time.time() + 3 * args.interval + 30
            while time.time() < deadline:
                status = json.loads(subprocess.run(flask + ["dispatcher", "status", "--json"], **run).stdout)
                if all(r["pending"] + r["sending"] + r["retrying"] == 0 for r in status.values()):
                    break
                time.sleep(1)
            got = common.stop_receiver(receiver)
            arrivals = json.loads(Path(times_file).read_text())
            lat = sorted(arrivals[i] - t for i, t in accepted.items() if i in arrivals)
            missing = len(accepted) - len(lat)
            q = statistics.quantiles(lat, n=100)
            print(f"{args.backend}: {len(accepted)} stays accepted in {intake_s:.1f}s "
                  f"({len(accepted) / intake_s:.0f}/s); delivered {len(lat)} (missing {missing}); receiver {got}")
            print(f"accept→delivered: p50 {q[49]:.2f}s  p99 {q[98]:.2f}s  max {lat[-1]:.2f}s  "
                  f"(target p99 ≤ interval {args.interval}s + 2s = {args.interval + 2}s)")
        finally:
            for p in procs:
                p.terminate()
                p.wait()
            common.drop_database(url)


if __name__ == "__main__":
    main()
