"""The email adapter against a real aiosmtpd SMTP server on loopback."""

import csv
import email
import email.policy
import io
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from accommnotify.receivers.email import EmailReceiver
from accommnotify.receivers.flatten import BOM, CSV_COLUMNS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages = []
        self.reply = "250 Message accepted for delivery"

    async def handle_DATA(self, server, session, envelope):
        if self.reply.startswith("250"):
            self.messages.append(envelope)
        return self.reply


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"hub", b"s3cret")
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(),
        authenticator=authenticator, auth_require_tls=False,
    )
    controller.start()
    yield mailbox, controller
    controller.stop()


def make_receiver(controller, **kw):
    options = {"host": "127.0.0.1", "port": controller.port, "to": ["ca-phuong@police.example"],
               "from": "noreply@hub.example", "timeout": 5}
    options.update(kw)
    return EmailReceiver("mail", **options)


def test_message_arrives_with_csv_attachment(smtp_server, make_batch):
    mailbox, controller = smtp_server
    batch = make_batch(3)
    delivery = make_receiver(controller, to="ca-phuong@police.example").send(batch)

    message_id = f"<{batch.id}.accommnotify@hub.example>"
    assert {o.status for o in delivery.outcomes.values()} == {"accepted"}
    assert {o.receipt for o in delivery.outcomes.values()} == {message_id}
    assert delivery.error_class is None and delivery.alert is None

    (envelope,) = mailbox.messages
    assert envelope.mail_from == "noreply@hub.example"
    assert envelope.rcpt_tos == ["ca-phuong@police.example"]
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert msg["Message-ID"] == message_id
    assert batch.id in msg["Subject"] and "(3)" in msg["Subject"]

    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "3 thông báo" in body and "3 notifications" in body
    for personal in ("Nguyễn", "Testperson", "001190000001", "X0000001"):
        assert personal not in body and personal not in msg["Subject"]

    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == f"{batch.id}.csv"
    assert attachment.get_content_type() == "text/csv"
    data = attachment.get_payload(decode=True)
    assert data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == batch.ids
    assert rows[1][CSV_COLUMNS.index("person_full_name")] == "Nguyễn Thị Mẫu"


def test_resent_batch_keeps_its_message_id(smtp_server, make_batch):
    mailbox, controller = smtp_server
    receiver = make_receiver(controller)
    receiver.send(make_batch(1))
    receiver.send(make_batch(1))
    ids = [email.message_from_bytes(e.original_content)["Message-ID"] for e in mailbox.messages]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_login(smtp_server, make_batch):
    mailbox, controller = smtp_server
    ok = make_receiver(controller, username="hub", password="s3cret").send(make_batch(2))
    assert {o.status for o in ok.outcomes.values()} == {"accepted"}
    bad = make_receiver(controller, username="hub", password="wrong").send(make_batch(2))
    assert {o.status for o in bad.outcomes.values()} == {"retry"}
    assert bad.error_class == "SMTPAuthenticationError" and "username/password" in bad.alert
    assert len(mailbox.messages) == 1


def test_server_refuses_data_then_retry(smtp_server, make_batch):
    mailbox, controller = smtp_server
    mailbox.reply = "451 Requested action aborted: local error"
    delivery = make_receiver(controller).send(make_batch(2))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.error_class == "SMTPDataError" and delivery.excerpt.startswith("451")


def test_smtp_server_down_retries(make_batch):
    receiver = EmailReceiver("mail", host="127.0.0.1", port=free_port(), to="a@police.example", timeout=2)
    batch = make_batch(2)
    delivery = receiver.send(batch)
    assert set(delivery.outcomes) == set(batch.ids)
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.error_class == "ConnectionRefusedError"
