"""Synthetic test data built from the rules of SPEC §3. Never real people.

Times come from the clock of the test (frozen by the `clock` fixture): a stay arrives "now", so
its deadline is never already past when it is made, whatever the hour.
"""
from datetime import date, datetime, timedelta

from accommnotify.rules.id_number import make_id_number
from accommnotify.timeutil import VN_TZ

_counter = iter(range(1, 10**9))


def citizen(**overrides) -> dict:
    n = next(_counter)
    dob = overrides.pop("dob", date(1990, 5, 17))
    sex = overrides.get("sex") if overrides.get("sex") in ("male", "female") else "male"
    guest = {"full_name": "Nguyễn Văn An", "date_of_birth": dob.isoformat(), "sex": sex,
             "nationality": "VNM", "id_number": make_id_number("001", sex, dob, tail=f"{n % 1000000:06d}")}
    guest.update(overrides)
    return guest


def child(**overrides) -> dict:
    guest = {"full_name": "Trần Thị Bình", "date_of_birth": "2018-02-03", "sex": "female", "nationality": "VNM"}
    guest.update(overrides)
    return guest


def foreigner(**overrides) -> dict:
    guest = {"full_name": "Anna Maria Eriksson", "date_of_birth": "1984-08-12", "sex": "female",
             "nationality": "SWE", "document": {"type": "passport", "number": "L898902C3"},
             "visa": {"kind": "e_visa", "number": "EV12345678", "valid_until": "2099-01-31"},
             "entry_date": (date.today() - timedelta(days=1)).isoformat(), "entry_port": "Nội Bài"}
    guest.update(overrides)
    return guest


def local_now() -> datetime:
    return datetime.now(VN_TZ).replace(microsecond=0)


def stay(**overrides) -> dict:
    n = next(_counter)
    payload = {"external_ref": f"REF-{n}", "room": "101", "reason": "tourism",
               "arrived_at": local_now().isoformat(),
               "guests": [citizen()]}
    payload.update(overrides)
    return payload
