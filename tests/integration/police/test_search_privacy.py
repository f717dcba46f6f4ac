"""The search text (a name, an ID or passport number) never appears in a URL the app generates.

It travels in the POST body of the filter form and is kept server-side (encrypted); URLs carry a short random
handle `s`. A `q` in an inbox URL (an old bookmark) is ignored, never executed.
"""
import csv
import io
import json
import re
from datetime import timedelta
from html import unescape
from urllib.parse import quote, quote_plus, urlsplit

from accommnotify.police import searches
from accommnotify.police.queries import vn_today
from accommnotify.timeutil import utcnow

from .helpers import WARD_A, add_notification, add_officer, audit_rows, in_app, search, vn_midday

NAME = "nguyen van duc"
NUMBER = "001190012345"
PASSPORT = "L898902C3"
URL_ATTR = re.compile(r'(?:href|action|src)="([^"]*)"|name="back" value="([^"]*)"')


def _leak_forms(text):
    """Every way the text could sit in a URL: as typed, folded, percent- or plus-encoded, word by word."""
    forms = {text, text.lower(), text.upper(), quote(text), quote_plus(text)}
    words = [w for w in text.split() if len(w) >= 5]     # shorter ones could be chance parts of random ids
    forms |= set(words) | {quote(w) for w in words}
    return {f.lower() for f in forms}


def _urls(response):
    """The Location and every link / form target / `back` value in a response."""
    found = [response.headers.get("Location", "")]
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    for m in URL_ATTR.finditer(html):
        found.append(unescape(m.group(1) or m.group(2)))
    return [u for u in found if u]


def _assert_clean(responses, *texts):
    for response in responses:
        for url in _urls(response):
            low = url.lower()
            for text in texts:
                for form in _leak_forms(text):
                    assert form not in low, (form, url)


def test_no_generated_url_carries_the_search(papp, as_officer):
    now = utcnow()
    with in_app(papp):
        duc = add_notification(full_name="Nguyễn Văn Đức", id_number=NUMBER, received_at=now - timedelta(seconds=1))
        add_notification(full_name="Anna Eriksson", document_number=PASSPORT)
        for i in range(55):          # enough namesakes, some days back, for a second page
            add_notification(full_name=f"Nguyễn Văn Đức {i:02d}",
                             received_at=vn_midday(vn_today() - timedelta(days=3)) - timedelta(seconds=i))
        add_notification(full_name="Trần Thị Bình")
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    seen = []

    # the form posts; the answer is a 303 to the inbox with a handle only
    posted = search(c, NAME, follow=False, late="", date_from="", facility="")
    assert posted.status_code == 303
    location = posted.headers["Location"]
    assert urlsplit(location).path == "/police/" and re.search(r"[?&]s=[A-Za-z0-9_-]{6,16}(&|$)", location)
    seen.append(posted)

    page1 = c.get(location)
    html = page1.get_data(as_text=True)
    assert "Nguyễn Văn Đức" in html and "Trần Thị Bình" not in html and "Anna Eriksson" not in html
    assert f'value="{NAME}"' in html              # the officer still sees what was searched, in the form
    assert 'rel="next"' in html
    seen.append(page1)
    next_url = unescape(re.search(r'href="([^"]*)" rel="next"', html).group(1))
    assert "s=" in next_url and "page=2" in next_url
    page2 = c.get(next_url)
    assert "Nguyễn Văn Đức 5" in page2.get_data(as_text=True) and "Trần Thị Bình" not in page2.get_data(as_text=True)
    seen.append(page2)

    # the detail's "back" goes to the search (by its handle); acknowledging keeps it clean
    detail = c.get(f"/police/n/{duc}")
    back = unescape(re.search(r'<a href="([^"]*)">← ', detail.get_data(as_text=True)).group(1))
    assert back.startswith("/police/?") and "s=" in back
    seen += [detail, c.post(f"/police/n/{duc}/acknowledge")]
    back_field = unescape(re.search(r'name="back" value="([^"]*)"', html).group(1))
    assert "s=" in back_field
    seen.append(c.post("/police/acknowledge", data={"ids": [duc], "back": back_field}))
    assert "Nguyễn Văn Đức" in c.get(back).get_data(as_text=True)

    # the export form carries the handle, and exports the search
    export_fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">',
                                    html.split('action="/police/export"')[1].split("</form>")[0]))
    assert "q" not in export_fields and export_fields.get("s")
    exported = c.post("/police/export", data=export_fields)
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 56 and "Trần Thị Bình" not in exported.data.decode("utf-8-sig")

    # numbers: a citizen ID and a passport number
    for number in (NUMBER, PASSPORT.lower()):
        posted = search(c, number, follow=False)
        shown = c.get(posted.headers["Location"])
        seen += [posted, shown]
    assert "Anna Eriksson" in shown.get_data(as_text=True)

    assert sum(len(_urls(r)) for r in seen) > 50          # the check below looks at something
    _assert_clean(seen, NAME, "Nguyễn Văn Đức", NUMBER, PASSPORT)


