from datetime import date, datetime, timedelta, timezone

from accommnotify.rules.deadlines import VN_TZ
from accommnotify.rules.id_number import make_id_number
from accommnotify.rules.issues import Issue
from accommnotify.rules.stay import FUTURE_TOLERANCE, LONG_STAY, MAX_GUESTS, check_stay

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
ARRIVED = datetime(2026, 3, 10, 11, 30, tzinfo=VN_TZ)


def adult(name="Nguyễn Văn An", dob=date(1990, 5, 17), sex="male", **kw):
    g = {
        "full_name": name,
        "date_of_birth": dob,
        "sex": sex,
        "nationality": "VNM",
        "id_number": make_id_number("001", sex, dob, "123456"),
    }
    g.update(kw)
    return g


def child(dob=date(2016, 3, 11), **kw):  # 9 years old
    g = {"full_name": "Nguyễn Thị Bé", "date_of_birth": dob, "sex": "female", "nationality": "VNM"}
    g.update(kw)
    return g


def foreign_adult(**kw):
    g = {
        "full_name": "Jane Example",
        "date_of_birth": date(1985, 1, 1),
        "sex": "female",
        "nationality": "FRA",
        "document": {"type": "passport", "number": "X1234567"},
        "visa": {"kind": "visa_exempt"},
        "entry_date": date(2026, 3, 9),
    }
    g.update(kw)
    return g


def stay(**kw):
    s = {
        "external_ref": "BK-1",
        "room": "101",
        "reason": "tourism",
        "reason_note": None,
        "arrived_at": ARRIVED,
        "expected_departure": ARRIVED + timedelta(days=2),
        "guests": [adult()],
    }
    s.update(kw)
    return s


def pairs(issues):
    return [(i.field, i.code) for i in issues]


def test_constants():
    assert MAX_GUESTS == 200
    assert FUTURE_TOLERANCE == timedelta(minutes=10)
    assert LONG_STAY == timedelta(days=30)


def test_valid_stay():
    assert check_stay(stay(), NOW) == ([], [])
    assert check_stay(stay(expected_departure=None), NOW) == ([], [])


def test_arrival_in_future():
    ok = stay(arrived_at=NOW + timedelta(minutes=10))
    assert check_stay(ok, NOW) == ([], [])
    late = stay(arrived_at=NOW + timedelta(minutes=10, seconds=1), expected_departure=None)
    assert pairs(check_stay(late, NOW)[0]) == [("arrived_at", "stay.arrival_in_future")]


def test_past_arrival_accepted():
    assert check_stay(stay(arrived_at=NOW - timedelta(days=20), expected_departure=None), NOW) == ([], [])


def test_departure_before_arrival():
    s = stay(expected_departure=ARRIVED - timedelta(seconds=1))
    assert pairs(check_stay(s, NOW)[0]) == [("expected_departure", "stay.departure_before_arrival")]
    assert check_stay(stay(expected_departure=ARRIVED), NOW) == ([], [])


def test_long_stay_warning():
    s = stay(expected_departure=ARRIVED + timedelta(days=30))
    errors, warnings = check_stay(s, NOW)
    assert errors == []
    assert warnings == [Issue("expected_departure", "stay.temporary_residence_required", {"days": 30})]
    assert check_stay(stay(expected_departure=ARRIVED + timedelta(days=30) - timedelta(seconds=1)), NOW) == ([], [])


def test_guest_count():
    assert pairs(check_stay(stay(guests=[]), NOW)[0]) == [("guests", "required")]
    assert pairs(check_stay(stay(guests=None), NOW)[0]) == [("guests", "required")]
    assert check_stay(stay(guests=[adult()] * 200), NOW) == ([], [])
    errors, _ = check_stay(stay(guests=[adult()] * 201), NOW)
    assert pairs(errors) == [("guests", "guests.too_many")]


def test_guest_issues_prefixed():
    s = stay(guests=[adult(), adult(name="Lê Văn 2"), foreign_adult(visa=None)])
    assert pairs(check_stay(s, NOW)[0]) == [
        ("guests[1].full_name", "full_name.invalid"),
        ("guests[2].visa", "visa.required"),
    ]


