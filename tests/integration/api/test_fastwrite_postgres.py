"""intake/fastwrite.py on PostgreSQL, below the service: the pipeline (a stay written inside the
session's transaction and committed by the pipeline), the one-statement autocommit write, and the
binary COPY of the bulk path. What each promises: all or nothing, a taken ref raises StayExists
with nothing written, an error leaves a connection the next request can use, and a connection the
server dropped is not handed out again. PostgreSQL only: reported as skipped without it."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.intake import fastwrite
from accommnotify.intake.prepare import prepare_stay, request_hash
from accommnotify.intake.rows import rows_for_new_stay
from accommnotify.models import Guest, Notification, Stay
from accommnotify.timeutil import utcnow
from tests import factories as f
from tests.conftest import _admin_connection, postgres_only

pytestmark = postgres_only


def _rows(app, fac, payload=None, **overrides):
    """(stay, guests, notes) rows for one new stay, as the service builds them."""
    now = utcnow()
    with app.app_context():  # routing reads the receivers file of the app
        data, warnings = prepare_stay(payload or f.stay(**overrides), now)
        return rows_for_new_stay(fac, data, warnings, request_hash(data), now, "api")


def _counts(app):
    """Committed rows, read on a connection of its own."""
    with app.app_context(), db.engine.connect() as conn:
        return tuple(conn.scalar(select(func.count()).select_from(m)) for m in (Stay, Guest, Notification))


def _terminate_other_backends(app):
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
        with db.engine.connect() as conn:
            database = conn.exec_driver_sql("SELECT current_database()").scalar()
    with _admin_connection(url) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))


# -- the pipeline (a transaction is already open in the session) ------------------------------------

def test_pipeline_commits_the_stay_and_what_the_session_had_pending(app, facility):
    fac, _key = facility
    stay, guests, notes = _rows(app, fac, guests=[f.citizen(), f.foreigner()])
    with app.app_context():
        from accommnotify.models import Facility
        db.session.get(Facility, fac.id).phone = "0281234567"
        db.session.flush()  # as the service does: pending work goes first, one COMMIT covers both
        connection = db.session.connection()
        assert fastwrite.write_new_stay(connection, stay, guests, notes) is True  # committed here
        db.session.commit()
    assert _counts(app) == (1, 2, 2)
    with app.app_context():
        assert db.session.get(Facility, fac.id).phone == "0281234567"
        stored = db.session.get(Stay, stay["id"])
        assert stored.arrived_at == stay["arrived_at"] and stored.arrived_at.tzinfo is not None
        db.session.rollback()


@pytest.mark.parametrize("guest_count", [2, 0], ids=["with-guests", "no-guests"])
def test_pipeline_taken_ref_raises_stay_exists_and_writes_nothing(app, facility, guest_count):
    """Seven times (past psycopg's prepare threshold of 5): each aborted pipeline is drained, so the
    same connection keeps working."""
    fac, _key = facility
    payload = f.stay(guests=[f.citizen(), f.citizen()])
    first = _rows(app, fac, payload)
    with app.app_context():
        fastwrite.write_new_stay(db.session.connection(), *first)
        db.session.commit()
        for _ in range(7):
            stay, guests, notes = _rows(app, fac, payload)
            with pytest.raises(fastwrite.StayExists):
                fastwrite.write_new_stay(db.session.connection(), stay, guests[:guest_count], notes[:guest_count])
            db.session.rollback()
            # the connection is usable at once: another stay goes through
            fastwrite.write_new_stay(db.session.connection(), *_rows(app, fac))
            db.session.commit()
    assert _counts(app) == (8, 9, 9)


def test_pipeline_error_other_than_a_taken_ref_is_raised_and_nothing_written(app, facility):
    import psycopg
    fac, _key = facility
    stay, guests, notes = _rows(app, fac)
    notes[0]["receiver"] = "r" * 65  # longer than the column: the server refuses the last INSERT
    with app.app_context():
        with pytest.raises(psycopg.errors.StringDataRightTruncation):
            fastwrite.write_new_stay(db.session.connection(), stay, guests, notes)
        db.session.rollback()
        fastwrite.write_new_stay(db.session.connection(), *_rows(app, fac))
        db.session.commit()
    assert _counts(app) == (1, 1, 1)  # only the second stay: the first's stay and guest went too


def test_pipeline_on_a_connection_the_server_dropped_invalidates_it(app, facility):
    import psycopg
    fac, _key = facility
    with app.app_context():
        fastwrite.write_new_stay(db.session.connection(), *_rows(app, fac))
        db.session.commit()
    _terminate_other_backends(app)  # a server restart, as far as the pooled connection knows
    with app.app_context():
        with pytest.raises(psycopg.OperationalError):
            fastwrite.write_new_stay(db.session.connection(), *_rows(app, fac))
        db.session.rollback()
        # the pool did not keep the dead connection: the next write gets a live one
        fastwrite.write_new_stay(db.session.connection(), *_rows(app, fac))
        db.session.commit()
    assert _counts(app) == (2, 2, 2)


# -- one statement in autocommit (nothing open in the request) ----------------------------------------

@pytest.mark.parametrize("guest_count", [1, 3])
def test_autocommit_writes_all_or_nothing(app, facility, guest_count):
    fac, _key = facility
    guests_payload = [f.citizen() for _ in range(guest_count)]
    payload = f.stay(guests=guests_payload)
    with app.app_context():
        with db.engine.connect() as connection:
            fastwrite.write_new_stay_autocommit(connection, *_rows(app, fac, payload))
            assert connection.connection.dbapi_connection.autocommit is False  # handed back as found
        assert _counts(app) == (1, guest_count, guest_count)
        # the same ref again: StayExists, and not one more guest or notification
        with db.engine.connect() as connection:
            with pytest.raises(fastwrite.StayExists):
                fastwrite.write_new_stay_autocommit(connection, *_rows(app, fac, payload))
        assert _counts(app) == (1, guest_count, guest_count)
        # a refused value in the last table: the whole statement fails, the stay is not there either
        stay, guests, notes = _rows(app, fac, guests=guests_payload)
        notes[-1]["receiver"] = "r" * 65  # an explicit ::VARCHAR(64) cast would silently cut it
        import psycopg
        with db.engine.connect() as connection:
            with pytest.raises(psycopg.errors.StringDataRightTruncation):
                fastwrite.write_new_stay_autocommit(connection, stay, guests, notes)
            assert connection.connection.dbapi_connection.autocommit is False
        assert _counts(app) == (1, guest_count, guest_count)


def test_autocommit_statement_is_built_once_per_guest_count(app, facility):
    fac, _key = facility
    fastwrite._SINGLE.clear()
    with app.app_context():
        for n in (2, 2, 1):
            with db.engine.connect() as connection:
                fastwrite.write_new_stay_autocommit(connection, *_rows(app, fac, guests=[f.citizen() for _ in range(n)]))
    assert sorted(fastwrite._SINGLE) == [1, 2]
    assert fastwrite._SINGLE[2].count("::") > fastwrite._SINGLE[1].count("::")
    assert _counts(app) == (3, 5, 5)


def test_autocommit_on_a_connection_the_server_dropped_invalidates_it(app, facility):
    import psycopg
    fac, _key = facility
    with app.app_context():
        with db.engine.connect() as connection:
            fastwrite.write_new_stay_autocommit(connection, *_rows(app, fac))
        _terminate_other_backends(app)
        with db.engine.connect() as connection:
            with pytest.raises(psycopg.OperationalError):
                fastwrite.write_new_stay_autocommit(connection, *_rows(app, fac))
            assert connection.invalidated
        with db.engine.connect() as connection:
            fastwrite.write_new_stay_autocommit(connection, *_rows(app, fac))
    assert _counts(app) == (2, 2, 2)


# -- bulk: binary COPY in the session's transaction ------------------------------------------------

def test_copy_writes_many_stays_in_the_callers_transaction(app, facility):
    fac, _key = facility
    made = [_rows(app, fac, guests=[f.citizen(), f.foreigner()]) for _ in range(20)]
    stays = [m[0] for m in made]
    guests = [g for m in made for g in m[1]]
    notes = [n for m in made for n in m[2]]
    with app.app_context():
        fastwrite.write_new_stays(db.session.connection(), stays, guests, notes)
        assert _counts(app) == (0, 0, 0)  # not committed yet: the caller commits
        db.session.commit()
        row = db.session.get(Notification, notes[1]["id"])
        assert row.urgent is True and row.deadline_at == notes[1]["deadline_at"]
        db.session.rollback()
    assert _counts(app) == (20, 40, 40)


def test_copy_error_fails_the_whole_bulk_and_the_connection_recovers(app, facility):
    import psycopg
    fac, _key = facility
    made = [_rows(app, fac) for _ in range(3)]
    stays, guests, notes = [m[0] for m in made], [m[1][0] for m in made], [m[2][0] for m in made]
    notes[2]["receiver"] = "r" * 65
    with app.app_context():
        with pytest.raises(psycopg.errors.StringDataRightTruncation):
            fastwrite.write_new_stays(db.session.connection(), stays, guests, notes)
        db.session.rollback()
        stay, guest, note = _rows(app, fac)
        fastwrite.write_new_stays(db.session.connection(), [stay], guest, note)
        db.session.commit()
    assert _counts(app) == (1, 1, 1)


def test_copy_on_a_connection_the_server_dropped_invalidates_it(app, facility):
    import psycopg
    fac, _key = facility
    with app.app_context():
        stay, guests, notes = _rows(app, fac)
        fastwrite.write_new_stays(db.session.connection(), [stay], guests, notes)
        db.session.commit()
    _terminate_other_backends(app)
    with app.app_context():
        stay, guests, notes = _rows(app, fac)
        with pytest.raises(psycopg.OperationalError):
            fastwrite.write_new_stays(db.session.connection(), [stay], guests, notes)
        db.session.rollback()
        stay, guests, notes = _rows(app, fac)
        fastwrite.write_new_stays(db.session.connection(), [stay], guests, notes)
        db.session.commit()
    assert _counts(app) == (2, 2, 2)


def test_naive_datetimes_never_reach_postgresql(app, facility):
    fac, _key = facility
    stay, guests, notes = _rows(app, fac)
    stay["created_at"] = stay["created_at"].replace(tzinfo=None) - timedelta(0)
    with app.app_context():
        with pytest.raises(ValueError, match="naive datetime"):
            fastwrite.write_new_stay(db.session.connection(), stay, guests, notes)
        db.session.rollback()
    assert _counts(app) == (0, 0, 0)
