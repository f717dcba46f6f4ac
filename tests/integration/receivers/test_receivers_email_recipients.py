"""The email adapter's answers an operator acts on, against a real aiosmtpd server on loopback:
some recipients refused (delivered to the others, with an alert naming them), every recipient
refused (retry, with an alert to check 'to'), STARTTLS asked of a server without it (retry); and
its options checked before any connection, the password never shown."""
import socket

import pytest
from aiosmtpd.controller import Controller

from accommnotify.receivers.base import ReceiverConfigError
from accommnotify.receivers.email import EmailReceiver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RefusingMailbox:
    """Accepts mail, refusing the recipients listed in ``refuse`` with 550."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.delivered: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    def start(refuse=()):
        mailbox = RefusingMailbox(refuse)
        controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
        controller.start()
        started.append(controller)
        return mailbox, controller
    started: list = []
    yield start
    for controller in started:
        controller.stop()


def _receiver(controller, **kw):
    options = {"host": "127.0.0.1", "port": controller.port, "from": "noreply@hub.example", "timeout": 5,
               "to": ["ca-phuong@police.example", "truc-ban@police.example"]}
    options.update(kw)
    return EmailReceiver("mail", **options)


def test_some_recipients_refused_delivers_to_the_others_with_an_alert(smtp, make_batch):
    mailbox, controller = smtp(refuse={"truc-ban@police.example"})
    batch = make_batch(2)
    delivery = _receiver(controller).send(batch)
    assert {o.status for o in delivery.outcomes.values()} == {"accepted"}
    assert mailbox.delivered == [["ca-phuong@police.example"]]
    assert "refused some recipients (truc-ban@police.example)" in delivery.alert
    assert batch.id in delivery.alert and "to 1 recipient(s)" in delivery.excerpt


def test_every_recipient_refused_is_a_retry_with_an_alert_to_check_to(smtp, make_batch):
    mailbox, controller = smtp(refuse={"ca-phuong@police.example", "truc-ban@police.example"})
    delivery = _receiver(controller).send(make_batch(2))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.error_class == "SMTPRecipientsRefused"
    assert "check 'from'/'to'" in delivery.alert
    assert mailbox.delivered == []


def test_starttls_asked_of_a_server_without_it_is_a_retry(smtp, make_batch):
    mailbox, controller = smtp()
    delivery = _receiver(controller, starttls=True).send(make_batch(1))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.error_class == "SMTPNotSupportedError"
    assert mailbox.delivered == []  # nothing went in clear text


@pytest.mark.parametrize("options, problem", [
    ({"port": 0}, "port must be an integer 1-65535"),
    ({"port": True}, "port must be an integer 1-65535"),
    ({"from": "nobody"}, "'from' must be an e-mail address"),
    ({"username": "hub"}, "give both 'username' and 'password', or neither"),
    ({"password": "s3cret"}, "give both 'username' and 'password', or neither"),
    ({"starttls": True, "ssl": True}, "'starttls' and 'ssl' exclude each other"),
    ({"ssl": "yes"}, "'starttls' and 'ssl' must be true or false"),
    ({"timeout": 0}, "timeout must be a positive number of seconds"),
    ({"timeout": "30"}, "timeout must be a positive number of seconds"),
])
def test_bad_options_are_refused_before_any_connection(options, problem):
    settings = {"host": "smtp.example", "to": "a@police.example", **options}
    with pytest.raises(ReceiverConfigError) as info:
        EmailReceiver("mail", **settings)
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_defaults_and_the_password_is_never_shown():
    plain = EmailReceiver("mail", host="smtp.example", to="a@police.example")
    assert plain.port == 25
    tls = EmailReceiver("mail", host="smtp.example", to="a@police.example", ssl=True,
                        username="hub", password="s3cret-pass")
    assert tls.port == 465
    assert "s3cret-pass" not in repr(tls) and repr(tls) == "<EmailReceiver 'mail' smtp.example:465 to=['a@police.example']>"


def test_implicit_tls_to_a_plain_server_is_a_retry(smtp, make_batch):
    _mailbox, controller = smtp()
    delivery = _receiver(controller, ssl=True).send(make_batch(1))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert delivery.error_class in ("SSLError", "SMTPServerDisconnected", "ConnectionResetError")
