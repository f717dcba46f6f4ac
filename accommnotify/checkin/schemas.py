"""Request and response shapes of POST /api/v1/checkin-links (validation and the OpenAPI document)."""
from marshmallow import Schema, fields

from ..intake.schemas import StrictSchema, facility_code, text


class CheckinLinkCreateSchema(StrictSchema):
    facility_code = facility_code()
    booking_ref = text(64, metadata={"description": "The facility's booking number, shown to staff with the "
                                                    "guests' entry (optional; not personal data)",
                                     "example": "BK-2026-0001"})


class CheckinLinkOut(Schema):
    url = fields.String(metadata={"description": "The guest's self check-in link (shown only in this answer: "
                                                 "send it to the guest; only its hash is kept)"})
    booking_ref = fields.String(allow_none=True)
    expires_at = fields.String(metadata={"description": "Until when the link opens the form (+07:00)"})
    uses = fields.Integer(metadata={"description": "How many entries the link may send"})
