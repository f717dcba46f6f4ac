"""GET /police/api/v1/notifications: the inbox for police systems, with bearer tokens.

A token belongs to an officer or to a system account; either way the account's scope applies, and
an id outside it is a 404. Pagination is by cursor, oldest first by (received_at, id), so a system
can poll with the last `next_cursor` and get only what arrived since.

The lists and the search read from the read replica when one is configured and healthy
(accommnotify/replica.py); the token check and the audit writes stay on the primary.
"""
import base64
import json
from datetime import datetime, timezone

from flask import Blueprint, current_app, g, jsonify, request

from .. import replica
from . import audit, queries
from .accounts import officer_for_token
from ..web_auth import personal_data_headers
from .serialize import to_json

bp = Blueprint("police_read_api", __name__, url_prefix="/police/api/v1")
MAX_LIMIT = 500


def problem(status: int, title: str, detail: str, headers=None, errors=None):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def _invalid_character(field: str):
    return problem(400, "Bad Request", "A NUL byte or a lone surrogate is not accepted.",
                   errors=[{"field": field, "code": "text.invalid_character",
                            "message": "The value contains an invalid character."}])


@bp.before_request
def _require_token():
    from ..web_auth import invalid_input_field
    field = invalid_input_field()
    if field is not None:
        return _invalid_character(field)
    # Every route of this blueprint, so a new one cannot be forgotten (the search route once was).
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Unauthorized", "Send 'Authorization: Bearer <police API token>'.",
                       {"WWW-Authenticate": 'Bearer realm="accommnotify-police"'})
    account = officer_for_token(token.strip())
    if account is None:
        return problem(401, "Unauthorized", "The token is unknown or revoked.",
                       {"WWW-Authenticate": 'Bearer realm="accommnotify-police", error="invalid_token"'})
    g.police_account = account
    return None


@bp.after_request
def _no_store(response):
    return personal_data_headers(response)


def encode_cursor(row) -> str:
    raw = json.dumps([row.received_at.isoformat(), row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str):
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        at, last_id = json.loads(raw)
        at = datetime.fromisoformat(at)
        at.astimezone(timezone.utc)  # OverflowError for 0001-01-01T00:00+14:00: not a cursor this API gave out
        if at.tzinfo is None or not isinstance(last_id, str) or not last_id.isprintable() or len(last_id) > 64:
            raise ValueError
        return at, last_id
    except (ValueError, TypeError, OverflowError, RecursionError, json.JSONDecodeError):
        return None


@bp.get("/notifications")
def list_notifications():
    """Poll with a cursor. A `q` in the URL is ignored: names and numbers never go in URLs."""
    return _list(request.args.to_dict(), q_allowed=False)


@bp.post("/notifications/search")
def search_notifications():
    """The same listing with a name or number search: the search text travels in the JSON body."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "Bad Request", "Send a JSON object, e.g. {\"q\": \"nguyen van an\"}.")
    args = {k: str(v) for k, v in body.items() if v is not None}
    # The body's text gets the check the URL and form fields get at the door (invalid_input_field).
    from ..rules.text import has_invalid_characters
    for key, value in args.items():
        if has_invalid_characters(key) or has_invalid_characters(value):
            return _invalid_character("?" if has_invalid_characters(key) else key)
    return _list(args, q_allowed=True)


def _list(args: dict, *, q_allowed: bool):
    account = g.police_account
    # The API filters by received date only when asked (no "today" default: a system polls).
    args["date_from"], args["date_to"] = args.get("received_from", ""), args.get("received_to", "")
    args["unack"] = args.get("unacknowledged", "")
    f = queries.Filters.from_args(args, default_today=False, q_from_args=q_allowed)
    wire_name = {"date_from": "received_from", "date_to": "received_to"}
    if f.out_of_range:
        return problem(422, "Unprocessable Entity",
                       f"received_from / received_to must be between {queries.EARLIEST_DATE} and {queries.LATEST_DATE}.",
                       errors=[{"field": wire_name[n], "code": "out_of_range",
                                "message": f"The date must be between {queries.EARLIEST_DATE} and {queries.LATEST_DATE}."}
                               for n in f.out_of_range])
    if f.errors:
        return problem(400, "Bad Request", "received_from / received_to must be YYYY-MM-DD.")
    after = None
    if args.get("cursor"):
        after = decode_cursor(args["cursor"])
        if after is None:
            return problem(400, "Bad Request", "The cursor is not one this API gave out.")
    try:
        limit = max(1, min(int(args.get("limit", "100")), MAX_LIMIT))
    except ValueError:
        return problem(400, "Bad Request", f"limit must be an integer 1..{MAX_LIMIT}.")
    settle = int(current_app.config.get("POLICE_API_SETTLE_SECONDS", 5))
    rows, has_more = replica.read(lambda s: queries.api_page(
        account, f, after, limit, settle + replica.extra_settle_seconds(s) if settle > 0 else 0, session=s))
    next_cursor = encode_cursor(rows[-1]) if rows else args.get("cursor")
    body = jsonify({"notifications": [to_json(r) for r in rows], "next_cursor": next_cursor,
                    "has_more": has_more})
    audit.record(account, "api_list", via="api", row_count=len(rows),
                 filters=f.for_audit() | ({"cursor": args["cursor"]} if after else {}))
    return body


@bp.get("/notifications/<notification_id>")
def get_notification(notification_id):
    account = g.police_account
    row = replica.read(lambda s: queries.get_in_scope(account, notification_id, session=s))
    if row is None and replica.on_replica(replica.read_session()):
        row = queries.get_in_scope(account, notification_id)  # not replayed yet: the primary has the last word
    if row is None:
        return problem(404, "Not Found", "No such notification.")
    body = jsonify(to_json(row))
    audit.record(account, "api_detail", via="api", row_count=1, record_id=row.id)
    return body
