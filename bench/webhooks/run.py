"""Webhook delivered latency at steady intake (default 200 stays/s for 60 s, dispatch interval 10 s).

    .venv/bin/python bench/webhooks/run.py --backend sqlite|postgres [--rate 200] [--seconds 60] [--interval 10]

Real processes: gunicorn (4 workers) serves the API, one `flask dispatcher run` delivers the
notifications to a local police receiver and the `notification.accepted` webhooks to the facility's
software, an HTTP server in a process of its own that verifies each request with `standardwebhooks` and
notes when it arrived (in the load generator's process it was starved of CPU, and its clock with it). Figures:
- event → webhook delivered: from the moment the acceptance was recorded (the message's created_at,
  written in that transaction) to the webhook's arrival. Target (issue 12): p99 ≤ interval + 2 s.
- stay POSTed (201) → webhook delivered: what the front desk sees end to end (two hops).
"""
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dispatch"))
import common  # noqa: E402
from latency import arguments, start_api, steady_intake  # noqa: E402


def software_process(port: int, conn) -> None:
    """The facility's software, in its own process (as it would be on its own machine): the load
    generator's CPU must not delay the receiver's clock. Verifies each request with `standardwebhooks`,
    notes when it arrived, and answers the parent's questions over `conn`."""
    from standardwebhooks.webhooks import Webhook
    verifier = Webhook(conn.recv())   # the subscription's secret, sent once the subscription exists
    arrivals, by_message, refused = {}, {}, [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            at = time.time()
            try:
                payload = verifier.verify(body, {k.lower(): v for k, v in self.headers.items()})
            except Exception:  # noqa: BLE001 - counted, answered 400
                with lock:
                    refused[0] += 1
                status = 400
            else:
                with lock:
                    arrivals.setdefault(payload["data"]["notification_id"], at)
                    by_message.setdefault(self.headers["webhook-id"], at)
                status = 204
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    conn.send("ready")
    while True:
        question = conn.recv()
        with lock:
            if question == "count":
                conn.send(len(arrivals))
            else:  # "all", the last question
                conn.send((dict(arrivals), dict(by_message), refused[0]))
                return


class Software:
    """The parent's handle on the software process."""

    def __init__(self):
        self.port = common.free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=software_process, args=(self.port, child), daemon=True)
        self.process.start()

    def start(self, secret: str) -> None:
        self.conn.send(secret)
        assert self.conn.recv() == "ready"

    def count(self) -> int:
        self.conn.send("count")
        return self.conn.recv()

    def results(self):
        self.conn.send("all")
        out = self.conn.recv()
        self.process.join(5)
        return out


def created_times(url: str) -> dict:
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, created_at FROM webhook_messages")).all()
    engine.dispose()
    from datetime import datetime, timezone
    out = {}
    for mid, created in rows:
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        if created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        out[mid] = created.timestamp()
    return out


def status_counts(url: str) -> dict:
    """Where the undelivered ones are: notifications and webhook messages by status."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {table: dict(conn.execute(text(f"SELECT status, count(*) FROM {table} GROUP BY status")).all())
               for table in ("notifications", "webhook_messages")}
    engine.dispose()
    return out


def quantiles(values):
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:.2f}s  p99 {q[98]:.2f}s  max {max(values):.2f}s"


def main():
    args = arguments()
    software = Software()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = common.fresh_database(args.backend, work)
        procs = []
        try:
            port, web_port = common.free_port(), common.free_port()
            receivers = common.receivers_file(work, port)
            env = common.env_for(url, receivers, DISPATCH_INTERVAL=args.interval, WEBHOOK_ALLOW_INSECURE=1)
            flask = [common.FLASK, "--app", "wsgi"]
            police = common.start_receiver(port, str(work / "arrivals.json"))
            key = start_api(env, web_port, "HOOK", "Khách sạn Móc", procs)
            sub = requests.post(f"http://127.0.0.1:{web_port}/api/v1/webhooks", timeout=10,
                                headers={"Authorization": f"Bearer {key}"},
                                json={"url": software.url, "events": ["notification.accepted"]})
            assert sub.status_code == 201, sub.text
            software.start(sub.json()["secret"])
            procs.append(subprocess.Popen(flask + ["dispatcher", "run"], cwd=str(common.ROOT), env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

            accepted, intake_s = steady_intake(web_port, key, args.rate, args.seconds, prefix="W")
            deadline = time.time() + 3 * args.interval + 60
            while time.time() < deadline and software.count() < len(accepted):
                time.sleep(0.5)  # waiting for the last deliveries, not synchronising a test
            common.stop_receiver(police)
            created = created_times(url)
            arrivals, by_message, refused = software.results()
            event_lat = sorted(by_message[m] - created[m] for m in by_message if m in created)
            end_to_end = sorted(arrivals[n] - t for n, t in accepted.items() if n in arrivals)
            print(f"{args.backend}: {len(accepted)} stays accepted in {intake_s:.1f}s "
                  f"({len(accepted) / intake_s:.0f}/s); webhooks received {len(arrivals)} "
                  f"(missing {len(accepted) - len(arrivals)}, refused {refused}); interval {args.interval}s")
            print(f"by status: {status_counts(url)}")
            print(f"event → webhook delivered: {quantiles(event_lat)}  "
                  f"(target p99 ≤ interval {args.interval}s + 2s = {args.interval + 2}s)")
            print(f"stay 201 → webhook delivered: {quantiles(end_to_end)}")
            print(json.dumps({"backend": args.backend, "rate": args.rate, "seconds": args.seconds,
                              "interval": args.interval, "event_p99": statistics.quantiles(event_lat, n=100)[98]}))
        finally:
            for p in procs:
                p.terminate()
                p.wait()
            common.drop_database(url)


if __name__ == "__main__":
    main()
