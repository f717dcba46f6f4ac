"""Routes of the facility pages. Thin: forms <-> payloads (forms.py), files (importer.py), the
intake service for everything stored. The facility always comes from the logged-in user."""
import json
from datetime import datetime, timedelta
from functools import wraps

from flask import (Blueprint, abort, flash, g, jsonify, make_response, redirect, render_template, request,
                   session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

from .. import proof
from ..ids import new_id
from ..intake import changes, service
from ..intake.prepare import load
from ..intake.schemas import PortalConfirmSchema
from ..portal import service as portal
from ..rooms import service as rooms_service
from ..proof.daily import EARLIEST, parse_day
from ..intake.errors import Conflict, IntakeError, InvalidInput, NotFound
from ..models.facility_users import FacilityUser
from ..rules.issues import Issue
from ..rules.messages import message
from ..rules.scan import parse_scan
from ..rules.text import has_invalid_characters
from ..timeutil import VN_TZ, utcnow
from ..extensions import db
from ..web_auth import PAGES_CSP, end_sessions, invalid_input_field, safe_next, start_session
from . import clock, forms, importer, vocab
from .accounts import authenticate
from .memberships import current_membership, memberships_of, switch_to

bp = Blueprint("facility", __name__, url_prefix="/facility")
IN_HOUSE_LIMIT = 200
HISTORY_PAGE = 25
IMPORT_CHUNK = service.MAX_BULK


def _ascii_number(raw: str, digits: int = 6) -> bool:
    """ASCII digits only, at most ``digits`` of them: ``str.isdigit`` also accepts "²", which ``int`` refuses."""
    return raw.isascii() and raw.isdigit() and len(raw) <= digits


def lang() -> str:
    return str(get_locale() or "vi")[:2]


def _local_path(target: str | None, default: str) -> str:
    return safe_next(target, default)


def login_required(view, permission: str = "stays"):
    """A logged-in facility user whose role at the current facility (memberships) has `permission`."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = current_user._get_current_object() if current_user else None
        if not isinstance(user, FacilityUser):
            return redirect(url_for("facility.login", next=request.path))
        g.user = user
        g.memberships = memberships_of(user)
        g.membership = current_membership(user, g.memberships)
        g.facility = g.membership.facility
        if not g.membership.may(permission):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def manager_required(view):
    return login_required(view, "manage")


# Their fields go to the intake service, which names the field beside it (text.invalid_character).
_FORMS_CHECKED_BY_THE_SERVICE = {"facility.create_stay", "facility.correct_stay"}


@bp.before_request
def _refuse_invalid_characters():
    field = invalid_input_field(form=request.endpoint not in _FORMS_CHECKED_BY_THE_SERVICE)
    if field is not None:
        abort(400, description=f"text.invalid_character: {field}")


@bp.after_request
def _headers(response):
    # Pages with personal data: never cached; no framing; scripts and styles only from this site.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = PAGES_CSP
    return response


@bp.errorhandler(404)
def _not_found(_error):
    """In the page's language, inside the facility's frame (not the server's bare English page)."""
    return render_template("facility/not_found.html"), 404


@bp.errorhandler(403)
def _forbidden(_error):
    return render_template("facility/forbidden.html"), 403


@bp.app_template_global("issue_text")
def issue_text(code: str) -> str:
    return message(code, lang())


@bp.app_template_global("issue_text_params")
def issue_text_params(code: str, **params) -> str:
    return message(code, lang(), **params)


@bp.app_template_global("error_where")
def error_where(key: str, overrides: dict | None = None) -> str:
    """Where an error is, in words: "Khách 2 · Ngày sinh" for `g-1-date_of_birth`, "Ngày đến" for `arrived_at`."""
    if overrides and key in overrides:
        return str(overrides[key])
    match = forms.GUEST_KEY.match(key)
    if match:
        name = match.group(2)
        return _("Guest %(n)s", n=int(match.group(1)) + 1) + " · " + str(vocab.FIELD_LABELS.get(name, name))
    facility = g.get("facility")
    if facility is not None and key in ("room", "arrived_at"):  # hospitals: "Khoa / Giường", "Giờ nhập viện"
        return str(vocab.words(facility.kind)[key])
    return str(vocab.FIELD_LABELS.get(key, key))


@bp.context_processor
def _vocab():
    facility = g.get("facility")
    return {"vocab": vocab, "current_lang": lang(), "portal_enabled": _portal_enabled(),
            "words": vocab.words(facility.kind if facility is not None else None)}


def _portal_enabled() -> bool:
    """The "Portal files" page is in the menu when a vn_portal receiver is configured."""
    from flask import current_app
    from ..receivers.base import ReceiverConfigError
    from ..routing import receivers_config
    try:
        return any(getattr(r, "adapter", "") == "vn_portal" for r in receivers_config(current_app).receivers.values())
    except ReceiverConfigError:
        return False


# ---- login -----------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login():
    error, email = None, ""
    target = _local_path(request.values.get("next"), url_for("facility.index"))
    if request.method == "POST":
        email = request.form.get("email", "")
        result = authenticate(email, request.form.get("password", ""), address=request.remote_addr)
        if result.user is not None:
            start_session(result.user)  # a fresh session at login: no fixation, a new CSRF token
            return redirect(target)
        if result.wait_seconds:
            error = _("Too many failed attempts. Wait %(seconds)s seconds and try again.",
                      seconds=result.wait_seconds)
        else:
            error = _("Wrong e-mail or password.")
    status = 200 if error is None else 401
    return render_template("facility/login.html", error=error, email=email, next=target), status


@bp.post("/logout")
def logout():
    user = current_user._get_current_object() if current_user else None
    if isinstance(user, FacilityUser):
        end_sessions(user)  # this cookie, and any copy of it, stops working
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("facility.login"))


@bp.post("/switch")
@login_required
def switch_facility():
    """Chooses the facility the pages show, among the user's own (CSRF-checked like every form)."""
    if switch_to(g.memberships, request.form.get("facility", "")[:32]) is None:
        abort(404)  # not one of the user's facilities: nothing about it is told
    session.pop("undo_checkout", None)  # an offer of the previous facility
    return redirect(url_for("facility.index"))


@bp.get("/all")
@login_required
def all_in_house():
    """"See all": guests in house at each of the user's facilities, read-only (acting needs a switch)."""
    sections = []
    for membership in g.memberships:
        stays, more = service.list_stays(membership.facility, status="in_house", limit=IN_HOUSE_LIMIT)
        sections.append((membership, stays, more))
    return render_template("facility/all.html", sections=sections)


# ---- current guests and check-out ------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    stays, more = service.list_stays(g.facility, status="in_house", limit=IN_HOUSE_LIMIT)
    rooms: dict[str, list] = {}
    for stay in sorted(stays, key=lambda s: ((s["room"] or "\uffff").zfill(8), s["arrived_at"])):
        rooms.setdefault(stay["room"] or "", []).append(stay)
    for stay in stays:  # a guest removed by a correction is no longer in house
        stay["guests"] = _present(stay)
    rejected, _cursor = service.list_notifications(g.facility, status="rejected", limit=20, actionable=True)
    guests = sum(1 for stay in stays for guest in stay["guests"] if guest["departed_at"] is None)
    room_count = sum(1 for room in rooms if room)
    now = utcnow()
    return render_template("facility/index.html", rooms=rooms, count=len(stays), more=more, undo=_undo_offer(),
                           guest_count=guests, room_count=room_count, board=rooms_service.board(g.facility.id),
                           rejected=rejected, portal_banner=portal.banner_file(g.facility.id),
                           clock=clock.facility_clock(g.facility, now), decree=clock.decree(),
                           today=now.astimezone(VN_TZ).date())


def _present(view: dict) -> list[dict]:
    """The stay's guests, less those a correction removed (entered by mistake)."""
    return [g for g in view["guests"] if not g.get("removed_at")]


def _leaving(view: dict, guest_id: str | None) -> list[dict]:
    return [g for g in _present(view) if g["departed_at"] is None and (not guest_id or g["id"] == guest_id)]


@bp.route("/stays/<stay_id>/departure", methods=["GET", "POST"])
@login_required
def departure(stay_id):
    """GET: the confirmation (who leaves, when: now or earlier). POST: the API's departure service."""
    view = _stay_or_404(stay_id)
    guest_id = request.values.get("guest_id") or None
    target = _local_path(request.values.get("next"), url_for("facility.index"))
    leaving = _leaving(view, guest_id)
    departed_at, errors, status = _now_local_input(), {}, 200
    if request.method == "POST":
        departed_at = request.form.get("departed_at", "").strip()
        payload = {"guest_ids": [guest_id]} if guest_id else {}
        if departed_at:
            payload["departed_at"] = departed_at
        try:
            changes.record_departure(g.facility, stay_id, payload)
        except NotFound:
            abort(404)
        except InvalidInput as exc:
            errors, status = forms.errors_by_field(exc.issues, lang()), 422
        except IntakeError as exc:
            flash(" ".join(message(i.code, lang(), **dict(i.params)) for i in exc.issues) or exc.detail, "error")
            return redirect(target)
        else:
            if leaving:
                session["undo_checkout"] = {"stay": stay_id, "guests": [g["id"] for g in leaving]}
            flash(_("Check-out recorded. The departure will be sent to the police."), "success")
            return redirect(target)
    elif not leaving or view["status"] != "in_house":
        return redirect(url_for("facility.stay_detail", stay_id=stay_id))
    return render_template("facility/checkout.html", stay=view, leaving=leaving, guest_id=guest_id,
                           departed_at=departed_at, errors=errors, next=target), status


def _undo_offer() -> dict | None:
    """The last check-out of this session, while it can still be taken back (changes.undo_departure)."""
    offer = session.get("undo_checkout")
    if not isinstance(offer, dict):
        return None
    try:
        view = service.get_stay(g.facility, str(offer.get("stay")))
    except NotFound:
        session.pop("undo_checkout", None)
        return None
    ids = set(offer.get("guests") or ())
    guests = [guest for guest in view["guests"] if guest["id"] in ids and guest["departed_at"]]
    if not guests or not changes.departure_undoable(g.facility, view["id"], [guest["id"] for guest in guests]):
        session.pop("undo_checkout", None)
        return None
    return {"stay_id": view["id"], "guests": guests}


@bp.post("/stays/<stay_id>/departure/undo")
@login_required
def undo_departure(stay_id):
    _stay_or_404(stay_id)
    offer = session.pop("undo_checkout", None) or {}
    guest_ids = offer.get("guests") if offer.get("stay") == stay_id else []
    try:
        changes.undo_departure(g.facility, stay_id, guest_ids)
    except IntakeError as exc:
        flash(" ".join(message(i.code, lang(), **dict(i.params)) for i in exc.issues) or exc.detail, "error")
    else:
        flash(_("Check-out undone. The guests are in house again; the departure will not be sent."), "success")
    return redirect(_local_path(request.form.get("next"), url_for("facility.index")))


# ---- new stay --------------------------------------------------------------------------------

def _now_local_input() -> str:
    return utcnow().astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")


def _render_stay_form(stay, guests, errors, form_ref, notice=None, focus=None, status=200):
    return render_template("facility/new_stay.html", stay=stay, guests=guests, errors=errors,
                           form_ref=form_ref, notice=notice, focus=focus, room_options=_free_rooms(),
                           nationalities=_nationalities()), status


def _free_rooms() -> list:
    """The listed rooms with a free place, for the room field's suggestions (free text still goes)."""
    return [state for state in rooms_service.board(g.facility.id).rooms if state.spare > 0]


def _nationalities():
    import pycountry
    cache = _nationalities.__dict__.setdefault("cache", {})
    code = lang()
    if code not in cache:
        cache[code] = sorted((c.alpha_3, c.name) for c in pycountry.countries)
    return cache[code]


@bp.get("/stays/new")
@login_required
def new_stay():
    stay = {name: "" for name in forms.STAY_FIELDS}
    stay.update(arrived_at=_now_local_input(), reason=vocab.DEFAULT_REASON.get(g.facility.kind, "tourism"))
    return _render_stay_form(stay, [forms.empty_guest()], {}, "WEB-" + new_id("f")[2:].upper())


@bp.post("/stays/new")
@login_required
def create_stay():
    stay, guests = forms.read_form(request.form)
    form_ref = request.form.get("form_ref") or "WEB-" + new_id("f")[2:].upper()
    action = request.form.get("action", "submit")
    errors, scanned = forms.apply_scans(guests, lang())
    if not guests:
        guests = [forms.empty_guest()]
    focus = None
    if action in ("add", "add_foreigner"):
        guests.append(forms.empty_guest(forms.FOREIGNER if action == "add_foreigner" else forms.CITIZEN))
        focus = f"g-{len(guests) - 1}-full_name"
        return _render_stay_form(stay, guests, errors, form_ref, focus=focus)
    if action.startswith("remove:"):
        index = int(action.split(":", 1)[1]) if _ascii_number(action.split(":", 1)[1]) else -1
        if 0 <= index < len(guests) and len(guests) > 1:
            del guests[index]
            errors = {}  # indexes moved; errors are shown again at the next submit
        return _render_stay_form(stay, guests, errors, form_ref)
    if action.startswith("scan:") or scanned:
        notice = None if errors else _("Filled from the scan. Check the details, then send.")
        return _render_stay_form(stay, guests, errors, form_ref, notice=notice)

    payload = forms.stay_payload(stay, guests, form_ref)
    try:
        created = service.create_stay(g.facility, payload, source="form")
    except InvalidInput as exc:
        errors = forms.errors_by_field(exc.issues, lang())
        return _render_stay_form(stay, guests, errors, form_ref, status=422)
    except Conflict:
        errors = {"external_ref": [_("This booking ref is already used by another stay with different "
                                     "details. Use another ref, or correct that stay from its page.")]}
        return _render_stay_form(stay, guests, errors, form_ref, status=409)
    flash(_("Saved. The notification will be sent to the police."), "success")
    over = rooms_service.full_after(g.facility.id, created.stay["room"])
    if over is not None:  # a warning, not a refusal: the list may be out of date
        flash(vocab.kind_word(g.facility.kind, "over") % {"room": over.room.name, "guests": over.guests,
                                                          "capacity": over.room.capacity}, "warning")
    return redirect(url_for("facility.stay_detail", stay_id=created.stay["id"]))


# ---- quick admission (hospitals: a patient and their relatives or carers, at night) --------------

ADMISSION_GUEST_FIELDS = ("scan", "full_name", "date_of_birth", "sex", "id_number")


def _hospital_only():
    if g.facility.kind != "medical_facility":
        abort(404)


def _render_admission(stay, guests, errors, form_ref, notice=None, focus=None, status=200):
    return render_template("facility/admission.html", stay=stay, guests=guests, errors=errors,
                           form_ref=form_ref, notice=notice, focus=focus), status


@bp.get("/admissions/new")
@login_required
def new_admission():
    """The fewest fields for a night admission: department and bed, the time (now), the patient and
    one box per relative or carer; reason medical treatment; each person fills from a chip-ID scan."""
    _hospital_only()
    stay = {"department": "", "bed": "", "arrived_at": _now_local_input(), "external_ref": ""}
    return _render_admission(stay, [forms.empty_guest()], {}, "WEB-" + new_id("f")[2:].upper())


@bp.post("/admissions/new")
@login_required
def create_admission():
    _hospital_only()
    _stay, guests = forms.read_form(request.form)
    stay = {key: request.form.get(key, "") for key in ("department", "bed", "arrived_at", "external_ref")}
    form_ref = request.form.get("form_ref") or "WEB-" + new_id("f")[2:].upper()
    action = request.form.get("action", "submit")
    for guest in guests:
        guest["kind"] = forms.CITIZEN  # the quick path is for chip-ID cards; a foreigner: the full form
    errors, scanned = forms.apply_scans(guests, lang())
    if not guests:
        guests = [forms.empty_guest()]
    if action == "add" and len(guests) < forms.MAX_GUEST_ROWS:
        guests.append(forms.empty_guest())
        return _render_admission(stay, guests, errors, form_ref, focus=f"g-{len(guests) - 1}-scan")
    if action.startswith("remove:"):
        arg = action.split(":", 1)[1]
        index = int(arg) if _ascii_number(arg) else -1
        if 0 < index < len(guests):  # the patient (0) stays
            del guests[index]
            errors = {}
        return _render_admission(stay, guests, errors, form_ref)
    if action.startswith("scan:") or scanned:
        notice = None if errors else _("Filled from the scan. Check the details, then send.")
        return _render_admission(stay, guests, errors, form_ref, notice=notice)

    department, bed = stay["department"].strip(), stay["bed"].strip()
    room = " / ".join(part for part in (department, bed) if part)
    payload = forms.stay_payload({"external_ref": stay["external_ref"], "room": room,
                                  "reason": "medical_treatment", "arrived_at": stay["arrived_at"]},
                                 guests, form_ref)
    for companion in payload["guests"][1:]:
        companion["accompanies"] = 0
    try:
        created = service.create_stay(g.facility, payload, source="form")
    except InvalidInput as exc:
        errors = forms.errors_by_field(exc.issues, lang())
        if "room" in errors:
            errors["department"] = errors.pop("room")
        return _render_admission(stay, guests, errors, form_ref, status=422)
    except Conflict:
        errors = {"external_ref": [_("This booking ref is already used by another stay with different "
                                     "details. Use another ref, or correct that stay from its page.")]}
        return _render_admission(stay, guests, errors, form_ref, status=409)
    flash(_("Saved. The notification will be sent to the police."), "success")
    return redirect(url_for("facility.stay_detail", stay_id=created.stay["id"]))


@bp.post("/scan")
@login_required
def scan():
    """JSON for form.js: the same parser as the no-JS "Fill from scan" button."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}  # [1], "x", 1, true: no text to parse (422)
    text = body.get("text") if isinstance(body.get("text"), str) else ""
    if has_invalid_characters(text):
        return jsonify(ok=False, code="text.invalid_character",
                       message=message("text.invalid_character", lang())), 422
    result = parse_scan(text[:2000])
    if result.issues or not result.fields:
        code = result.issues[0].code if result.issues else "scan.malformed"
        return jsonify(ok=False, code=code, message=message(code, lang())), 422
    filled = forms.scan_to_form(result.fields)
    review = [{"field": i.field, "code": i.code, "message": message(i.code, lang(), **i.params)} for i in result.review]
    text = " ".join(r["message"] for r in review) or _("Filled from the scan. Check the details.")
    return jsonify(ok=True, kind=result.kind, fields=filled, review=review, message=text)


# ---- one stay, corrections ---------------------------------------------------------------------

def _stay_or_404(stay_id):
    try:
        return service.get_stay(g.facility, stay_id)
    except NotFound:
        abort(404)


@bp.get("/stays/<stay_id>")
@login_required
def stay_detail(stay_id):
    stay = _stay_or_404(stay_id)
    return render_template("facility/stay.html", stay=stay, next=request.path, undo=_undo_offer())


@bp.route("/stays/<stay_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_stay(stay_id):
    """A stay entered by mistake: a reason, then a confirmation (this page); the API's cancel service."""
    view = _stay_or_404(stay_id)
    if view["status"] == "cancelled":
        return redirect(url_for("facility.stay_detail", stay_id=stay_id))
    reason, errors, status = "", {}, 200
    if request.method == "POST":
        reason = request.form.get("reason", "")
        try:
            changes.cancel_stay(g.facility, stay_id, {"reason": reason.strip()})
        except InvalidInput as exc:
            errors = {"reason": [message(i.code, lang(), **dict(i.params)) for i in exc.issues]}
            status = 422
        else:
            flash(_("The stay was cancelled. The police are told if they already received it."), "success")
            return redirect(url_for("facility.stay_detail", stay_id=stay_id))
    return render_template("facility/cancel.html", stay=view, reason=reason, errors=errors), status


def _row_from_view(guest: dict) -> dict:
    row = forms.empty_guest(forms.CITIZEN if guest["nationality"] == "VNM" else forms.FOREIGNER)
    for key in ("full_name", "date_of_birth", "sex", "nationality", "id_number", "passport_number", "phone",
                "permanent_address", "entry_date", "entry_port", "purpose"):
        row[key] = guest.get(key) or ""
    if guest.get("document"):
        row.update(document_type=guest["document"]["type"] or "", document_number=guest["document"]["number"] or "",
                   document_mrz=guest["document"]["mrz"] or "")
    if guest.get("visa"):
        row.update(visa_kind=guest["visa"]["kind"] or "", visa_number=guest["visa"]["number"] or "",
                   visa_valid_until=guest["visa"]["valid_until"] or "")
    row["id"] = guest["id"]
    row["accompanies"] = guest.get("accompanies") or ""
    return row


def _local_input(iso: str | None) -> str:
    return datetime.fromisoformat(iso).astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M") if iso else ""


def _stay_form_values(view: dict) -> dict:
    return {"room": view["room"] or "", "reason": view["reason"] or "", "reason_note": view["reason_note"] or "",
            "arrived_at": _local_input(view["arrived_at"]),
            "expected_departure": _local_input(view["expected_departure"])}


def _patch(view, stay_values, rows) -> tuple[dict, list[int]]:
    """Only what changed, as PATCH /stays/{id} takes it; and the row index of each patched guest."""
    patch: dict = {}
    original = _stay_form_values(view)
    for key, value in original.items():
        new = (stay_values.get(key) or "").strip()
        if new != value:
            patch[key] = new or None
    guests, positions = [], []
    by_id = {g["id"]: g for g in view["guests"]}
    for position, row in enumerate(rows):
        stored = by_id.get(row.get("id"))
        if stored is not None and row.get("removed"):  # confirmed on this page: entered by mistake
            guests.append({"id": stored["id"], "removed": True})
            positions.append(position)
            continue
        if stored is None:  # a guest added on this page: the whole guest, as PATCH adds one
            guests.append(forms.guest_payload(row))
            if row.get("accompanies"):  # a relative or carer: the patient's guest id (the service checks it)
                guests[-1]["accompanies"] = row["accompanies"]
            positions.append(position)
            continue
        before, after = forms.guest_payload(_row_from_view(stored)), forms.guest_payload(row)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        changed.update({k: None for k in before if k not in after})
        if changed:
            guests.append({"id": stored["id"], **changed})
            positions.append(position)
    if guests:
        patch["guests"] = guests
    return patch, positions


@bp.route("/stays/<stay_id>/correct", methods=["GET", "POST"])
@login_required
def correct_stay(stay_id):
    view = _stay_or_404(stay_id)
    if view["status"] == "cancelled":
        abort(404)
    rows = [_row_from_view(guest) for guest in _present(view)]
    stay_values = _stay_form_values(view)
    errors: dict = {}
    status = 200
    confirm_remove = None  # index of a saved guest whose removal is asked to be confirmed
    if request.method == "POST":
        stay_values, posted = forms.read_form(request.form)
        ids = [request.form.get(f"g-{i}-id", "") for i in range(len(posted))]
        for i, (row, guest_id) in enumerate(zip(posted, ids)):
            row["id"] = guest_id
            row["accompanies"] = request.form.get(f"g-{i}-accompanies", "")
        for i, row in enumerate(posted):
            if row["scan"].strip():
                error = forms.apply_scan(row, row["scan"], lang())
                if error:
                    errors[f"g-{i}-scan"] = [error]
        rows = posted
        action = request.form.get("action", "submit")
        verb, _sep, arg = action.partition(":")
        index = int(arg) if _ascii_number(arg) and int(arg) < len(rows) else None
        if action in ("add", "add_foreigner") and len(rows) < forms.MAX_GUEST_ROWS:
            rows.append(forms.empty_guest(forms.FOREIGNER if action == "add_foreigner" else forms.CITIZEN))
        elif action == "add_companion" and len(rows) < forms.MAX_GUEST_ROWS:
            # a relative or carer of the patient: the first saved guest who accompanies no one
            patient = next((r["id"] for r in rows if r.get("id") and not r.get("accompanies")), "")
            rows.append({**forms.empty_guest(), "accompanies": patient})
        elif verb == "remove" and index is not None:
            if rows[index].get("id"):  # a saved guest: ask first (the police may have it)
                confirm_remove = index
            else:                      # a guest not saved yet just goes
                del rows[index]
                errors = {}
        elif verb == "remove_confirm" and index is not None and rows[index].get("id"):
            rows[index]["removed"] = True
            action = "submit"
        if action == "submit" and not errors:
            patch, positions = _patch(view, stay_values, rows)
            if not patch:
                flash(_("Nothing was changed."), "info")
                return redirect(url_for("facility.stay_detail", stay_id=stay_id))
            try:
                changes.amend_stay(g.facility, stay_id, patch)
            except InvalidInput as exc:
                errors = forms.errors_by_field([_unpatch(i, positions, rows) for i in exc.issues], lang())
                status = 422
                for row in rows:
                    row.pop("removed", None)
            except Conflict as exc:
                flash(" ".join(message(i.code, lang()) for i in exc.issues), "error")
                return redirect(url_for("facility.stay_detail", stay_id=stay_id))
            else:
                if any(row.get("removed") for row in rows):
                    flash(_("The guest was removed from the stay. If the police already received them, "
                            "they are told it was a mistake."), "success")
                else:
                    flash(_("Correction saved. The police will receive it."), "success")
                return redirect(url_for("facility.stay_detail", stay_id=stay_id))
    return render_template("facility/correct.html", view=view, stay=stay_values, guests=rows, errors=errors,
                           confirm_remove=confirm_remove, room_options=_free_rooms(),
                           nationalities=_nationalities()), status


def _unpatch(issue: Issue, positions: list[int], rows) -> Issue:
    """amend_stay names guests by their index in the PATCH body or by id: back to form rows."""
    if not issue.field.startswith("guests["):
        return issue
    inner = issue.field[len("guests["):issue.field.index("]")]
    rest = issue.field[issue.field.index("]") + 1:]
    if inner.startswith("id="):
        ids = [r.get("id") for r in rows]
        position = ids.index(inner[3:]) if inner[3:] in ids else None
    else:
        position = positions[int(inner)] if _ascii_number(inner) and int(inner) < len(positions) else None
    if position is None:
        return Issue(rest.lstrip(".") or "guests", issue.code, issue.params)
    return Issue(f"guests[{position}]{rest}", issue.code, issue.params)


# ---- history -----------------------------------------------------------------------------------

@bp.get("/history")
@login_required
def history():
    cursor = request.args.get("cursor") or None
    if cursor and (len(cursor) > 40 or not cursor.replace("_", "").isalnum()):
        cursor = None
    stays, next_cursor = service.list_stays(g.facility, cursor=cursor, limit=HISTORY_PAGE)
    rejected, _c = service.list_notifications(g.facility, status="rejected", limit=50, actionable=True)
    return render_template("facility/history.html", stays=stays, next_cursor=next_cursor, rejected=rejected,
                           first_page=cursor is None)


# ---- import ------------------------------------------------------------------------------------

def _import_serializer():
    from flask import current_app
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="facility-import")


