"""A fast local police-side receiver for the benchmarks: checks the HMAC, answers per-item results.

    python bench/dispatch/receiver.py PORT SECRET [TIMES_FILE]
Prints "ready" once listening; counts ids and writes the totals to stdout on SIGTERM. With
TIMES_FILE, also records when each notification id arrived (wall clock) and writes them there.
"""
import base64
import hashlib
import hmac
import json
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, secret = int(sys.argv[1]), sys.argv[2]
key = base64.b64decode(secret[len("whsec_"):])
received = {"requests": 0, "ids": 0, "bad": 0}
times_file = sys.argv[3] if len(sys.argv) > 3 else None
arrivals = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        mid, ts = self.headers["webhook-id"], self.headers["webhook-timestamp"]
        mac = hmac.new(key, f"{mid}.{ts}.".encode() + body, hashlib.sha256).digest()
        if "v1," + base64.b64encode(mac).decode() not in self.headers["webhook-signature"].split():
            received["bad"] += 1
            self.send_response(401)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        ids = [n["id"] for n in json.loads(body)["notifications"]]
        if times_file:
            now = time.time()
            for i in ids:
                arrivals.setdefault(i, now)
        received["requests"] += 1
        received["ids"] += len(ids)
        out = json.dumps({"results": [{"id": i, "status": "accepted", "receipt": "R" + i[-8:]} for i in ids]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)


def done(*_):
    if times_file:
        with open(times_file, "w") as fh:
            json.dump(arrivals, fh)
    print(json.dumps(received), flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, done)
print("ready", flush=True)
server.serve_forever()
