"""The rooms board in the facility API (docs/ROOMS.md): list with occupancy, add, change, retire.
For PMS vendors who keep the room list in their own software. Same keys and `facility_code` rules
as the other routes."""
from flask import jsonify

from ..intake.prepare import load
from ..models import Room
from ..rooms import service
from ..rules.rooms import room_key
from ..rooms.schemas import ListRoomsQuery, RoomCreateSchema, RoomPatchSchema
from .auth import facility_owning
from .routes import _for_facility, _query, bp, json_body

_LIST = ListRoomsQuery()
_CREATE = RoomCreateSchema()
_PATCH = RoomPatchSchema()


@bp.get("/rooms")
def list_rooms():
    facility, query = _query(_LIST)
    return jsonify(service.board_view(facility.id, include_retired=query["include_retired"]))


def _one(facility_id: int, room: Room):
    row = service.RoomRow.of(room)
    state = service.board(facility_id, [row]).by_key().get(room_key(row.name)) if row.retired_at is None else None
    return service.room_view(row, state)


@bp.post("/rooms")
def create_room():
    facility, payload = _for_facility(json_body())
    body = load(_CREATE, payload)
    added, _listed = service.add_rooms(facility.id, [body["name"]], section=body.get("section"),
                                       capacity=body["capacity"])
    view = _one(facility.id, added[0])
    response = jsonify(view)
    response.headers["Location"] = f"/api/v1/rooms/{view['id']}"
    return response, 201


@bp.patch("/rooms/<room:room_id>")
def update_room(room_id):
    facility = facility_owning(Room, room_id, "room")
    body = load(_PATCH, json_body())
    return jsonify(_one(facility.id, service.update_room(facility.id, room_id, body)))
