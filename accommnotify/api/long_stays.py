"""GET /api/v1/long-stays (docs/DORMITORIES.md): the facility's in-house stays of 30 days or more, which
need a temporary-residence registration (Law on Residence 2020, Art. 27). Information; nothing changes."""
from flask import jsonify, request
from marshmallow import Schema, fields, validate

from ..facility import terms
from ..intake.prepare import load
from ..intake.schemas import StrictSchema, _errors, facility_code
from ..rules.residence import LAW, LONG_STAY
from ..timeutil import vn_iso
from .auth import facility_named


class LongStaysQuery(StrictSchema):
    facility_code = facility_code()
    limit = fields.Integer(load_default=terms.LONG_LIST_LIMIT,
                           validate=validate.Range(1, terms.LONG_LIST_LIMIT, error="out_of_range|min={min}|max={max}"),
                           error_messages=_errors())


class LongStayGuestOut(Schema):
    id = fields.String()
    full_name = fields.String()


class LongStayOut(Schema):
    stay_id = fields.String()
    external_ref = fields.String()
    room = fields.String(allow_none=True)
    arrived_at = fields.String(metadata={"format": "date-time"})
    expected_departure = fields.String(allow_none=True, metadata={"format": "date-time"})
    days = fields.Integer(metadata={"description": "Whole days from the arrival to the expected departure, or to "
                                                  "now if that is later"})
    guests = fields.List(fields.Nested(LongStayGuestOut), metadata={"description": "Guests still in house"})


class LongStayListOut(Schema):
    long_stays = fields.List(fields.Nested(LongStayOut))
    total = fields.Integer(metadata={"description": "All such stays (the list holds the `limit` longest)"})
    days = fields.Integer(metadata={"description": "The boundary: 30"})
    law = fields.String()


_QUERY = LongStaysQuery()


def register(bp):
    @bp.get("/long-stays")
    def list_long_stays():
        query = load(_QUERY, request.args.to_dict())
        facility = facility_named(query.pop("facility_code", None))
        items, total = terms.long_stays(facility, limit=query["limit"])
        out = [{**item, "arrived_at": vn_iso(item["arrived_at"]),
                "expected_departure": vn_iso(item["expected_departure"])} for item in items]
        return jsonify(long_stays=out, total=total, days=LONG_STAY.days, law=LAW)
