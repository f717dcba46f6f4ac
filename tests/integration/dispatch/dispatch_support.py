"""Shared by the dispatch integration and e2e tests: a signature-checking police server, a
scripted in-process receiver, receivers files, data builders and polling helpers."""
from __future__ import annotations

import base64
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accommnotify.extensions import db
from accommnotify.receivers.base import Delivery, Receiver
from tests.conftest import TEST_DATA_KEY, TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[3]
SECRET = "whsec_" + base64.b64encode(b"dispatch-test-secret-0123456789").decode()
FLASK = str(ROOT / ".venv" / "bin" / "flask") if (ROOT / ".venv" / "bin" / "flask").exists() else "flask"


def wait_for(condition, timeout=20.0, interval=0.05, message="condition"):
    """Poll ``condition`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


# -- receivers files ---------------------------------------------------------------------------

def http_receivers_toml(tmp_path, url, *, max_batch=500, read_timeout=5, name="ward-police") -> str:
    path = tmp_path / f"receivers-{name}.toml"
    path.write_text(f"""
[receivers.{name}]
adapter = "http"
url = "{url}"
secret = "{SECRET}"
max_batch = {max_batch}
connect_timeout = 2
read_timeout = {read_timeout}

[[routes]]
category = "residence"
receiver = "{name}"

