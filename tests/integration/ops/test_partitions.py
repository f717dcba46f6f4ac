"""Monthly partitions (docs/PARTITIONS.md): made ahead, a row of a month not made yet is never
lost, migration 0021 keeps every row, SQLite is left alone."""
import uuid
from datetime import date, datetime, timezone

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import make_url, text

from accommnotify import create_app
from accommnotify.extensions import db
from accommnotify.ids import encode
from accommnotify.ops import partitions
from tests import factories as f
from tests.conftest import (POSTGRES_URL, TEST_DATA_KEY, TEST_PROOF_KEY, TEST_SECRET_KEY, _admin_connection,
                            postgres_only, rewind_ids)


def test_month_bounds_are_the_smallest_ids_of_the_month():
    bound = partitions.id_bound("ntf", date(2026, 11, 1))
    ms = int(datetime(2026, 11, 1, tzinfo=timezone.utc).timestamp() * 1000)
    assert bound == "ntf_" + encode(ms << 80)
    assert partitions.id_bound("ntf", date(2026, 10, 1)) < bound < partitions.id_bound("ntf", date(2026, 12, 1))
    assert partitions.add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert partitions.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    notifications, audit = partitions.BY_NAME["notifications"], partitions.BY_NAME["police_audit_log"]
    assert notifications.bound(date(2026, 11, 1)) == bound
    assert audit.bound(date(2026, 11, 1)) == "2026-11-01T00:00:00+00:00"
    assert (notifications.partition(date(2026, 11, 1)), notifications.held) == ("notifications_p2026_11",
                                                                                 "notifications_held")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_keeps_plain_tables(app, runner):
    assert runner.invoke(args=["partitions", "ensure"]).output == "created 0 partition(s)\n"
    assert "no partitioned tables" in runner.invoke(args=["partitions", "status"]).output


@postgres_only
def test_ensure_makes_months_ahead_on_every_table(app, runner):
    result = runner.invoke(args=["partitions", "ensure", "--ahead", "5"])
    assert result.exit_code == 0, result.output
    wanted = [partitions.add_months(date(2026, 11, 1), n) for n in range(6)]
    with app.app_context(), db.engine.connect() as conn:
        for spec in partitions.TABLES:
            assert set(wanted) <= set(partitions.months(conn, spec)), spec.table
        report = partitions.status(db.engine)
    assert set(report) == {t.table for t in partitions.TABLES}
    assert runner.invoke(args=["partitions", "ensure", "--ahead", "5"]).output == "created 0 partition(s)\n"
    assert runner.invoke(args=["partitions", "ensure", "--since", "2026-13"]).exit_code != 0


@postgres_only
def test_a_row_of_a_month_not_made_yet_is_kept_and_moved_into_it(api, app, runner, clock):
    clock.move_to(datetime(2031, 3, 5, 9, 0, tzinfo=timezone.utc))   # no partition this far ahead
    rewind_ids()
    stay = api.post("/stays", json=f.stay()).get_json()
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM notifications_held")) == 1
        assert db.session.scalar(text("SELECT count(*) FROM guests_held")) == 1
    result = runner.invoke(args=["partitions", "ensure", "--ahead", "0"])
    assert "notifications_p2031_03" in result.output, result.output
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM notifications_held")) == 0
        assert db.session.scalar(text("SELECT count(*) FROM notifications_p2031_03")) == 1
        assert db.session.scalar(text("SELECT count(*) FROM guests_p2031_03")) == 1
    assert api.get(f"/stays/{stay['id']}").get_json()["guests"][0]["full_name"]
    assert "held row" in runner.invoke(args=["partitions", "status"]).output


@postgres_only
def test_an_audit_entry_of_a_month_not_made_yet_moves_too_and_stays_append_only(app, runner, clock):
    clock.move_to(datetime(2031, 7, 5, 9, 0, tzinfo=timezone.utc))
    with app.app_context():
        db.session.execute(text("INSERT INTO police_audit_log (at, officer_id, username, via, action, row_count) "
                                "VALUES (:at, 1, 'o', 'web', 'list', 1)"), {"at": datetime.now(timezone.utc)})
        db.session.commit()
        assert db.session.scalar(text("SELECT count(*) FROM police_audit_log_held")) == 1
    assert "police_audit_log_p2031_07" in runner.invoke(args=["partitions", "ensure", "--ahead", "0"]).output
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM police_audit_log_p2031_07")) == 1
        assert db.session.scalar(text("SELECT count(*) FROM police_audit_log_held")) == 0
    with pytest.raises(Exception, match="append-only"), app.app_context():
        db.session.execute(text("DELETE FROM police_audit_log"))


def test_the_dispatcher_makes_the_months_ahead(app, clock, backend):
    """Its hourly job makes the months ahead on PostgreSQL, and is harmless on SQLite."""
    from accommnotify.dispatch.core import Dispatcher
    from accommnotify.dispatch.runner import _add_partitions_job

    class Scheduler:
        def add_job(self, func, *args, **kwargs):
            self.job = func

    clock.move_to(datetime(2032, 6, 1, tzinfo=timezone.utc))
    scheduler = Scheduler()
    _add_partitions_job(scheduler, app, Dispatcher(app))
    scheduler.job()
    if backend == "sqlite":
        with app.app_context():
            assert partitions.status(db.engine) == {}
        return
    wanted = {date(2032, 6, 1), date(2032, 7, 1), date(2032, 8, 1), date(2032, 9, 1)}
    with app.app_context(), db.engine.connect() as conn:
        for spec in partitions.TABLES:
            assert wanted <= set(partitions.months(conn, spec)), spec.table


