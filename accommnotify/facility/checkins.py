"""Staff side of guest self check-in (docs/SELF_CHECKIN.md): the desk QR code, links per booking,
and the entries waiting for a tap (confirm -> the intake service stores the stay, arriving now)."""
from datetime import timedelta

import segno
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..checkin import service as checkin
from ..intake.errors import Conflict, InvalidInput
from ..timeutil import utcnow
from .forms import errors_by_field
from .views import bp, error_where, lang, login_required


def _qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG (segno, made here: no third-party service sees the link)."""
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=False, title=None)
    return Markup(svg)   # segno's own markup: a path of the code, nothing of the request


def _absolute(token: str) -> str:
    return url_for("checkin.form", token=token, _external=True)


def _display_url(facility_id: int) -> str:
    from ..checkin import display
    return url_for("checkin_display.show", token=display.display_token(facility_id), _external=True)


@bp.get("/checkin-qr")
@login_required
def checkin_qr():
    """The desk's QR code: kept for staff (menus, bookmarks) as a redirect to this facility's reception
    display (checkin/display.py), which needs no staff session and shows no menu, link or guest."""
    return redirect(_display_url(g.facility.id), code=303)


@bp.post("/checkin-displays/stop")
@login_required
def stop_checkin_displays():
    """Stop all reception displays: every display link made before stops working (410)."""
    from ..checkin import display
    display.stop_all(g.facility.id)
    flash(_("All reception displays were stopped. Open the new reception display link on the tablet."), "success")
    return redirect(url_for("facility.checkins"))


@bp.get("/checkins")
@login_required
def checkins():
    return render_template("facility/checkins.html", entries=checkin.pending(g.facility.id),
                           total=checkin.open_count(g.facility.id), link=None,
                           display_url=_display_url(g.facility.id))


@bp.post("/checkins/links")
@login_required
def create_checkin_link():
    """A link for one booking, shown once (only its hash is kept): send it to the guest."""
    ref = request.form.get("booking_ref", "").strip()[:64]
    token = checkin.create_link(g.facility.id, ref or None)
    url = _absolute(token)
    return render_template("facility/checkins.html", entries=checkin.pending(g.facility.id),
                           total=checkin.open_count(g.facility.id), link={"url": url, "qr": _qr_svg(url), "booking_ref": ref,
                                 "expires_at": utcnow() + timedelta(hours=checkin.setting("CHECKIN_LINK_HOURS") or 48)},
                           display_url=_display_url(g.facility.id))


@bp.post("/checkins/<entry_id>/confirm")
@login_required
def confirm_checkin(entry_id):
    try:
        stay = checkin.confirm(g.facility, entry_id, room=request.form.get("room", ""))
    except checkin.NotOpen:
        abort(404)
    except InvalidInput as exc:
        errors = errors_by_field(exc.issues, lang())
        text = "; ".join(f"{error_where(k)}: {' '.join(v)}" for k, v in errors.items())
        flash(_("Not confirmed: %(errors)s Reject it and ask the guest to send it again, or enter the stay yourself.",
                errors=text), "error")
        return redirect(url_for("facility.checkins"))
    except Conflict:
        abort(404)
    flash(_("Confirmed. The notification will be sent to the police."), "success")
    return redirect(url_for("facility.stay_detail", stay_id=stay["id"]))


@bp.post("/checkins/<entry_id>/reject")
@login_required
def reject_checkin(entry_id):
    reason = request.form.get("reason", "").strip()
    if not reason:
        reason = _("Rejected by the staff")
    try:
        checkin.reject(g.facility, entry_id, reason)
    except checkin.NotOpen:
        abort(404)
    flash(_("Rejected. The details were deleted."), "success")
    return redirect(url_for("facility.checkins"))
