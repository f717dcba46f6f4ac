import os
import time
from datetime import datetime, timedelta, timezone

import pytest

from accommnotify.rules.deadlines import (
    VN_TZ,
    arrival_deadline,
    category_for,
    followup_deadline,
)

UTC = timezone.utc


def vn(*args):
    return datetime(*args, tzinfo=VN_TZ)


def test_vn_tz():
    assert vn(2026, 1, 1).utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    "arrived,deadline",
    [
        (vn(2026, 3, 10, 0, 0), vn(2026, 3, 10, 23, 0)),
        (vn(2026, 3, 10, 14, 5), vn(2026, 3, 10, 23, 0)),
        (vn(2026, 3, 10, 22, 59), vn(2026, 3, 10, 23, 0)),
        (vn(2026, 3, 10, 22, 59, 59, 999999), vn(2026, 3, 10, 23, 0)),
        (vn(2026, 3, 10, 23, 0), vn(2026, 3, 11, 8, 0)),
        (vn(2026, 3, 10, 23, 59), vn(2026, 3, 11, 8, 0)),
        (vn(2026, 3, 10, 23, 59, 59), vn(2026, 3, 11, 8, 0)),
        (vn(2026, 12, 31, 23, 30), vn(2027, 1, 1, 8, 0)),
        (vn(2028, 2, 28, 23, 30), vn(2028, 2, 29, 8, 0)),
    ],
)
def test_residence_deadline(arrived, deadline):
    got = arrival_deadline("residence", arrived)
    assert got == deadline
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)


def test_residence_utc_input():
    # 16:30Z = 23:30 in Vietnam -> 08:00 next day local = 01:00Z next day
    got = arrival_deadline("residence", datetime(2026, 3, 10, 16, 30, tzinfo=UTC))
    assert got == datetime(2026, 3, 11, 1, 0, tzinfo=UTC)
    # 15:59Z = 22:59 local -> 23:00 local = 16:00Z
    assert arrival_deadline("residence", datetime(2026, 3, 10, 15, 59, tzinfo=UTC)) == datetime(
        2026, 3, 10, 16, 0, tzinfo=UTC
    )
    # 17:30Z on the 9th is 00:30 on the 10th in Vietnam -> 23:00 on the 10th
    assert arrival_deadline("residence", datetime(2026, 3, 9, 17, 30, tzinfo=UTC)) == vn(2026, 3, 10, 23, 0)


def test_other_offsets_and_naive():
    ny = timezone(timedelta(hours=-5))
    # 10:30 in New York = 22:30 in Vietnam
    assert arrival_deadline("residence", datetime(2026, 3, 10, 10, 30, tzinfo=ny)) == vn(2026, 3, 10, 23, 0)
    # naive means Vietnam local time
    assert arrival_deadline("residence", datetime(2026, 3, 10, 23, 10)) == vn(2026, 3, 11, 8, 0)


def test_foreigner_deadline():
    arrived = vn(2026, 3, 10, 23, 30)
    got = arrival_deadline("foreigner", arrived)
    assert got == arrived + timedelta(hours=12)
    assert got.utcoffset() == timedelta(0)


def test_unknown_category():
    with pytest.raises(ValueError):
        arrival_deadline("tourist", vn(2026, 3, 10, 12, 0))


def test_followup_deadline():
    created = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
    assert followup_deadline(created) == datetime(2026, 3, 11, 5, 0, tzinfo=UTC)
    assert followup_deadline(created, hours=1.5) == datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
    assert followup_deadline(vn(2026, 3, 10, 12, 0)).utcoffset() == timedelta(0)


def test_category_for():
    assert category_for("VNM") == "residence"
    assert category_for("USA") == "foreigner"
    assert category_for("XXA") == "foreigner"


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset")
def test_server_zone_does_not_matter():
    old = os.environ.get("TZ")
    try:
        for zone in ("America/Los_Angeles", "Pacific/Kiritimati", "UTC"):
            os.environ["TZ"] = zone
            time.tzset()
            assert arrival_deadline("residence", datetime(2026, 3, 10, 16, 30, tzinfo=UTC)) == datetime(
                2026, 3, 11, 1, 0, tzinfo=UTC
            )
            assert arrival_deadline("residence", datetime(2026, 3, 10, 22, 59)) == vn(2026, 3, 10, 23, 0)
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
