"""The read replica's health states and their cache, with a scripted probe (no database)."""
import pytest
from sqlalchemy.exc import OperationalError

from accommnotify.replica import DOWN, LAGGING, OFF, OK, Health, ReadReplica, judge

URL = "postgresql+psycopg://reader@replica.invalid/accommnotify"


class Probe:
    """Answers the scripted (in_recovery, lag) or raises; counts the calls."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Monotonic:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def replica(probe, max_lag=10, check_seconds=2, url=URL):
    clock = Monotonic()
    return ReadReplica(url, max_lag, check_seconds, probe=probe, monotonic=clock), clock


@pytest.mark.parametrize("in_recovery, lag, expected", [
    (True, 0.0, Health(OK, 0.0)),
    (True, 10.0, Health(OK, 10.0)),                  # at the limit: still used
    (True, 10.001, Health(LAGGING, 10.001, "lag")),
    (True, -0.5, Health(OK, 0.0)),                   # clocks a little apart: never a negative lag
    (True, None, Health(LAGGING, None, "lag_unknown")),  # nothing replayed yet while behind
    (False, 0.0, Health(DOWN, None, "not_a_standby")),   # promoted, or the primary itself
])
def test_judge(in_recovery, lag, expected):
    assert judge(in_recovery, lag, 10) == expected


def test_off_without_a_url_and_never_probes():
    probe = Probe((True, 0.0))
    r, _ = replica(probe, url="")
    assert not r.enabled and r.health() == Health(OFF) and r.last_health() == Health(OFF)
    assert probe.calls == 0


def test_a_result_is_reused_for_check_seconds_then_probed_again():
    probe = Probe((True, 1.0), (True, 30.0))
    r, clock = replica(probe, check_seconds=2)
    assert r.health() == Health(OK, 1.0)
    clock.now += 1.9
    assert r.health() == Health(OK, 1.0) and probe.calls == 1
    clock.now += 0.1
    assert r.health() == Health(LAGGING, 30.0, "lag") and probe.calls == 2


def test_check_seconds_zero_probes_every_time():
    probe = Probe((True, 0.0), (True, 11.0), (True, 0.0))
    r, _ = replica(probe, check_seconds=0)
    assert [r.health().state for _ in range(3)] == [OK, LAGGING, OK]
    assert probe.calls == 3


def test_an_unreachable_replica_is_down_and_recovers():
    probe = Probe(OperationalError("SELECT 1", {}, Exception("connection refused")), (True, 0.0))
    r, clock = replica(probe, check_seconds=2)
    assert r.health() == Health(DOWN, None, "unreachable")
    clock.now += 2
    assert r.health() == Health(OK, 0.0)


def test_oserror_is_down_too():
    r, _ = replica(Probe(ConnectionRefusedError()))
    assert r.health().state == DOWN


def test_mark_down_holds_until_the_next_check():
    probe = Probe((True, 0.0))
    r, clock = replica(probe, check_seconds=5)
    assert r.health().state == OK
    r.mark_down("error")
    assert r.health() == Health(DOWN, None, "error") and r.last_health().state == DOWN
    assert probe.calls == 1
    clock.now += 5
    assert r.health().state == OK and probe.calls == 2


def test_fallback_counts_by_reason():
    r, _ = replica(Probe((True, 0.0)))
    assert r.fallback_counts() == {LAGGING: 0, DOWN: 0, "error": 0}
    r.count_fallback(LAGGING)
    r.count_fallback(LAGGING)
    r.count_fallback("error")
    assert r.fallback_counts() == {LAGGING: 2, DOWN: 0, "error": 1}


def test_pin_window_covers_the_lag_and_a_cached_check():
    r, _ = replica(Probe((True, 0.0)), max_lag=10, check_seconds=2)
    assert r.pin_seconds() == 13
    r, _ = replica(Probe((True, 0.0)), max_lag=0, check_seconds=0)
    assert r.pin_seconds() == 1


def test_as_json():
    assert Health(OK, 0.12345).as_json() == {"state": "ok", "lag_seconds": 0.123}
    assert Health(DOWN, None, "unreachable").as_json() == {"state": "down", "reason": "unreachable"}
