"""`flask purge`: ended stays past retention go with their guests and notifications; nothing else.

Retention counts whole months (docs/PARTITIONS.md): with RETENTION_DAYS = 400 and the suite's clock
on 2026-11-27, the cutoff is 2025-10-01: stays declared before 2025-09-01 that ended before it go,
police inbox rows of months before 2025-10 go. Every test runs on both databases and asserts the same
outcome; on PostgreSQL the old months exist as partitions, so purge drops them whole.
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text, update

from accommnotify.extensions import db
from accommnotify.models import DeliveryAttempt, Guest, InboxNotification, Notification, Stay
from accommnotify.ops import partitions
from accommnotify.ops.purge import purge, retention_cutoff
from accommnotify.timeutil import VN_TZ, utcnow
from tests import factories as f
from accommnotify.ids import new_id
from tests.conftest import FIXED_NOW, postgres_only, rewind_ids

DECLARED = FIXED_NOW.replace(year=2025, month=8, day=10)   # before the month preceding the cutoff month
ENDED = DECLARED + timedelta(days=10)


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Stay, Guest, Notification))


def old_months(app):
    """On PostgreSQL, the months of August 2025 onwards exist, as in a year-old deployment."""
    with app.app_context():
        partitions.ensure(since=date(2025, 8, 1), ahead=0)


def months_left(app, table):
    with app.app_context(), db.engine.connect() as conn:
        if not partitions.is_partitioned(conn):
            return None
        return sorted(partitions.months(conn, partitions.BY_NAME[table]))


def end(app, stay_id, when, **notification_values):
    with app.app_context():
        db.session.execute(update(Stay).where(Stay.id == stay_id).values(departed_at=when, status="departed"))
        if notification_values:
            db.session.execute(update(Notification).where(Notification.stay_id == stay_id)
                               .values(**notification_values))
        db.session.commit()


def test_cutoff_is_the_first_of_the_month_the_retention_began():
    assert retention_cutoff(400, FIXED_NOW).isoformat() == "2025-10-01T00:00:00+00:00"
    assert retention_cutoff(30, FIXED_NOW.replace(day=1, hour=6)).isoformat() == "2026-10-01T00:00:00+00:00"


def test_purge_removes_only_ended_and_finished_stays_past_retention(api, app, runner, clock):
    old_months(app)
    clock.move_to(DECLARED)
    rewind_ids()
    old_done = api.post("/stays", json=f.stay()).get_json()
    old_stuck = api.post("/stays", json=f.stay()).get_json()
    long_tenant = api.post("/stays", json=f.stay()).get_json()     # still in the room a year on
    ended_late = api.post("/stays", json=f.stay()).get_json()      # left only after the cutoff
    end(app, old_done["id"], ENDED, status="accepted")
    end(app, old_stuck["id"], ENDED, status="dead")                 # an operator must see it through first
    clock.move_to(FIXED_NOW - timedelta(days=60))
    end(app, ended_late["id"], utcnow(), status="accepted")
    clock.move_to(FIXED_NOW)
    recent = api.post("/stays", json=f.stay()).get_json()
    end(app, recent["id"], utcnow() - timedelta(hours=1), status="accepted")
    assert counts(app) == (5, 5, 5)

    dry = runner.invoke(args=["purge", "--days", "400", "--dry-run"])
    assert "would remove 1 stay(s), 1 guest(s), 1 notification(s)" in dry.output, dry.output
    assert counts(app) == (5, 5, 5)

    result = runner.invoke(args=["purge"])  # RETENTION_DAYS = 400 by default
    assert result.exit_code == 0, result.output
    assert "removed 1 stay(s), 1 guest(s), 1 notification(s)" in result.output
    assert counts(app) == (4, 4, 4)
    assert api.get(f"/stays/{old_done['id']}").status_code == 404
    for kept in (old_stuck, long_tenant, ended_late, recent):
        response = api.get(f"/stays/{kept['id']}")
        assert response.status_code == 200 and len(response.get_json()["guests"]) == 1
    left = months_left(app, "notifications")
    if left is not None:   # PostgreSQL: the months before the cutoff are gone, held rows kept apart
        assert left[0] == date(2025, 9, 1) and months_left(app, "guests")[0] == date(2025, 9, 1)
        assert months_left(app, "inbox_notifications")[0] == date(2025, 10, 1)
        with app.app_context():
            assert db.session.scalar(text("SELECT count(*) FROM notifications_held")) == 3
    assert "removed 0 stay(s)" in runner.invoke(args=["purge"]).output      # nothing more, twice

    # a year later the tenant and the late leaver have gone too; the dead notification still holds
    end(app, long_tenant["id"], utcnow(), status="accepted")
    clock.move_to(FIXED_NOW + timedelta(days=460))   # cutoff 2027-01-01: declared before December 2026
    assert "removed 3 stay(s), 3 guest(s), 3 notification(s)" in runner.invoke(args=["purge"]).output
    assert counts(app) == (1, 1, 1)
    assert api.get(f"/stays/{old_stuck['id']}").status_code == 200
    assert runner.invoke(args=["purge", "--days", "0"]).exit_code != 0


@postgres_only
def test_a_month_left_detached_by_a_stopped_purge_is_dropped_by_the_next(api, app, clock, monkeypatch):
    """Months are detached (short locks on the tables in use), then dropped in a transaction of
    their own: a purge stopped in between leaves a detached month table, which nothing reads and
    the next purge drops, its rows counted."""
    old_months(app)
    clock.move_to(DECLARED)
    rewind_ids()
    kept = api.post("/stays", json=f.stay()).get_json()              # still open: its rows move to held
    gone = api.post("/stays", json=f.stay()).get_json()
    end(app, gone["id"], ENDED, status="accepted")
    with app.app_context():
        db.session.execute(update(Notification).values(status="accepted"))
        db.session.commit()
    clock.move_to(FIXED_NOW)

    def stopped(conn, tables):
        raise RuntimeError("the purge stopped here")

    monkeypatch.setattr(partitions, "drop_detached", stopped)
    with app.app_context(), pytest.raises(RuntimeError):
        purge(400)
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalar(text("SELECT to_regclass('notifications_p2025_08') IS NOT NULL"))
        assert "notifications_p2025_08" not in partitions.months(db.session.connection(),
                                                                 partitions.BY_NAME["notifications"]).values()
        db.session.rollback()
    assert counts(app) == (1, 1, 1)       # what the application sees: the open stay, kept whole
    with app.app_context():
        report = purge(400)
        assert (report.guests, report.notifications) == (1, 1)     # the gone stay's, from the left table
        assert partitions.detached(db.session.connection()) == {}
        db.session.rollback()
    assert api.get(f"/stays/{kept['id']}").status_code == 200


def test_purge_removes_police_inbox_rows_and_attempts_of_old_months(api, app, runner, clock):
    from accommnotify.dispatch.core import Dispatcher
    old_months(app)
    clock.move_to(DECLARED)
    rewind_ids()
    for _ in range(2):
        api.post("/stays", json=f.stay())
    Dispatcher(app).run_pass(flush=True)
    clock.move_to(FIXED_NOW)
    api.post("/stays", json=f.stay())
    Dispatcher(app).run_pass(flush=True)
    with app.app_context():
        new = db.session.scalars(select(InboxNotification.id).where(InboxNotification.received_at > DECLARED
                                                                    + timedelta(days=1))).all()
        # a row whose sender's id carries no time of ours goes by when it was received
        db.session.execute(text(
            "INSERT INTO inbox_notifications (id, notification_id, received_at, source, event, category, created_at, "
            "deadline_at, late, facility_code, facility_name, facility_kind, ward_code, province_code, stay_id, "
            "arrived_at, full_name, name_search) SELECT 'foreign-1', 'foreign-1', :old, source, event, category, "
            "created_at, deadline_at, late, facility_code, facility_name, facility_kind, ward_code, province_code, "
            "stay_id, arrived_at, full_name, name_search FROM inbox_notifications WHERE id = :id"),
            {"old": DECLARED, "id": new[0]})
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(InboxNotification)) == 4
        assert db.session.scalar(select(func.count()).select_from(DeliveryAttempt)) == 2
    result = runner.invoke(args=["purge"])
    assert "2 delivery attempt(s)" not in result.output
    assert "1 delivery attempt(s), 3 inbox row(s)" in result.output, result.output
    with app.app_context():
        assert db.session.scalars(select(InboxNotification.id)).all() == new
    if months_left(app, "inbox_notifications") is not None:
        assert months_left(app, "inbox_notifications")[0] == date(2025, 10, 1)
        assert months_left(app, "delivery_attempts")[0] == date(2025, 10, 1)


def test_an_unfinished_attempt_of_an_old_month_is_kept(app, clock):
    """An attempt a crashed dispatcher never ended is evidence: it stays (held) until it ends."""
    from accommnotify.ids import new_id
    from accommnotify.models import DeliveryAttempt as A
    old_months(app)
    clock.move_to(DECLARED)
    rewind_ids()
    with app.app_context():
        db.session.add_all([A(id=new_id("bat"), receiver="police", started_at=utcnow(), notification_count=1,
                              ended_at=ended) for ended in (None, utcnow())])
        db.session.commit()
    clock.move_to(FIXED_NOW)
    with app.app_context():
        assert purge(400).attempts == 1
        assert db.session.scalar(select(func.count()).select_from(A).where(A.ended_at.is_(None))) == 1


def test_months_are_utc(clock):
    """Months are UTC: a stay declared at 06:30 on 1 October in Vietnam (23:30 UTC on 30 September)
    belongs to September."""
    clock.move_to(FIXED_NOW.replace(year=2025, month=10, day=1, hour=6, minute=30).astimezone(VN_TZ))
    assert partitions.first_of_month(utcnow()) == date(2025, 9, 1)


def test_a_notification_older_than_its_stay_stays_with_it(api, app, clock):
    """A web process whose clock lags can make a notification whose id is a little older than its
    stay's; across a month's end, its month may be dropped while its stay (of the next month) stays:
    the row must be kept with the stay."""
    from accommnotify.ids import encode
    old_months(app)
    clock.move_to(FIXED_NOW.replace(year=2025, month=9, day=1, hour=7, minute=1))   # 00:01 UTC
    rewind_ids()
    stay = api.post("/stays", json=f.stay()).get_json()
    lagging = "ntf_" + encode((int((DECLARED.timestamp() + 21 * 86400) * 1000) << 80) | 7)   # 31 August
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.stay_id == stay["id"]).values(id=lagging))
        db.session.commit()
    clock.move_to(FIXED_NOW)
    with app.app_context():
        assert purge(400).notifications == 0
        assert db.session.scalar(select(Notification.id).where(Notification.stay_id == stay["id"])) == lagging


def test_a_stay_that_left_in_the_next_month_goes_whole(api, app, clock):
    """Declared on 30 August, left on 2 September: its departure notification sits in September's
    month, which is not dropped yet; it goes with the stay (PostgreSQL deletes it from that month)."""
    old_months(app)
    clock.move_to(DECLARED.replace(day=30))
    rewind_ids()
    stay = api.post("/stays", json=f.stay()).get_json()
    clock.move_to(DECLARED.replace(month=9, day=2))
    assert api.post(f"/stays/{stay['id']}/departure", json={}).status_code == 200
    with app.app_context():
        db.session.execute(update(Notification).values(status="accepted"))
        db.session.commit()
    clock.move_to(FIXED_NOW)
    assert counts(app) == (1, 1, 2)
    with app.app_context():
        report = purge(400)
    assert (report.stays, report.guests, report.notifications) == (1, 1, 2)
    assert counts(app) == (0, 0, 0)
    if months_left(app, "notifications") is not None:
        assert months_left(app, "notifications")[0] == date(2025, 9, 1)


@postgres_only
def test_a_correction_made_while_purge_runs_keeps_its_stay(api, app, clock):
    """A facility corrects an old stay just as purge decided it could go: the correction's
    notification (pending) must keep its stay, not be left without one."""
    from sqlalchemy import event
    old_months(app)
    clock.move_to(DECLARED)
    rewind_ids()
    corrected, other = (api.post("/stays", json=f.stay()).get_json() for _ in range(2))
    for stay in (corrected, other):
        end(app, stay["id"], ENDED, status="accepted")
    clock.move_to(FIXED_NOW)
    with app.app_context():
        engine = db.engine

        def correction_lands_first(conn, cursor, statement, parameters, context, executemany):
            if statement.startswith("DELETE FROM stays") and not getattr(correction_lands_first, "done", False):
                correction_lands_first.done = True
                with engine.connect() as facility:   # the facility's request, committed meanwhile
                    facility.execute(text(
                        "INSERT INTO notifications (id, facility_id, stay_id, guest_id, event, category, receiver, "
                        "status, urgent, created_at, updated_at, deadline_at, late, attempts, next_attempt_at) "
                        "SELECT :id, facility_id, stay_id, guest_id, 'amendment', category, receiver, 'pending', "
                        "urgent, :now, :now, deadline_at, late, 0, :now FROM notifications "
                        "WHERE stay_id = :stay LIMIT 1"),
                        {"id": new_id("ntf"), "now": utcnow(), "stay": corrected["id"]})
                    facility.commit()

        event.listen(engine, "before_cursor_execute", correction_lands_first)
        try:
            report = purge(400)
        finally:
            event.remove(engine, "before_cursor_execute", correction_lands_first)
        assert report.stays == 1
        assert db.session.get(Stay, corrected["id"]) is not None and db.session.get(Stay, other["id"]) is None
        assert db.session.scalar(select(func.count()).select_from(Guest).where(Guest.stay_id == corrected["id"])) == 1
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.stay_id == corrected["id"])) == 2
