"""Synthetic inbox rows and officers for the police tests. Never real people."""
import itertools
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from accommnotify.extensions import db
from accommnotify.ids import new_id
from accommnotify.models.inbox import InboxNotification
from accommnotify.rules.geography import ward_province
from accommnotify.rules.text import fold
from accommnotify.timeutil import UTC, VN_TZ, utcnow

WARD_A = "16681"      # Phường Thành Vinh, Nghệ An (40)
WARD_B = "17329"      # another ward of Nghệ An (40)
WARD_HN = "00070"     # Phường Hoàn Kiếm, Hà Nội (01)
PASSWORD = "correct-horse-battery"
FAST_HASH = {"POLICE_ARGON2_TIME_COST": 1, "POLICE_ARGON2_MEMORY_KIB": 1024, "POLICE_ARGON2_PARALLELISM": 1}

_seq = itertools.count(1)


def add_notification(ward=WARD_A, full_name="Nguyễn Văn An", received_at=None, id_number=None,
                     document_number=None, facility_code=None, category=None, event="arrival", late=False,
                     acknowledged=False, **extra) -> str:
    n = next(_seq)
    received_at = received_at or utcnow() - timedelta(seconds=n % 50)
    nid = extra.pop("id", None) or new_id("ntf")
    if id_number is None and document_number is None:
        id_number = f"0011900{n:05d}"
    row = InboxNotification(
        id=nid, received_at=received_at, source="test", batch_id=None, event=event,
        category=category or ("foreigner" if document_number else "residence"),
        created_at=received_at - timedelta(minutes=5),
        deadline_at=received_at - timedelta(hours=3) if late else received_at + timedelta(hours=3), late=late,
        amends=None, facility_code=facility_code or f"F-{ward}", facility_name=extra.pop("facility_name", f"Nhà nghỉ {ward}"),
        facility_kind="tourist_accommodation", facility_address="1 Đường Thử", ward_code=ward,
        province_code=ward_province(ward), stay_id=new_id("st"), external_ref=f"R{n}", room=extra.pop("room", "101"),
        arrived_at=received_at - timedelta(minutes=10), reason="tourism", full_name=full_name,
        name_search=fold(full_name), date_of_birth=date(1990, 1, 2), sex="male",
        nationality="VNM" if id_number else "SWE", id_number=id_number,
        document_type="passport" if document_number else None, document_number=document_number,
        acknowledged_at=utcnow() if acknowledged else None, acknowledged_by="someone" if acknowledged else None,
        **extra)
    db.session.add(row)
    db.session.commit()
    return nid


def add_officer(username, *scopes, role="officer", kind="person"):
    from accommnotify.police.accounts import create_officer
    return create_officer(username, list(scopes), role=role, password=PASSWORD if kind == "person" else None,
                          kind=kind).id


def login(client, username, password=PASSWORD):
    return client.post("/police/login", data={"username": username, "password": password})


@contextmanager
def in_app(app):
    """A short app context for set-up or checks between requests, never around one.

    Each request must get its own context, as in production; the test client refuses a request
    made inside this block (tests/conftest.py). Yields the session.
    """
    with app.app_context():
        yield db.session


def audit_rows(app=None):
    """The audit log, oldest first (in a context of its own when given the app)."""
    from accommnotify.models.police import AuditEntry
    if app is not None:
        with in_app(app):
            return audit_rows()
    return db.session.query(AuditEntry).order_by(AuditEntry.id).all()


def vn_midday(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=VN_TZ).replace(hour=12).astimezone(UTC)


def search(client, q="", follow=True, **filters):
    """Submits the inbox filter form (a POST; the text is kept in the session, the URL gets a handle)."""
    return client.post("/police/search", data={"q": q, **filters}, follow_redirects=follow)
