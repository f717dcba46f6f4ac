"""`flask purge`: ended stays past retention go with their guests and notifications; nothing else."""
from datetime import timedelta

from sqlalchemy import func, select, update

from accommnotify.extensions import db
from accommnotify.models import Guest, Notification, Stay
from accommnotify.timeutil import utcnow
from tests import factories as f


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Stay, Guest, Notification))


def age(app, stay_id, days, **notification_values):
    with app.app_context():
        then = utcnow() - timedelta(days=days)
        db.session.execute(update(Stay).where(Stay.id == stay_id).values(departed_at=then, status="departed"))
        if notification_values:
            db.session.execute(update(Notification).where(Notification.stay_id == stay_id)
                               .values(**notification_values))
        db.session.commit()


def test_purge_removes_only_ended_and_finished_stays_past_retention(api, app, runner):
    old_done = api.post("/stays", json=f.stay()).get_json()
    old_stuck = api.post("/stays", json=f.stay()).get_json()
    recent = api.post("/stays", json=f.stay()).get_json()
    in_house = api.post("/stays", json=f.stay()).get_json()
    age(app, old_done["id"], 500, status="accepted")
    age(app, old_stuck["id"], 500, status="dead")      # an operator must see it through first
    age(app, recent["id"], 10, status="accepted")
    assert counts(app) == (4, 4, 4)

    dry = runner.invoke(args=["purge", "--days", "400", "--dry-run"])
    assert "would remove 1 stay(s), 1 guest(s), 1 notification(s)" in dry.output
    assert counts(app) == (4, 4, 4)

    result = runner.invoke(args=["purge"])  # RETENTION_DAYS = 400 by default
    assert result.exit_code == 0, result.output
    assert "removed 1 stay(s)" in result.output
    assert counts(app) == (3, 3, 3)
    assert api.get(f"/stays/{old_done['id']}").status_code == 404
    for kept in (old_stuck, recent, in_house):
        assert api.get(f"/stays/{kept['id']}").status_code == 200
    assert runner.invoke(args=["purge", "--days", "0"]).exit_code != 0


def test_purge_removes_old_police_inbox_rows_and_attempts(api, app, runner):
    from accommnotify.dispatch.core import Dispatcher
    from accommnotify.models import DeliveryAttempt, InboxNotification
    for _ in range(2):
        api.post("/stays", json=f.stay())
    Dispatcher(app).run_pass(flush=True)
    with app.app_context():
        first = db.session.scalars(select(InboxNotification.id).order_by(InboxNotification.id)).first()
        db.session.execute(update(InboxNotification).where(InboxNotification.id == first)
                           .values(received_at=utcnow() - timedelta(days=401)))
        db.session.execute(update(DeliveryAttempt).values(started_at=utcnow() - timedelta(days=401)))
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert "1 delivery attempt(s), 1 inbox row(s)" in result.output, result.output
    with app.app_context():
        assert db.session.scalars(select(InboxNotification.id)).all() != [first]
        assert db.session.scalar(select(func.count()).select_from(InboxNotification)) == 1
