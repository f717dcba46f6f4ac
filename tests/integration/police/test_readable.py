"""Issue 11 (police): what an officer reads — a search from the inbox form covers all dates, words
instead of codes, one date format, an amendment's changes.

Each request runs in its own app context; data is set up in short contexts of its own."""
import re
from datetime import timedelta
from html import unescape

import pytest

from accommnotify.extensions import db
from accommnotify.police.queries import vn_today
from tests.conftest import make_app

from .helpers import FAST_HASH, WARD_A, add_notification, add_officer, login, vn_midday


@pytest.fixture
def rapp(database_url):
    application = make_app(database_url, WTF_CSRF_ENABLED=False, POLICE_FACILITY_CACHE_SECONDS=0, **FAST_HASH)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def setup(app, fn, *args, **kwargs):
    with app.app_context():
        try:
            return fn(*args, **kwargs)
        finally:
            db.session.remove()


@pytest.fixture
def officer_client(rapp):
    setup(rapp, add_officer, "o", f"ward:{WARD_A}", role="supervisor")
    client = rapp.test_client()
    assert login(client, "o").status_code == 302
    return client


def form_values(html: str, action: str) -> dict:
    """What a browser would submit from the form posting to `action` (text/date inputs as shown)."""
    form = re.search(r'<form[^>]*action="%s"[^>]*>(.*?)</form>' % re.escape(action), html, re.S).group(1)
    values = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or re.search(r'type="(checkbox|hidden)"', tag):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = unescape(value.group(1)) if value else ""
    return values


