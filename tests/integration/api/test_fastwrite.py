"""The driver-level fast path of a new stay (intake/fastwrite.py) stores exactly what the
SQLAlchemy Core path stores: same raw column values, same ORM objects, same API views."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from accommnotify.crypto import keyring
from accommnotify.extensions import db
from accommnotify.intake import fastwrite, service
from accommnotify.models import Guest, Notification, Stay
from accommnotify.timeutil import VN_TZ
from tests import factories as f
from tests.conftest import postgres_only

# What differs between two stores of the same stay: new ids, the ref and its request hash.
_IDENTITY = {"id", "stay_id", "guest_id", "external_ref", "request_hash"}


def _payload(ref: str, arrived_at: datetime, guests: list[dict]) -> dict:
    """Every column type: text, nullable text, aware datetimes, dates, booleans, JSON warnings."""
    return {
        "external_ref": ref, "room": "Phòng 12A", "reason": "tourism", "reason_note": "Đoàn du lịch",
        "arrived_at": arrived_at.isoformat(),
        "expected_departure": (arrived_at + timedelta(days=40, minutes=7)).isoformat(),  # long-stay warning
        "guests": [dict(g) for g in guests],
    }


def _guests(arrived_at: datetime) -> list[dict]:
    return [f.citizen(phone="0901234567", permanent_address="12 Lê Lợi, Phường Sài Gòn"),
            f.child(),
            f.foreigner(purpose="du lịch", entry_date=(arrived_at.date() - timedelta(days=2)).isoformat())]


def _orm_rows(stay_id: str):
    stay = db.session.get(Stay, stay_id)
    guests = db.session.scalars(select(Guest).where(Guest.stay_id == stay_id).order_by(Guest.position)).all()
    position = {g.id: g.position for g in guests}
    notes = sorted(db.session.scalars(select(Notification).where(Notification.stay_id == stay_id)).all(),
                   key=lambda n: position[n.guest_id])

    def columns(obj):
        return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in _IDENTITY}
    return columns(stay), [columns(g) for g in guests], [columns(n) for n in notes]


def _raw_rows(stay_id: str):
    """The values as the driver returns them, below every SQLAlchemy type (SQLite: the stored text)."""
    connection = db.session.connection()
    marker = "?" if connection.dialect.name == "sqlite" else "%s"
    out = []
    for table, key, order in (("stays", "id", "id"), ("guests", "stay_id", "position"),
                              ("notifications", "stay_id", "created_at")):
        result = connection.exec_driver_sql(f"SELECT * FROM {table} WHERE {key} = {marker} ORDER BY {order}",
                                            (stay_id,))
        names = list(result.keys())
        out.append([{k: _opened(k, v) for k, v in zip(names, row) if k not in _IDENTITY}
                    for row in result.fetchall()])
    return out


def _opened(name, value):
    """An encrypted number decrypted (its ciphertext differs on every write, by its random nonce);
    it must be stored encrypted, whichever path wrote it."""
    if name in ("id_number", "passport_number", "document_number", "document_mrz") and value is not None:
        assert value.startswith("e1."), name
        return keyring().decrypt(value)
    return value


def _strip(view: dict) -> dict:
    """A stay view without its ids and ref."""
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in _IDENTITY}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return clean(view)


@pytest.mark.deadline_sensitive
@pytest.mark.parametrize("hours_ago", [0, 60], ids=["on_time", "late"])
def test_fast_path_stores_what_the_core_path_stores(app, facility, monkeypatch, hours_ago):
    fac, _key = facility
    now = datetime.now(timezone.utc).replace(microsecond=123456)
    arrived_at = (now - timedelta(hours=hours_ago)).astimezone(VN_TZ).replace(microsecond=0)
    with app.app_context():
        assert fastwrite.supported(db.session.connection())
        db.session.rollback()
        guests = _guests(arrived_at)
        fast = service.create_stay(fac, _payload("FAST-1", arrived_at, guests), now=now).stay
        with monkeypatch.context() as m:
            m.setattr(fastwrite, "supported", lambda connection: False)
            core = service.create_stay(fac, _payload("CORE-1", arrived_at, guests), now=now).stay

        assert _strip(fast) == _strip(core)
        assert fast["warnings"] and fast["guests"][2]["visa"]["valid_until"] == "2099-01-31"
        assert all(g["notifications"][0]["late"] is (hours_ago > 24) for g in fast["guests"])

        # Read back through the views (what GET /stays/{id} shows) and the ORM.
        assert service.get_stay(fac, fast["id"]) == fast
        assert service.get_stay(fac, core["id"]) == core
        fast_orm, core_orm = _orm_rows(fast["id"]), _orm_rows(core["id"])
        assert fast_orm == core_orm
        stay, guests, notes = fast_orm
        assert stay["arrived_at"] == arrived_at and stay["arrived_at"].tzinfo is not None
        assert stay["created_at"] == now
        assert guests[0]["date_of_birth"] == date(1990, 5, 17)
        assert isinstance(notes[0]["late"], bool) and isinstance(notes[2]["urgent"], bool)
        assert notes[2]["urgent"] is True and notes[0]["urgent"] is False
        assert len(notes) == 3 and all(n["next_attempt_at"] == now for n in notes)

        # Stored identically, byte for byte as the driver sees it.
        fast_raw, core_raw = _raw_rows(fast["id"]), _raw_rows(core["id"])
        assert fast_raw == core_raw
        assert [len(rows) for rows in fast_raw] == [1, 3, 3]
        if db.engine.dialect.name == "sqlite":
            assert fast_raw[0][0]["created_at"] == now.strftime("%Y-%m-%d %H:%M:%S.%f")
            assert fast_raw[1][0]["date_of_birth"] == "1990-05-17"
            assert fast_raw[2][2]["urgent"] == 1
        db.session.rollback()


def test_fast_path_replays_and_conflicts_without_writing(api, app):
    """Repeated past psycopg's prepare threshold (5): an aborted pipeline leaves a clean connection."""
    payload = f.stay(guests=[f.citizen(), f.foreigner()])
    first = api.post("/stays", json=payload)
    assert first.status_code == 201
    for _ in range(8):
        again = api.post("/stays", json=payload)
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.get_json() == first.get_json()
        changed = api.post("/stays", json={**payload, "room": "999"})
        assert changed.status_code == 409
        assert api.post("/stays", json=f.stay()).status_code == 201
    with app.app_context():
        assert db.session.query(Stay).count() == 9
        assert db.session.query(Guest).count() == 10
        assert db.session.query(Notification).count() == 10


