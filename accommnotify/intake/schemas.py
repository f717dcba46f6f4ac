"""The shape of what facilities send (types, lengths, choices, unknown fields).

Marshmallow checks the shape and the OpenAPI document is generated from these same classes; the
domain rules of SPEC §3 live in `accommnotify.rules` and run on what these schemas load. Error
messages here are stable codes, turned into field paths and vi/en text by `intake.errors`.
"""
from datetime import timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..timeutil import VN_TZ
from ..rules.stay import MAX_GUESTS
from ..rules.text import has_invalid_characters
from .vocab import CITIZEN_DOCUMENT_KINDS, DOCUMENT_TYPES, FACILITY_CODE_PATTERN, REASONS, SEXES, VISA_KINDS

_FIELD_ERRORS = {"required": "required", "null": "required", "invalid": "type",
                 "invalid_awareness": "format", "format": "format", "type": "type",
                 "validator_failed": "format"}


def _errors(**more):
    return {**_FIELD_ERRORS, **more}


def printable_text(value: str) -> None:
    """NUL bytes and lone surrogates are refused where they come in: no database stores them."""
    if has_invalid_characters(value):
        raise ValidationError("text.invalid_character")


# One synthetic, valid stay for the OpenAPI document (issue 10, item 13): each field's `example` and the
# whole-body examples below come from here, so generated requests (schemathesis' stateful phase follows
# the links from a created stay) can pass the ID rules. 001 = Hà Nội, 0 = male born 1900–1999, 85 = 1985.
EXAMPLE_GUEST = {"full_name": "Nguyễn Văn An", "date_of_birth": "1985-05-12", "sex": "male",
                 "nationality": "VNM", "id_number": "001085012345"}
EXAMPLE_STAY = {"external_ref": "BK-2026-0001", "room": "101", "reason": "tourism",
                "arrived_at": "2026-11-27T10:00:00+07:00", "expected_departure": "2026-11-29T12:00:00+07:00",
                "guests": [EXAMPLE_GUEST]}


def example(value, **metadata):
    return {"example": value, **metadata}


def text(max_length: int, *, required=False, allow_none=True, min_length=0, **kw):
    validators = [validate.Length(max=max_length, error="too_long|max={max}"), printable_text]
    if min_length:
        validators.insert(0, validate.Length(min=min_length, error="too_short|min={min}"))
    return fields.String(required=required, allow_none=allow_none and not required,
                         validate=validators, error_messages=_errors(), **kw)


def choice(options, *, required=False, **kw):
    return fields.String(required=required, allow_none=not required,
                         validate=validate.OneOf(options, error="choice|choices={choices}"),
                         error_messages=_errors(), metadata={"enum": list(options)}, **kw)


def date(*, required=False, **kw):
    return fields.Date(required=required, allow_none=not required,
                       error_messages=_errors(invalid="format"), **kw)


def representable(value) -> None:
    """A datetime that UTC and Vietnam time can hold: 0001-01-01T00:00+14:00 is a year before year 1
    in UTC, and converting it raised OverflowError (a 500)."""
    try:
        value.astimezone(timezone.utc).astimezone(VN_TZ)
    except (OverflowError, ValueError):
        raise ValidationError("out_of_range")


def moment(*, required=False, **kw):
    """A datetime; a value without an offset means Vietnam local time."""
    return fields.AwareDateTime(default_timezone=VN_TZ, required=required, allow_none=not required,
                                validate=representable, error_messages=_errors(invalid="format"), **kw)


MAX_BULK = 500           # stays in one POST /stays/bulk


class BoundedList(fields.List):
    """A list whose length is checked before its items: 400,000 bad items cost one error, not
    400,000 (marshmallow checks every item first, then the list's validators)."""
    fastload_list = True  # intake.fastload compiles it as a List, with the same bound

    def __init__(self, inner, *, max_items: int, error: str = "too_long|max={max}", **kw):
        self.too_many = error.format(max=max_items)
        super().__init__(inner, validate=validate.Length(max=max_items, error=self.too_many), **kw)
        self.max_items = max_items

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list) and len(value) > self.max_items:
            raise ValidationError(self.too_many)
        return super()._deserialize(value, attr, data, **kwargs)


def _guests(schema, **kw):
    return BoundedList(fields.Nested(schema), max_items=MAX_GUESTS, error="guests.too_many|max={max}",
                       error_messages=_errors(), **kw)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "unknown_field", "type": "type"}


class DocumentSchema(StrictSchema):
    type = choice(DOCUMENT_TYPES, required=True)
    number = text(20, required=True, min_length=1)
    mrz = text(100, metadata={"description": "The two 44-character lines of a TD3 passport MRZ."})


class VisaSchema(StrictSchema):
    kind = choice(VISA_KINDS, required=True)
    number = text(50)
    valid_until = date(metadata={"description": "Required unless kind is visa_exempt."})


def _nested(schema, **kw):
    return fields.Nested(schema, allow_none=True, error_messages=_errors(), **kw)


