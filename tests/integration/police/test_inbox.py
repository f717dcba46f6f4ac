"""Acknowledge, export, the read API's cursor, compliance views, languages, CSRF."""
import csv
import io
from datetime import timedelta

from accommnotify.extensions import db
from accommnotify.models.inbox import InboxNotification
from accommnotify.models.police import Officer
from accommnotify.police.accounts import create_token
from accommnotify.police.queries import vn_today
from accommnotify.timeutil import utcnow
from tests.conftest import make_app

from .helpers import (FAST_HASH, WARD_A, add_notification, add_officer, audit_rows, in_app, login,
                      vn_midday)


def _acked(app, nid):
    with in_app(app) as session:
        return session.get(InboxNotification, nid).acknowledged_at is not None


def test_acknowledge_one_and_many(papp, as_officer):
    with in_app(papp):
        a, b, c_ = (add_notification(full_name=n) for n in ("Khách A", "Khách B", "Khách C"))
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    r = c.post(f"/police/n/{a}/acknowledge")
    assert r.status_code == 302 and _acked(papp, a)
    with in_app(papp) as session:
        assert session.get(InboxNotification, a).acknowledged_by == "o"
    r = c.post("/police/acknowledge", data={"ids": [b, c_], "back": "/police/?unack=1"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/police/?unack=1")
    assert _acked(papp, b) and _acked(papp, c_)
    html = c.get("/police/?unack=1").get_data(as_text=True)
    assert "Khách A" not in html and "Khách B" not in html
    # an open redirect is refused
    r = c.post("/police/acknowledge", data={"ids": [a], "back": "https://evil.example/"})
    assert r.headers["Location"].endswith("/police/")


def test_csv_export_is_excel_friendly_and_follows_the_filter(papp, as_officer):
    with in_app(papp):
        add_notification(full_name="Nguyễn Văn Đức", late=True, id_number="001190000123")
        add_notification(full_name="Trần Thị Bình")
        add_notification(full_name="Old Guest", received_at=vn_midday(vn_today() - timedelta(days=5)))
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    r = c.post("/police/export", data={"late": "1"}, headers={"Accept-Language": "en"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Notification id" and len(rows) == 2
    record = dict(zip(rows[0], rows[1]))
    assert record["Full name"] == "Nguyễn Văn Đức" and record["ID number"] == "001190000123"
    assert record["Late"] == "1"
    # the default (today) view, in Vietnamese headers
    r = c.post("/police/export", data={})
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert "Họ và tên" in rows[0]
    assert {row[rows[0].index("Họ và tên")] for row in rows[1:]} == {"Nguyễn Văn Đức", "Trần Thị Bình"}


def test_api_cursor_walks_everything_once(papp):
    now = utcnow()
    same = now - timedelta(minutes=5)
    with in_app(papp) as session:
        ids = [add_notification(received_at=same if i < 4 else now - timedelta(seconds=i)) for i in range(9)]
        officer_id = add_officer("o", f"ward:{WARD_A}")
        token = create_token(session.get(Officer, officer_id))
    h = {"Authorization": f"Bearer {token}"}
    c = papp.test_client()
    seen, cursor = [], None
    for _ in range(10):
        url = "/police/api/v1/notifications?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = c.get(url, headers=h).get_json()
        seen += [n["id"] for n in body["notifications"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    # polling with the last cursor gives only what is new
    assert c.get(f"/police/api/v1/notifications?cursor={cursor}", headers=h).get_json()["notifications"] == []
    with in_app(papp):
        new = add_notification(received_at=utcnow() + timedelta(seconds=1))
    body = c.get(f"/police/api/v1/notifications?cursor={cursor}", headers=h).get_json()
    assert [n["id"] for n in body["notifications"]] == [new]
    n = body["notifications"][0]
    assert n["person"]["full_name"] and n["facility"]["ward_code"] == WARD_A and n["received_at"].endswith("+07:00")
    assert c.get("/police/api/v1/notifications?limit=abc", headers=h).status_code == 400


def test_compliance_views(papp, as_officer):
    today = vn_today()
    with in_app(papp):
        for d in (0, 0, 1):
            add_notification(facility_code="BUSY", received_at=vn_midday(today - timedelta(days=d)))
        add_notification(facility_code="QUIET", received_at=vn_midday(today - timedelta(days=10)))
        add_notification(full_name="Trễ Hạn", facility_code="BUSY", late=True)
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    html = c.get("/police/compliance").get_data(as_text=True)
    assert "BUSY" in html and "QUIET" not in html
    counts = c.get(f"/police/compliance?date_from={(today - timedelta(days=1)).isoformat()}"
                   f"&date_to={today.isoformat()}")
    assert counts.status_code == 200
    from accommnotify.police.queries import counts_per_facility_day
    with in_app(papp) as session:
        data = counts_per_facility_day(session.scalar(db.select(Officer)), today - timedelta(days=1), today)
    # midday rows: two today (plus the late one, received now), one yesterday
    assert data["BUSY"]["days"][today - timedelta(days=1)] == 1
    assert data["BUSY"]["days"][today] >= 2
    silent = c.get("/police/compliance/silent?days=3").get_data(as_text=True)
    assert "QUIET" in silent and "BUSY" not in silent
    late = c.get("/police/compliance/late").get_data(as_text=True)
    assert "Trễ Hạn" in late and "3 giờ" in late   # received 3 h after its deadline


def test_languages(papp, as_officer):
    with in_app(papp):
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    vi = c.get("/police/").get_data(as_text=True)
    assert "Hộp thư" in vi and 'lang="vi"' in vi
    en = c.get("/police/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Inbox" in en and 'lang="en"' in en
    c.get("/lang/en?next=/police/")
    assert "Acknowledge selected" in c.get("/police/").get_data(as_text=True) or "No notifications" in \
        c.get("/police/").get_data(as_text=True)
    login_page = papp.test_client().get("/police/login").get_data(as_text=True)
    assert "Đăng nhập" in login_page and 'for="username"' in login_page


def test_csrf_is_enforced(database_url):
    app = make_app(database_url, **FAST_HASH)   # CSRF on
    with in_app(app):
        nid = add_notification()
        add_officer("o", f"ward:{WARD_A}")
    c = app.test_client()
    assert login(c, "o").status_code == 400            # login form without its token
    page = c.get("/police/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    r = c.post("/police/login", data={"username": "o", "password": "correct-horse-battery",
                                     "csrf_token": token})
    assert r.status_code == 302
    assert c.post("/police/acknowledge", data={"ids": [nid]}).status_code == 400
    assert c.post(f"/police/n/{nid}/acknowledge").status_code == 400
    assert c.post("/police/export", data={}).status_code == 400
    assert c.post("/police/search", data={"q": "nguyen"}).status_code == 400
    assert not _acked(app, nid)
    assert audit_rows(app) == []
    html = c.get("/police/").get_data(as_text=True)
    form_token = html.split('name="csrf_token" value="')[1].split('"')[0]
    assert c.post("/police/acknowledge", data={"ids": [nid], "csrf_token": form_token}).status_code == 302
    r = c.post("/police/search", data={"q": "nguyen", "csrf_token": form_token})
    assert r.status_code == 303 and "s=" in r.headers["Location"] and "nguyen" not in r.headers["Location"]
    assert _acked(app, nid)
    with app.app_context():
        db.engine.dispose()
