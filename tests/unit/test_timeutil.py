from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from accommnotify.timeutil import VN_TZ, vn_iso

OFFSETS = st.sampled_from([timezone.utc, VN_TZ, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9, minutes=30))])


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)), st.one_of(st.none(), OFFSETS))
def test_vn_iso_is_the_vietnam_local_time_with_its_offset(value, tz):
    if tz is not None:
        value = value.replace(tzinfo=tz)
    expected = (value if value.tzinfo else value.replace(tzinfo=VN_TZ)).astimezone(VN_TZ).isoformat()
    assert vn_iso(value) == expected


def test_vn_iso_examples():
    assert vn_iso(None) is None
    assert vn_iso(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)) == "2026-11-27T08:00:00+07:00"
    assert vn_iso(datetime(2026, 11, 27, 1, 0, 0, 5, tzinfo=timezone.utc)) == "2026-11-27T08:00:00.000005+07:00"
    assert vn_iso(datetime(2026, 11, 27, 23, 30)) == "2026-11-27T23:30:00+07:00"  # naive means Vietnam time
    assert vn_iso(datetime(1970, 1, 1, tzinfo=timezone.utc)) == "1970-01-01T08:00:00+08:00"