# -- migration 0021 -----------------------------------------------------------------------------------

def _id(prefix, when):
    return f"{prefix}_{encode((int(when.timestamp() * 1000) << 80) | 12345)}"


OLD = datetime(2025, 3, 14, 3, 0, tzinfo=timezone.utc)


def _seed(conn):
    conn.execute(text("INSERT INTO facilities (id, code, name, kind, address, ward_code, province_code, created_at) "
                      "VALUES (1, 'OLD-1', 'Nhà nghỉ Cũ', 'tourist_accommodation', '1 Đường Cũ', '16681', '40', :t)"),
                 {"t": OLD})
    stay, guest, note, batch = _id("st", OLD), _id("gu", OLD), _id("ntf", OLD), _id("bat", OLD)
    conn.execute(text("INSERT INTO stays (id, facility_id, external_ref, request_hash, status, reason, arrived_at, "
                      "source, created_at, updated_at) VALUES (:s, 1, 'R-OLD', :h, 'in_house', 'tourism', :t, "
                      "'api', :t, :t)"), {"s": stay, "h": "0" * 64, "t": OLD})
    conn.execute(text("INSERT INTO guests (id, stay_id, position, full_name, date_of_birth, sex, nationality) "
                      "VALUES (:g, :s, 0, 'Nguyễn Văn Cũ', '1990-05-17', 'male', 'VNM')"), {"g": guest, "s": stay})
    conn.execute(text("INSERT INTO notifications (id, facility_id, stay_id, guest_id, event, category, receiver, "
                      "status, urgent, created_at, updated_at, deadline_at, late, attempts, next_attempt_at) VALUES "
                      "(:n, 1, :s, :g, 'arrival', 'residence', 'police', 'delivered', false, :t, :t, :t, false, 1, :t)"),
                 {"n": note, "s": stay, "g": guest, "t": OLD})
    conn.execute(text("INSERT INTO inbox_notifications (id, notification_id, received_at, source, event, category, "
                      "created_at, deadline_at, late, facility_code, facility_name, facility_kind, ward_code, "
                      "province_code, stay_id, arrived_at, full_name, name_search) VALUES (:n, :n, :t, 'test', "
                      "'arrival', 'residence', :t, :t, false, 'OLD-1', 'Nhà nghỉ Cũ', 'tourist_accommodation', "
                      "'16681', '40', :s, :t, 'Cũ', 'cu')"), {"n": note, "s": stay, "t": OLD})
    conn.execute(text("INSERT INTO delivery_attempts (id, receiver, started_at, ended_at, notification_count, accepted, rejected, retried) "
                      "VALUES (:b, 'police', :t, :t, 1, 1, 0, 0)"), {"b": batch, "t": OLD})
    conn.execute(text("INSERT INTO police_audit_log (at, officer_id, username, via, action, row_count) VALUES "
                      "(:t, 1, 'o', 'web', 'list', 1)"), {"t": OLD})
    return {"stays": stay, "guests": guest, "notifications": note, "inbox_notifications": note,
            "delivery_attempts": batch}


COUNTED = ("stays", "guests", "notifications", "inbox_notifications", "delivery_attempts", "police_audit_log")


def _rows(conn):
    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in COUNTED}


@postgres_only
def test_migration_0021_keeps_every_row_both_ways(backend):
    name = f"accommnotify_m_{uuid.uuid4().hex[:10]}"
    with _admin_connection(POSTGRES_URL) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": TEST_SECRET_KEY,
                          "DATA_KEY": TEST_DATA_KEY, "PROOF_SIGNING_KEY": TEST_PROOF_KEY})
        with app.app_context():
            upgrade(revision="0020")
            with db.engine.begin() as conn:
                ids = _seed(conn)
                before = _rows(conn)
            upgrade(revision="0021")
            with db.engine.connect() as conn:
                assert _rows(conn) == before == dict.fromkeys(COUNTED, 1)
                assert partitions.is_partitioned(conn)
                # the old row sits in its own month, made from the oldest row on
                for table in ("notifications", "inbox_notifications", "delivery_attempts"):
                    assert conn.execute(text(f"SELECT count(*) FROM {table}_p2025_03")).scalar() == 1, table
                assert conn.execute(text("SELECT count(*) FROM guests_p2025_03")).scalar() == 1
                assert conn.execute(text("SELECT count(*) FROM police_audit_log_p2025_03")).scalar() == 1
                assert conn.execute(text("SELECT id FROM notifications WHERE id = :n"),
                                    {"n": ids["notifications"]}).scalar() == ids["notifications"]
            with pytest.raises(Exception, match="append-only"):   # still append-only
                with db.engine.begin() as conn:
                    conn.execute(text("UPDATE police_audit_log SET row_count = 2"))
            with db.engine.begin() as conn:  # the audit log's id sequence survived the rebuild
                conn.execute(text("INSERT INTO police_audit_log (at, officer_id, username, via, action, row_count) "
                                  "VALUES (now(), 1, 'o', 'web', 'list', 1)"))
                assert conn.execute(text("SELECT max(id) FROM police_audit_log")).scalar() == 2
            downgrade(revision="0020")
            with db.engine.connect() as conn:
                after = _rows(conn)
                assert after == {**before, "police_audit_log": 2}
                assert not partitions.is_partitioned(conn)
            db.engine.dispose()
    finally:
        with _admin_connection(POSTGRES_URL) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
