"""The email adapter through the dispatcher against a real SMTP server on loopback (aiosmtpd)."""
import email
import socket

import pytest
from aiosmtpd.controller import Controller

from accommnotify.dispatch.core import Dispatcher
from tests.integration.dispatch.dispatch_support import add_stays, make_facility, notification_rows, status_counts
from tests.conftest import make_app

pytestmark = pytest.mark.e2e


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def test_email_receiver_one_message_per_batch(database_url, tmp_path):
    sink = Sink()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        toml = tmp_path / "r.toml"
        toml.write_text(f"""
[receivers.ward-mail]
adapter = "email"
host = "127.0.0.1"
port = {port}
to = "congan.phuong@example.vn"
max_batch = 2

[[routes]]
category = "residence"
receiver = "ward-mail"

[[routes]]
category = "foreigner"
receiver = "ward-mail"
""")
        app = make_app(database_url, RECEIVERS=str(toml))
        add_stays(app, make_facility(app), 3)
        Dispatcher(app).run_pass(flush=True)
        assert status_counts(app) == {"accepted": 3}
        assert len(sink.messages) == 2
        msg = email.message_from_bytes(sink.messages[0].content)
        attachment = next(p for p in msg.walk() if p.get_filename())
        csv = attachment.get_payload(decode=True).decode("utf-8-sig")
        assert "Nguyễn Văn An" in csv
        receipts = {r["receipt"] for r in notification_rows(app)}
        assert all(r.startswith("<bat_") for r in receipts)
    finally:
        controller.stop()
