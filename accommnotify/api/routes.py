"""The facility API (SPEC §5): thin views over the intake service."""
from flask import Blueprint, jsonify, request

from .. import proof
from ..intake import changes, service
from ..intake.errors import MAX_ERRORS, IntakeError, render_capped
from ..intake.prepare import load
from ..intake.schemas import (FacilityCodeSchema, ListNotificationsQuery, ListPortalFilesQuery, ListStaysQuery,
                              PortalConfirmSchema)
from ..portal import service as portal
from ..proof.daily import parse_day
from ..timeutil import utcnow
from ..rules.issues import Issue
from . import long_stays, openapi, problems
from ..web_auth import personal_data_headers
from ..models import PortalFile, Stay, WebhookSubscription
from ..webhooks import subscriptions as webhook_subscriptions
from ..webhooks.schemas import WebhookCreateSchema
from ..checkin import service as checkin
from ..checkin.schemas import CheckinLinkCreateSchema
from .auth import facility_named, facility_owning, require_api_key

bp = Blueprint("api", __name__, url_prefix="/api/v1")
problems.register(bp)
openapi.register(bp)
long_stays.register(bp)
PUBLIC_ENDPOINTS = {"api.openapi_json", "api.docs"}
BULK_ERRORS = 2000  # errors listed in one bulk answer, over all its items
_STAYS_QUERY = ListStaysQuery()
_NOTIFICATIONS_QUERY = ListNotificationsQuery()
_PORTAL_FILES_QUERY = ListPortalFilesQuery()
_PORTAL_CONFIRM = PortalConfirmSchema()
_WEBHOOK_CREATE = WebhookCreateSchema()
_FACILITY_CODE = FacilityCodeSchema()
_CHECKIN_LINK = CheckinLinkCreateSchema()


@bp.after_request
def _personal_data(response):
    # Stays carry names and ID numbers: no cache keeps them, no browser sniffs them into a page.
    return personal_data_headers(response)


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return require_api_key()


def json_body():
    """The parsed body; a clear 400/415 rather than a stack trace for anything that is not JSON."""
    if request.method in ("POST", "PATCH") and not request.is_json and request.content_length:
        raise IntakeError("Send the body as application/json.", [Issue("body", "format")])
    payload = request.get_json(silent=True)
    if payload is None and request.content_length:
        raise IntakeError("The body is not valid JSON.", [Issue("body", "invalid_json")])
    return payload


def _query(schema):
    """The loaded query string, and the facility it is for (`facility_code`, chains)."""
    query = load(schema, request.args.to_dict())
    return facility_named(query.pop("facility_code", None)), query


def _for_facility(payload):
    """The facility a body is for, and the body without `facility_code`: the stay stored (and its
    idempotency hash) is the same whether the code was sent or not."""
    if isinstance(payload, dict) and "facility_code" in payload:
        payload = dict(payload)
        code = load(_FACILITY_CODE, {"facility_code": payload.pop("facility_code")})["facility_code"]
        return facility_named(code), payload
    return facility_named(None), payload


def _of_stay(stay_id):
    return facility_owning(Stay, stay_id, "stay")


def _of_file(file_id):
    return facility_owning(PortalFile, file_id, "portal file")


def _of_webhook(webhook_id):
    return facility_owning(WebhookSubscription, webhook_id, "webhook subscription")


@bp.post("/stays")
def create_stay():
    created = service.create_stay(*_for_facility(json_body()))
    response = jsonify(created.stay)
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
        return response, 200
    response.headers["Location"] = f"/api/v1/stays/{created.stay['id']}"
    return response, 201


@bp.post("/stays/bulk")
def create_stays_bulk():
    results = service.create_stays_bulk(*_for_facility(json_body()))
    lang = problems.language()
    budget = BULK_ERRORS  # errors listed in the whole answer; each invalid item lists at least one
    for result in results:
        if "issues" in result:
            rendered = render_capped(result.pop("issues"), lang, max(1, min(MAX_ERRORS, budget)))
            budget -= len(rendered["errors"])
            result.update(rendered)
    return jsonify(results=results)


@bp.get("/stays/<stay:stay_id>")
def get_stay(stay_id):
    return jsonify(service.get_stay(_of_stay(stay_id), stay_id))