_NOT_A_LIST = {
    "unreadable": lambda: _("This file cannot be read as a CSV or Excel (.xlsx) file."),
    "encoding": lambda: _("This CSV file is not in UTF-8. In Excel, save it as \"CSV UTF-8\"."),
    "empty": lambda: _("The file has the guest-list columns but no guests."),
    "cell_too_large": lambda: _("A cell of this file is too large to be a guest's detail (over 128 KB)."),
    "too_large": lambda: _("This Excel file unpacks to far more data than a guest list holds; it was not read."),
    "too_many_rows": lambda: _("The file has too many rows (at most %(max)s guests per file).",
                               max=importer.MAX_ROWS),
}


def new_stays_of(preview) -> tuple[list[dict], dict]:
    """(the valid stays of an upload not stored before, {booking ref: "duplicate" | "conflict"} of the others):
    those stored by an earlier upload of the same file are said to be so now, not promised; a row whose
    booking ref was stored with other content gets the conflict under its booking ref."""
    valid = preview.valid_stays
    known = service.stored_before(g.facility, json.loads(json.dumps(valid)))
    earlier = {stay["external_ref"]: state for stay, state in zip(valid, known) if state != "new"}
    for row in preview.rows:
        ref = preview.stays[row.stay]["payload"]["external_ref"] if row.stay >= 0 else None
        if earlier.get(ref) == "conflict":
            row.errors.setdefault("booking_ref", []).append(message("external_ref.conflict", lang()))
    return [stay for stay, state in zip(valid, known) if state == "new"], earlier