def test_id_number_required_for_citizen_adult():
    s = stay(guests=[adult(), adult(name="Trần Văn Bình", id_number=None)])
    assert pairs(check_stay(s, NOW)[0]) == [("guests[1].id_number", "id_number.required")]


def test_passport_number_instead_of_id_number():
    s = stay(guests=[adult(id_number=None, passport_number="B1234567")])
    assert check_stay(s, NOW) == ([], [])


def test_child_with_guardian():
    assert check_stay(stay(guests=[adult(), child()]), NOW) == ([], [])
    assert check_stay(stay(guests=[child(), adult(id_number=None, passport_number="B1234567")]), NOW) == ([], [])
    # a foreign parent with a passport also counts
    assert check_stay(stay(guests=[foreign_adult(), child()]), NOW) == ([], [])


def test_child_without_guardian():
    assert pairs(check_stay(stay(guests=[child()]), NOW)[0]) == [("guests[0].id_number", "id_number.required")]
    # the adult has no number either
    s = stay(guests=[adult(id_number=None), child()])
    assert pairs(check_stay(s, NOW)[0]) == [
        ("guests[0].id_number", "id_number.required"),
        ("guests[1].id_number", "id_number.required"),
    ]
    # a 17-year-old with a number is not a guardian
    teen_dob = date(2008, 6, 1)
    s = stay(guests=[adult(name="Phạm Minh Khôi", dob=teen_dob), child()])
    assert pairs(check_stay(s, NOW)[0]) == [("guests[1].id_number", "id_number.required")]


def test_child_age_limit_is_14_at_arrival():
    # 14th birthday on the arrival day: no longer a child
    fourteen = child(dob=date(2012, 3, 10))
    assert pairs(check_stay(stay(guests=[adult(), fourteen]), NOW)[0]) == [("guests[1].id_number", "id_number.required")]
    almost = child(dob=date(2012, 3, 11))
    assert check_stay(stay(guests=[adult(), almost]), NOW) == ([], [])


def test_adult_age_is_18_at_arrival():
    eighteen_today = date(2008, 3, 10)
    s = stay(guests=[adult(dob=eighteen_today), child()])
    assert check_stay(s, NOW) == ([], [])


def test_vn_local_dates_used():
    # 2026-03-10 17:30Z = 2026-03-11 00:30 in Vietnam: "today" there is the 11th
    now = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)
    born = date(2026, 3, 11)
    s = stay(arrived_at=now, expected_departure=None, guests=[adult(), child(dob=born)])
    assert check_stay(s, now) == ([], [])
    # arrival on the 11th local: a visa valid until the 10th has expired
    s = stay(arrived_at=now, expected_departure=None, guests=[foreign_adult(visa={"kind": "visa", "valid_until": date(2026, 3, 10)})])
    assert pairs(check_stay(s, now)[0]) == [("guests[0].visa.valid_until", "visa.expired")]


def test_naive_arrival_is_vietnam_time():
    naive = datetime(2026, 3, 10, 12, 5)  # 12:05 Vietnam = 05:05Z, within tolerance of NOW
    assert check_stay(stay(arrived_at=naive, expected_departure=None), NOW) == ([], [])
    naive_late = datetime(2026, 3, 10, 12, 11)
    assert pairs(check_stay(stay(arrived_at=naive_late, expected_departure=None), NOW)[0]) == [
        ("arrived_at", "stay.arrival_in_future")
    ]


def test_reason_choice():
    assert pairs(check_stay(stay(reason="holiday"), NOW)[0]) == [("reason", "choice")]
    for r in ("tourism", "business", "family_visit", "medical_treatment", "caregiving", "study", "work", "other"):
        assert check_stay(stay(reason=r), NOW) == ([], [])


def test_several_errors_at_once():
    s = stay(
        arrived_at=NOW + timedelta(hours=1),
        expected_departure=NOW,
        guests=[adult(id_number="123456789")],
    )
    assert pairs(check_stay(s, NOW)[0]) == [
        ("arrived_at", "stay.arrival_in_future"),
        ("expected_departure", "stay.departure_before_arrival"),
        ("guests[0].id_number", "id_number.legacy_cmnd"),
    ]