@bp.get("/stays")
def list_stays():
    facility, query = _query(_STAYS_QUERY)
    stays, next_cursor = service.list_stays(facility, **query)
    return jsonify(stays=stays, next_cursor=next_cursor)


@bp.patch("/stays/<stay:stay_id>")
def amend_stay(stay_id):
    return jsonify(changes.amend_stay(_of_stay(stay_id), stay_id, json_body()))


@bp.post("/stays/<stay:stay_id>/departure")
def record_departure(stay_id):
    return jsonify(changes.record_departure(_of_stay(stay_id), stay_id, json_body()))


@bp.post("/stays/<stay:stay_id>/cancel")
def cancel_stay(stay_id):
    return jsonify(changes.cancel_stay(_of_stay(stay_id), stay_id, json_body()))


@bp.get("/notifications")
def list_notifications():
    facility, query = _query(_NOTIFICATIONS_QUERY)
    items, next_cursor = service.list_notifications(facility, **query)
    return jsonify(notifications=items, next_cursor=next_cursor)


# -- portal files (vn_portal receiver): download, upload by hand, confirm the count ---------------
@bp.get("/portal-files")
def list_portal_files():
    facility, query = _query(_PORTAL_FILES_QUERY)
    files = portal.list_files(facility.id, **query)
    return jsonify(portal_files=[portal.file_view(f) for f in files])


@bp.get("/portal-files/<portal_file:file_id>")
def get_portal_file(file_id):
    f = portal.get_file(_of_file(file_id).id, file_id)
    return jsonify(portal.file_view(f, portal.file_rows(file_id)))


@bp.get("/portal-files/<portal_file:file_id>/content")
def portal_file_content(file_id):
    from flask import Response
    f = portal.get_file(_of_file(file_id).id, file_id)
    data, content_type = portal.content(f)
    return Response(data, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="{f.filename}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


@bp.post("/portal-files/<portal_file:file_id>/confirm")
def confirm_portal_file(file_id):
    body = load(_PORTAL_CONFIRM, json_body())
    result = portal.confirm(_of_file(file_id).id, file_id, body["records_shown"], problems.language())
    return jsonify(result=result.result, message=result.message, portal_file=portal.file_view(result.file))


# -- daily proofs (docs/PROOF.md): the signed PDF of one Vietnam day of this facility --------------
@bp.get("/proofs/<day>")
def daily_proof(day):
    now = utcnow()
    parsed = parse_day(day[:20], now)
    facility, _query_left = _query(_FACILITY_CODE)
    return proof.download(facility, parsed, now)


# -- guest self check-in (docs/SELF_CHECKIN.md) ------------------------------------------------------
@bp.post("/checkin-links")
def create_checkin_link():
    """A link for one booking, for the PMS to send with the booking confirmation (shown once)."""
    from flask import url_for
    from ..timeutil import to_vn
    facility, payload = _for_facility(json_body())   # a JSON object, {} at least (the document says so)
    body = load(_CHECKIN_LINK, payload)
    token, row = checkin.create_link_row(facility.id, body.get("booking_ref"))
    return jsonify(url=url_for("checkin.form", token=token, _external=True), booking_ref=row.booking_ref,
                   expires_at=to_vn(row.expires_at).isoformat(), uses=row.uses_left), 201


# -- webhooks to the facility's software (docs/WEBHOOKS.md) ------------------------------------------
@bp.post("/webhooks")
def create_webhook():
    facility, payload = _for_facility(json_body())
    body = load(_WEBHOOK_CREATE, payload)
    created = webhook_subscriptions.create(facility.id, body["url"], body["events"])
    response = jsonify(created)
    response.headers["Location"] = f"/api/v1/webhooks/{created['id']}"
    return response, 201


@bp.get("/webhooks")
def list_webhooks():
    facility, _query_left = _query(_FACILITY_CODE)
    return jsonify(webhooks=webhook_subscriptions.list_for(facility.id))


@bp.get("/webhooks/<webhook:webhook_id>")
def get_webhook(webhook_id):
    return jsonify(webhook_subscriptions.get(_of_webhook(webhook_id).id, webhook_id))


@bp.delete("/webhooks/<webhook:webhook_id>")
def delete_webhook(webhook_id):
    webhook_subscriptions.remove(_of_webhook(webhook_id).id, webhook_id)
    return "", 204
