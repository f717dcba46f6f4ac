"""The shape of room requests (API and pages alike) and of the answers, for the OpenAPI document."""
from marshmallow import Schema, fields, validate

from ..intake.schemas import StrictSchema, _errors, example, facility_code, text
from ..rules.rooms import MAX_CAPACITY, MAX_NAME, MAX_SECTION

STATES = ("free", "occupied", "full", "over")


def capacity(**kw):
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_CAPACITY, error="out_of_range|min={min}|max={max}"),
                          error_messages=_errors(), **kw)


class RoomCreateSchema(StrictSchema):
    facility_code = facility_code()
    name = text(MAX_NAME, required=True, min_length=1, metadata=example(
        "101", description="The label staff put in a stay's `room`; unique in the facility (case and spacing aside). "
                           "For a medical facility: the bed."))
    section = text(MAX_SECTION, metadata=example("Tầng 1", description="A floor; for a medical facility the department"))
    capacity = capacity(load_default=1, metadata=example(2, description="Beds (people) in the room; 1 for a hospital bed"))


class RoomPatchSchema(StrictSchema):
    name = text(MAX_NAME, min_length=1, allow_none=False)
    section = text(MAX_SECTION)
    capacity = capacity()
    retired = fields.Boolean(truthy={True}, falsy={False}, error_messages=_errors(), metadata={
        "description": "true takes the room off the list (its history stays); false lists it again"})


class ListRoomsQuery(StrictSchema):
    facility_code = facility_code()
    include_retired = fields.Boolean(load_default=False, error_messages=_errors())


class RoomOut(Schema):
    id = fields.String()
    name = fields.String()
    section = fields.String(allow_none=True)
    capacity = fields.Integer()
    retired_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    guests = fields.Integer(metadata={"description": "Guests in house in this room now (open stays)"})
    stays = fields.Integer(metadata={"description": "Open stays in this room now"})
    state = fields.String(metadata={"enum": list(STATES)})


class UnlistedOut(Schema):
    room = fields.String(allow_none=True)
    guests = fields.Integer()
    stays = fields.Integer()


class RoomListOut(Schema):
    rooms = fields.List(fields.Nested(RoomOut))
    unlisted = fields.List(fields.Nested(UnlistedOut), metadata={
        "description": "Rooms named by open stays that are not on the list"})
    no_room = fields.Nested(UnlistedOut, metadata={"description": "Open stays without a room"})


class RoomAddForm(StrictSchema):
    """The page's "add rooms" form (strings as a form sends them)."""
    names = text(500, required=True, min_length=1)
    section = text(MAX_SECTION)
    capacity = fields.Integer(load_default=1, validate=validate.Range(1, MAX_CAPACITY, error="out_of_range|min={min}|max={max}"),
                              error_messages=_errors())


class RoomEditForm(StrictSchema):
    name = text(MAX_NAME, required=True, min_length=1)
    section = text(MAX_SECTION)
    capacity = fields.Integer(required=True, validate=validate.Range(1, MAX_CAPACITY, error="out_of_range|min={min}|max={max}"),
                              error_messages=_errors())
