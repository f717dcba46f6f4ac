"""The OpenAPI 3 document, generated from the marshmallow schemas that validate requests."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify, render_template_string

from ..intake import schemas as s
from ..intake.vocab import FACILITY_CODE_PATTERN
from ..rooms import schemas as rooms
from ..webhooks import schemas as wh
from . import long_stays
from ..checkin import schemas as ck

PROBLEM = {"description": "Problem details (RFC 9457)",
           "content": {"application/problem+json": {"schema": "Problem"}}}


def _json(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema, examples=None):
    media = {"schema": schema}
    if examples:
        media["examples"] = examples
    return {"required": True, "content": {"application/json": media}}


# A few valid stays (different bookings of the same synthetic guest), so a client or a fuzzer that
# replays examples creates several stays, not one it then cancels for good.
STAY_EXAMPLES = {f"booking-{n}": {"summary": f"A citizen's stay, booking {n}",
                                  "value": {**s.EXAMPLE_STAY, "external_ref": f"BK-2026-{n:04d}"}}
                 for n in range(1, 9)}


STAY_ID = {"name": "stay_id", "in": "path", "required": True, "schema": {"type": "string"}}
FILE_ID = {"name": "file_id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^pf_[0-9a-z]{1,40}$"}}
# Chains: with an organisation key, the facility a read is for (schemas.facility_code, as on the lists)
FACILITY_CODE_QUERY = {"name": "facility_code", "in": "query", "required": False,
                       "schema": {"type": "string", "pattern": FACILITY_CODE_PATTERN},
                       "description": "With an organisation key: the facility (required); with a facility key: "
                                      "its own code or nothing"}
WEBHOOK_ID = {"name": "webhook_id", "in": "path", "required": True,
              "schema": {"type": "string", "pattern": "^wh_[0-9a-z]{1,40}$"}}
ROOM_ID = {"name": "room_id", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^rm_[0-9a-z]{1,40}$"}}
ERRORS = {"401": PROBLEM, "404": PROBLEM, "413": PROBLEM, "422": PROBLEM, "400": PROBLEM}

OPERATIONS = {
    "/stays": {
        "post": {"summary": "Notify one stay", "operationId": "createStay",
                 "requestBody": _body("Stay", examples=STAY_EXAMPLES),
                 "responses": {"201": _json("StayOut", "Created"),
                               "200": _json("StayOut", "Replay of the same stay (Idempotent-Replayed: true)"),
                               "409": PROBLEM, **ERRORS}},
        "get": {"summary": "List stays, newest first", "operationId": "listStays",
                "parameters": [{"in": "query", "schema": s.ListStaysQuery}],
                "responses": {"200": _json("StayListOut"), **ERRORS}},
    },
    "/stays/bulk": {
        "post": {"summary": "Notify up to 500 stays; each succeeds or fails on its own",
                 "operationId": "createStaysBulk", "requestBody": _body("Bulk"),
                 "responses": {"200": _json("BulkOut"), **ERRORS}},
    },
    "/stays/{stay_id}": {
        "parameters": [STAY_ID],
        "get": {"summary": "Read a stay", "operationId": "getStay",
                "responses": {"200": _json("StayOut"), **ERRORS}},
        "patch": {"summary": "Amend a stay: room, dates, reason, correct or add guests",
                  "operationId": "amendStay", "requestBody": _body("StayPatch"),
                  "responses": {"200": _json("StayOut"), "409": PROBLEM, **ERRORS}},
    },
    "/stays/{stay_id}/departure": {
        "parameters": [STAY_ID],
        "post": {"summary": "Record the departure of all or some guests", "operationId": "recordDeparture",
                 "requestBody": _body("Departure"), "responses": {"200": _json("StayOut"), "409": PROBLEM, **ERRORS}},
    },
    "/stays/{stay_id}/cancel": {
        "parameters": [STAY_ID],
        "post": {"summary": "Cancel a stay registered by mistake", "operationId": "cancelStay",
                 "requestBody": _body("Cancel"), "responses": {"200": _json("StayOut"), **ERRORS}},
    },
    "/notifications": {
        "get": {"summary": "Notifications, e.g. ?status=rejected for what needs attention",
                "operationId": "listNotifications",
                "parameters": [{"in": "query", "schema": s.ListNotificationsQuery}],
                "responses": {"200": _json("NotificationListOut"), **ERRORS}},
    },
    "/portal-files": {
        "get": {"summary": "Portal files of this facility, newest first (vn_portal receiver)",
                "operationId": "listPortalFiles",
                "parameters": [{"in": "query", "schema": s.ListPortalFilesQuery}],
                "responses": {"200": _json("PortalFileListOut"), **ERRORS}},
    },
    "/portal-files/{file_id}": {
        "parameters": [FILE_ID],
        "get": {"summary": "One portal file with its rows (record number -> notification)",
                "operationId": "getPortalFile", "responses": {"200": _json("PortalFileOut"), **ERRORS}},
    },
    "/portal-files/{file_id}/content": {
        "parameters": [FILE_ID],
        "get": {"summary": "The file to upload to the portal (XLSX or XML), as an attachment",
                "operationId": "getPortalFileContent",
                "responses": {"200": {"description": "The file", "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                        {"schema": {"type": "string", "format": "binary"}},
                    "application/xml": {"schema": {"type": "string", "format": "binary"}}}},
                    "409": PROBLEM, **ERRORS}},
    },
    "/portal-files/{file_id}/confirm": {
        "parameters": [FILE_ID],
        "post": {"summary": "Report the number of records the portal listed after the upload: the row count "
                            "confirms the file (its notifications become accepted), any other count is a mismatch",
                 "operationId": "confirmPortalFile", "requestBody": _body("PortalConfirm"),
                 "responses": {"200": _json("PortalConfirmOut"), "409": PROBLEM, **ERRORS}},
    },
    "/proofs/{date}": {
        "parameters": [{"name": "date", "in": "path", "required": True,
                        "schema": {"type": "string", "format": "date"},
                        "description": "A Vietnam day, YYYY-MM-DD, not after today (docs/PROOF.md)"},
                       FACILITY_CODE_QUERY],
        "get": {"summary": "The signed daily proof (PDF, Vietnamese) of this facility's notifications of one day",
                "operationId": "getDailyProof",
                "responses": {"200": {"description": "The PDF with its Ed25519 signature line (docs/PROOF.md)",
                                      "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
                              **ERRORS}},
    },
    "/long-stays": {
        "get": {"summary": "In-house stays of 30 days or more: they need a temporary-residence registration "
                           "(Law on Residence 2020, Art. 27); information, longest first",
                "operationId": "listLongStays",
                "parameters": [{"in": "query", "schema": long_stays.LongStaysQuery}],
                "responses": {"200": _json("LongStayListOut"), **ERRORS}},
    },
    "/checkin-links": {
        "post": {"summary": "A guest self check-in link for one booking (docs/SELF_CHECKIN.md): the guest fills "
                            "in their own details, staff confirm; the link is shown only in this answer",
                 "operationId": "createCheckinLink", "requestBody": _body("CheckinLinkCreate"),
                 "responses": {"201": _json("CheckinLinkOut", "Created"), **ERRORS}},
    },
    "/webhooks": {
        "post": {"summary": "Subscribe to events (signed Standard Webhooks); the answer holds the secret, "
                            "shown only once", "operationId": "createWebhook",
                 "requestBody": _body("WebhookCreate"),
                 "responses": {"201": _json("WebhookCreatedOut", "Created"), **ERRORS}},
        "get": {"summary": "This facility's webhook subscriptions (without secrets)", "operationId": "listWebhooks",
                "parameters": [FACILITY_CODE_QUERY],
                "responses": {"200": _json("WebhookListOut"), **ERRORS}},
    },
    "/webhooks/{webhook_id}": {
        "parameters": [WEBHOOK_ID],
        "get": {"summary": "One webhook subscription", "operationId": "getWebhook",
                "responses": {"200": _json("WebhookOut"), **ERRORS}},
        "delete": {"summary": "Delete a subscription and its undelivered messages", "operationId": "deleteWebhook",
                   "responses": {"204": {"description": "Deleted"}, **ERRORS}},
    },
    "/rooms": {
        "get": {"summary": "The facility's rooms (a medical facility: beds by department) with the guests in house "
                           "in each now, and open stays whose room is not on the list (docs/ROOMS.md)",
                "operationId": "listRooms", "parameters": [{"in": "query", "schema": rooms.ListRoomsQuery}],
                "responses": {"200": _json("RoomListOut"), **ERRORS}},
        "post": {"summary": "List a room; a retired room of the same name is listed again",
                 "operationId": "createRoom", "requestBody": _body("RoomCreate"),
                 "responses": {"201": _json("RoomOut", "Created"), **ERRORS}},
    },
    "/rooms/{room_id}": {
        "parameters": [ROOM_ID],
        "patch": {"summary": "Rename, move to a section, change the capacity, retire (retired: true) or list again; "
                             "renaming or retiring a room with guests in house is 409 room.occupied",
                  "operationId": "updateRoom", "requestBody": _body("RoomPatch"),
                  "responses": {"200": _json("RoomOut"), "409": PROBLEM, **ERRORS}},
    },
}

SCHEMAS = {"Stay": s.StaySchema, "StayPatch": s.StayPatchSchema, "Bulk": s.BulkSchema,
           "Departure": s.DepartureSchema, "Cancel": s.CancelSchema, "StayOut": s.StayOut,
           "StayListOut": s.StayListOut, "BulkOut": s.BulkOut, "NotificationListOut": s.NotificationListOut,
           "Problem": s.ProblemOut, "PortalConfirm": s.PortalConfirmSchema, "PortalFileOut": s.PortalFileOut,
           "PortalFileListOut": s.PortalFileListOut, "PortalConfirmOut": s.PortalConfirmOut,
           "WebhookCreate": wh.WebhookCreateSchema, "WebhookOut": wh.WebhookOut,
           "WebhookCreatedOut": wh.WebhookCreatedOut, "WebhookListOut": wh.WebhookListOut,
           "RoomCreate": rooms.RoomCreateSchema, "RoomPatch": rooms.RoomPatchSchema, "RoomOut": rooms.RoomOut,
           "RoomListOut": rooms.RoomListOut, "LongStayListOut": long_stays.LongStayListOut,
           "CheckinLinkCreate": ck.CheckinLinkCreateSchema, "CheckinLinkOut": ck.CheckinLinkOut}


# Whole, valid request bodies (issue 10, item 13): schemathesis mixes them into generated requests, so
# its stateful phase gets created stays to follow the links from.
EXAMPLES = {"Stay": s.EXAMPLE_STAY,
            "Bulk": {"stays": [{**s.EXAMPLE_STAY, "external_ref": "BK-2026-0002"}]},
            "StayPatch": {"room": "102"},
            "Departure": {},
            "Cancel": {"reason": "Registered by mistake"},
            "RoomCreate": {"name": "101", "section": "Tầng 1", "capacity": 2},
            "RoomPatch": {"capacity": 3},
            "CheckinLinkCreate": {"booking_ref": "BK-2026-0001"},
            "WebhookCreate": {"url": "https://pms.example.com/hooks/accommnotify",
                              "events": ["notification.rejected", "notification.dead"]}}


def _schema_name_resolver(schema):
    cls = schema if isinstance(schema, type) else type(schema)
    for name, known in SCHEMAS.items():
        if known is cls:
            return name
    return cls.__name__.removesuffix("Schema")


def _strict_nullable(node):
    """apispec writes an optional nested object as `anyOf: [{type: object, nullable: true}, {$ref}]`,
    whose first branch admits *any* object: the document then promised that `{"document": {"x": 1}}` was
    a valid guest, and generated guests carried such junk. `allOf: [{$ref}]` + `nullable` says what the
    schemas accept: the referenced object, or null."""
    if isinstance(node, dict):
        any_of = node.get("anyOf")
        if (isinstance(any_of, list) and len(any_of) == 2 and any_of[0] == {"type": "object", "nullable": True}
                and set(any_of[1]) == {"$ref"}):
            rest = {k: v for k, v in node.items() if k != "anyOf"}
            return {**rest, "allOf": [any_of[1]], "nullable": True}
        return {k: _strict_nullable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_strict_nullable(v) for v in node]
    return node


def build_spec() -> dict:
    spec = APISpec(title="accommnotify facility API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name_resolver)],
                   info={"description": "Post stays; the service notifies the police (see SPEC §5)."},
                   servers=[{"url": "/api/v1"}],
                   components={"securitySchemes": {"apiKey": {
                       "type": "http", "scheme": "bearer",
                       "description": "A facility key (ak_…) or an organisation key (ok_…); with an organisation "
                                      "key, name the facility: facility_code in the body of POST /stays and "
                                      "/stays/bulk, POST /webhooks and POST /checkin-links, ?facility_code= on the lists and the daily proof."}}},
                   security=[{"apiKey": []}])
    for name, schema in SCHEMAS.items():
        extra = {"example": EXAMPLES[name]} if name in EXAMPLES else None
        spec.components.schema(name, component=extra, schema=schema)
    for path, operations in OPERATIONS.items():
        operations = dict(operations)
        spec.path(path=path, parameters=operations.pop("parameters", None), operations=operations)
    return _strict_nullable(spec.to_dict())


DOCS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>accommnotify API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}
code{background:#f3f3f3;padding:.1rem .3rem}section{border-top:1px solid #ddd;padding:.5rem 0}</style></head>
<body><h1>{{ spec.info.title }}</h1><p>{{ spec.info.description }}</p>
<p>Machine-readable document: <a href="openapi.json">openapi.json</a>. Authenticate with
<code>Authorization: Bearer &lt;API key&gt;</code>. Errors are <code>application/problem+json</code>.</p>
{% for path, ops in spec.paths.items() %}{% for method, op in ops.items() if method != 'parameters' %}
<section><h2><code>{{ method|upper }} /api/v1{{ path }}</code></h2><p>{{ op.summary }}</p>
<p>Responses: {% for code in op.responses %}<code>{{ code }}</code> {% endfor %}</p></section>
{% endfor %}{% endfor %}</body></html>"""


def register(bp):
    @bp.get("/openapi.json")
    def openapi_json():
        cache = current_app.extensions.setdefault("accommnotify.openapi", {})
        if "spec" not in cache:
            cache["spec"] = build_spec()
        return jsonify(cache["spec"])

    @bp.get("/docs")
    def docs():
        return render_template_string(DOCS_PAGE, spec=build_spec())
