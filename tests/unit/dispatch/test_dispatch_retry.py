import random
from datetime import datetime, timedelta, timezone

from accommnotify.dispatch import retry

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)


def test_schedule_then_every_four_hours():
    assert [retry.base_delay(a) for a in range(1, 10)] == [30, 120, 600, 1800, 3600, 7200, 14400, 14400, 14400]


def test_jitter_stays_within_ten_percent_and_varies():
    rng = random.Random(1)
    delays = [retry.next_delay(1, None, rng) for _ in range(200)]
    assert all(27 <= d <= 33 for d in delays) and len(set(delays)) > 100


def test_retry_after_wins_only_when_longer_and_is_capped():
    rng = random.Random(2)
    assert retry.next_delay(1, 600, rng) == 600
    assert retry.next_delay(5, 10, rng) > 3000
    assert retry.next_delay(1, 10**9, rng) == retry.MAX_RETRY_AFTER


def test_dead_after_72_hours_from_the_first_attempt():
    assert retry.next_attempt(3, T0, T0 + timedelta(hours=71, minutes=59))[0] == "retrying"
    assert retry.next_attempt(30, T0, T0 + timedelta(hours=72)) == ("dead", None)
