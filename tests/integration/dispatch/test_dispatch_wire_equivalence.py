"""On PostgreSQL the database writes each notification's JSON; it must equal the Python build."""
import json

from sqlalchemy import text, update

from accommnotify.dispatch.core import Dispatcher
from accommnotify.crypto import keyring
from accommnotify.dispatch.wire import ENCODED_SQL, batch_query, decrypt_encoded, wire_notification
from accommnotify.extensions import db
from accommnotify.models import Guest
from accommnotify.timeutil import utcnow
from tests import factories
from tests.conftest import make_app
from tests.integration.dispatch.dispatch_support import add_stays, make_facility, scripted_receivers_toml


def test_database_built_json_equals_the_python_wire_format(database_url, backend, tmp_path):
    app = make_app(database_url, RECEIVERS=scripted_receivers_toml(tmp_path), DISPATCH_LANES=1)
    facility = make_facility(app)
    guests = lambda: [factories.citizen(), factories.foreigner(), factories.citizen(  # noqa: E731
        passport_number="C1234567", id_number=None, full_name="Lê Thị Hoa", sex="female")]
    add_stays(app, facility, 2, guests=guests)
    with app.app_context():
        # one guest left early (their own departure time), with microseconds, to cover formatting
        db.session.execute(update(Guest).where(Guest.full_name == "Lê Thị Hoa").values(departed_at=utcnow()))
        db.session.commit()
    d = Dispatcher(app)
    claimed = d.claim(d.config.receivers["scripted"], utcnow())
    assert len(claimed.notifications) == 6
    with app.app_context(), db.engine.connect() as conn:
        python_built = [wire_notification(r) for r in conn.execute(batch_query(claimed.meta, conn.dialect.name))]
        if backend == "postgres":
            # the numbers come out of the database encrypted and are decrypted into the text
            encoded = decrypt_encoded(conn.execute(text(ENCODED_SQL), {"ids": list(claimed.meta)}), keyring())
            assert [json.loads(t) for t in encoded] == python_built
            assert claimed.encoded is not None and [json.loads(t) for t in claimed.encoded] == python_built
        else:
            assert claimed.encoded is None
    assert claimed.notifications == python_built