@bp.get("/import")
@manager_required
def import_form():
    return render_template("facility/import.html", preview=None, error=None)


@bp.post("/import")
@manager_required
def import_preview():
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    if not data:
        return render_template("facility/import.html", preview=None,
                               error=_("Choose a CSV or Excel (.xlsx) file.")), 400
    try:
        preview = importer.read_guest_list(
            data, upload.filename or "", lang(),
            differs_text=_("Differs from the first row of this booking (one stay has one room, reason and dates)."),
            facility=g.facility)
    except importer.NotAGuestList as exc:
        if exc.reason == "columns":
            missing = ", ".join(importer.HEADERS[k] for k in exc.missing)
            error = _("This file is not a guest list: it lacks the columns %(columns)s. "
                      "Download the template to see the expected columns.", columns=missing)
        else:
            error = _NOT_A_LIST[exc.reason]()
        return render_template("facility/import.html", preview=None, error=error), 422
    # Stays imported before (an earlier upload of the same file) are said to be so now, not promised.
    fresh, earlier = new_stays_of(preview)
    token = _import_serializer().dumps({"f": g.facility.id, "stays": fresh})
    return render_template("facility/import.html", preview=preview, token=token, error=None, fresh=fresh,
                           earlier=earlier, headers=importer.HEADERS)