class GuestFields(StrictSchema):
    full_name = text(200, min_length=1, metadata=example(EXAMPLE_GUEST["full_name"]))
    date_of_birth = date(metadata=example(EXAMPLE_GUEST["date_of_birth"]))
    sex = choice(SEXES)
    nationality = text(3, metadata=example("VNM", description="ISO 3166-1 alpha-3 or ICAO XXA/XXB/XXC/XXX"))
    id_number = text(20, metadata=example(EXAMPLE_GUEST["id_number"],
                                          description="12-digit personal identification number (citizens)"))
    passport_number = text(20, metadata={"description": "A citizen living abroad may give this instead"})
    document_kind = choice(CITIZEN_DOCUMENT_KINDS)  # citizens: which card (can_cuoc: issued from 1 July 2024)
    document_name = text(100, metadata={"description": "Name of the document when document_kind is other"})
    phone = text(30)
    permanent_address = text(300)
    document = _nested(DocumentSchema)
    visa = _nested(VisaSchema)
    entry_date = date()
    entry_port = text(100)
    purpose = text(200)


class GuestSchema(GuestFields):
    full_name = text(200, required=True, min_length=1, metadata=example(EXAMPLE_GUEST["full_name"]))
    date_of_birth = date(required=True, metadata=example(EXAMPLE_GUEST["date_of_birth"]))
    sex = choice(SEXES, required=True)
    nationality = text(3, required=True, min_length=1, metadata=example("VNM"))
    accompanies = fields.Integer(
        strict=True, allow_none=True,
        validate=validate.Range(0, MAX_GUESTS - 1, error="out_of_range|min={min}|max={max}"),
        error_messages=_errors(), metadata={
            "description": "A companion (người nhà, người chăm sóc): the position, from 0, in this request's "
                           "`guests` of the guest this person accompanies (the patient). See HOSPITALS.md."})


class GuestPatchSchema(GuestFields):
    """A correction of a guest (`id` given: only the fields sent change) or a new guest (no `id`)."""
    id = text(32, metadata={"description": "Id of the guest to correct; omit to add a guest"})
    accompanies = text(32, metadata={
        "description": "A companion: the id of the stay's guest this person accompanies (the patient); "
                       "null (with id) to end the link."})
    removed = fields.Boolean(allow_none=True, error_messages=_errors(), metadata={
        "description": "true (with id): the guest was entered by mistake and leaves the stay; the police "
                       "get a cancellation for that person if they may have received the arrival. A stay "
                       "keeps at least one guest (guests.last_guest)."})


FACILITY_CODE_HELP = ("With an organisation key (ok_…): the code of the organisation's facility this is for; "
                      "required. With a facility key: optional, and must be that facility's own code.")


def facility_code():
    """Chains (issue 13, item 3): which facility an organisation key writes or reads for."""
    return fields.String(validate=[validate.Regexp(FACILITY_CODE_PATTERN, error="format")], allow_none=False,
                         error_messages=_errors(), metadata=example("HN-0001", description=FACILITY_CODE_HELP))


class StaySchema(StrictSchema):
    facility_code = facility_code()
    external_ref = text(100, required=True, min_length=1,
                        metadata=example(EXAMPLE_STAY["external_ref"],
                                         description="The facility's booking or admission number; the idempotency key"))
    room = text(50, metadata=example("101"))
    reason = choice(REASONS, required=True)
    reason_note = text(500)
    arrived_at = moment(required=True, metadata=example(EXAMPLE_STAY["arrived_at"]))
    expected_departure = moment(metadata=example(EXAMPLE_STAY["expected_departure"]))
    guests = _guests(GuestSchema, required=True)


class StayPatchSchema(StrictSchema):
    room = text(50)
    reason = choice(REASONS)
    reason_note = text(500)
    arrived_at = moment()
    expected_departure = moment()
    guests = _guests(GuestPatchSchema)


class BulkSchema(StrictSchema):
    facility_code = facility_code()  # one facility per bulk request
    # Items are loaded one by one by the service so one bad stay never sinks the others.
    stays = BoundedList(fields.Dict(), max_items=MAX_BULK, required=True, error_messages=_errors(),
                        metadata={"description": "Up to 500 stays, each as in POST /stays"})


class DepartureSchema(StrictSchema):
    departed_at = moment(metadata={"description": "Defaults to now"})
    guest_ids = BoundedList(text(32, required=True), max_items=MAX_GUESTS, allow_none=True, error_messages=_errors(),
                            metadata={"description": "Only these guests leave; all when omitted"})


class CancelSchema(StrictSchema):
    reason = text(500, required=True, min_length=1)


class ListStaysQuery(StrictSchema):
    facility_code = facility_code()
    status = choice(("in_house", "departed", "cancelled"))
    arrived_from = moment()
    arrived_to = moment()
    cursor = text(40)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200, error="out_of_range|min={min}|max={max}"),
                           error_messages=_errors())


NOTIFICATION_STATUSES = ("pending", "sending", "accepted", "rejected", "retrying", "dead", "withdrawn",
                         "awaiting_upload")


