"""The retry schedule of SPEC §4: 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then every 4 h.

Pure functions (no Flask, no database), so the schedule is tested without waiting.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

SCHEDULE = (30, 120, 600, 1800, 3600, 7200, 14400)  # seconds after attempt 1, 2, 3, …
THEN_EVERY = 14400
JITTER = 0.1            # ± 10 % so that many failed items do not come back at the same instant
DEAD_AFTER = timedelta(hours=72)
MAX_RETRY_AFTER = 24 * 3600  # a receiver cannot push an item further than this in one answer


def base_delay(attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed attempts (1 = the first one)."""
    if attempts < 1:
        attempts = 1
    return float(SCHEDULE[attempts - 1] if attempts <= len(SCHEDULE) else THEN_EVERY)


def next_delay(attempts: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """The schedule with jitter; a receiver's Retry-After wins when it asks for longer."""
    rng = rng or random
    delay = base_delay(attempts) * (1 + rng.uniform(-JITTER, JITTER))
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
    return delay


def is_dead(first_attempt_at: datetime | None, now: datetime) -> bool:
    """A transient failure 72 h or more after the first attempt ends the notification's retries."""
    return first_attempt_at is not None and now - first_attempt_at >= DEAD_AFTER


def next_attempt(attempts: int, first_attempt_at: datetime | None, now: datetime,
                 retry_after: float | None = None, rng: random.Random | None = None):
    """(status, next_attempt_at) after a transient failure: ("dead", None) or ("retrying", when)."""
    if is_dead(first_attempt_at, now):
        return "dead", None
    return "retrying", now + timedelta(seconds=next_delay(attempts, retry_after, rng))
