"""Student dormitories (issue 13 item 2, docs/DORMITORIES.md): a term's roster of 300 students from one
file, the list of stays of 30 days or more, returning students declared again in one step."""
import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accommnotify.extensions import db
from accommnotify.models import Guest, Notification, Stay, Term, TermStay
from accommnotify.rules.id_number import make_id_number
from accommnotify.timeutil import VN_TZ
from tests import factories
from tests.integration.facility.conftest import login, make_user
from tests.integration.facility.test_import import xlsx_bytes

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Linh", "Minh", "Ngọc", "Phúc", "Quỳnh")
ROSTER_HEAD = ["Phòng", "Họ và tên", "Ngày sinh", "Giới tính", "Quốc tịch", "Số định danh cá nhân"]
PROVINCES = ("001", "079", "048", "031", "092")   # pre-2025 birth-registration codes (SPEC §3)


def students(n, offset=0):
    """`n` students built from the ID number rules (SPEC §3): born 2005-2007, so the 4th digit is 2 or 3."""
    rows = []
    for i in range(offset, offset + n):
        sex = "male" if i % 2 == 0 else "female"
        born = date(2005 + i % 3, 1 + i % 12, 1 + i % 28)
        name = f"{SURNAMES[i % 10]} {'Văn' if sex == 'male' else 'Thị'} {GIVEN[(i // 10) % 12]}"
        number = make_id_number(PROVINCES[i % 5], sex, born, tail=f"{500000 + i:06d}")
        rows.append([f"A{100 + i // 4}", name, born.strftime("%d/%m/%Y"), "Nam" if sex == "male" else "Nữ", "VNM",
                     number])
    return rows


def roster_csv(rows, head=ROSTER_HEAD):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@pytest.fixture
def dorm(app):
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="KTX-1", name="Ký túc xá Khu A", kind="student_dormitory", ward_code="16681",
                        address="1 Võ Văn Ngân")
    make_user(app, code="KTX-1", email="ktx@example.com")


@pytest.fixture
def warden(app, client, dorm):
    return login(client, email="ktx@example.com")


def moved(app, clock, when):
    """The clock moved (sessions expire across days): a new login at the new time."""
    clock.move_to(when)
    return login(app.test_client(), email="ktx@example.com")


def new_term(warden, name, starts, ends):
    response = warden.post("/facility/terms", {"name": name, "starts_on": starts, "ends_on": ends})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return response.headers["Location"].rsplit("/", 1)[1]


