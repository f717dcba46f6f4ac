"""What a stay looks like in the database: for tests that must prove a request changed nothing."""
from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.models import Guest, Notification, Stay


def stay_snapshot(app, stay_id) -> dict:
    """Every stored column of the stay, its guests and its notifications."""
    def rows(model, *where):
        table = model.__table__
        return [dict(r) for r in db.session.execute(select(table).where(*where).order_by(table.c.id)).mappings()]
    with app.app_context():
        return {"stay": rows(Stay, Stay.id == stay_id), "guests": rows(Guest, Guest.stay_id == stay_id),
                "notifications": rows(Notification, Notification.stay_id == stay_id)}
