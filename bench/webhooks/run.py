"""Webhook delivered latency at steady intake (default 200 stays/s for 60 s, dispatch interval 10 s).

    .venv/bin/python bench/webhooks/run.py --backend sqlite|postgres [--rate 200] [--seconds 60] [--interval 10]

Real processes: gunicorn (4 workers) serves the API, one `flask dispatcher run` delivers the
notifications to a local police receiver and the `notification.accepted` webhooks to the facility's
software, an HTTP server in this process that verifies each request with `standardwebhooks` and notes
when it arrived. Figures:
- event → webhook delivered: from the moment the acceptance was recorded (the message's created_at,
  written in that transaction) to the webhook's arrival. Target (issue 12): p99 ≤ interval + 2 s.
- stay POSTed (201) → webhook delivered: what the front desk sees end to end (two hops).
"""
import json
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


class Software:
    """The facility's software: {notification id: arrival time} of verified notification.accepted webhooks."""

    def __init__(self):
        from standardwebhooks.webhooks import Webhook
        self.webhook = None
        self.arrivals, self.by_message, self.refused = {}, {}, 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                at = time.time()
                try:
                    payload = outer.webhook.verify(body, {k.lower(): v for k, v in self.headers.items()})
                except Exception:  # noqa: BLE001 - counted, answered 400
                    with outer.lock:
                        outer.refused += 1
                    status = 400
                else:
                    with outer.lock:
                        outer.arrivals.setdefault(payload["data"]["notification_id"], at)
                        outer.by_message.setdefault(self.headers["webhook-id"], at)
                    status = 204
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        self.make = Webhook
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


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
            software.webhook = software.make(sub.json()["secret"])
            procs.append(subprocess.Popen(flask + ["dispatcher", "run"], cwd=str(common.ROOT), env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

            accepted, intake_s = steady_intake(web_port, key, args.rate, args.seconds, prefix="W")
            deadline = time.time() + 3 * args.interval + 60
            while time.time() < deadline and len(software.arrivals) < len(accepted):
                time.sleep(0.5)  # waiting for the last deliveries, not synchronising a test
            common.stop_receiver(police)
            created = created_times(url)
            with software.lock:
                by_message, arrivals = dict(software.by_message), dict(software.arrivals)
            event_lat = sorted(by_message[m] - created[m] for m in by_message if m in created)
            end_to_end = sorted(arrivals[n] - t for n, t in accepted.items() if n in arrivals)
            print(f"{args.backend}: {len(accepted)} stays accepted in {intake_s:.1f}s "
                  f"({len(accepted) / intake_s:.0f}/s); webhooks received {len(arrivals)} "
                  f"(missing {len(accepted) - len(arrivals)}, refused {software.refused}); interval {args.interval}s")
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
