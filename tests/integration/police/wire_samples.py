"""Synthetic wire-format notifications (SPEC §4) as another instance would send them, and a
Standard Webhooks signer for the receiving endpoint's tests. Never real people."""
import base64
import itertools
import json
from datetime import timedelta

from accommnotify.receivers.http import decode_secret, sign
from accommnotify.timeutil import utcnow, vn_iso

SECRET_A = "whsec_" + base64.b64encode(b"sender-a-secret-0123456789abcdef").decode()
SECRET_B = "whsec_" + base64.b64encode(b"sender-b-secret-0123456789abcdef").decode()
_seq = itertools.count(1)


def wire_notification(**overrides) -> dict:
    """A complete, valid residence arrival as the dispatcher puts it on the wire."""
    n = next(_seq)
    now = utcnow()
    item = {
        "id": f"ntf_wire{n:06d}", "event": "arrival", "category": "residence",
        "created_at": vn_iso(now - timedelta(minutes=5)), "deadline_at": vn_iso(now + timedelta(hours=3)),
        "amends": None,
        "facility": {"code": "HOTEL-1", "name": "Khách sạn Sen", "kind": "tourist_accommodation",
                     "address": "12 Lê Lợi", "ward_code": "16681", "province_code": "40"},
        "stay": {"id": f"st_wire{n:06d}", "external_ref": f"REF-{n}", "room": "101",
                 "arrived_at": vn_iso(now - timedelta(minutes=10)), "expected_departure": None,
                 "departed_at": None, "reason": "tourism"},
        "person": {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "sex": "male",
                   "nationality": "VNM", "id_number": f"0010901{n:05d}", "document": None, "visa": None,
                   "entry_date": None},
    }
    item.update(overrides)
    return item


def foreigner_notification(**overrides) -> dict:
    item = wire_notification(category="foreigner")
    item["person"] = {"full_name": "Anna Maria Eriksson", "date_of_birth": "1984-08-12", "sex": "female",
                      "nationality": "SWE", "id_number": None,
                      "document": {"type": "passport", "number": "L898902C3"},
                      "visa": {"kind": "e_visa", "number": "EV12345678", "valid_until": "2099-01-31"},
                      "entry_date": "2026-11-26"}
    item.update(overrides)
    return item


def batch(notifications, sender="sender-a", batch_id="b_test000001") -> dict:
    return {"batch_id": batch_id, "sent_at": vn_iso(utcnow()), "sender": sender, "notifications": notifications}


def signed(body, secret=SECRET_A, msg_id="msg_1", timestamp=None) -> tuple[bytes, dict]:
    """(body bytes, headers) signed now (the test's clock) or at ``timestamp``."""
    import time
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return raw, {"webhook-id": msg_id, "webhook-timestamp": str(ts),
                 "webhook-signature": sign(decode_secret(secret), msg_id, ts, raw),
                 "content-type": "application/json"}
