"""The reception display (docs/SELF_CHECKIN.md, "Reception display"): the desk QR code on a tablet
at reception, WITHOUT a staff session.

`/checkin-display/<display token>` is public. The token is signed with the app's secret key
(itsdangerous, its own salt) and names a facility and that facility's display generation; staff
"stop all reception displays" (generation + 1) and every display link made before answers 410.
The page is standalone: the facility's name, the current desk code (made by checkin.service and
drawn by facility.checkins, not copied), a short instruction in Vietnamese and English, and a
`Refresh` header that reloads it when the code rotates. No link, no form, no personal data, and
no session at all (web_auth.SESSIONLESS): a staff cookie left in the tablet's browser is neither
read nor kept alive by the display.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..models import CheckinDisplay, Facility
from ..timeutil import utcnow
from . import service
from .views import _headers

bp = Blueprint("checkin_display", __name__, url_prefix="/checkin-display")
bp.after_request(_headers)      # the guest pages' headers: no-store, no Referer, CSP, no framing
MAX_TOKEN = 200


class Stopped(Exception):
    """A genuine display link of a generation that staff stopped."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="checkin-reception-display")


def generation(facility_id: int) -> int:
    row = db.session.get(CheckinDisplay, facility_id)
    return row.generation if row else 0


def display_token(facility_id: int) -> str:
    """The link token of this facility's displays, valid until staff stop them."""
    return _serializer().dumps([facility_id, generation(facility_id)])


def stop_all(facility_id: int, now=None) -> int:
    """Every display link of the facility stops working; returns the new generation."""
    row = db.session.get(CheckinDisplay, facility_id)
    if row is None:
        row = CheckinDisplay(facility_id=facility_id, generation=0)
        db.session.add(row)
    row.generation += 1
    row.stopped_at = now or utcnow()
    db.session.commit()
    return row.generation


def read(token: str) -> Facility | None:
    """The facility of a genuine, current display token; None for a forged or malformed one;
    raises Stopped for a genuine one of an earlier generation."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN:
        return None
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        return None
    facility = db.session.execute(select(Facility).where(Facility.id == value[0])).scalar_one_or_none()
    if facility is None:
        return None
    if value[1] != generation(facility.id):
        raise Stopped()
    return facility


def _words(lang: str, **context) -> Markup:
    with force_locale(lang):
        return Markup(render_template("facility/_reception_display_words.html", lang=lang, **context))


@bp.get("/<token>")
def show(token):
    try:
        facility = read(token)
    except Stopped:
        return render_template("facility/reception_display.html", stopped=True,
                               words=[_words("vi", stopped=True), _words("en", stopped=True)]), 410
    if facility is None:
        abort(404)
    from ..facility.checkins import _absolute, _qr_svg   # the desk code's link and its QR image
    now = utcnow()
    url = _absolute(service.desk_token_now(facility.id, now))
    changes_at = service.desk_token_changes_at(now)
    refresh = max(5, int((changes_at - now).total_seconds()) + 2)
    page = render_template("facility/reception_display.html", stopped=False, facility_name=facility.name,
                           qr=_qr_svg(url), words=[_words("vi", stopped=False), _words("en", stopped=False)])
    return page, 200, {"Refresh": str(refresh)}    # reloads when the code changes (no script)


@bp.errorhandler(404)
def _not_found(_error):
    return render_template("facility/reception_display.html", stopped=None,
                           words=[_words("vi", stopped=None), _words("en", stopped=None)]), 404
