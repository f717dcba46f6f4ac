"""Synthetic wire-format notifications for the receiver tests (made-up people and numbers)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

_FACILITY = {
    "code": "TEST-HOTEL-01",
    "name": "Nhà nghỉ Thử Nghiệm",
    "kind": "tourist_accommodation",
    "address": "12 Đường Giả Định",
    "ward_code": "16681",
    "province_code": "40",
}

_CITIZEN = {
    "full_name": "Nguyễn Thị Mẫu",
    "date_of_birth": "1990-04-01",
    "sex": "female",
    "nationality": "VNM",
    "id_number": "001190000001",
    "document": None,
    "visa": None,
    "entry_date": None,
}

_FOREIGNER = {
    "full_name": "Jane Testperson",
    "date_of_birth": "1985-12-31",
    "sex": "female",
    "nationality": "XXX",
    "id_number": None,
    "document": {"type": "passport", "number": "X0000001"},
    "visa": {"kind": "e_visa", "number": "EV0000001", "valid_until": "2026-12-31"},
    "entry_date": "2026-11-25",
}


def notification(i: int, category: str = "residence", event: str = "arrival") -> dict:
    person = copy.deepcopy(_FOREIGNER if category == "foreigner" else _CITIZEN)
    return {
        "id": f"ntf_test{i:04d}",
        "event": event,
        "category": category,
        "created_at": "2026-11-27T14:00:00+07:00",
        "deadline_at": "2026-11-27T23:00:00+07:00" if category == "residence" else "2026-11-28T02:00:00+07:00",
        "amends": None,
        "facility": dict(_FACILITY),
        "stay": {
            "id": f"st_test{i:04d}",
            "external_ref": f"BK-{i:04d}",
            "room": "101",
            "arrived_at": "2026-11-27T14:00:00+07:00",
            "expected_departure": "2026-11-29T12:00:00+07:00",
            "departed_at": None,
            "reason": "tourism",
        },
        "person": person,
    }


def notifications(n: int) -> list[dict]:
    return [notification(i, "foreigner" if i % 3 == 2 else "residence") for i in range(n)]


def batch_kwargs(n: int = 3, batch_id: str = "bat_test0001") -> dict:
    return {
        "id": batch_id,
        "receiver": "test-receiver",
        "sender": "accommnotify-test",
        "sent_at": datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc),
        "notifications": notifications(n),
    }