def test_fast_path_joins_the_session_transaction(app, facility):
    """Work already pending in the session is committed with the stay, in the same transaction."""
    fac, _key = facility
    with app.app_context():
        from accommnotify.models import Facility
        row = db.session.get(Facility, fac.id)
        row.phone = "0281234567"  # pending, not flushed
        created = service.create_stay(fac, f.stay())
        db.session.expire_all()
        assert db.session.get(Facility, fac.id).phone == "0281234567"
        assert db.session.get(Stay, created.stay["id"]) is not None
        db.session.rollback()


def _kill_pooled_backends(app):
    """Ends the server side of every connection in the app's pool (as a server restart would)."""
    from tests.conftest import _admin_connection
    with app.app_context():
        with db.engine.connect() as connection:
            database = connection.exec_driver_sql("SELECT current_database()").scalar()
        with _admin_connection(db.engine.url.render_as_string(hide_password=False)) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))


# PostgreSQL only (SQLite has no pool to ping): reported as skipped when PostgreSQL is not configured.
@postgres_only
def test_an_idle_pooled_connection_is_pinged_and_replaced(api, app, backend, monkeypatch):
    from accommnotify import database
    assert api.post("/stays", json=f.stay()).status_code == 201
    _kill_pooled_backends(app)
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    assert api.post("/stays", json=f.stay()).status_code == 201


@postgres_only
def test_a_busy_pooled_connection_is_not_pinged_and_fails_once(api, app, backend, monkeypatch):
    """The documented trade-off of pinging only idle connections: after a server restart, a
    connection used moments before fails one request, is discarded, and the next one works."""
    import psycopg
    from accommnotify import database
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 3600.0)
    assert api.post("/stays", json=f.stay()).status_code == 201
    _kill_pooled_backends(app)
    payload = f.stay()
    with pytest.raises(psycopg.OperationalError):  # TESTING propagates what would be a 500
        api.post("/stays", json=payload)
    assert api.post("/stays", json=payload).status_code == 201
    with app.app_context():
        assert db.session.query(Stay).filter_by(external_ref=payload["external_ref"]).count() == 1


def test_bulk_fast_path_stores_what_the_core_path_stores(app, facility, monkeypatch):
    fac, _key = facility
    now = datetime.now(timezone.utc).replace(microsecond=654321)
    arrived_at = (now - timedelta(hours=30)).astimezone(VN_TZ).replace(microsecond=0)
    guests = _guests(arrived_at)
    items = lambda prefix: {"stays": [_payload(f"{prefix}-{i}", arrived_at, guests[: i + 1]) for i in range(3)]}
    with app.app_context():
        fast = service.create_stays_bulk(fac, items("FAST"), now=now)
        with monkeypatch.context() as m:
            m.setattr(fastwrite, "supported", lambda connection: False)
            core = service.create_stays_bulk(fac, items("CORE"), now=now)
        assert [r["status"] for r in fast] == ["created"] * 3
        for f_result, c_result in zip(fast, core):
            assert _strip(f_result["stay"]) == _strip(c_result["stay"])
            fast_id, core_id = f_result["stay"]["id"], c_result["stay"]["id"]
            assert service.get_stay(fac, fast_id) == f_result["stay"]
            assert _orm_rows(fast_id) == _orm_rows(core_id)
            assert _raw_rows(fast_id) == _raw_rows(core_id)
        db.session.rollback()


def test_bulk_fast_path_reports_a_taken_ref_as_sqlalchemy_integrity_error(app, facility):
    """What the bulk service retries on (another request stored one of the refs meanwhile)."""
    from sqlalchemy.exc import IntegrityError

    from accommnotify.intake.prepare import prepare_stay, request_hash
    from accommnotify.intake.rows import rows_for_new_stay
    fac, _key = facility
    now = datetime.now(timezone.utc)
    with app.app_context():
        service.create_stay(fac, f.stay(external_ref="TAKEN"), now=now)
        data, warnings = prepare_stay(f.stay(external_ref="TAKEN"), now)
        stay, guests, notes = rows_for_new_stay(fac, data, warnings, request_hash(data), now, "api")
        with pytest.raises(IntegrityError):
            fastwrite.write_new_stays(db.session.connection(), [stay], guests, notes)
        db.session.rollback()
        assert db.session.query(Stay).count() == 1
        db.session.rollback()
