"""Pure pieces of the reminders: when a deadline or the digest is due, the channels' settings and templates."""
import json
from datetime import datetime, time, timedelta, timezone

import pytest

from accommnotify.receivers.email import SmtpServer
from accommnotify.reminders.channels import ChannelConfigError, Message, configured_channels
from accommnotify.reminders.channels import http as http_channel
from accommnotify.reminders.service import deadline_is_close, digest_day, message_id, parse_digest_time
from accommnotify.timeutil import VN_TZ

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=VN_TZ)


@pytest.mark.parametrize("minutes_left, due", [(59, True), (60, True), (61, False), (0, False), (-5, False)])
def test_deadline_close_within_the_setting(minutes_left, due):
    assert deadline_is_close(NOW + timedelta(minutes=minutes_left), NOW, 60) is due


def test_deadline_setting_changes_the_window():
    assert deadline_is_close(NOW + timedelta(minutes=100), NOW, 120)
    assert not deadline_is_close(NOW + timedelta(minutes=100), NOW, 90)


def test_digest_day_is_yesterday_in_vietnam_once_the_time_has_come():
    at = parse_digest_time("07:00")
    assert digest_day(datetime(2026, 11, 28, 6, 59, tzinfo=VN_TZ), at) is None
    assert digest_day(datetime(2026, 11, 28, 7, 0, tzinfo=VN_TZ), at).isoformat() == "2026-11-27"
    # 00:30 UTC is 07:30 in Vietnam: already the 28th there
    assert digest_day(datetime(2026, 11, 28, 0, 30, tzinfo=timezone.utc), at).isoformat() == "2026-11-27"
    assert digest_day(datetime(2026, 11, 27, 23, 59, tzinfo=VN_TZ), at).isoformat() == "2026-11-26"


@pytest.mark.parametrize("raw", ["7", "25:00", "07:60", "", "seven"])
def test_digest_time_must_be_hh_mm(raw):
    with pytest.raises(ValueError, match="REMINDER_DIGEST_TIME"):
        parse_digest_time(raw)
    assert parse_digest_time("6:30") == time(6, 30)


def test_message_id_is_stable_for_the_same_subjects():
    assert message_id(1, "problems", ["b", "a"]) == message_id(1, "problems", ["a", "b"])
    assert message_id(1, "problems", ["a"]) != message_id(2, "problems", ["a"])


def test_smtp_url():
    s = SmtpServer.from_url("smtp://mail.example.vn:2525")
    assert (s.host, s.port, s.ssl, s.starttls, s.username) == ("mail.example.vn", 2525, False, False, None)
    s = SmtpServer.from_url("smtps://bot%40hotel:p%40ss@mail.example.vn")
    assert (s.port, s.ssl, s.username, s.password) == (465, True, "bot@hotel", "p@ss")
    assert "p@ss" not in repr(s)
    assert SmtpServer.from_url("smtp://mail.example.vn?starttls=1").starttls
    for bad in ("http://mail.example.vn", "smtp://", "smtp://h:99999", "smtps://h?starttls=1"):
        with pytest.raises(ValueError):
            SmtpServer.from_url(bad)


def test_configured_channels_from_settings():
    assert configured_channels({"SMTP_URL": "", "REMINDER_HTTP": {}}) == {}
    channels = configured_channels({"SMTP_URL": "smtp://127.0.0.1:25", "REMINDER_HTTP": {"url": "https://gw.example/s"}})
    assert list(channels) == ["email", "http"]
    with pytest.raises(ChannelConfigError, match="SMTP_URL"):
        configured_channels({"SMTP_URL": "mail.example.vn"})


@pytest.mark.parametrize("table, where", [
    ({"url": "ftp://gw"}, "url"), ({"url": "https://gw", "body": "{not json"}, "body"),
    ({"url": "https://gw", "headers": {"X": 1}}, "headers"), ({"url": "https://gw", "timeout": 0}, "timeout"),
    ({"url": "https://gw", "secret": "x"}, "unknown"), ("https://gw", "table")])
def test_http_channel_settings_are_checked(table, where):
    with pytest.raises(ChannelConfigError, match=where):
        http_channel.from_settings({"REMINDER_HTTP": table})


def test_http_templates_keep_json_valid_and_urls_encoded():
    channel = http_channel.from_settings({"REMINDER_HTTP": {
        "url": "https://gw.example/send?to={phone}&lang={lang}",
        "body": '{"phone": "{phone}", "message": {"text": "{subject}\\n{text}"}, "n": 1, "tags": ["{kind}"]}'}})
    msg = Message("problems", "vi", 'Hạn "gấp"', "Phòng: 101\n{phone}", None, "rem-x")
    url, body = channel.request_of("+84 901", msg)
    assert url == "https://gw.example/send?to=%2B84%20901&lang=vi"
    doc = json.loads(body)
    # a placeholder inside a value is never filled twice
    assert doc == {"phone": "+84 901", "message": {"text": 'Hạn "gấp"\nPhòng: 101\n{phone}'}, "n": 1,
                   "tags": ["problems"]}
    assert "gw.example" in repr(channel) and "Authorization" not in repr(channel)
