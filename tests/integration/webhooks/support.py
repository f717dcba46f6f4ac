"""A facility's software on loopback: verifies each webhook with the reference `standardwebhooks`
library, dedupes by webhook-id, and answers per a script of HTTP statuses."""
from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class FacilitySoftware:
    def __init__(self):
        self.secret: str | None = None
        self.script: list = []        # statuses (or "block") consumed one request at a time; then 200
        self.events: dict = {}        # webhook-id -> verified payload (the receiver's dedupe)
        self.counts: Counter = Counter()  # webhook-id -> requests received
        self.refused: list[str] = []
        self.headers: list[dict] = []
        self.seen = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = Webhook(server.secret).verify(body, headers)
                except WebhookVerificationError as exc:
                    with server.lock:
                        server.refused.append(str(exc))
                    return self._answer(401)
                with server.lock:
                    msg_id = headers["webhook-id"]
                    server.counts[msg_id] += 1
                    server.headers.append(headers)
                    action = server.script.pop(0) if server.script else 200
                    if action == 200:
                        server.events.setdefault(msg_id, payload)
                if action == "block":
                    server.seen.set()
                    server.release.wait(60)
                    with server.lock:
                        server.events.setdefault(msg_id, payload)
                    return self._answer(200)
                return self._answer(action)

            def _answer(self, status):
                body = json.dumps({"ok": status == 200}).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def of_type(self, event_type: str) -> list[dict]:
        with self.lock:
            return [p for p in self.events.values() if p["type"] == event_type]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
