"""Migration 0009 encrypts the numbers already stored (guests, inbox), indexes them, and rewrites a
searched number in the append-only audit log to its blind index; no plain number is left in the file."""
import json
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import make_url, text

from accommnotify import create_app
from accommnotify.crypto import Keyring
from accommnotify.extensions import db
from tests.conftest import BACKENDS, POSTGRES_URL, TEST_DATA_KEY, TEST_SECRET_KEY, _admin_connection

ID_NUMBER = "001090731555"
PASSPORT = "K7315556"
T = "2026-11-27 07:00:00+00:00"


def _seed(conn):
    conn.execute(text("INSERT INTO facilities (id, code, name, kind, address, ward_code, province_code, created_at) "
                      "VALUES (1, 'OLD-1', 'Nhà nghỉ Cũ', 'tourist_accommodation', '1 Đường Cũ', '16681', '40', :t)"), {"t": T})
    conn.execute(text("INSERT INTO stays (id, facility_id, external_ref, request_hash, status, reason, arrived_at, "
                      "source, created_at, updated_at) VALUES ('st_old', 1, 'R-OLD', :h, 'in_house', 'tourism', :t, "
                      "'api', :t, :t)"), {"h": "0" * 64, "t": T})
    conn.execute(text("INSERT INTO guests (id, stay_id, position, full_name, date_of_birth, sex, nationality, "
                      "id_number, document_type, document_number, document_mrz) VALUES "
                      "('gu_1', 'st_old', 0, 'Nguyễn Văn Cũ', '1990-05-17', 'male', 'VNM', :id, NULL, NULL, NULL), "
                      "('gu_2', 'st_old', 1, 'Anna Old', '1984-08-12', 'female', 'SWE', NULL, 'passport', :p, :mrz)"),
                 {"id": ID_NUMBER, "p": PASSPORT, "mrz": f"P<SWEOLD<<ANNA\n{PASSPORT}<0SWE"})
    for nid, number, doc in (("ntf_1", ID_NUMBER, None), ("ntf_2", None, PASSPORT)):
        conn.execute(text("INSERT INTO inbox_notifications (id, received_at, source, event, category, created_at, "
                          "deadline_at, late, facility_code, facility_name, facility_kind, ward_code, province_code, "
                          "stay_id, arrived_at, full_name, name_search, id_number, document_number) VALUES "
                          "(:id, :t, 'test', 'arrival', 'residence', :t, :t, false, 'OLD-1', 'Nhà nghỉ Cũ', "
                          "'tourist_accommodation', '16681', '40', 'st_old', :t, 'Old', 'old', :n, :d)"),
                     {"id": nid, "t": T, "n": number, "d": doc})
    conn.execute(text("INSERT INTO police_audit_log (at, officer_id, username, via, action, filters, row_count) VALUES "
                      "(:t, 1, 'o', 'web', 'search', :f1, 1), (:t, 1, 'o', 'web', 'search', :f2, 1)"),
                 {"t": T, "f1": json.dumps({"q": ID_NUMBER, "search": "number"}),
                  "f2": json.dumps({"q": "nguyen", "search": "name"})})


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_encrypts_existing_rows(backend, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        name = None
    else:
        name = f"accommnotify_m_{uuid.uuid4().hex[:10]}"
        with _admin_connection(POSTGRES_URL) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "DATA_KEY": TEST_DATA_KEY})
        with app.app_context():
            upgrade(revision="0006")
            with db.engine.begin() as conn:
                _seed(conn)
            upgrade(revision="0009")
            keys = Keyring(TEST_DATA_KEY)
            with db.engine.connect() as conn:
                guests = conn.execute(text("SELECT id_number, document_number, document_mrz FROM guests ORDER BY id")).all()
                inbox = conn.execute(text("SELECT id_number, id_number_bidx, document_number, document_number_bidx "
                                          "FROM inbox_notifications ORDER BY id")).all()
                audit = conn.execute(text("SELECT filters FROM police_audit_log ORDER BY id")).scalars().all()
            assert keys.decrypt(guests[0][0]) == ID_NUMBER and keys.decrypt(guests[1][1]) == PASSPORT
            assert PASSPORT in keys.decrypt(guests[1][2])
            assert keys.decrypt(inbox[0][0]) == ID_NUMBER and inbox[0][1] == keys.blind_index(ID_NUMBER)
            assert keys.decrypt(inbox[1][2]) == PASSPORT and inbox[1][3] == keys.blind_index(PASSPORT)
            assert json.loads(audit[0]) == {"search": "number", "q_index": f"{keys.current_id}:{keys.blind_index(ID_NUMBER)}"}
            assert json.loads(audit[1]) == {"q": "nguyen", "search": "name"}
            # the audit log is append-only again
            with pytest.raises(Exception):
                with db.engine.begin() as conn:
                    conn.execute(text("UPDATE police_audit_log SET row_count = 2"))
            if backend == "sqlite":
                db.engine.dispose()
                path = make_url(url).database
                for suffix in ("", "-wal"):
                    try:
                        data = open(path + suffix, "rb").read()
                    except FileNotFoundError:
                        continue
                    assert ID_NUMBER.encode() not in data and PASSPORT.encode() not in data, suffix
            db.engine.dispose()
    finally:
        if name:
            with _admin_connection(POSTGRES_URL) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
