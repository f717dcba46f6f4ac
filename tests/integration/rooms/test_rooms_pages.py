"""The rooms page and the board on the in-house page (docs/ROOMS.md): managers list, edit, retire and
list again; staff only look; the new-stay form suggests free rooms and warns when a room is over
its places; a check-out frees the room; another facility's room id is a 404."""
import re

from tests import factories as f
from tests.integration.facility.conftest import EMAIL, login, make_user, staff  # noqa: F401


def tiles(html: str) -> dict[str, str]:
    """room name -> text of its tile on the in-house board."""
    return {m.group(2): re.sub(r"<[^>]+>|\s+", " ", m.group(3)).split(m.group(2), 1)[-1].strip()
            for m in re.finditer(r'<li class="tile tile-(\w+)" data-room="([^"]+)">(.*?)</li>', html, re.S)}


def test_a_manager_adds_a_range_and_the_board_shows_occupancy(app, client, api, staff):
    response = staff.post("/facility/rooms", {"names": "101-103, 201", "section": "Tầng 1", "capacity": "2"})
    assert response.status_code == 302
    page = staff.get("/facility/rooms").get_data(as_text=True)
    for name in ("101", "102", "103", "201"):
        assert f'data-room="{name}"' in page
    again = staff.post("/facility/rooms", {"names": "103-104", "capacity": "1"}, follow_redirects=True)
    text = again.get_data(as_text=True)
    assert "104" in text and "103" in text   # 104 added; 103 left as it was (said so)
    assert api.post("/stays", json=f.stay(room="101", guests=[f.citizen(), f.citizen()])).status_code == 201
    assert api.post("/stays", json=f.stay(room="102")).status_code == 201
    assert api.post("/stays", json=f.stay(room="Hiên")).status_code == 201
    home = staff.get("/facility/").get_data(as_text=True)
    board = tiles(home)
    assert board["101"] == "2/2 khách" and board["102"] == "1/2 khách" and board["103"] == "Trống"
    assert board["Hiên"] == "1 khách"                 # in house in a room not on the list
    board_html = home.split('class="board"')[1].split("</section>")[0]
    assert "Tầng 1" in board_html and "Đang lưu trú ở phòng không có trong danh sách" in board_html
    assert "Nguyễn" not in board_html and "REF-" not in board_html   # counts only: no names, no numbers


def test_check_out_frees_the_room(app, client, api, staff):
    staff.post("/facility/rooms", {"names": "301", "capacity": "1"})
    stay = api.post("/stays", json=f.stay(room="301")).get_json()
    assert tiles(staff.get("/facility/").get_data(as_text=True))["301"] == "1/1 khách"
    response = staff.post(f"/facility/stays/{stay['id']}/departure", {"departed_at": ""})
    assert response.status_code == 302
    assert tiles(staff.get("/facility/").get_data(as_text=True))["301"] == "Trống"