[[routes]]
category = "foreigner"
receiver = "{name}"
""", encoding="utf-8")
    return str(path)


def scripted_receivers_toml(tmp_path, *, max_batch=500, names=("scripted",)) -> str:
    body = ""
    for name in names:
        body += f'[receivers.{name}]\nadapter = "tests.integration.dispatch.dispatch_support:ScriptedReceiver"\nmax_batch = {max_batch}\n\n'
    body += f'[[routes]]\ncategory = "residence"\nreceiver = "{names[0]}"\n\n'
    body += f'[[routes]]\ncategory = "foreigner"\nreceiver = "{names[-1]}"\n'
    path = tmp_path / "receivers-scripted.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


class ScriptedReceiver(Receiver):
    """In-process receiver: ``SCRIPTS[name](batch) -> Delivery`` (default: all accepted)."""
    adapter = "scripted"
    SCRIPTS: dict = {}
    SENT: dict = {}

    def send(self, batch):
        ScriptedReceiver.SENT.setdefault(self.name, []).append(batch)
        script = ScriptedReceiver.SCRIPTS.get(self.name)
        if script is None:
            return Delivery.all(batch, "accepted", receipt="r-" + batch.id)
        return script(batch)


# -- data ----------------------------------------------------------------------------------------

def make_facility(app, code="HOTEL-1", ward="16681"):
    from accommnotify.intake.facilities import create_facility
    from accommnotify.models import FacilityRef
    with app.app_context():
        f = create_facility(code=code, name="Khách sạn Sen", kind="tourist_accommodation", ward_code=ward,
                            address="12 Lê Lợi")
        return FacilityRef.of(f)


def add_stays(app, facility, count, guests=None):
    """``count`` stays through the intake service (bulk, 500 per call); returns their views."""
    from accommnotify.intake.service import create_stays_bulk
    from tests import factories
    made = []
    with app.app_context():
        for start in range(0, count, 500):
            n = min(500, count - start)
            payload = {"stays": [factories.stay(guests=guests() if guests else [factories.citizen()])
                                 for _ in range(n)]}
            results = create_stays_bulk(facility, payload)
            assert all(r["status"] == "created" for r in results), results[:1]
            made += [r["stay"] for r in results]
    return made


def status_counts(app) -> Counter:
    from accommnotify.models import Notification
    N = Notification.__table__
    with app.app_context():
        rows = db.session.execute(select(N.c.status, func.count()).group_by(N.c.status)).all()
        db.session.rollback()
    return Counter(dict(rows))


def notification_rows(app):
    from accommnotify.models import Notification
    N = Notification.__table__
    with app.app_context():
        rows = db.session.execute(select(N).order_by(N.c.id)).mappings().all()
        db.session.rollback()
    return [dict(r) for r in rows]


# -- a police-side HTTP receiver -------------------------------------------------------------------

class PoliceServer:
    """Verifies every request with the reference ``standardwebhooks`` library, counts the ids it
    received, and answers per ``script`` (a list consumed one request at a time) or accepts all.

    Script items: (status, headers, body_or_None) | "hang" (sleep past the client's timeout) |
    "block" (signal ``seen`` and wait for ``release``) | callable(payload) -> (status, headers, body).
    """

    def __init__(self, secret=SECRET, delay=0.0):
        self.webhook = Webhook(secret)
        self.script: list = []
        self.delay = delay
        self.counts: Counter = Counter()
        self.requests: list[dict] = []
        self.refused: list[str] = []
        self.seen = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.gate = None  # (needed concurrency, timeout): hold requests until that many are in flight
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = server.webhook.verify(body, headers)
                except WebhookVerificationError as exc:
                    with server.lock:
                        server.refused.append(str(exc))
                    return self._answer(401, {}, b'{"error": "bad signature"}')
                ids = [n["id"] for n in payload["notifications"]]
                with server.lock:
                    server.requests.append({"headers": headers, "payload": payload, "at": time.monotonic()})
                    server.counts.update(ids)
                    action = server.script.pop(0) if server.script else None
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if server.gate:
                        need, timeout = server.gate
                        deadline = time.monotonic() + timeout
                        while server.max_in_flight < need and time.monotonic() < deadline:
                            time.sleep(0.01)
                    if server.delay:
                        time.sleep(server.delay)
                    if action == "block":
                        server.seen.set()
                        server.release.wait(60)
                        return self._answer(200, {}, None, ids)
                    if action == "hang":
                        time.sleep(3)
                        return self._answer(200, {}, None, ids)
                    if callable(action):
                        action = action(payload)
                    if action is None:
                        return self._answer(200, {}, None, ids)
                    return self._answer(*action, ids=ids)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def _answer(self, status, extra, body, ids=()):
                if body is None:
                    body = json.dumps({"results": [{"id": i, "status": "accepted", "receipt": "P-" + i}
                                                   for i in ids]}).encode()
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client went away (killed dispatcher, timeout)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/police/api/v1/batches"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# -- `dispatcher run` in this process ------------------------------------------------------------

def sigterm_main_thread():
    """What `kill <pid>` / a service manager's stop does, aimed at the main thread (where Python runs
    signal handlers and where the scheduler waits), so it is handled at once."""
    signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)


def run_dispatcher_until(app, caplog, stop_when):
    """`flask dispatcher run` in this process, sending SIGTERM each time ``stop_when(log message)``
    is true (read as an operator reads the log); returns (CLI result, the dispatcher's messages)."""

    class Operator(logging.Handler):
        def emit(self, record):
            if stop_when(record.getMessage()):
                sigterm_main_thread()

    operator = Operator()
    logger = logging.getLogger("accommnotify.dispatch")
    logger.addHandler(operator)
    caplog.set_level(logging.INFO, logger="accommnotify.dispatch")
    try:
        result = app.test_cli_runner().invoke(args=["dispatcher", "run"])
    finally:
        logger.removeHandler(operator)
    return result, [r.getMessage() for r in caplog.records if r.name == "accommnotify.dispatch"]


# -- dispatcher processes --------------------------------------------------------------------------

def dispatcher_env(database_url, receivers, **settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOMMNOTIFY_")}
    env.update(ACCOMMNOTIFY_DATABASE_URL=database_url, ACCOMMNOTIFY_RECEIVERS=receivers,
               ACCOMMNOTIFY_SECRET_KEY=TEST_SECRET_KEY, ACCOMMNOTIFY_DATA_KEY=TEST_DATA_KEY, PYTHONUNBUFFERED="1")
    for key, value in settings.items():
        env["ACCOMMNOTIFY_" + key] = str(value)
    return env


def start_dispatcher(database_url, receivers, log_path, **settings):
    log = open(log_path, "ab")
    return subprocess.Popen([FLASK, "--app", "wsgi", "dispatcher", "run"], cwd=str(ROOT),
                            env=dispatcher_env(database_url, receivers, **settings),
                            stdout=log, stderr=subprocess.STDOUT)


def stop(proc, timeout=20):
    if proc.poll() is None:
        proc.terminate()
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("the dispatcher did not stop on SIGTERM")
    return proc.returncode