@bp.post("/import/confirm")
@manager_required
def import_confirm():
    try:
        data = _import_serializer().loads(request.form.get("token", ""))
    except BadSignature:
        abort(400)
    if data.get("f") != g.facility.id:
        abort(400)
    stays = data.get("stays") or []
    results = []
    for start in range(0, len(stays), IMPORT_CHUNK):
        chunk = service.create_stays_bulk(g.facility, {"stays": stays[start:start + IMPORT_CHUNK]}, source="import")
        for item in chunk:
            item["index"] += start
        results.extend(chunk)
    counts = {status: sum(1 for r in results if r["status"] == status) for status in ("created", "duplicate", "invalid")}
    problems = [{"ref": stays[r["index"]]["external_ref"],
                 "messages": [message(i.code, lang(), **dict(i.params)) for i in r.get("issues", [])]}
                for r in results if r["status"] == "invalid"]
    return render_template("facility/import_done.html", counts=counts, problems=problems)


@bp.get("/import/template.<ext>")
@manager_required
def import_template(ext):
    if ext == "xlsx":
        body, mimetype = importer.template_xlsx(), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif ext == "csv":
        body, mimetype = importer.template_csv(), "text/csv; charset=utf-8"
    else:
        abort(404)
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f"attachment; filename=danh-sach-khach.{ext}"
    return response


