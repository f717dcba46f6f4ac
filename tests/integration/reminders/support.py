"""Data and a recording channel for the reminder tests."""
from datetime import timedelta

from sqlalchemy import update

from accommnotify.extensions import db
from accommnotify.models import FacilityUser, Notification, ReminderSettings
from accommnotify.timeutil import utcnow
from tests.integration.dispatch.dispatch_support import add_stays, make_facility  # noqa: F401


class Recorder:
    """A channel that keeps what it was given (the interface of accommnotify.reminders.channels);
    ``fail`` makes the next sends raise ChannelError."""

    def __init__(self, name="email"):
        self.name = name
        self.sent = []
        self.fail = False

    def address_of(self, recipient):
        return recipient.email if self.name == "email" else recipient.phone

    def send(self, address, message):
        from accommnotify.reminders.channels import ChannelError
        if self.fail:
            raise ChannelError("SMTPServerDisconnected")
        self.sent.append((address, message))


def add_user(app, facility_id, email, **settings):
    """A facility user (no password needed here); ``settings`` -> their reminder_settings row."""
    with app.app_context():
        user = FacilityUser(facility_id=facility_id, email=email, password_hash="-", created_at=utcnow())
        db.session.add(user)
        db.session.flush()
        if settings:
            values = {"language": "vi", "problems": True, "deadline": True, "digest": False, "channel": "email"}
            values.update(settings)
            db.session.add(ReminderSettings(user_id=user.id, updated_at=utcnow(), **values))
        db.session.commit()
        return user.id


def set_notifications(app, ids, **values):
    with app.app_context():
        db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(**values))
        db.session.commit()


def stay_notifications(app):
    from sqlalchemy import select
    with app.app_context():
        rows = db.session.execute(select(Notification.id, Notification.stay_id).order_by(Notification.id)).all()
        db.session.rollback()
    return [r.id for r in rows]


def minutes(n):
    return timedelta(minutes=n)