def test_a_search_typed_into_the_inbox_form_covers_all_dates(rapp, officer_client):
    setup(rapp, add_notification, full_name="Nguyễn Văn Đức")
    setup(rapp, add_notification, full_name="Trần Thị Lan", received_at=vn_midday(vn_today() - timedelta(days=8)))
    page = officer_client.get("/police/").get_data(as_text=True)
    assert "Nguyễn Văn Đức" in page and "Trần Thị Lan" not in page       # browsing: today
    values = form_values(page, "/police/search")
    assert values["date_from"] == "" and values["date_to"] == ""        # not pre-filled with today
    values["q"] = "tran thi lan"
    found = officer_client.post("/police/search", data=values, follow_redirects=True).get_data(as_text=True)
    assert "Trần Thị Lan" in found
    # dates the officer gives are kept in the form and narrow the search
    day = (vn_today() - timedelta(days=1)).isoformat()
    narrowed = officer_client.post("/police/search", data=values | {"date_from": day, "date_to": day},
                                   follow_redirects=True).get_data(as_text=True)
    assert "Trần Thị Lan" not in narrowed
    assert form_values(narrowed, "/police/search")["date_from"] == day


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def visible(html: str) -> str:
    """The page's text without tags (date inputs keep ISO values, as HTML requires)."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_police_pages_show_dates_as_dd_mm_yyyy(rapp, officer_client):
    from datetime import date
    from accommnotify.timeutil import VN_TZ, utcnow
    nid = setup(rapp, add_notification, full_name="Nguyễn Văn Đức", late=True, document_number="B1234567",
                visa_kind="e_visa", visa_number="EV1", visa_valid_until=date(2027, 1, 31), entry_date=date(2026, 11, 20))
    received = utcnow().astimezone(VN_TZ)
    stamp = received.strftime("%d/%m/%Y")
    for path in ("/police/", f"/police/n/{nid}", "/police/compliance/late", "/police/compliance/silent?days=1"):
        text = visible(officer_client.get(path).get_data(as_text=True))
        assert not ISO_DATE.search(text), (path, ISO_DATE.search(text))
    detail = visible(officer_client.get(f"/police/n/{nid}").get_data(as_text=True))
    assert "02/01/1990" in detail                      # date of birth
    assert "31/01/2027" in detail and "20/11/2026" in detail
    assert re.search(re.escape(stamp) + r" \d{2}:\d{2}", detail)
    inbox = visible(officer_client.get("/police/").get_data(as_text=True))
    assert stamp in inbox
    audit = visible(officer_client.get("/police/audit").get_data(as_text=True))
    assert re.search(re.escape(stamp) + r" \d{2}:\d{2}", audit)      # when


def test_facility_and_police_pages_share_one_date_helper(rapp):
    from accommnotify import timeutil
    env = rapp.jinja_env
    assert env.globals["fmt_time"] is timeutil.fmt_time and env.filters["fmt_time"] is timeutil.fmt_time
    assert env.globals["fmt_date"] is timeutil.fmt_date
    assert timeutil.fmt_time("2026-11-27T21:34:00+07:00") == "27/11/2026 21:34"
    assert timeutil.fmt_time("2026-11-27T14:34:00+00:00") == "27/11/2026 21:34"
    assert timeutil.fmt_date("1990-06-17") == "17/06/1990"


def test_police_pages_read_in_words_not_codes(rapp, officer_client):
    """Issue 11 item 2: reason, document and visa kinds, event, category, sex, nationality by name."""
    from datetime import date
    nid = setup(rapp, add_notification, full_name="Anna Eriksson", document_number="B1234567",
                visa_kind="e_visa", visa_number="EV1", visa_valid_until=date(2027, 1, 31), event="amendment")
    detail = " ".join(visible(officer_client.get(f"/police/n/{nid}").get_data(as_text=True)).split())
    for word in ("Du lịch", "Hộ chiếu", "Thị thực điện tử", "Thụy Điển", "Giới tính Nam", "Sửa thông tin", "Người nước ngoài"):
        assert word in detail, word
    for code in ("tourism", "passport", "e_visa", "SWE", "male", "amendment", "foreigner"):
        assert not re.search(rf"\b{code}\b", detail), code
    english = visible(officer_client.get(f"/police/n/{nid}?lang=en").get_data(as_text=True))
    for word in ("Tourism", "Passport", "E-visa", "Sweden", "Male", "Amendment"):
        assert word in english, word
    inbox = visible(officer_client.get("/police/").get_data(as_text=True))
    assert "Thụy Điển" in inbox and not re.search(r"\bSWE\b", inbox)


def test_csv_keeps_each_code_and_adds_it_in_words(rapp, officer_client):
    import csv
    import io
    setup(rapp, add_notification, full_name="Anna Eriksson", document_number="B1234567", visa_kind="visa_exempt")
    r = officer_client.post("/police/export", data={}, headers={"Accept-Language": "en"})
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    [row] = rows
    assert (row["Reason"], row["Reason (in words)"]) == ("tourism", "Tourism")
    assert (row["Nationality"], row["Nationality (in words)"]) == ("SWE", "Sweden")
    assert (row["Event"], row["Event (in words)"]) == ("arrival", "Arrival")
    assert (row["Category"], row["Category (in words)"]) == ("foreigner", "Foreigner")
    assert (row["Sex"], row["Sex (in words)"]) == ("male", "Male")
    assert (row["Document type"], row["Document type (in words)"]) == ("passport", "Passport")
    assert (row["Visa"], row["Visa (in words)"]) == ("visa_exempt", "Visa exemption")
    vi = officer_client.post("/police/export", data={})
    header = next(csv.reader(io.StringIO(vi.data.decode("utf-8-sig"))))
    assert "Quốc tịch (bằng chữ)" in header


def test_audit_log_reads_as_sentences(rapp, officer_client):
    setup(rapp, add_notification, full_name="Trần Thị Lan")
    officer_client.get("/police/")
    officer_client.post("/police/search", data={"q": "tran thi lan"}, follow_redirects=True)
    page = officer_client.get("/police/audit").get_data(as_text=True)
    text = visible(page)
    assert "o tìm theo tên “tran thi lan”, 1 kết quả (mọi ngày)" in text
    assert f"o xem hộp thư, 1 thông báo (nhận ngày {vn_today().strftime('%d/%m/%Y')})" in text
    for raw in ("api_list", ">search<", ">list<", "web", "{", '"q"'):
        assert raw not in page.split("<main", 1)[1].split("</form>", 1)[1], raw
    assert "Tìm kiếm" in page                 # the action filter in words
    english = visible(officer_client.get("/police/audit?lang=en").get_data(as_text=True))
    assert "o searched by name “tran thi lan”, 1 result(s) (all dates)" in english


def test_an_amendment_shows_what_changed_before_and_after(rapp, officer_client):
    """Issue 11 item 4: field by field, against the version it corrects (the arrival, then the
    previous amendment)."""
    from datetime import date
    from accommnotify.timeutil import utcnow
    now = utcnow()
    arrival = setup(rapp, add_notification, full_name="Nguyen Van An", id_number="001090012345", room="101",
                    received_at=now - timedelta(hours=3))
    def amendment(amends, **fields):
        from accommnotify.models.inbox import InboxNotification
        nid = add_notification(id_number="001090012345", event="amendment", facility_code="F-" + WARD_A, **fields)
        row = db.session.get(InboxNotification, nid)
        row.amends = amends
        original = db.session.get(InboxNotification, amends)
        if original is not None:
            row.arrived_at = original.arrived_at        # the same stay
        row.reason = fields.get("room") == "204" and "business" or row.reason
        db.session.commit()
        return nid

    first = setup(rapp, amendment, arrival, full_name="Nguyễn Văn An", room="203", received_at=now - timedelta(hours=2))
    second = setup(rapp, amendment, arrival, full_name="Nguyễn Văn An", room="204", received_at=now - timedelta(hours=1))

    def changes(nid):
        html = officer_client.get(f"/police/n/{nid}").get_data(as_text=True)
        table = re.search(r'<table class="list plain changes">(.*?)</table>', html, re.S)
        rows = re.findall(r'<tr><th scope="row">(.*?)</th><td[^>]*><del>(.*?)</del></td><td[^>]*>→ <ins>(.*?)</ins></td></tr>',
                          table.group(1) if table else "")
        return [tuple(unescape(x) for x in row) for row in rows]

    assert changes(first) == [("Họ và tên", "Nguyen Van An", "Nguyễn Văn An"), ("Phòng", "101", "203")]
    assert changes(second) == [("Phòng", "203", "204"), ("Lý do lưu trú", "Du lịch", "Công tác")]
    # an arrival shows no such section; an amendment whose arrival is not in this inbox says so
    assert "Những gì đã thay đổi" not in officer_client.get(f"/police/n/{arrival}").get_data(as_text=True)
    orphan = setup(rapp, amendment, "ntf_not_here", received_at=now)
    assert "không có trong hộp thư này" in officer_client.get(f"/police/n/{orphan}").get_data(as_text=True)


def test_a_guest_removed_from_a_stay_reads_as_removed_with_who_is_left(rapp, officer_client):
    """Issue 11 item 11: a facility removes one guest entered by mistake; the police get that person's
    cancellation (amends = the arrival) and read before -> after, and whether the stay goes on."""
    from accommnotify.models.inbox import InboxNotification
    from accommnotify.timeutil import utcnow
    now = utcnow()

    def same_stay(nid, stay_id="st_family", amends=None):
        row = db.session.get(InboxNotification, nid)
        row.stay_id, row.amends, row.facility_code = stay_id, amends, "F-" + WARD_A
        db.session.commit()
        return nid

    def add(stay_id="st_family", amends=None, **kw):
        return same_stay(add_notification(facility_code="F-" + WARD_A, **kw), stay_id, amends)

    mother = setup(rapp, add, full_name="Trần Thị Mẹ", received_at=now - timedelta(hours=3))
    wrong = setup(rapp, add, full_name="Lê Văn Nhầm", received_at=now - timedelta(hours=3))
    setup(rapp, add, stay_id="st_other", full_name="Người Khác", received_at=now - timedelta(hours=3))
    removed = setup(rapp, add, event="cancellation", amends=wrong, full_name="Lê Văn Nhầm", received_at=now)

    html = officer_client.get(f"/police/n/{removed}").get_data(as_text=True)
    text = " ".join(visible(html).split())
    assert "Hủy" in text and "bị nhập nhầm" in text
    row = re.search(r'<tr><th scope="row">(.*?)</th><td[^>]*><del>(.*?)</del></td><td[^>]*>→ <ins>(.*?)</ins></td></tr>', html)
    assert row and unescape(row.group(1)) == "Lê Văn Nhầm" and unescape(row.group(3)) == "Đã xóa khỏi lần lưu trú"
    assert unescape(row.group(2)).startswith("Đã thông báo (thông báo đến nhận lúc ")
    assert "Chỉ người này bị xóa: 1 người khác của cùng lần lưu trú vẫn còn" in text
    assert f'href="/police/n/{wrong}"' in html
    english = " ".join(visible(officer_client.get(f"/police/n/{removed}?lang=en").get_data(as_text=True)).split())
    assert "Removed from the stay" in english and "1 other person of the same stay is still registered" in english
    # The rest of the stay taken back too: nobody is left.
    last = setup(rapp, add, event="cancellation", amends=mother, full_name="Trần Thị Mẹ", received_at=now)
    assert "Không còn ai của lần lưu trú này" in visible(officer_client.get(f"/police/n/{last}").get_data(as_text=True))
    # An arrival shows no such section.
    assert "Đã xóa khỏi lần lưu trú" not in officer_client.get(f"/police/n/{mother}").get_data(as_text=True)
