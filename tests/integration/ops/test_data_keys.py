"""`keys rotate` re-encrypts every stored number to the current key (old keys readable until then),
search by number works before and after, and a wrong data key refuses to start."""
import pytest
from sqlalchemy import text

from accommnotify import StartupError
from accommnotify.crypto import Keyring
from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.rules.mrz import make_td3
from tests import factories as f
from tests.conftest import TEST_DATA_KEY, make_app
from tests.integration.police.helpers import FAST_HASH, WARD_A, add_officer, login, search

NEW_KEY = "rotated-data-key-for-the-rotation-test-0123456789"
OTHER_KEY = "a-wrong-data-key-that-never-wrote-anything-0123456"


def _ids(app, table, column):
    with app.app_context():
        values = db.session.execute(text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")).scalars().all()
        db.session.remove()
        return {v.split(".")[1] for v in values}


def test_rotate_re_encrypts_everything_and_search_keeps_working(app, api, database_url):
    citizen = f.citizen()
    line1, line2 = make_td3("ERIKSSON", "ANNA MARIA", "L898902C3", "SWE", "840812", "F", "350101")
    foreigner = f.foreigner(document={"type": "passport", "number": "L898902C3", "mrz": f"{line1}\n{line2}"})
    assert api.post("/stays", json=f.stay(guests=[citizen, foreigner])).status_code == 201
    with app.app_context():
        Dispatcher(app).run_pass(flush=True)
        add_officer("rot", f"ward:{WARD_A}")
        db.session.remove()
    old_id, new_id = Keyring(TEST_DATA_KEY).current_id, Keyring(NEW_KEY).current_id
    assert _ids(app, "guests", "id_number") == {old_id}

    # the new key writes, the old one is still read: nothing is unreadable meanwhile
    both = make_app(database_url, DATA_KEY=NEW_KEY, DATA_KEYS_OLD=[TEST_DATA_KEY], WTF_CSRF_ENABLED=False, **FAST_HASH)
    officer = both.test_client()
    assert login(officer, "rot").status_code == 302
    assert citizen["id_number"] in search(officer, citizen["id_number"]).get_data(as_text=True)

    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "rows left on older keys: 0" in result.output
    for table, column in (("guests", "id_number"), ("guests", "document_number"), ("guests", "document_mrz"),
                          ("inbox_notifications", "id_number"), ("inbox_notifications", "document_number"),
                          ("police_searches", "text")):
        assert _ids(both, table, column) == {new_id}, (table, column)
    assert "0 rows" in both.test_cli_runner().invoke(args=["keys", "rotate"]).output  # nothing left: a no-op
    with both.app_context():
        db.engine.dispose()

    # the old key can go now: the new key alone reads everything and finds by number
    only_new = make_app(database_url, DATA_KEY=NEW_KEY, WTF_CSRF_ENABLED=False, **FAST_HASH)
    officer = only_new.test_client()
    assert login(officer, "rot").status_code == 302
    assert citizen["id_number"] in search(officer, citizen["id_number"]).get_data(as_text=True)
    assert "L898902C3" in search(officer, "L898902C3").get_data(as_text=True)
    with only_new.app_context():
        db.engine.dispose()
    # and the old key alone no longer starts
    with pytest.raises(StartupError, match="not configured"):
        make_app(database_url)
    # rotate back, so the shared test database opens with the suite's key again (PostgreSQL)
    back = make_app(database_url, DATA_KEY=TEST_DATA_KEY, DATA_KEYS_OLD=[NEW_KEY])
    assert back.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0
    with back.app_context():
        db.engine.dispose()


def test_a_wrong_data_key_refuses_to_start(app, api, database_url):
    assert api.post("/stays", json=f.stay()).status_code == 201
    with app.app_context():
        db.engine.dispose()
    with pytest.raises(StartupError, match="ACCOMMNOTIFY_DATA_KEY"):
        make_app(database_url, DATA_KEY=OTHER_KEY)
    make_app(database_url)  # the right key starts


def test_every_encrypted_column_is_rotated():
    from accommnotify.models.types import EncryptedText
    from accommnotify.ops.rotate import TABLES
    encrypted = {(c.table.name, c.name) for t in db.metadata.sorted_tables for c in t.columns
                 if isinstance(c.type, EncryptedText)}
    encrypted.add(("checkin_submissions", "payload"))  # encrypted by hand (one JSON of several guests)
    rotated = {(table, column) for table, (_pk, columns, _ix) in TABLES.items() for column in columns}
    assert encrypted <= rotated, encrypted - rotated


def test_waiting_self_check_in_entries_are_rotated_and_decided_ones_left_alone(app, facility, database_url, clock):
    import json
    from datetime import timedelta

    from accommnotify.checkin import service as checkin
    from accommnotify.crypto import keyring
    from accommnotify.models import CheckinSubmission
    from accommnotify.timeutil import utcnow
    ref, _key = facility
    guest = {"full_name": "Khách Tự Khai", "id_number": f.citizen()["id_number"]}
    with app.app_context():
        now = utcnow()
        for entry_id, status, payload in (("cks_waiting", "pending", keyring().encrypt(json.dumps({"guests": [guest]}))),
                                          ("cks_decided", "confirmed", "")):
            db.session.add(CheckinSubmission(id=entry_id, facility_id=ref.id, source="desk", status=status, guest_count=1,
                                             payload=payload, lang="vi", created_at=now,
                                             expires_at=now + timedelta(hours=24)))
        db.session.commit()
    both = make_app(database_url, DATA_KEY=NEW_KEY, DATA_KEYS_OLD=[TEST_DATA_KEY])
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "rows left on older keys: 0" in result.output, result.output
    with both.app_context():
        payloads = dict(db.session.execute(text("SELECT id, payload FROM checkin_submissions")).all())
        db.engine.dispose()
    assert payloads["cks_decided"] == "" and payloads["cks_waiting"].startswith(f"e1.{Keyring(NEW_KEY).current_id}.")
    only_new = make_app(database_url, DATA_KEY=NEW_KEY)   # the old key dropped: the waiting entry still reads
    with only_new.app_context():
        [waiting] = checkin.pending(ref.id)
        assert waiting["guests"][0]["full_name"] == "Khách Tự Khai"
        db.engine.dispose()
    back = make_app(database_url, DATA_KEY=TEST_DATA_KEY, DATA_KEYS_OLD=[NEW_KEY])
    assert back.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0
    with back.app_context():
        db.engine.dispose()