def preview(warden, term_id, data, name="roster.csv"):
    return warden.post(f"/facility/terms/{term_id}/import", {"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def confirm(warden, term_id, page):
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert f'action="/facility/terms/{term_id}/import/confirm"' in page
    return warden.post(f"/facility/terms/{term_id}/import/confirm", {"token": token})


def scalar(app, stmt):
    with app.app_context():
        return db.session.execute(stmt).scalar()


def test_a_dormitory_declares_a_term_of_300_students_from_one_file(app, warden):
    term_id = new_term(warden, "HK1 2026-2027", "2026-09-05", "2027-01-15")
    page = preview(warden, term_id, xlsx_bytes(students(300), head=ROSTER_HEAD), "hk1.xlsx")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('<tr class="ok"') == 300 and 'class="bad"' not in html
    # the term's dates fill the empty arrival and departure columns, shown in the preview
    assert "05/09/2026 08:00" in html and "15/01/2027 12:00" in html
    done = confirm(warden, term_id, html)
    assert done.status_code == 200
    assert re.search(r"<li>[^<]*: 300</li>", done.get_data(as_text=True))
    with app.app_context():
        stays = db.session.execute(select(Stay).join(TermStay, TermStay.stay_id == Stay.id)
                                   .where(TermStay.term_id == term_id)).scalars().all()
        assert len(stays) == 300 and {s.source for s in stays} == {"import"} and {s.reason for s in stays} == {"study"}
        first = min(stays, key=lambda s: s.room)
        assert first.arrived_at == datetime(2026, 9, 5, 8, 0, tzinfo=VN_TZ)
        assert first.expected_departure == datetime(2027, 1, 15, 12, 0, tzinfo=VN_TZ)
        assert "stay.temporary_residence_required" in first.warnings
        # one arrival notification each, with its deadline (23:00 of the day of arrival), flagged late
        notes = db.session.execute(select(Notification).where(Notification.stay_id == first.id)).scalars().all()
        assert [(n.event, n.category) for n in notes] == [("arrival", "residence")]
        assert notes[0].deadline_at == datetime(2026, 9, 5, 23, 0, tzinfo=VN_TZ)
    # the same file again: nothing new, the roster is the same 300
    again = preview(warden, term_id, xlsx_bytes(students(300), head=ROSTER_HEAD), "hk1.xlsx").get_data(as_text=True)
    assert again.count('class="imported"') == 300 and 'name="token"' not in again
    assert scalar(app, select(func.count()).select_from(Stay)) == 300
    assert scalar(app, select(func.count()).select_from(TermStay)) == 300
    term_page = warden.get(f"/facility/terms/{term_id}").get_data(as_text=True)
    assert "300" in term_page and students(1)[0][1] in term_page


def test_bad_rows_are_named_and_the_good_ones_imported(app, warden):
    term_id = new_term(warden, "HK1 2026-2027", "2026-09-05", "2027-01-15")
    rows = students(5)
    rows[1][5] = "001199100001"                       # birth year 1991 in the number, 2006 in the date
    rows[3][2] = ""                                   # no birth date
    rows[4] += ["2026-09-10 07:00"]                   # this one came later than the term's first day
    head = ROSTER_HEAD + ["Ngày giờ đến"]
    html = preview(warden, term_id, roster_csv(rows, head)).get_data(as_text=True)
    assert html.count('<tr class="bad"') == 2 and html.count('<tr class="ok"') == 3
    bad = re.search(r'<tr class="bad" data-line="3">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="cell-error">001199100001<div class="error">' in bad
    assert '<tr class="bad" data-line="5">' in html
    confirm(warden, term_id, html)
    with app.app_context():
        arrivals = sorted(db.session.execute(select(Stay.arrived_at)).scalars())
    assert len(arrivals) == 3 and arrivals[-1] == datetime(2026, 9, 10, 7, 0, tzinfo=VN_TZ)


def test_term_form_names_the_field_and_terms_are_a_dormitory_s_own(app, warden, client):
    response = warden.post("/facility/terms", {"name": "HK2", "starts_on": "2027-02-10", "ends_on": "2027-01-01"})
    assert response.status_code == 422
    assert 'id="ends_on-error"' in response.get_data(as_text=True)
    new_term(warden, "HK2", "2026-09-01", "2026-12-31")
    taken = warden.post("/facility/terms", {"name": "HK2", "starts_on": "2026-09-01", "ends_on": "2026-12-31"})
    assert taken.status_code == 422 and 'id="name-error"' in taken.get_data(as_text=True)
    future = new_term(warden, "HK3", "2027-02-10", "2027-06-30")
    page = preview(warden, future, roster_csv(students(2)))
    assert page.status_code == 422 and 'id="not-started"' in page.get_data(as_text=True)
    assert scalar(app, select(func.count()).select_from(Stay)) == 0
    # a hotel's menu has no "Terms" (the pages answer it, with its own terms only)
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="HOTEL-9", name="Khách sạn", kind="tourist_accommodation", ward_code="16681", address="x")
    make_user(app, code="HOTEL-9", email="hotel@example.com")
    hotel = login(app.test_client(), email="hotel@example.com")
    assert hotel.get("/facility/terms").status_code == 200
    assert hotel.get(f"/facility/terms/{future}").status_code == 404
    assert "/facility/terms" not in hotel.get("/facility/").get_data(as_text=True)
    assert "/facility/terms" in warden.get("/facility/").get_data(as_text=True)


def test_the_30_day_list_names_who_and_since_when(app, warden, clock):
    term_id = new_term(warden, "HK hè 2026", "2026-11-01", "2026-11-20")     # 19 days planned
    confirm(warden, term_id, preview(warden, term_id, roster_csv(students(3))).get_data(as_text=True))
    long_id = new_term(warden, "HK1 2026-2027", "2026-10-28", "2027-01-15")
    confirm(warden, long_id, preview(warden, long_id, roster_csv(students(2, offset=10))).get_data(as_text=True))
    page = warden.get("/facility/long-stays").get_data(as_text=True)
    rows = re.findall(r"<tr><td><a [^>]*>([^<]+)</a></td><td>([^<]*)</td><td>([^<]+)</td><td>(\d+)</td></tr>", page)
    # planned to 15/01/2027 from 28/10/2026 08:00: 79 days; the summer term's 19 days are not listed
    assert rows == [(students(1, 10)[0][1], "A102", "28/10/2026", "79"), (students(1, 11)[0][1], "A102", "28/10/2026", "79")]
    assert "Điều 27" in page and "cần đăng ký tạm trú" in page and "Lưu trú từ 30 ngày trở lên" in page
    # the summer students stay on past their planned day: on 1 December they have been there 30 days
    warden = moved(app, clock, datetime(2026, 12, 1, 7, 59, tzinfo=VN_TZ))
    assert len(re.findall(r"<tr><td>", warden.get("/facility/long-stays").get_data(as_text=True))) == 2
    clock.move_to(datetime(2026, 12, 1, 8, 0, tzinfo=VN_TZ))
    assert len(re.findall(r"<tr><td>", warden.get("/facility/long-stays").get_data(as_text=True))) == 5


def test_returning_students_are_declared_again_in_one_step(app, warden, clock):
    warden = moved(app, clock, datetime(2026, 9, 6, 10, 0, tzinfo=VN_TZ))
    last = new_term(warden, "HK1 2026-2027", "2026-09-05", "2027-01-15")
    confirm(warden, last, preview(warden, last, roster_csv(students(40))).get_data(as_text=True))
    warden = moved(app, clock, datetime(2027, 2, 16, 9, 0, tzinfo=VN_TZ))
    term = new_term(warden, "HK2 2026-2027", "2027-02-15", "2027-06-30")
    term_page = warden.get(f"/facility/terms/{term}").get_data(as_text=True)
    assert f'href="/facility/terms/{term}/returning"' in term_page
    page = warden.get(f"/facility/terms/{term}/returning").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="stay" value="([^"]+)" checked>', page)
    assert len(boxes) == 40
    left = boxes[:3]                                    # three students left: staff untick them
    response = warden.post(f"/facility/terms/{term}/returning", {"stay": [b for b in boxes if b not in left]})
    assert response.status_code == 200 and re.search(r"<li>[^<]*: 37</li>", response.get_data(as_text=True))
    with app.app_context():
        new = db.session.execute(select(Stay).join(TermStay, TermStay.stay_id == Stay.id)
                                 .where(TermStay.term_id == term)).scalars().all()
        assert len(new) == 37
        assert {s.arrived_at for s in new} == {datetime(2027, 2, 15, 8, 0, tzinfo=VN_TZ)}
        assert {s.expected_departure for s in new} == {datetime(2027, 6, 30, 12, 0, tzinfo=VN_TZ)}
        old = {s.id: s for s in db.session.execute(select(Stay).where(Stay.id.in_(boxes))).scalars()}
        for stay in new:
            before = old[stay.external_ref.rsplit("-", 1)[1]]
            assert stay.room == before.room and stay.reason == "study"
            g_new = db.session.execute(select(Guest).where(Guest.stay_id == stay.id)).scalar_one()
            g_old = db.session.execute(select(Guest).where(Guest.stay_id == before.id)).scalar_one()
            assert (g_new.full_name, g_new.id_number, g_new.date_of_birth) == \
                (g_old.full_name, g_old.id_number, g_old.date_of_birth)
            note = db.session.execute(select(Notification).where(Notification.stay_id == stay.id)).scalar_one()
            assert note.event == "arrival" and note.deadline_at == datetime(2027, 2, 15, 23, 0, tzinfo=VN_TZ)
        assert not ({b for b in left} & {s.external_ref.rsplit("-", 1)[1] for s in new})
    # sent again (a double tap): nothing more; the page shows them as declared already
    again = warden.post(f"/facility/terms/{term}/returning", {"stay": boxes})
    assert re.search(r"<li>[^<]*: 3</li>", again.get_data(as_text=True))  # only the 3 left out are new
    assert scalar(app, select(func.count()).select_from(TermStay).where(TermStay.term_id == term)) == 40
    page = warden.get(f"/facility/terms/{term}/returning").get_data(as_text=True)
    assert page.count(" disabled>") == 40


