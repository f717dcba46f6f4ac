"""Each request runs in its own app context, as in production: nothing of one request or one client
(`g`, Flask-Login's loaded officer, the API's token account) carries over to the next.

Before, the police fixture held one app context for the whole test, and every request ran in it: a
client with no cookie got the inbox after another client logged in, and the token-less search API
answered with the previous request's account.
"""
import pytest

from accommnotify.extensions import db
from accommnotify.models.inbox import InboxNotification
from accommnotify.models.police import Officer
from accommnotify.police.accounts import create_token

from .helpers import WARD_A, WARD_B, add_notification, add_officer, audit_rows, in_app, login


def _to_login(response):
    return response.status_code == 302 and "/police/login" in response.headers["Location"]


def _token(app, username):
    with in_app(app) as session:
        return create_token(session.scalar(db.select(Officer).where(Officer.username == username)))


def test_a_client_without_a_cookie_is_sent_to_login_after_another_logged_in(papp, as_officer):
    with in_app(papp):
        nid = add_notification(WARD_A, full_name="Nguyễn Văn An")
        add_officer("o", f"ward:{WARD_A}")
    officer = as_officer("o")
    anon = papp.test_client()
    for path in ("/police/", "/police/compliance", "/police/compliance/late", f"/police/n/{nid}"):
        # the officer's request just before loads the officer; the next client must not see it
        assert officer.get(path).status_code == 200, path
        response = anon.get(path)
        assert _to_login(response), (path, response.status_code)
        assert "Nguyễn Văn An" not in response.get_data(as_text=True)
    assert officer.get("/police/").status_code == 200
    assert _to_login(anon.post(f"/police/n/{nid}/acknowledge"))
    assert officer.get("/police/").status_code == 200
    assert _to_login(anon.post("/police/export", data={}))
    with in_app(papp) as session:
        assert session.get(InboxNotification, nid).acknowledged_at is None
    # only the officer's own list reads were audited, none for the refused client
    assert {(r.action, r.username) for r in audit_rows(papp)} == {("list", "o"), ("late", "o"), ("detail", "o")}


def test_each_client_sees_its_own_officer(papp, as_officer):
    with in_app(papp):
        add_notification(WARD_A, full_name="Nguyễn Văn An")
        add_notification(WARD_B, full_name="Trần Thị Bình")
        add_officer("ward-a", f"ward:{WARD_A}")
        add_officer("ward-b", f"ward:{WARD_B}")
    a, b = as_officer("ward-a"), as_officer("ward-b")
    for _ in range(2):  # interleaved: each request loads its client's officer afresh
        page_a = a.get("/police/").get_data(as_text=True)
        page_b = b.get("/police/").get_data(as_text=True)
        assert "Nguyễn Văn An" in page_a and "Trần Thị Bình" not in page_a
        assert "Trần Thị Bình" in page_b and "Nguyễn Văn An" not in page_b


def test_logging_out_in_one_client_ends_the_officers_other_sessions(papp, as_officer):
    """Logout bumps the officer's session version (issue 10, item 5): every session of that officer
    ends, in every browser; a new login in one does not revive the other."""
    with in_app(papp):
        add_officer("o", f"ward:{WARD_A}")
    first, second = as_officer("o"), as_officer("o")
    assert second.get("/police/").status_code == 200
    assert first.post("/police/logout").status_code == 302
    assert _to_login(first.get("/police/"))
    assert _to_login(second.get("/police/"))
    second = as_officer("o")
    assert second.get("/police/").status_code == 200
    assert _to_login(first.get("/police/"))


def test_a_login_needs_the_officer_loaded_from_the_session(papp):
    """A session cookie of an officer who no longer exists logs no one in."""
    with in_app(papp):
        add_officer("o", f"ward:{WARD_A}")
    c = papp.test_client()
    assert login(c, "o").status_code == 302
    assert c.get("/police/").status_code == 200
    with in_app(papp) as session:
        officer = session.scalar(db.select(Officer).where(Officer.username == "o"))
        officer.active = False
        session.commit()
    assert _to_login(c.get("/police/"))


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer pt_wrong"}, {"Authorization": "Basic x"}],
                         ids=["no-token", "unknown-token", "not-bearer"])
def test_the_search_api_needs_a_token(papp, headers):
    """POST /police/api/v1/notifications/search was skipped by the token check (answered 500 alone)."""
    with in_app(papp):
        add_notification(WARD_A, full_name="Nguyễn Văn An", id_number="001190000001")
        add_officer("sys", f"ward:{WARD_A}", kind="system")
    token = _token(papp, "sys")
    c = papp.test_client()
    ok = c.post("/police/api/v1/notifications/search", json={"q": "nguyen van an"},
                headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and [n["person"]["full_name"] for n in ok.get_json()["notifications"]] == [
        "Nguyễn Văn An"]
    for client in (c, papp.test_client()):   # right after a good request, and on a fresh client
        refused = client.post("/police/api/v1/notifications/search", json={"q": "nguyen van an"}, headers=headers)
        assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
        assert "Nguyễn" not in refused.get_data(as_text=True)
        assert "WWW-Authenticate" in refused.headers
    assert [r.action for r in audit_rows(papp)] == ["api_list"]   # the one answered search


def test_each_token_request_uses_its_own_account(papp):
    with in_app(papp):
        a = add_notification(WARD_A, full_name="Nguyễn Văn An", id_number="001190000001")
        b = add_notification(WARD_B, full_name="Trần Thị Bình", id_number="001190000002")
        add_officer("sys-a", f"ward:{WARD_A}", kind="system")
        add_officer("sys-b", f"ward:{WARD_B}", kind="system")
    headers_a = {"Authorization": f"Bearer {_token(papp, 'sys-a')}"}
    headers_b = {"Authorization": f"Bearer {_token(papp, 'sys-b')}"}
    c = papp.test_client()
    numbers = {a: "001190000001", b: "001190000002"}
    for _ in range(2):
        for headers, mine, theirs in ((headers_a, a, b), (headers_b, b, a)):
            listed = c.get("/police/api/v1/notifications", headers=headers).get_json()["notifications"]
            assert [n["id"] for n in listed] == [mine]
            for number, expected in ((numbers[mine], [mine]), (numbers[theirs], [])):
                found = c.post("/police/api/v1/notifications/search", json={"q": number}, headers=headers)
                assert [n["id"] for n in found.get_json()["notifications"]] == expected
            assert c.get(f"/police/api/v1/notifications/{theirs}", headers=headers).status_code == 404
    assert c.get(f"/police/api/v1/notifications/{a}").status_code == 401
