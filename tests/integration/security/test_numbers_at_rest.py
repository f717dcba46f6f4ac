"""Issue 10 item 12: ID and passport numbers never reach the database in plain text.

Stays are written through every door (API single and bulk, the form, the CSV import), delivered by
the dispatcher into the police inbox, searched by number (audited); then the raw bytes of the SQLite
file and its -wal, or every text / json column of every PostgreSQL table, hold none of the numbers.
"""
import io
import os
import re
import stat
from datetime import date, timedelta

from sqlalchemy import make_url, text

from accommnotify.dispatch.core import Dispatcher
from accommnotify.extensions import db
from accommnotify.rules.id_number import make_id_number
from accommnotify.rules.mrz import make_td3
from tests import factories as f
from tests.integration.facility.test_import import HEAD, csv_bytes, row
from tests.integration.police.helpers import login as police_login, search

API_ID = make_id_number("001", "male", date(1990, 5, 17), tail="731001")
BULK_ID = make_id_number("079", "female", date(1988, 3, 9), tail="731002")
FORM_ID = make_id_number("001", "female", date(1988, 3, 9), tail="731003")
IMPORT_ID = make_id_number("001", "male", date(1990, 5, 17), tail="731004")
API_PASSPORT = "Q7305811"
BULK_PASSPORT = "R7305822"
IMPORT_PASSPORT = "S7305833"
CITIZEN_PASSPORT = "B7305844"
NUMBERS = (API_ID, BULK_ID, FORM_ID, IMPORT_ID, API_PASSPORT, BULK_PASSPORT, IMPORT_PASSPORT, CITIZEN_PASSPORT)


def _foreigner(number):
    line1, line2 = make_td3("ERIKSSON", "ANNA MARIA", number, "SWE", "840812", "F", "350101")
    return f.foreigner(document={"type": "passport", "number": number, "mrz": f"{line1}\n{line2}"})


def _write_through_every_door(api, staff):
    abroad = f.citizen(passport_number=CITIZEN_PASSPORT)
    del abroad["id_number"]
    r = api.post("/stays", json=f.stay(guests=[f.citizen(id_number=API_ID), _foreigner(API_PASSPORT), abroad]))
    assert r.status_code == 201, r.get_json()
    r = api.post("/stays/bulk", json={"stays": [f.stay(guests=[f.citizen(id_number=BULK_ID, sex="female", dob=date(1988, 3, 9))]),
                                                f.stay(guests=[_foreigner(BULK_PASSPORT)])]})
    assert r.status_code == 200 and all(x["status"] == "created" for x in r.get_json()["results"]), r.get_json()
    arrived = (f.local_now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page = staff.post("/facility/stays/new", {
        "room": "203", "arrived_at": arrived, "reason": "family_visit", "form_ref": "WEB-AT-REST",
        "g-0-kind": "citizen", "g-0-full_name": "Lê Thị Hồng", "g-0-date_of_birth": "1988-03-09",
        "g-0-sex": "female", "g-0-id_number": FORM_ID, "action": "submit"})
    assert page.status_code in (200, 302, 303), page.get_data(as_text=True)[:300]
    rows = [row(**{"Mã đặt phòng": "IMP-1", "Số định danh cá nhân": IMPORT_ID}),
            row(**{"Mã đặt phòng": "IMP-2", "Họ và tên": "John Smith", "Quốc tịch": "USA", "Ngày sinh": "1980-01-01",
                   "Số định danh cá nhân": "", "Số hộ chiếu": IMPORT_PASSPORT, "Loại thị thực": "Thị thực điện tử",
                   "Số thị thực": "EV999", "Thị thực có giá trị đến": (date.today() + timedelta(days=30)).strftime("%d/%m/%Y"),
                   "Ngày nhập cảnh": date.today().strftime("%d/%m/%Y"), "Cửa khẩu nhập cảnh": "Nội Bài"})]
    preview = staff.post("/facility/import", {"file": (io.BytesIO(csv_bytes(rows, HEAD)), "guests.csv")},
                         content_type="multipart/form-data").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)
    assert staff.post("/facility/import/confirm", {"token": token}).status_code in (200, 302, 303)


def _stored_plain(database_url) -> dict[str, list[str]]:
    """Where each number occurs in plain text in the database: {number: [places]}."""
    found = {}
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        for suffix in ("", "-wal"):
            path = url.database + suffix
            if os.path.exists(path):
                data = open(path, "rb").read()
                for number in NUMBERS:
                    if number.encode() in data:
                        found.setdefault(number, []).append(os.path.basename(path))
        return found
    columns = db.session.execute(text(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'character')")).all()
    for table, column in columns:
        for number in NUMBERS:
            hit = db.session.execute(text(f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE :p LIMIT 1'),
                                     {"p": f"%{number}%"}).first()
            if hit:
                found.setdefault(number, []).append(f"{table}.{column}")
    return found


def test_no_number_is_stored_in_plain_text(app, api, staff, papp, database_url, police_token):
    _write_through_every_door(api, staff)
    with app.app_context():
        report = Dispatcher(app).run_pass(flush=True)
        db.session.remove()
    assert report is not None
    officer = papp.test_client()
    assert police_login(officer, "an.officer").status_code == 302
    for number in (API_ID, IMPORT_PASSPORT, FORM_ID):
        page = search(officer, number).get_data(as_text=True)
        assert number in page  # found by its blind index, shown decrypted to the officer
    # the session cookie (signed, readable) holds no search text, only a random owner token
    cookie = officer.get_cookie("session").value
    session = papp.session_interface.get_signing_serializer(papp).loads(cookie)
    assert all(number not in repr(session) for number in NUMBERS) and "police_search_owner" in session
    found = papp.test_client().post("/police/api/v1/notifications/search", json={"q": BULK_PASSPORT},
                                    headers={"Authorization": f"Bearer {police_token}"}).get_json()
    assert [n["person"]["document"]["number"] for n in found["notifications"]] == [BULK_PASSPORT]
    with app.app_context():
        inbox = db.session.execute(text("SELECT count(*) FROM inbox_notifications")).scalar()
        assert inbox == 8  # every guest reached the inbox (API 3, bulk 2, form 1, import 2)
        assert db.session.execute(text("SELECT count(*) FROM police_audit_log WHERE filters LIKE '%q_index%'")).scalar() == 4
        assert _stored_plain(database_url) == {}
        db.session.remove()
        db.engine.dispose()
    with papp.app_context():
        db.engine.dispose()
    with app.app_context():
        assert _stored_plain(database_url) == {}


def test_the_sqlite_file_is_created_private(tmp_path):
    from tests.conftest import make_app
    path = tmp_path / "new.db"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
        db.engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
