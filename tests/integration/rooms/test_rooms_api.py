"""The rooms board in the facility API (docs/ROOMS.md): GET /api/v1/rooms with occupancy, POST, PATCH;
organisation keys name the facility; another facility's room id is a 404; check-out frees a room."""
import pytest

from tests import factories as f


def _names(body):
    return {r["name"]: (r["state"], r["guests"]) for r in body["rooms"]}


def test_list_add_and_occupancy(api):
    assert api.get("/rooms").get_json() == {"rooms": [], "unlisted": [], "no_room": {"room": None, "guests": 0,
                                                                                     "stays": 0}}
    created = api.post("/rooms", json={"name": " P101 ", "section": "Tầng 1", "capacity": 2})
    assert created.status_code == 201, created.get_json()
    room = created.get_json()
    assert room["name"] == "P101" and room["capacity"] == 2 and room["state"] == "free" and room["id"].startswith("rm_")
    assert created.headers["Location"] == f"/api/v1/rooms/{room['id']}"
    assert api.post("/rooms", json={"name": "102"}).get_json()["capacity"] == 1

    stay = api.post("/stays", json=f.stay(room="p101")).get_json()     # the stay's label, another case
    api.post("/stays", json=f.stay(room="305", guests=[f.citizen(), f.citizen()]))
    api.post("/stays", json=f.stay(room=None))
    body = api.get("/rooms").get_json()
    assert _names(body) == {"P101": ("occupied", 1), "102": ("free", 0)}
    assert body["unlisted"] == [{"room": "305", "guests": 2, "stays": 1}]
    assert body["no_room"] == {"room": None, "guests": 1, "stays": 1}
    assert "id_number" not in str(body) and "Nguyễn" not in str(body)   # counts only, no personal data

    assert api.post(f"/stays/{stay['id']}/departure", json={}).status_code == 200   # check-out frees it
    assert _names(api.get("/rooms").get_json())["P101"] == ("free", 0)


def test_a_stay_is_never_refused_for_its_room(api):
    """The room stays free text: an unlisted room, or a full one, is accepted as before."""
    api.post("/rooms", json={"name": "101"})
    assert api.post("/stays", json=f.stay(room="101")).status_code == 201
    assert api.post("/stays", json=f.stay(room="101")).status_code == 201
    assert api.post("/stays", json=f.stay(room="Không có")).status_code == 201
    assert _names(api.get("/rooms").get_json())["101"] == ("over", 2)


def test_rejections_name_the_field(api):
    api.post("/rooms", json={"name": "101"})
    cases = [({"name": "p 101"}, None), ({"name": "101"}, ("name", "room.name_taken")),
             ({"name": " 101 "}, ("name", "room.name_taken")), ({}, ("name", "required")),
             ({"name": ""}, ("name", "too_short")), ({"name": "x" * 51}, ("name", "too_long")),
             ({"name": "1", "capacity": 0}, ("capacity", "out_of_range")),
             ({"name": "1", "capacity": "2"}, ("capacity", "type")),
             ({"name": "1", "capacity": 201}, ("capacity", "out_of_range")),
             ({"name": "1", "colour": "red"}, ("colour", "unknown_field")),
             ({"name": "1\u0000"}, ("name", "text.invalid_character"))]
    for body, expected in cases:
        response = api.post("/rooms", json=body)
        if expected is None:
            assert response.status_code == 201
            continue
        assert response.status_code == 422, (body, response.get_json())
        assert response.content_type == "application/problem+json"
        assert (response.get_json()["errors"][0]["field"], response.get_json()["errors"][0]["code"]) == expected, body


def test_patch_renames_moves_retires_and_lists_again(api):
    room = api.post("/rooms", json={"name": "101"}).get_json()
    other = api.post("/rooms", json={"name": "102"}).get_json()
    changed = api.patch(f"/rooms/{room['id']}", json={"name": "101A", "section": "Tầng 1", "capacity": 3})
    assert changed.status_code == 200 and changed.get_json()["name"] == "101A"
    taken = api.patch(f"/rooms/{room['id']}", json={"name": "102"})
    assert taken.status_code == 422 and taken.get_json()["errors"][0]["code"] == "room.name_taken"
    retired = api.patch(f"/rooms/{other['id']}", json={"retired": True}).get_json()
    assert retired["retired_at"] is not None
    assert [r["name"] for r in api.get("/rooms").get_json()["rooms"]] == ["101A"]
    assert [r["name"] for r in api.get("/rooms?include_retired=true").get_json()["rooms"]] == ["101A", "102"]
    again = api.post("/rooms", json={"name": "102", "capacity": 2}).get_json()   # listed again: same room
    assert again["id"] == other["id"] and again["retired_at"] is None and again["capacity"] == 2
    assert api.patch(f"/rooms/{room['id']}", json={"name": None}).status_code == 422
    assert api.patch(f"/rooms/{room['id']}", json={"retired": "yes"}).status_code == 422