def test_the_leak_check_catches_a_leak():
    from werkzeug.wrappers import Response
    for url in ("/police/?q=nguyen+van+duc", "/police/?q=Nguy%E1%BB%85n", f"/police/?x={NUMBER}"):
        leaky = Response('<a href="%s">x</a>' % url, mimetype="text/html")
        try:
            _assert_clean([leaky], NAME, "Nguyễn Văn Đức", NUMBER)
        except AssertionError:
            continue
        raise AssertionError(f"not caught: {url}")


def test_q_in_a_url_is_ignored(papp, as_officer):
    with in_app(papp):
        add_notification(full_name="Nguyễn Văn Đức", id_number=NUMBER)
        add_notification(full_name="Old Guest", id_number="001190099999",
                         received_at=vn_midday(vn_today() - timedelta(days=10)))
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    for q in ("old+guest", "001190099999"):
        r = c.get(f"/police/?q={q}")
        html = r.get_data(as_text=True)
        assert r.status_code == 200
        assert "Old Guest" not in html and "Nguyễn Văn Đức" in html       # today's unfiltered view
        assert 'name="q" type="search" value=""' in html
        _assert_clean([r], "old guest", "001190099999")
    # audited as a plain list, with no search text
    assert [a.action for a in audit_rows(papp)] == ["list", "list"]
    assert all("q" not in json.loads(a.filters) for a in audit_rows(papp))


def test_unknown_or_expired_handle_is_no_search(papp, as_officer):
    with in_app(papp):
        add_notification(full_name="Nguyễn Văn Đức")
        add_notification(full_name="Old Guest", received_at=vn_midday(vn_today() - timedelta(days=10)))
        add_officer("o", f"ward:{WARD_A}")
        add_officer("p", f"ward:{WARD_A}")
    c = as_officer("o")
    r = c.get("/police/?s=doesnotexist")
    assert r.status_code == 200 and "Nguyễn Văn Đức" in r.get_data(as_text=True)
    assert "Old Guest" not in r.get_data(as_text=True)
    assert c.get("/police/?s=<>").status_code == 200

    first = search(c, "old guest", follow=False).headers["Location"]
    assert "Old Guest" in c.get(first).get_data(as_text=True)
    # another session does not know the handle
    assert "Old Guest" not in as_officer("p").get(first).get_data(as_text=True)
    # only the last few searches are kept
    for i in range(searches.KEEP):
        search(c, f"someone {i}", follow=False)
    html = c.get(first).get_data(as_text=True)
    assert "Old Guest" not in html and "Nguyễn Văn Đức" in html
    # the same text again gets its handle back (no churn), and a new search works
    again = search(c, "old guest", follow=False).headers["Location"]
    assert again != first and "Old Guest" in c.get(again).get_data(as_text=True)
    assert search(c, "old guest", follow=False).headers["Location"] == again

    # an export of a forgotten search exports nothing: back to the inbox with a message
    before = len(audit_rows(papp))
    r = c.post("/police/export", data={"s": first.split("s=")[1].split("&")[0]}, headers={"Accept-Language": "en"})
    assert r.status_code == 303 and r.mimetype != "text/csv"
    assert [a.action for a in audit_rows(papp)[before:]] == []
    assert "That search has expired" in c.get(r.headers["Location"], headers={"Accept-Language": "en"}).get_data(
        as_text=True)

    # logging out forgets the searches
    c.post("/police/logout")
    from .helpers import login
    login(c, "o")
    assert "Old Guest" not in c.get(again).get_data(as_text=True)


def test_bad_dates_are_reported_without_echoing_the_input(papp, as_officer):
    with in_app(papp):
        add_officer("o", f"ward:{WARD_A}")
    c = as_officer("o")
    r = search(c, "", follow=False, date_from="nguyen van duc")
    assert r.status_code == 303 and "nguyen" not in r.headers["Location"]
    html = c.get(r.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A date was not understood" in html
