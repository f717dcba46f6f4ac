"""The 30-day boundary of temporary-residence registration (Law on Residence 2020 Art. 27) and a
dormitory term's checks: pure rules, at their boundaries, in Asia/Ho_Chi_Minh."""
from datetime import date, datetime, timedelta, timezone

import pytest

from accommnotify.rules.issues import Issue
from accommnotify.rules.residence import needs_temporary_residence, stay_days
from accommnotify.rules.stay import check_stay
from accommnotify.rules.term import check_roster_start, check_term, roster_arrival, roster_departure
from accommnotify.timeutil import VN_TZ

ARRIVED = datetime(2026, 9, 5, 8, 0, tzinfo=VN_TZ)
BEFORE = datetime(2026, 9, 6, 0, 0, tzinfo=timezone.utc)   # a "now" right after the arrival


@pytest.mark.parametrize("days, needed", [(29, False), (30, True), (31, True)])
def test_planned_days_at_the_boundary(days, needed):
    departure = ARRIVED + timedelta(days=days)
    assert needs_temporary_residence(ARRIVED, departure, BEFORE) is needed
    assert stay_days(ARRIVED, departure, BEFORE) == days


def test_one_minute_short_of_30_days_is_not_30_days():
    departure = ARRIVED + timedelta(days=30) - timedelta(minutes=1)
    assert not needs_temporary_residence(ARRIVED, departure, BEFORE)
    assert stay_days(ARRIVED, departure, BEFORE) == 29


def test_naive_values_are_vietnam_time_and_offsets_are_honoured():
    naive_arrival = datetime(2026, 9, 5, 8, 0)   # 08:00 in Vietnam = 01:00 UTC
    # 30 days later at 07:59 Vietnam time, written in UTC (00:59Z): one minute short
    assert not needs_temporary_residence(naive_arrival, datetime(2026, 10, 5, 0, 59, tzinfo=timezone.utc), BEFORE)
    # 01:00Z is 08:00 in Vietnam: exactly 30 days
    assert needs_temporary_residence(naive_arrival, datetime(2026, 10, 5, 1, 0, tzinfo=timezone.utc), BEFORE)
    # the same instants read as if the departure were naive UTC would be wrong by 7 hours
    assert not needs_temporary_residence(naive_arrival, datetime(2026, 10, 5, 1, 0), BEFORE)


@pytest.mark.parametrize("days, needed", [(29, False), (30, True), (31, True)])
def test_a_stay_past_its_planned_day_counts_until_now(days, needed):
    planned = ARRIVED + timedelta(days=3)
    now = ARRIVED + timedelta(days=days)
    assert needs_temporary_residence(ARRIVED, planned, now) is needed
    assert needs_temporary_residence(ARRIVED, None, now) is needed    # no planned departure: until now
    assert stay_days(ARRIVED, None, now) == days


def test_the_intake_warning_uses_the_same_boundary():
    guest = {"full_name": "Nguyễn Văn An", "date_of_birth": date(1990, 5, 17), "sex": "male", "nationality": "VNM",
             "id_number": "001090100001"}
    for days, warned in ((29, False), (30, True)):
        _errors, warnings = check_stay({"arrived_at": ARRIVED, "expected_departure": ARRIVED + timedelta(days=days),
                                        "guests": [guest]}, BEFORE)
        assert (Issue("expected_departure", "stay.temporary_residence_required", {"days": 30}) in warnings) is warned


def test_term_checks_name_the_field_and_a_code():
    assert check_term("HK1 2026-2027", date(2026, 9, 5), date(2027, 1, 15)) == []
    assert check_term("HK1", date(2026, 9, 5), date(2026, 9, 5)) == []        # a one-day term is a term
    assert check_term("  ", date(2026, 9, 5), date(2026, 9, 4)) == [
        Issue("name", "required"), Issue("ends_on", "term.ends_before_start")]
    assert check_term("x" * 101, None, None) == [Issue("name", "too_long", {"max": 100}),
                                                 Issue("starts_on", "required"), Issue("ends_on", "required")]
    assert check_term("HK", date(2026, 1, 1), date(2027, 3, 1))[0].code == "term.too_long"


def test_a_roster_arrives_at_08_00_on_the_first_day_never_in_the_future():
    first_day = date(2026, 9, 5)
    assert roster_arrival(first_day, datetime(2026, 9, 20, 3, 0, tzinfo=timezone.utc)) == \
        datetime(2026, 9, 5, 8, 0, tzinfo=VN_TZ)
    # 07:30 in Vietnam on the first day (00:30Z): 08:00 has not come, so now
    assert roster_arrival(first_day, datetime(2026, 9, 5, 0, 30, tzinfo=timezone.utc)) == \
        datetime(2026, 9, 5, 7, 30, tzinfo=VN_TZ)
    # 23:30Z on 4 September is already 06:30 on the 5th in Vietnam: the term has started there
    assert roster_arrival(first_day, datetime(2026, 9, 4, 23, 30, tzinfo=timezone.utc)) == \
        datetime(2026, 9, 5, 6, 30, tzinfo=VN_TZ)
    # 16:00Z on the 4th is 23:00 on the 4th in Vietnam: not started
    assert roster_arrival(first_day, datetime(2026, 9, 4, 16, 0, tzinfo=timezone.utc)) is None
    assert check_roster_start(first_day, datetime(2026, 9, 4, 16, 0, tzinfo=timezone.utc)) == [
        Issue("starts_on", "term.not_started")]
    assert roster_departure(date(2027, 1, 15)) == datetime(2027, 1, 15, 12, 0, tzinfo=VN_TZ)