def test_an_occupied_room_is_not_renamed_or_retired(api):
    room = api.post("/rooms", json={"name": "101"}).get_json()
    stay = api.post("/stays", json=f.stay(room="101")).get_json()
    for body in ({"name": "109"}, {"retired": True}):
        response = api.patch(f"/rooms/{room['id']}", json=body)
        assert response.status_code == 409 and response.get_json()["errors"][0]["code"] == "room.occupied", body
    assert api.patch(f"/rooms/{room['id']}", json={"capacity": 2, "section": "Tầng 1"}).status_code == 200
    api.post(f"/stays/{stay['id']}/cancel", json={"reason": "nhầm"})     # a cancelled stay frees it too
    assert api.patch(f"/rooms/{room['id']}", json={"retired": True}).status_code == 200


def test_another_facilitys_room_is_404(app, client, api):
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.keys import create_api_key
    with app.app_context():
        key_b = create_api_key(create_facility(code="HOTEL-B", name="Nhà nghỉ B", kind="rental_rooms",
                                               ward_code="16681"), "b")
    headers_b = {"Authorization": f"Bearer {key_b}"}
    room_b = client.post("/api/v1/rooms", json={"name": "B-1"}, headers=headers_b).get_json()
    assert api.patch(f"/rooms/{room_b['id']}", json={"capacity": 5}).status_code == 404
    assert api.patch("/rooms/rm_doesnotexist", json={"capacity": 5}).status_code == 404
    assert api.get("/rooms").get_json()["rooms"] == []
    assert api.get("/rooms?facility_code=HOTEL-B").status_code == 404
    mine = client.get("/api/v1/rooms", headers=headers_b).get_json()["rooms"]
    assert [(r["name"], r["capacity"]) for r in mine] == [("B-1", 1)]


def test_an_organisation_key_names_the_facility(app, client, runner, facility):
    from accommnotify.intake.facilities import create_facility
    from accommnotify.ops.organisations import attach_facility, create_organisation, create_organisation_key
    with app.app_context():
        create_facility(code="HOTEL-X", name="Khác", kind="rental_rooms", ward_code="16681")
        create_organisation("CHAIN", "Chuỗi")
        attach_facility("CHAIN", "HOTEL-1")
        key = create_organisation_key("CHAIN")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/rooms", headers=headers).get_json()["errors"][0]["code"] == "required"
    created = client.post("/api/v1/rooms", json={"facility_code": "HOTEL-1", "name": "101"}, headers=headers)
    assert created.status_code == 201
    assert client.post("/api/v1/rooms", json={"facility_code": "HOTEL-X", "name": "1"}, headers=headers).status_code == 404
    listed = client.get("/api/v1/rooms?facility_code=HOTEL-1", headers=headers).get_json()["rooms"]
    assert [r["name"] for r in listed] == ["101"]
    patched = client.patch(f"/api/v1/rooms/{created.get_json()['id']}", json={"capacity": 4}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["capacity"] == 4


def test_the_openapi_document_has_the_rooms_routes(api):
    doc = api.get("/openapi.json").get_json()
    assert {"get", "post"} <= set(doc["paths"]["/rooms"]) and "patch" in doc["paths"]["/rooms/{room_id}"]
    assert {"RoomCreate", "RoomPatch", "RoomOut", "RoomListOut"} <= set(doc["components"]["schemas"])


@pytest.mark.parametrize("query", ["include_retired=maybe", "facility_code=%00", "limit=5"])
def test_bad_queries_are_422(api, query):
    response = api.get(f"/rooms?{query}")
    assert response.status_code in (404, 422), response.get_json()


def test_one_guest_leaving_or_removed_frees_a_place(api):
    api.post("/rooms", json={"name": "201", "capacity": 2})
    stay = api.post("/stays", json=f.stay(room="201", guests=[f.citizen(), f.citizen()])).get_json()
    assert _names(api.get("/rooms").get_json())["201"] == ("full", 2)
    first = stay["guests"][0]["id"]
    assert api.post(f"/stays/{stay['id']}/departure", json={"guest_ids": [first]}).status_code == 200
    assert _names(api.get("/rooms").get_json())["201"] == ("occupied", 1)
    moved = api.patch(f"/stays/{stay['id']}", json={"room": "202"})     # a correction moves the stay
    assert moved.status_code == 200, moved.get_json()
    body = api.get("/rooms").get_json()
    assert _names(body)["201"] == ("free", 0) and body["unlisted"] == [{"room": "202", "guests": 1, "stays": 1}]


def test_a_facility_lists_at_most_max_rooms(api, monkeypatch):
    from accommnotify.rooms import service
    monkeypatch.setattr(service, "MAX_ROOMS", 2)
    assert api.post("/rooms", json={"name": "1"}).status_code == 201
    assert api.post("/rooms", json={"name": "2"}).status_code == 201
    refused = api.post("/rooms", json={"name": "3"})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["code"] == "room.too_many"
    assert len(api.get("/rooms").get_json()["rooms"]) == 2


def test_a_name_of_spaces_only_is_required(api):
    response = api.post("/rooms", json={"name": "   "})
    assert response.status_code == 422 and response.get_json()["errors"][0] == {
        "field": "name", "code": "required", "message": "Trường này là bắt buộc."}


def test_the_demo_lists_rooms_once(app, runner, client):
    for _ in range(2):
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    rooms = client.get("/api/v1/rooms", headers={"Authorization": f"Bearer {key}"}).get_json()["rooms"]
    assert [r["name"] for r in rooms] == ["101", "102", "103", "104", "105", "201", "202", "203", "204", "205"]
    assert {r["section"] for r in rooms} == {"Tầng 1", "Tầng 2"}
