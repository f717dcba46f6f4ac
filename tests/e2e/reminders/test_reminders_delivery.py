"""Reminders over real channels: an SMTP server (aiosmtpd) and an HTTP gateway on loopback, both
started by the test; and a real `flask dispatcher run` process sending a reminder on its own."""
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from accommnotify.extensions import db
from accommnotify.models import FacilityUser
from accommnotify.reminders import service
from accommnotify.timeutil import utcnow
from tests.conftest import make_app
from tests.integration.dispatch.dispatch_support import start_dispatcher, stop, wait_for
from tests.integration.reminders.support import (add_stays, add_user, make_facility, set_notifications,
                                                 stay_notifications)

pytestmark = pytest.mark.e2e


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def gateway():
    """An SMS / Zalo-like gateway: records each POST (path, headers, JSON body), answers 202."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, dict(self.headers), json.loads(body)))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield seen, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_mail_and_gateway_each_get_one_reminder_in_the_users_language(database_url, smtp, gateway):
    sink, smtp_port = smtp
    seen, base = gateway
    app = make_app(database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", REMINDER_FROM="thongbao@hotel.example.vn",
                   PUBLIC_URL="https://thongbao.example.vn",
                   REMINDER_HTTP={"url": base + "/send?to={phone}", "headers": {"Authorization": "Bearer gw-key"},
                                  "body": {"to": "{phone}", "message": "{subject}\n{text}", "ref": "{id}"}})
    hotel = make_facility(app)
    add_stays(app, hotel, 2)
    first, second = stay_notifications(app)
    set_notifications(app, [first, second], status="rejected", rejection_code="id_number.invalid", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    add_user(app, hotel.id, "quan.ly@example.vn", language="en", channel="http", phone="+84901234567")

    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "run-once"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output

    envelope, = sink.messages
    assert envelope.rcpt_tos == ["le.tan@example.vn"]
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert msg["Subject"] == "2 thông báo cần bạn xử lý"
    assert msg["Content-Language"] == "vi" and msg["Message-ID"].endswith("@hotel.example.vn>")
    text = msg.get_content()
    assert "2 thông báo bị công an từ chối." in text and "Phòng: 101" in text
    assert "https://thongbao.example.vn/facility/" in text
    assert "Nguyễn" not in text  # the factory's guest names never travel

    (path, headers, body), = seen
    assert path == "/send?to=%2B84901234567"
    assert headers["Authorization"] == "Bearer gw-key" and headers["Idempotency-Key"] == body["ref"]
    assert body["to"] == "+84901234567"
    assert body["message"].startswith("2 notifications need your attention\n")
    assert "Nguyễn" not in body["message"]

    # a second run, as a second dispatcher would: nothing more
    assert runner.invoke(args=["reminders", "run-once"]).output.startswith("sent 0")
    assert len(sink.messages) == 1 and len(seen) == 1

    # `reminders test --user` reaches the user by their channel, outside the ledger
    result = runner.invoke(args=["reminders", "test", "--user", "Le.Tan@example.vn"])
    assert result.exit_code == 0 and "sent by email" in result.output
    assert email.message_from_bytes(sink.messages[-1].content, policy=email.policy.default)["Subject"] == "Tin nhắc thử"


def test_a_mail_server_that_is_down_fails_the_send_and_it_is_retried(database_url, smtp, clock):
    sink, smtp_port = smtp
    app = make_app(database_url, SMTP_URL=f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    hotel = make_facility(app)
    add_stays(app, hotel, 1)
    set_notifications(app, stay_notifications(app), status="dead", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    result = app.test_cli_runner().invoke(args=["reminders", "run-once"])
    assert result.exit_code == 1 and "failed 1" in result.output
    # the server is back (the setting points to it now) and the lease has passed: sent once
    app = make_app(database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    clock.shift(app.config["LEASE_SECONDS"] + 1)
    with app.app_context():
        assert service.run_once(utcnow(), app.config).sent == {"problems": 1}
    assert len(sink.messages) == 1


@pytest.mark.real_clock
def test_the_dispatcher_process_sends_reminders(database_url, smtp, tmp_path):
    sink, smtp_port = smtp
    app = make_app(database_url)
    hotel = make_facility(app)
    add_stays(app, hotel, 1)
    set_notifications(app, stay_notifications(app), status="rejected", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    with app.app_context():
        assert db.session.query(FacilityUser).count() == 1
    proc = start_dispatcher(database_url, "config/receivers.toml", tmp_path / "d.log", DISPATCH_INTERVAL=1,
                            REMINDER_INTERVAL=1, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    try:
        wait_for(lambda: sink.messages, timeout=30, message="a reminder mail from the dispatcher")
    finally:
        assert stop(proc) == 0, (tmp_path / "d.log").read_text()
    assert len(sink.messages) == 1
    assert "reminders by email" in (tmp_path / "d.log").read_text()
