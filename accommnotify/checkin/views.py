"""The guest's pages (/checkin/<token>): public, no login, one facility's form per token.

Personal data only ever travels in POST bodies (the token names a facility's desk or a booking,
nobody); the pages never show anything the guest did not type in this very request, and after
sending the guest sees only "waiting for staff" (no way back to the entry).
"""
import hashlib
import re
import secrets

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import get_locale

from ..facility import forms
from ..facility.vocab import DEFAULT_REASON
from ..intake.errors import InvalidInput
from ..timeutil import utcnow
from ..web_auth import PAGES_CSP, invalid_input_field
from . import service, vocab
from .i18n import LANGUAGES, NAMES, SESSION_KEY, gettext as t
from .messages import guest_message

bp = Blueprint("checkin", __name__, url_prefix="/checkin")
MAX_GUESTS = 20            # one entry: a family or a small group; a tour group goes through the desk
OPENED = "checkin_opened"  # session: {"t": hash of the token, "at": when the form was opened}
SENT = "checkin_sent"      # session: how many guests the last entry had (nothing else)
NONCE = "checkin_nonce"    # session: the one-time value of the form last opened (also a hidden field)
_INDEX = re.compile(r"^[0-9]{1,3}$")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,48}$")


def lang() -> str:
    return str(get_locale() or "vi")[:2]


@bp.before_request
def _refuse_invalid_characters():
    field = invalid_input_field()
    if field is not None:
        abort(400, description=f"text.invalid_character: {field}")


