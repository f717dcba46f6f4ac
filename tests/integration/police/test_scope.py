"""A ward officer sees nothing of another ward, by any page or API; a province officer sees its wards."""
import csv
import io

from accommnotify.police.accounts import create_token

from .helpers import WARD_A, WARD_B, WARD_HN, add_notification, add_officer, in_app, search


def _seed(app):
    with in_app(app):
        return {
            "a": add_notification(WARD_A, full_name="Nguyễn Văn An", id_number="001190000001"),
            "b": add_notification(WARD_B, full_name="Trần Thị Bình", id_number="001190000002", late=True),
            "hn": add_notification(WARD_HN, full_name="Lê Văn Cường", document_number="X1234567"),
        }


def _csv_names(response):
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index("Full name") if "Full name" in rows[0] else rows[0].index("Họ và tên")
    return {r[col] for r in rows[1:]}


def test_ward_officer_sees_only_their_ward_everywhere(papp, as_officer):
    ids = _seed(papp)
    with in_app(papp):
        add_officer("ward-a", f"ward:{WARD_A}")
    c = as_officer("ward-a")

    page = c.get("/police/").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Trần Thị Bình" not in page and "Lê Văn Cường" not in page
    # the facility list of the filter names only facilities in scope
    assert f"F-{WARD_B}" not in page

    # search by name, by number, by facility code of the other ward
    assert "Trần Thị Bình" not in search(c, "tran thi binh").get_data(as_text=True)
    assert "Trần Thị Bình" not in search(c, "001190000002").get_data(as_text=True)
    assert "Lê Văn Cường" not in search(c, "X1234567").get_data(as_text=True)
    assert "Nguyễn Văn An" in search(c, "001190000001").get_data(as_text=True)
    assert "Trần Thị Bình" not in c.get(f"/police/?facility=F-{WARD_B}&date_from=2000-01-01").get_data(as_text=True)

    # detail and acknowledge by guessed id: 404, nothing changed
    assert c.get(f"/police/n/{ids['b']}").status_code == 404
    assert c.get(f"/police/n/{ids['hn']}").status_code == 404
    assert c.get("/police/n/ntf_doesnotexist").status_code == 404
    assert c.post(f"/police/n/{ids['b']}/acknowledge").status_code == 404
    c.post("/police/acknowledge", data={"ids": [ids["b"], ids["hn"]]})
    from accommnotify.models.inbox import InboxNotification
    with in_app(papp) as session:
        assert session.get(InboxNotification, ids["b"]).acknowledged_at is None
        assert session.get(InboxNotification, ids["hn"]).acknowledged_at is None

    # export
    assert _csv_names(c.post("/police/export", data={"date_from": "2000-01-01"})) == {"Nguyễn Văn An"}
    assert _csv_names(c.post("/police/export", data={"q": "001190000002"})) == set()

    # compliance: counts, silent, late
    counts = c.get("/police/compliance").get_data(as_text=True)
    assert f"F-{WARD_A}" in counts and f"F-{WARD_B}" not in counts and f"F-{WARD_HN}" not in counts
    silent = c.get("/police/compliance/silent?days=1").get_data(as_text=True)
    assert f"F-{WARD_B}" not in silent
    late = c.get("/police/compliance/late").get_data(as_text=True)
    assert "Trần Thị Bình" not in late  # the late one is in ward B

    # the audit log page is not for officers
    assert c.get("/police/audit").status_code == 404


def test_ward_officer_api_is_scoped(papp, client):
    ids = _seed(papp)
    from accommnotify.models.police import Officer
    with in_app(papp) as session:
        officer_id = add_officer("ward-a", f"ward:{WARD_A}")
        token = create_token(session.get(Officer, officer_id))
    h = {"Authorization": f"Bearer {token}"}
    body = papp.test_client().get("/police/api/v1/notifications", headers=h).get_json()
    assert [n["id"] for n in body["notifications"]] == [ids["a"]]
    assert papp.test_client().get(f"/police/api/v1/notifications/{ids['b']}", headers=h).status_code == 404
    assert papp.test_client().get(f"/police/api/v1/notifications/{ids['a']}", headers=h).status_code == 200
    search = papp.test_client().post("/police/api/v1/notifications/search", json={"q": "001190000002"},
                                     headers=h).get_json()
    assert search["notifications"] == []  # the other ward's person: not found, even by exact number
    mine = papp.test_client().post("/police/api/v1/notifications/search", json={"q": "001190000001"},
                                   headers=h).get_json()
    assert [n["id"] for n in mine["notifications"]] == [ids["a"]]
    in_url = papp.test_client().get("/police/api/v1/notifications?q=001190000002", headers=h).get_json()
    assert [n["id"] for n in in_url["notifications"]] == [ids["a"]]  # a q in the URL is ignored


def test_province_officer_sees_all_its_wards_and_no_other_province(papp, as_officer):
    ids = _seed(papp)
    with in_app(papp):
        add_officer("nghe-an", "province:40")
    c = as_officer("nghe-an")
    page = c.get("/police/").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Trần Thị Bình" in page and "Lê Văn Cường" not in page
    assert c.get(f"/police/n/{ids['b']}").status_code == 200
    assert c.get(f"/police/n/{ids['hn']}").status_code == 404
    assert _csv_names(c.post("/police/export", data={})) == {"Nguyễn Văn An", "Trần Thị Bình"}
    counts = c.get("/police/compliance").get_data(as_text=True)
    assert f"F-{WARD_A}" in counts and f"F-{WARD_B}" in counts and f"F-{WARD_HN}" not in counts


def test_two_wards_scope(papp, as_officer):
    _seed(papp)
    with in_app(papp):
        add_officer("two", f"ward:{WARD_A}", f"ward:{WARD_HN}")
    page = as_officer("two").get("/police/").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Lê Văn Cường" in page and "Trần Thị Bình" not in page


def test_pages_need_an_officer(papp):
    with in_app(papp):
        add_notification(WARD_A)
    c = papp.test_client()
    for path in ("/police/", "/police/compliance", "/police/compliance/silent", "/police/compliance/late",
                 "/police/audit", "/police/n/ntf_x"):
        r = c.get(path)
        assert r.status_code == 302 and "/police/login" in r.headers["Location"], path
    assert c.post("/police/export").status_code == 302
    r = c.post("/police/search", data={"q": "nguyen van an"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/police/login?next=/police/")
    assert c.get("/police/api/v1/notifications").status_code == 401
    assert c.get("/police/api/v1/notifications", headers={"Authorization": "Bearer pt_nope"}).status_code == 401