class ListNotificationsQuery(StrictSchema):
    facility_code = facility_code()
    status = choice(NOTIFICATION_STATUSES)
    cursor = text(40)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200, error="out_of_range|min={min}|max={max}"),
                           error_messages=_errors())


class ListPortalFilesQuery(StrictSchema):
    facility_code = facility_code()
    status = choice(("ready", "confirmed", "mismatch"))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200, error="out_of_range|min={min}|max={max}"),
                           error_messages=_errors())


class FacilityCodeSchema(StrictSchema):
    facility_code = facility_code()


class PortalConfirmSchema(StrictSchema):
    records_shown = fields.Integer(required=True, strict=True,
                                   validate=validate.Range(0, 100000, error="out_of_range|min={min}|max={max}"),
                                   error_messages=_errors(),
                                   metadata={"description": "The number of records the portal lists after the upload"})


# Response shapes, for the OpenAPI document.
class RejectionOut(Schema):
    code = fields.String()
    message = fields.String()


class NotificationOut(Schema):
    id = fields.String()
    event = fields.String(metadata={"enum": ["arrival", "amendment", "departure", "cancellation"]})
    category = fields.String(metadata={"enum": ["residence", "foreigner"]})
    receiver = fields.String()
    status = fields.String(metadata={"enum": list(NOTIFICATION_STATUSES)})
    deadline_at = fields.String(metadata={"format": "date-time"})
    late = fields.Boolean()
    receipt = fields.String(allow_none=True)
    rejection = fields.Nested(RejectionOut, allow_none=True)
    next_attempt_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class IssueOut(Schema):
    field = fields.String()
    code = fields.String()
    message = fields.String()


class GuestOut(GuestFields):
    class Meta:
        unknown = RAISE
    id = fields.String()
    departed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    accompanies = fields.String(allow_none=True, metadata={
        "description": "Id of the guest of this stay whom this person accompanies (a companion of a patient)"})
    removed_at = fields.String(allow_none=True, metadata={
        "format": "date-time", "description": "Set when a correction removed the guest (entered by mistake)"})
    notifications = fields.List(fields.Nested(NotificationOut))


class StayOut(Schema):
    id = fields.String()
    external_ref = fields.String()
    facility_code = fields.String()
    status = fields.String(metadata={"enum": ["in_house", "departed", "cancelled"]})
    room = fields.String(allow_none=True)
    reason = fields.String()
    reason_note = fields.String(allow_none=True)
    arrived_at = fields.String(metadata={"format": "date-time"})
    expected_departure = fields.String(allow_none=True, metadata={"format": "date-time"})
    departed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    cancelled_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    created_at = fields.String(metadata={"format": "date-time"})
    warnings = fields.List(fields.Nested(IssueOut))
    guests = fields.List(fields.Nested(GuestOut))


class StayListOut(Schema):
    stays = fields.List(fields.Nested(StayOut))
    next_cursor = fields.String(allow_none=True)


class NotificationListItemOut(NotificationOut):
    stay_id = fields.String()
    guest_id = fields.String()
    external_ref = fields.String()
    full_name = fields.String()


class NotificationListOut(Schema):
    notifications = fields.List(fields.Nested(NotificationListItemOut))
    next_cursor = fields.String(allow_none=True)


class BulkResultOut(Schema):
    index = fields.Integer()
    status = fields.String(metadata={"enum": ["created", "duplicate", "invalid"]})
    stay = fields.Nested(StayOut, allow_none=True)
    errors = fields.List(fields.Nested(IssueOut))
    errors_omitted = fields.Integer(metadata={"description": "Errors found but not listed (the list is capped)"})


class BulkOut(Schema):
    results = fields.List(fields.Nested(BulkResultOut))


class ProblemOut(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(IssueOut))
    errors_omitted = fields.Integer(metadata={"description": "Errors found but not listed (at most 100 are)"})


class PortalFileRowOut(Schema):
    row = fields.Integer(metadata={"description": "Record number (STT / so_thu_tu) in the file"})
    notification_id = fields.String()
    status = fields.String()


class PortalFileOut(Schema):
    id = fields.String()
    kind = fields.String(metadata={"enum": ["citizens", "foreigners"]})
    format = fields.String(metadata={"enum": ["xlsx", "xml"]})
    filename = fields.String()
    status = fields.String(metadata={"enum": ["ready", "confirmed", "mismatch"]})
    row_count = fields.Integer()
    records_shown = fields.Integer(allow_none=True)
    sha256 = fields.String()
    size = fields.Integer()
    created_at = fields.String(metadata={"format": "date-time"})
    earliest_deadline = fields.String(allow_none=True, metadata={"format": "date-time"})
    confirmed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    content_url = fields.String()
    rows = fields.List(fields.Nested(PortalFileRowOut), metadata={"description": "Only in GET /portal-files/{id}"})


class PortalFileListOut(Schema):
    portal_files = fields.List(fields.Nested(PortalFileOut))


class PortalConfirmOut(Schema):
    result = fields.String(metadata={"enum": ["confirmed", "mismatch"]})
    message = fields.String()
    portal_file = fields.Nested(PortalFileOut)
