"""Reminders over real channels, in process: an SMTP server (aiosmtpd) and an SMS / Zalo-like HTTP
gateway on loopback; the `reminders` commands."""
import email
import email.policy

import pytest

from accommnotify.reminders import service
from accommnotify.timeutil import utcnow
from tests.conftest import make_app
from tests.integration.reminders.conftest import free_port
from tests.integration.reminders.support import (add_stays, add_user, make_facility, set_notifications,
                                                 stay_notifications)


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


def test_dispatcher_run_sends_reminders_on_its_own_thread(database_url, smtp, caplog):
    """`dispatcher run` (in process; the e2e test runs the real process) schedules the reminders
    scan next to the dispatch pass and says so at start."""
    from tests.integration.dispatch.dispatch_support import run_dispatcher_until

    sink, smtp_port = smtp
    app = make_app(database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    hotel = make_facility(app)
    add_stays(app, hotel, 1)
    set_notifications(app, stay_notifications(app), status="rejected", updated_at=utcnow())
    add_user(app, hotel.id, "le.tan@example.vn")
    result, messages = run_dispatcher_until(app, caplog, lambda message: message.startswith("reminders: "))
    assert result.exit_code == 0, result.output
    assert any(m.endswith("; reminders by email") for m in messages)
    assert "reminders: {'sent': {'problems': 1}, 'failed': {}, 'unreachable': 0}" in messages
    assert len(sink.messages) == 1


def test_commands_say_what_is_missing(database_url, smtp):
    _sink, smtp_port = smtp
    off = make_app(database_url).test_cli_runner().invoke(args=["reminders", "run-once"])
    assert off.exit_code == 1 and "no reminder channel is configured" in off.output
    app = make_app(database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
    runner = app.test_cli_runner()
    nobody = runner.invoke(args=["reminders", "test", "--user", "nobody@example.vn"])
    assert nobody.exit_code == 1 and "no facility user with that e-mail" in nobody.output
    hotel = make_facility(app)
    add_user(app, hotel.id, "sms@example.vn", channel="http")
    off_channel = runner.invoke(args=["reminders", "test", "--user", "sms@example.vn"])
    assert off_channel.exit_code == 1 and "channel 'http' is not configured" in off_channel.output


def test_a_gateway_error_or_silence_fails_the_send(gateway):
    from accommnotify.reminders.channels import ChannelError, Message
    from accommnotify.reminders.channels.http import from_settings
    _seen, base = gateway
    message = Message("test", "vi", "s", "t", None, "rem-test-1")
    from_settings({"REMINDER_HTTP": {"url": base + "/send"}}).send("0901234567", message)
    with pytest.raises(ChannelError, match="^HTTP 503$"):
        from_settings({"REMINDER_HTTP": {"url": base + "/busy"}}).send("0901234567", message)
    with pytest.raises(ChannelError, match="^ConnectionError$"):
        from_settings({"REMINDER_HTTP": {"url": f"http://127.0.0.1:{free_port()}/send"}}).send("0901234567", message)


@pytest.mark.parametrize("setting, value, named", [
    ("REMINDER_DIGEST_TIME", "25:99", "25:99"),
    ("SMTP_URL", "ftp://mail.example", "SMTP_URL"),
])
def test_a_wrong_reminder_setting_stops_the_process_at_start_naming_it(database_url, setting, value, named):
    """Found at start by web, dispatcher and commands alike, not at the first reminder hours later."""
    from accommnotify import StartupError
    with pytest.raises(StartupError, match=named):
        make_app(database_url, **{setting: value})
