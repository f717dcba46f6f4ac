"""Check-in tokens (pure): the desk code rotates, only the app's key makes one, links are random."""
from datetime import datetime, timedelta

from accommnotify.checkin import tokens
from accommnotify.timeutil import VN_TZ

KEY = "k" * 40
AT = datetime(2026, 11, 27, 14, 0, tzinfo=VN_TZ).timestamp()


def test_a_desk_code_is_read_back_only_with_the_same_key():
    window = tokens.window_of(AT, 10)
    token = tokens.desk_token(KEY, 7, window)
    assert tokens.read_desk_token(KEY, token) == (7, window)
    assert tokens.read_desk_token("x" * 40, token) is None
    assert tokens.read_desk_token(KEY, token.replace("d-7-", "d-8-")) is None     # another facility's
    assert tokens.read_desk_token(KEY, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    for junk in ("", "d-7", "d--1-1-" + "A" * 22, "d-0-1-" + "A" * 22, token + "x", "b-" + "A" * 32):
        assert tokens.read_desk_token(KEY, junk) is None


def test_a_desk_code_opens_the_form_in_its_window_and_the_next_only():
    window = tokens.window_of(AT, 10)
    assert tokens.desk_token_is_current(window, AT, 10)
    assert tokens.desk_token_is_current(window, AT + 600, 10)          # the next window: still good
    assert not tokens.desk_token_is_current(window, AT + 1200, 10)      # two windows on: gone
    assert not tokens.desk_token_is_current(window + 1, AT, 10)         # from the future: no
    assert tokens.desk_token(KEY, 7, window) != tokens.desk_token(KEY, 7, window + 1)


def test_windows_follow_the_setting():
    assert tokens.window_of(AT, 5) == int(AT // 300)
    assert tokens.window_of(AT + timedelta(minutes=5).total_seconds(), 5) == tokens.window_of(AT, 5) + 1


def test_link_tokens_are_random_and_stored_as_a_hash():
    a, b = tokens.new_link_token(), tokens.new_link_token()
    assert a != b and tokens.is_link_token(a) and len(a) == 34
    assert tokens.link_token_hash(a) != a and len(tokens.link_token_hash(a)) == 64
    assert not tokens.is_link_token("b-short") and not tokens.is_link_token("d-1-1-" + "A" * 22)