def test_returning_without_a_previous_term_and_forged_tokens(app, warden):
    only = new_term(warden, "HK1 2026-2027", "2026-09-05", "2027-01-15")
    assert warden.get(f"/facility/terms/{only}/returning").status_code == 302
    assert warden.post(f"/facility/terms/{only}/import/confirm", {"token": "forged"}).status_code == 400
    other = new_term(warden, "HK hè 2026", "2026-06-01", "2026-08-15")
    html = preview(warden, only, roster_csv(students(2))).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    # a token of one term is not accepted by another
    assert warden.post(f"/facility/terms/{other}/import/confirm", {"token": token}).status_code == 400
    assert scalar(app, select(func.count()).select_from(Stay)) == 0
    assert warden.get("/facility/terms/trm_nope").status_code == 404


def test_the_api_lists_stays_of_30_days_or_more(api):
    now = factories.local_now()
    long_ago = api.post("/stays", json=factories.stay(
        arrived_at=(now - timedelta(days=30)).isoformat(), room="7")).get_json()
    planned = api.post("/stays", json=factories.stay(
        expected_departure=(now + timedelta(days=30)).isoformat())).get_json()
    short = api.post("/stays", json=factories.stay(
        arrived_at=(now - timedelta(days=29, hours=23, minutes=59)).isoformat()))
    assert short.status_code == 201
    response = api.get("/long-stays")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert (body["total"], body["days"]) == (2, 30) and "Điều 27" in body["law"]
    assert [(i["stay_id"], i["days"], i["room"]) for i in body["long_stays"]] == [
        (long_ago["id"], 30, "7"), (planned["id"], 30, "101")]
    assert body["long_stays"][0]["arrived_at"].endswith("+07:00")
    assert body["long_stays"][0]["guests"] == [{"id": long_ago["guests"][0]["id"],
                                                "full_name": long_ago["guests"][0]["full_name"]}]
    assert len(api.get("/long-stays?limit=1").get_json()["long_stays"]) == 1
    bad = api.get("/long-stays?limit=0")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "limit"
    assert api.get("/long-stays?x=1").status_code == 422
    # a departure takes the stay off the list
    api.post(f"/stays/{long_ago['id']}/departure", json={})
    assert api.get("/long-stays").get_json()["total"] == 1