@bp.after_request
def _headers(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"    # the token never leaves in a Referer
    response.headers["Content-Security-Policy"] = PAGES_CSP
    return response


@bp.context_processor
def _context():
    return {"t": t, "current_lang": lang(), "languages": LANGUAGES, "language_names": NAMES, "cvocab": vocab}


@bp.errorhandler(404)
def _not_found(_error):
    return render_template("checkin/not_found.html"), 404


@bp.errorhandler(413)
def _too_large(_error):
    return render_template("checkin/not_found.html", too_large=True), 413


def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _opened_at(token: str):
    opened = session.get(OPENED)
    if isinstance(opened, dict) and opened.get("t") == _token_key(token) and isinstance(opened.get("at"), (int, float)):
        return opened["at"]
    return None


def _nonce() -> str:
    """The form's one-time value: the hidden field's, else the session's, else a new one."""
    for value in (request.form.get("nonce"), session.get(NONCE)):
        if isinstance(value, str) and _NONCE.match(value):
            return value
    session[NONCE] = secrets.token_urlsafe(24)
    return session[NONCE]


def _access(token: str):
    """The token's Access, or the answer to send instead (404 unknown, 410 gone, 429 throttled)."""
    limiter = service.throttle()
    locked = limiter.check("bad-token", request.remote_addr, pair_only=True)
    if locked:   # too many unknown tokens from this network: no look-up at all until the delay ends
        # (only the unknown tokens' own count: a network that sent many entries may still open the form)
        return None, (render_template("checkin/not_found.html", wait=locked), 429, {"Retry-After": str(locked)})
    try:
        return service.resolve(token, opened_at=_opened_at(token)), None
    except service.Gone:
        return None, (render_template("checkin/gone.html"), 410)
    except service.Unknown:
        limiter.record_failure("bad-token", request.remote_addr)
        return None, (render_template("checkin/not_found.html"), 404)


def _render(token, access, reason, guests, errors, privacy=False, status=200, notice=None, focus=None, wait=None,
            nonce=None, full=False):
    summary = []
    for key, texts in errors.items():
        match = forms.GUEST_KEY.match(key)
        if match:
            where = t("Guest %(n)s", n=int(match.group(1)) + 1) + " · " + str(vocab.FIELD_LABELS.get(match.group(2), match.group(2)))
        else:
            where = str(vocab.FIELD_LABELS.get(key, key))
        summary.append((key, where, texts))
    response = render_template("checkin/form.html", token=token, facility=access.facility, reason=reason,
                               guests=guests, errors=errors, summary=summary, privacy=privacy, notice=notice,
                               focus=focus, max_guests=MAX_GUESTS, wait=wait, full=full,
                               nonce=nonce or _nonce())
    return response, status, ({"Retry-After": str(wait)} if wait else {})


@bp.get("/<token>")
def form(token):
    access, refusal = _access(token)
    if refusal:
        return refusal
    if request.args.get("lang") in LANGUAGES:
        session[SESSION_KEY] = request.args["lang"]
    if _opened_at(token) is None:
        session[OPENED] = {"t": _token_key(token), "at": utcnow().timestamp()}
    session[NONCE] = secrets.token_urlsafe(24)   # each opening of the form: a new one-time value
    reason = DEFAULT_REASON.get(access.facility.kind, "tourism")
    return _render(token, access, reason, [forms.empty_guest()], {})


@bp.get("/sent")
def sent():
    count = session.get(SENT)
    return render_template("checkin/sent.html", count=count if isinstance(count, int) else None)


@bp.post("/<token>")
def submit(token):
    nonce = _nonce()
    if service.sent_before(token, nonce):   # a double tap or a retry of a form already stored
        session.pop(NONCE, None)
        return redirect(url_for("checkin.sent", lang=lang()))
    access, refusal = _access(token)
    if refusal:
        return refusal
    if request.form.get("lang") in LANGUAGES:
        session[SESSION_KEY] = request.form["lang"]
    stay, guests = forms.read_form(request.form)
    too_many = len(guests) > MAX_GUESTS   # only a crafted form: the page offers no more; keep what fits, send nothing
    guests = guests[:MAX_GUESTS] or [forms.empty_guest()]
    reason = stay.get("reason") if stay.get("reason") in vocab.REASONS else DEFAULT_REASON.get(access.facility.kind, "tourism")
    privacy = request.form.get("privacy") == "yes"
    action = request.form.get("action", "submit")
    errors, scanned = forms.apply_scans(guests, lang(), say=guest_message, limit=2000)
    if action == "add":   # never sends: at the cap the page just comes back
        if len(guests) < MAX_GUESTS:
            guests.append(forms.empty_guest())
        return _render(token, access, reason, guests, errors, privacy, focus=f"g-{len(guests) - 1}-full_name")
    if action.startswith("remove:"):
        raw = action.split(":", 1)[1]
        index = int(raw) if _INDEX.match(raw) else -1
        if 0 <= index < len(guests) and len(guests) > 1:
            del guests[index]
            errors = {}
        return _render(token, access, reason, guests, errors, privacy)
    if action.startswith("scan:") or scanned:
        notice = None if errors else t("Filled from the scan. Check the details, then send.")
        return _render(token, access, reason, guests, errors, privacy, notice=notice)

    payloads = [forms.guest_payload(g) for g in guests]
    try:
        service.check_entry(access, payloads, reason)
    except InvalidInput as exc:
        errors = forms.errors_by_field(exc.issues, lang(), guest_message)
    if too_many:
        errors["guests"] = [guest_message("guests.too_many", lang(), max=MAX_GUESTS)]
    if not privacy:
        errors["privacy"] = [t("Please read the privacy notice and tick the box to agree.")]
    if errors:
        return _render(token, access, reason, guests, errors, privacy, status=422)
    limiter = service.throttle()
    wait = limiter.check(access.throttle_name, request.remote_addr)
    if wait:
        return _render(token, access, reason, guests, {}, privacy, status=429, wait=wait)
    limiter.record_failure(access.throttle_name, request.remote_addr)   # counted before storing: parallel sendings count too
    try:
        service.submit(access, payloads, reason, lang(), nonce=nonce)
    except service.Duplicate:
        session.pop(NONCE, None)
        return redirect(url_for("checkin.sent", lang=lang()))
    except service.Full:
        return _render(token, access, reason, guests, {}, privacy, status=429, wait=service.FULL_RETRY_AFTER,
                       full=True)
    except service.Gone:
        return render_template("checkin/gone.html"), 410
    except InvalidInput as exc:   # checked a moment ago; the clock moved across a rule's edge
        return _render(token, access, reason, guests, forms.errors_by_field(exc.issues, lang(), guest_message),
                       privacy, status=422)
    session.pop(OPENED, None)
    session.pop(NONCE, None)   # the next form opened gets a new one (a resend of this one carries it in its field)
    session[SENT] = len(payloads)
    return redirect(url_for("checkin.sent", lang=lang()))
