"""The fast write path converts values the way the column types would, and refuses what the column
types would refuse (SQLite, and PostgreSQL when configured): a naive datetime, a non-date in a date
column, a non-boolean in a boolean column. Nothing is written, and the connection stays usable."""
from datetime import date

import pytest
from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.intake import fastwrite
from accommnotify.intake.prepare import prepare_stay, request_hash
from accommnotify.intake.rows import rows_for_new_stay
from accommnotify.models import Guest, Notification, Stay
from accommnotify.timeutil import utcnow
from tests import factories as f


def _rows(app, fac, **overrides):
    now = utcnow()
    with app.app_context():
        data, warnings = prepare_stay(f.stay(**overrides), now)
        return rows_for_new_stay(fac, data, warnings, request_hash(data), now, "api")


def _counts(app):
    with app.app_context(), db.engine.connect() as conn:
        return tuple(conn.scalar(select(func.count()).select_from(m)) for m in (Stay, Guest, Notification))


def _naive(rows):
    stay, guests, notes = rows
    stay["arrived_at"] = stay["arrived_at"].replace(tzinfo=None)


def _date_as_text(rows):
    rows[1][0]["date_of_birth"] = "1990-05-17"


def _bool_as_text(rows):
    rows[2][0]["urgent"] = "no"


@pytest.mark.parametrize("spoil, error", [(_naive, ValueError), (_date_as_text, TypeError),
                                          (_bool_as_text, TypeError)],
                         ids=["naive-datetime", "date-as-text", "boolean-as-text"])
@pytest.mark.parametrize("bulk", [False, True], ids=["one", "bulk"])
def test_a_value_the_column_type_would_refuse_is_refused(app, facility, backend, spoil, error, bulk):
    fac, _key = facility
    rows = _rows(app, fac)
    spoil(rows)
    if backend == "postgres" and spoil is _date_as_text and not bulk:
        error = None  # the server parses ISO text into a date column itself (and refuses anything else)
    with app.app_context():
        connection = db.session.connection()
        write = (lambda: fastwrite.write_new_stays(connection, [rows[0]], rows[1], rows[2])) if bulk else (
            lambda: fastwrite.write_new_stay(connection, *rows))
        if error is None:
            write()
            db.session.commit()
            assert db.session.get(Guest, rows[1][0]["id"]).date_of_birth == date(1990, 5, 17)
        else:
            with pytest.raises(error):
                write()
        db.session.rollback()
        # the next stay goes through on the same session
        fastwrite.write_new_stay(db.session.connection(), *_rows(app, fac))
        db.session.commit()
    assert _counts(app) == ((2, 2, 2) if error is None else (1, 1, 1))


def test_the_same_instant_stored_twice_reads_back_the_same(app, facility):
    """The SQLite converter remembers the last datetime it formatted; a different datetime object
    (even an equal one) must still be formatted on its own."""
    fac, _key = facility
    a, b = _rows(app, fac), _rows(app, fac)
    with app.app_context():
        fastwrite.write_new_stay(db.session.connection(), *a)
        fastwrite.write_new_stay(db.session.connection(), *b)
        db.session.commit()
        stored = [db.session.get(Stay, rows[0]["id"]) for rows in (a, b)]
        assert [s.created_at for s in stored] == [a[0]["created_at"], b[0]["created_at"]]
        assert [s.arrived_at for s in stored] == [a[0]["arrived_at"], b[0]["arrived_at"]]
        db.session.rollback()