def test_the_new_stay_form_suggests_free_rooms_and_warns_when_over(app, client, api, staff):
    staff.post("/facility/rooms", {"names": "101-102", "capacity": "1"})
    api.post("/stays", json=f.stay(room="101"))
    form = staff.get("/facility/stays/new").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]+)">', form.split('<datalist id="room-options">')[1].split("</datalist>")[0])
    assert options == ["102"]                      # 101 is taken
    assert 'list="room-options"' in form
    guest = f.citizen()
    data = {"room": "101", "arrived_at": f.local_now().strftime("%Y-%m-%dT%H:%M"), "reason": "tourism",
            "form_ref": "WEB-ROOMTEST", "g-0-kind": "citizen", "g-0-full_name": guest["full_name"],
            "g-0-date_of_birth": guest["date_of_birth"], "g-0-sex": guest["sex"], "g-0-nationality": "VNM",
            "g-0-id_number": guest["id_number"]}
    saved = staff.post("/facility/stays/new", data, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Đã lưu" in text
    assert re.search(r'class="flash flash-warning">Phòng 101 đang có 2 khách', text)   # saved, with a warning
    data.update(room="Phòng lạ", form_ref="WEB-ROOMTEST2")   # free text still goes, no warning
    text = staff.post("/facility/stays/new", data, follow_redirects=True).get_data(as_text=True)
    assert "Đã lưu" in text and "đang có" not in text


def test_edit_and_retire(app, client, api, staff):
    staff.post("/facility/rooms", {"names": "101, 102"})
    page = staff.get("/facility/rooms").get_data(as_text=True)
    ids = dict((name, rid) for rid, name in re.findall(r'/facility/rooms/(rm_\w+)/edit" aria-label="Sửa ([^"]+)"', page))
    assert set(ids) == {"101", "102"}
    form = staff.get(f"/facility/rooms/{ids['101']}/edit")
    assert form.status_code == 200 and 'value="101"' in form.get_data(as_text=True)
    taken = staff.post(f"/facility/rooms/{ids['101']}/edit", {"name": "102", "capacity": "1"})
    assert taken.status_code == 422 and "đã có trong danh sách" in taken.get_data(as_text=True)
    bad = staff.post(f"/facility/rooms/{ids['101']}/edit", {"name": "101", "capacity": "0"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    ok = staff.post(f"/facility/rooms/{ids['101']}/edit", {"name": "101B", "section": "Tầng 1", "capacity": "3"})
    assert ok.status_code == 302
    assert api.get("/rooms").get_json()["rooms"][0] | {"id": None} == {
        "id": None, "name": "101B", "section": "Tầng 1", "capacity": 3, "retired_at": None, "guests": 0, "stays": 0,
        "state": "free"}
    api.post("/stays", json=f.stay(room="102"))
    refused = staff.post(f"/facility/rooms/{ids['102']}/retire", follow_redirects=True)
    assert "Đang có khách ở đây" in refused.get_data(as_text=True)
    assert staff.post(f"/facility/rooms/{ids['101']}/retire").status_code == 302
    listed = [r["name"] for r in api.get("/rooms").get_json()["rooms"]]
    assert listed == ["102"]
    assert staff.post(f"/facility/rooms/{ids['101']}/restore").status_code == 302
    assert sorted(r["name"] for r in api.get("/rooms").get_json()["rooms"]) == ["101B", "102"]


def test_add_form_errors_stay_beside_the_field(app, client, staff):
    for data, text in (({"names": ""}, "bắt buộc"), ({"names": "110-101"}, "Khoảng không hợp lệ"),
                       ({"names": "1-500"}, "tối đa 100"), ({"names": "101", "capacity": "abc"}, "kiểu dữ liệu"),
                       ({"names": "101", "section": "x" * 51}, "tối đa 50")):
        response = staff.post("/facility/rooms", data)
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert text in html and 'aria-invalid="true"' in html, data
    assert 'data-room=' not in staff.get("/facility/rooms").get_data(as_text=True)


def test_staff_see_the_rooms_but_do_not_change_them(app, client, api, facility, runner):
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="HOTEL-2", name="Nhà nghỉ Hai", kind="rental_rooms", ward_code="16681")
    make_user(app)
    runner.invoke(args=["facility-user", "add-facility", EMAIL, "--facility", "HOTEL-1", "--role", "staff"])
    room = api.post("/rooms", json={"name": "101"}).get_json()
    staff = login(client)
    page = staff.get("/facility/rooms")
    assert page.status_code == 200 and 'data-room="101"' in page.get_data(as_text=True)
    assert 'action="/facility/rooms"' not in page.get_data(as_text=True) and "/edit" not in page.get_data(as_text=True)
    for path in ("/facility/rooms", f"/facility/rooms/{room['id']}/edit", f"/facility/rooms/{room['id']}/retire"):
        assert staff.post(path, {"names": "999", "name": "999", "capacity": "1"}).status_code == 403, path
    assert staff.get(f"/facility/rooms/{room['id']}/edit").status_code == 403
    assert [r["name"] for r in api.get("/rooms").get_json()["rooms"]] == ["101"]


def test_another_facilitys_room_is_404(app, client, staff):
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        key_b = create_api_key(create_facility(code="HOTEL-B", name="Nhà nghỉ B", kind="rental_rooms",
                                               ward_code="16681"), "b")
    room_b = client.post("/api/v1/rooms", json={"name": "B-1"}, headers={"Authorization": f"Bearer {key_b}"}).get_json()
    for method, path in (("get", "edit"), ("post", "edit"), ("post", "retire"), ("post", "restore")):
        response = getattr(staff, method)(f"/facility/rooms/{room_b['id']}/{path}", **({} if method == "get" else
                                                                                      {"data": {"name": "X", "capacity": "1"}}))
        assert response.status_code == 404, (method, path)
    assert "B-1" not in staff.get("/facility/rooms").get_data(as_text=True)


def test_a_hospital_says_department_and_bed(app, client):
    from accommnotify.intake.facilities import create_facility
    with app.app_context():
        create_facility(code="BV-1", name="Bệnh viện Một", kind="medical_facility", ward_code="16681")
    make_user(app, code="BV-1")
    staff = login(client)
    staff.post("/facility/rooms", {"names": "G1-G3", "section": "Khoa Nội"})
    page = staff.get("/facility/rooms").get_data(as_text=True)
    assert "Sơ đồ giường" in page and "Khoa" in page and "Thêm giường" in page and "Thêm phòng" not in page
    home = staff.get("/facility/").get_data(as_text=True)
    assert "Khoa Nội" in home and set(tiles(home)) == {"G1", "G2", "G3"}


def test_the_correction_form_suggests_free_rooms_too(app, client, api, staff):
    staff.post("/facility/rooms", {"names": "101-103", "capacity": "1"})
    stay = api.post("/stays", json=f.stay(room="101")).get_json()
    form = staff.get(f"/facility/stays/{stay['id']}/correct").get_data(as_text=True)
    assert re.findall(r'<option value="(10\d)">', form) == ["102", "103"] and 'list="room-options"' in form
    values = dict(re.findall(r'<input id="([^"]+)" name="[^"]+" type="(?:text|date|datetime-local|tel)" value="([^"]*)"',
                             form))
    values.update({"g-0-kind": "citizen", "g-0-sex": stay["guests"][0]["sex"], "reason": "tourism",
                   "g-0-id": stay["guests"][0]["id"]})
    saved = staff.post(f"/facility/stays/{stay['id']}/correct", values | {"room": "103", "action": "submit"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    board = tiles(staff.get("/facility/").get_data(as_text=True))
    assert board["101"] == "Trống" and board["103"] == "1/1 khách"