# ---- portal files (vn_portal receiver) ------------------------------------------------------------
_PORTAL_CONFIRM = PortalConfirmSchema()


@bp.get("/portal")
@manager_required
def portal_files():
    waiting = portal.waiting_files(g.facility.id)
    history = [f for f in portal.list_files(g.facility.id, limit=50) if f.status == "confirmed"]
    return render_template("facility/portal.html", waiting=waiting, history=history, now=utcnow(),
                           cancelled=portal.cancelled_after_file(g.facility.id),
                           errors=session.pop("portal_errors", {}))


@bp.get("/portal/<file_id>/download")
@manager_required
def portal_download(file_id):
    try:
        f = portal.get_file(g.facility.id, file_id)
        data, content_type = portal.content(f)
    except NotFound:
        abort(404)
    except Conflict:
        abort(409)
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    return response


@bp.post("/portal/<file_id>/confirm")
@manager_required
def portal_confirm(file_id):
    raw = request.form.get("records_shown", "").strip()
    value = int(raw) if _ascii_number(raw, 7) else (raw or None)
    try:
        data = load(_PORTAL_CONFIRM, {"records_shown": value} if value is not None else {})
        result = portal.confirm(g.facility.id, file_id, data["records_shown"], lang())
    except NotFound:
        abort(404)
    except IntakeError as exc:
        issue = exc.issues[0] if exc.issues else Issue("records_shown", "format")
        session["portal_errors"] = {file_id: message(issue.code, lang(), **dict(issue.params))}
        return redirect(url_for("facility.portal_files") + f"#file-{file_id}")
    if result.result == "confirmed":
        flash(_("Confirmed: the portal lists all %(n)s records of this file.", n=result.file.row_count), "success")
    # a mismatch is explained on the file's own card (what to check), where the page opens
    return redirect(url_for("facility.portal_files") + f"#file-{file_id}")


# ---- daily proofs (docs/PROOF.md) -------------------------------------------------------------------
PROOF_DAYS = 14


@bp.get("/proofs")
@login_required
def proofs():
    return _proofs_page()


def _proofs_page(error: str | None = None, value: str = "", status: int = 200):
    today = utcnow().astimezone(VN_TZ).date()
    days = [today - timedelta(days=n) for n in range(PROOF_DAYS)]
    return render_template("facility/proofs.html", days=days, error=error, value=value,
                           earliest=EARLIEST.isoformat(), today=today.isoformat()), status


@bp.get("/proofs/pdf")
@login_required
def proof_pdf():
    raw = (request.args.get("date") or "")[:20]
    now = utcnow()
    try:
        day = parse_day(raw, now)
    except InvalidInput as exc:
        issue = exc.issues[0]
        return _proofs_page(message(issue.code, lang(), **dict(issue.params)), raw, 422)
    return proof.download(g.facility, day, now)
