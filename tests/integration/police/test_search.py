"""Accent- and case-free name search, exact numbers, filters combined, today by default."""
from datetime import timedelta
from urllib.parse import parse_qsl

from accommnotify.police.queries import vn_today
from tests.conftest import postgres_only

from .helpers import WARD_A, add_notification, add_officer, in_app, search, vn_midday

NAMES = ("Nguyễn Văn Đức", "Nguyễn Thị Ánh", "Đặng Quang Huy", "Anna Eriksson", "Old Guest")


def _names(client, query):
    """Plain filters as GET query strings; a search (`q=`) through the POST form and its redirect."""
    args = dict(parse_qsl(query))
    if "q" in args:
        response = search(client, **args)
        assert response.request.method == "GET" and response.request.path == "/police/"
    else:
        response = client.get("/police/?" + query)
    html = response.get_data(as_text=True)
    return {n for n in NAMES if n in html}


def test_name_search_ignores_accents_case_and_d(papp, as_officer):
    with in_app(papp):
        add_notification(full_name="Nguyễn Văn Đức")
        add_notification(full_name="Nguyễn Thị Ánh")
        add_notification(full_name="Đặng Quang Huy")
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    assert _names(c, "q=nguyen+van+duc") == {"Nguyễn Văn Đức"}
    assert _names(c, "q=NGUYEN+VAN+DUC") == {"Nguyễn Văn Đức"}
    assert _names(c, "q=Nguyễn+Văn+Đức") == {"Nguyễn Văn Đức"}
    assert _names(c, "q=nguyen") == {"Nguyễn Văn Đức", "Nguyễn Thị Ánh"}
    assert _names(c, "q=dang+quang") == {"Đặng Quang Huy"}
    assert _names(c, "q=%C4%91%E1%BA%B7ng") == {"Đặng Quang Huy"}      # "đặng"
    assert _names(c, "q=van+duc") == {"Nguyễn Văn Đức"}                 # substring
    assert _names(c, "q=%25") == set()                                   # LIKE wildcards are literal
    assert _names(c, "q=_") == set()


def test_name_search_matches_whole_words_in_order(papp, as_officer):
    """Words, not letters: "an" is a name of its own, not the start of "Anh" or the end of "Lan".
    The same on both databases, although PostgreSQL first narrows by its index of words."""
    names = ("Nguyễn Văn An", "Nguyễn Văn Anh", "Lê Thị Lan", "Văn An Nguyễn", "Seán O'Brien", "Jean-Pierre Dupont")
    with in_app(papp):
        for name in names:
            add_notification(full_name=name)
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")

    def found(q):
        html = search(c, q=q).get_data(as_text=True)
        return {n for n in names if '">' + n.replace("'", "&#39;") + "</a>" in html}

    assert found("an") == {"Nguyễn Văn An", "Văn An Nguyễn"}
    assert found("van an") == {"Nguyễn Văn An", "Văn An Nguyễn"}
    assert found("an van") == set()                                   # in that order
    assert found("nguyen van") == {"Nguyễn Văn An", "Nguyễn Văn Anh"}
    assert found("van") == {"Nguyễn Văn An", "Nguyễn Văn Anh", "Văn An Nguyễn"}
    assert found("nguyen van a") == set()                             # a word is typed whole
    assert found("lan") == {"Lê Thị Lan"}
    # A word with an apostrophe or a hyphen is matched as written; the other words still narrow.
    assert found("o'brien") == {"Seán O'Brien"}
    assert found("sean o'brien") == {"Seán O'Brien"}
    assert found("jean-pierre dupont") == {"Jean-Pierre Dupont"}
    assert found("pierre") == set()


@postgres_only
def test_postgresql_narrows_a_name_search_by_its_index_of_words(papp):
    """At a province's year, a name search is fast only through the words index (migration 0022):
    the clauses must carry the index's own expression, so that the planner can use it."""
    from sqlalchemy import select, text

    from accommnotify.extensions import db
    from accommnotify.models.inbox import InboxNotification
    from accommnotify.police.queries import name_match
    with in_app(papp):
        add_notification(full_name="Nguyễn Văn An")
        add_notification(full_name="Nguyễn Văn Anh")
        add_officer("o", f"ward:{WARD_A}")
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        stmt = select(InboxNotification.id).where(*name_match("Nguyễn Văn An"))
        sql = str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(r[0] for r in db.session.execute(text("EXPLAIN " + sql.replace("%%", "%"))))
        assert "Bitmap Index Scan" in plan and "to_tsvector('simple'::regconfig" in plan, plan
        db.session.rollback()


def test_exact_number_search(papp, as_officer):
    with in_app(papp):
        add_notification(full_name="Nguyễn Văn Đức", id_number="001190012345")
        add_notification(full_name="Anna Eriksson", document_number="L898902C3")
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    assert _names(c, "q=001190012345") == {"Nguyễn Văn Đức"}
    assert _names(c, "q=+001190012345+") == {"Nguyễn Văn Đức"}
    assert _names(c, "q=00119001234") == set()          # exact, not a prefix
    assert _names(c, "q=l898902c3") == {"Anna Eriksson"}  # passport numbers are upper-case
    assert _names(c, "q=898902") == set()


def test_today_by_default_and_search_across_dates(papp, as_officer):
    with in_app(papp):
        add_notification(full_name="Nguyễn Văn Đức")
        add_notification(full_name="Old Guest", received_at=vn_midday(vn_today() - timedelta(days=10)))
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    assert _names(c, "") == {"Nguyễn Văn Đức"}
    assert _names(c, "q=old+guest") == {"Old Guest"}
    ten = (vn_today() - timedelta(days=10)).isoformat()
    assert _names(c, f"date_from={ten}&date_to={ten}") == {"Old Guest"}
    assert _names(c, f"q=old+guest&date_from={vn_today().isoformat()}") == set()


def test_filters_combined(papp, as_officer):
    with in_app(papp):
        add_notification(full_name="Nguyễn Văn Đức", late=True, facility_code="HOTEL-X")
        add_notification(full_name="Nguyễn Thị Ánh", late=True, facility_code="HOTEL-Y")
        add_notification(full_name="Đặng Quang Huy", late=False, facility_code="HOTEL-X", event="departure")
        add_notification(full_name="Anna Eriksson", document_number="P1234567", late=True, facility_code="HOTEL-X",
                         acknowledged=True)
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    assert _names(c, "late=1") == {"Nguyễn Văn Đức", "Nguyễn Thị Ánh", "Anna Eriksson"}
    assert _names(c, "late=1&facility=HOTEL-X") == {"Nguyễn Văn Đức", "Anna Eriksson"}
    assert _names(c, "late=1&facility=hotel-x&unack=1") == {"Nguyễn Văn Đức"}
    assert _names(c, "category=foreigner") == {"Anna Eriksson"}
    assert _names(c, "event=departure") == {"Đặng Quang Huy"}
    assert _names(c, "q=nguyen&late=1&facility=HOTEL-Y") == {"Nguyễn Thị Ánh"}
    assert _names(c, "q=nguyen&event=departure") == set()


def test_a_scope_with_more_facilities_than_a_list_shows_gets_a_code_field(papp, as_officer):
    """A province has thousands of facilities: a drop-down of them all made every inbox page a
    megabyte. Above POLICE_FACILITY_SELECT_MAX the officer types the code, and the filter still works."""
    import re
    with in_app(papp):
        for code, name in (("HOTEL-X", "Nguyễn Văn Đức"), ("HOTEL-Y", "Nguyễn Thị Ánh"), ("HOTEL-Z", "Old Guest")):
            add_notification(full_name=name, facility_code=code)
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    papp.config["POLICE_FACILITY_SELECT_MAX"] = 3
    html = c.get("/police/").get_data(as_text=True)
    assert re.search(r'<select id="facility" name="facility">', html) and 'value="HOTEL-Z"' in html

    papp.config["POLICE_FACILITY_SELECT_MAX"] = 2
    html = c.get("/police/?facility=hotel-y").get_data(as_text=True)
    assert '<select id="facility"' not in html and 'HOTEL-X' not in html
    assert re.search(r'<input id="facility" name="facility" type="text" value="HOTEL-Y"', html)
    assert {n for n in NAMES if n in html} == {"Nguyễn Thị Ánh"}


def test_pagination_newest_first(papp, as_officer):
    from accommnotify.timeutil import utcnow
    now = utcnow()
    with in_app(papp):
        for i in range(55):
            add_notification(full_name=f"Khách Số {i:02d}", received_at=now - timedelta(seconds=i))
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    first = c.get("/police/").get_data(as_text=True)
    assert first.index("Khách Số 00") < first.index("Khách Số 01")
    assert "Khách Số 49" in first and "Khách Số 50" not in first and 'rel="next"' in first
    second = c.get("/police/?page=2").get_data(as_text=True)
    assert "Khách Số 50" in second and "Khách Số 54" in second and "Khách Số 49" not in second
    assert 'rel="next"' not in second
