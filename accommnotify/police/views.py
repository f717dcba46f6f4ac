"""Pages under /police: login, inbox, detail, acknowledge, export, compliance, audit log.

Server-rendered, no JavaScript. Every page needs a logged-in officer (a facility user's session is
not enough); every read of personal data writes one audit entry after it succeeded.

URLs carry no personal data. The inbox's filter form is a POST (`/police/search`): the search text
the officer typed is kept in the signed session under a short random handle (`searches`) and the
browser is redirected (303) to `GET /police/?s=<handle>&<other filters>`; page links, the export form
and the detail page's "back" link carry the handle, never the text. A `q` in an inbox URL is ignored.
The export is a POST.

Reads that may be a little behind (the inbox and its searches' results, the detail page, the export,
the compliance pages) run through `replica.read` on the read replica when one is configured and
healthy (docs/REPLICA.md); logins, session checks, stored searches, acknowledgements, the audit log
and its writes stay on the primary. An acknowledgement pins the officer's reads to the primary for a
short window, so the page they return to shows it.
"""
from __future__ import annotations

from datetime import timedelta
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .. import replica
from ..extensions import db
from ..models.police import Officer
from ..rules.geography import province_name, ward_name
from ..settings import PROJECT_ROOT
from . import audit, labels, queries, searches
from .i18n import _, use_police_domain
from ..web_auth import PAGES_CSP, end_sessions, invalid_input_field, safe_next, start_session
from .serialize import csv_bytes

bp = Blueprint("police", __name__, url_prefix="/police",
               template_folder=None,
               static_folder=str(PROJECT_ROOT / "accommnotify" / "static" / "police"),
               static_url_path="/static")

PUBLIC_ENDPOINTS = {"police.login", "police.static"}


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


def officer() -> Officer:
    return current_user._get_current_object()


@bp.before_request
def _require_officer():
    use_police_domain()
    field = invalid_input_field()
    if field is not None:
        abort(400, description=f"text.invalid_character: {field}")
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = current_user._get_current_object() if current_user else None
    if not isinstance(user, Officer) or not user.is_active:
        # After logging in, come back with a GET: a form post (search, export) would be a 405 there.
        back = request.path if request.method == "GET" else url_for("police.inbox")
        return redirect(url_for("police.login", next=back))
    return None


@bp.after_request
def _no_store(response):
    # Personal data must not sit in shared or browser caches.
    if request.endpoint != "police.static":
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", PAGES_CSP)
    return response


@bp.errorhandler(404)
def _not_found(_error):
    return render_template("police/not_found.html"), 404


@bp.context_processor
def _helpers():
    from flask_babel import get_locale
    return {"ward_name": ward_name, "province_name": province_name, "scope_text": scope_text,
            "get_locale": get_locale, **labels.HELPERS}


def scope_text(account) -> str:
    names = [ward_name(c) or c for c in account.wards] + [province_name(c) or c for c in account.provinces]
    return ", ".join(names[:3]) + (" …" if len(names) > 3 else "")


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("police.inbox"), within="/police")


# --- login ------------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login():
    from .accounts import authenticate
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        result = authenticate(form.username.data, form.password.data, request.remote_addr)
        if result.officer is not None:
            target = _safe_next(request.args.get("next"))
            start_session(result.officer)  # a fresh session: no search, no CSRF token of before
            return redirect(target)
        if result.retry_after:
            error = _("Too many failed attempts. Try again in %(seconds)s s.", seconds=result.retry_after)
            status = 429
        else:
            error = _("Wrong username or password.")
            status = 401
    elif request.method == "POST":
        error = _("Enter your username and password.")
        status = 400
    return render_template("police/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    user = current_user._get_current_object() if current_user else None
    if isinstance(user, Officer):
        end_sessions(user)  # this cookie, and any copy of it, stops working
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("police.login"))


# --- inbox ------------------------------------------------------------------------------------

def _page_arg() -> int:
    try:
        return int(request.args.get("page", "1"))
    except ValueError:
        return 1


@bp.post("/search")
def search():
    """The inbox filter form: remembers the search text in the session, then 303 to the inbox with
    the handle and the other (non-personal) filters in the URL."""
    f = queries.Filters.from_args(request.form, default_today=False, q_from_args=True)
    args = f.as_args()
    for name in f.errors:            # shown as "date not understood" again, without echoing the input
        args[name] = "invalid"
    if f.q:
        args["s"] = searches.remember(f.q)
    return redirect(url_for("police.inbox", **args), code=303)


@bp.get("/")
def inbox():
    me = officer()
    f = queries.Filters.from_args(request.args)
    page = _page_arg()
    rows, has_next = replica.read(lambda s: queries.inbox_page(me, f, page, session=s))
    args = f.as_args()
    # Where "back" and "acknowledge selected" return to: this view, rebuilt from the parsed filter
    # (never request.full_path, which would echo an ignored `?q=` from an old bookmark).
    back_args = {k: v for k, v in args.items() if k not in ("date_from", "date_to") or request.args.get(k)}
    back = url_for("police.inbox", **back_args, **({"page": page} if page > 1 else {}))
    searches.remember_inbox_view(back)
    # Render first, then audit: the audit commit would expire the loaded rows (one SELECT each),
    # and a failed audit insert still fails the request before anything is sent.
    html = render_template(
        "police/inbox.html", rows=rows, f=f, page=page, has_next=has_next,
        prev_url=url_for("police.inbox", **args, page=page - 1) if page > 1 else None,
        next_url=url_for("police.inbox", **args, page=page + 1) if has_next else None,
        filter_args=args, facilities=replica.read(lambda s: queries.facility_choices(me, session=s)),
        categories=queries.CATEGORIES, events=queries.EVENTS,
        back=back)
    audit.record(me, "search" if f.q else "list", filters=f.for_audit() | {"page": page}, row_count=len(rows))
    return html


@bp.get("/n/<notification_id>")
def detail(notification_id):
    me = officer()
    row, before, back_out = replica.read(lambda s: _detail_rows(me, notification_id, s))
    if row is None:
        abort(404)
    html = render_template("police/detail.html", n=row, lateness=queries.lateness(row), before=before,
                           taken_back=back_out, back=_safe_next(searches.last_inbox_view()))
    audit.record(me, "detail", row_count=1, record_id=row.id)
    return html


def _detail_rows(me, notification_id, session):
    row = queries.get_in_scope(me, notification_id, session=session)
    if row is None and replica.on_replica(session):
        # Not on the replica (yet): a row the officer saw on the primary must not be a 404.
        session = db.session
        row = queries.get_in_scope(me, notification_id, session=session)
    if row is None:
        return None, None, None
    return row, queries.amended_version(me, row, session), queries.taken_back(me, row, session)


@bp.post("/n/<notification_id>/acknowledge")
def acknowledge_one(notification_id):
    me = officer()
    row = queries.get_in_scope(me, notification_id)
    if row is None:
        abort(404)
    count = queries.acknowledge(me, [row.id])
    db.session.commit()
    replica.pin_primary()  # the detail page it returns to shows the acknowledgement
    if count:
        audit.record(me, "acknowledge", row_count=count, record_id=row.id)
    flash(_("Acknowledged."), "ok")
    return redirect(url_for("police.detail", notification_id=row.id))


@bp.post("/acknowledge")
def acknowledge_many():
    me = officer()
    ids = request.form.getlist("ids")
    count = queries.acknowledge(me, ids)
    db.session.commit()
    if count:
        replica.pin_primary()  # the inbox it returns to shows them acknowledged
        audit.record(me, "acknowledge", row_count=count)
    if count:
        flash(_("%(count)s notification(s) acknowledged.", count=count), "ok")
    else:
        flash(_("Nothing to acknowledge: tick one or more notifications first."), "warn")
    return redirect(_safe_next(request.form.get("back")))


@bp.post("/export")
def export():
    me = officer()
    f = queries.Filters.from_args(request.form, q_from_args=True)
    if f.errors:
        # A date not understood or out of range: back to the inbox, which says so (the export would
        # otherwise cover other dates than the officer asked for).
        args = f.as_args()
        for name in f.errors:
            args[name] = "invalid"
        return redirect(url_for("police.inbox", **args), code=303)
    if request.form.get("s") and not f.q:
        # The page's search has been forgotten (only the last few are kept): exporting now would
        # export far more than the officer was looking at.
        flash(_("That search has expired; search again, then export."), "warn")
        return redirect(url_for("police.inbox", **f.as_args()), code=303)
    limit = int(_config("POLICE_EXPORT_MAX_ROWS", 50_000))
    rows = replica.read(lambda s: queries.export_rows(me, f, limit, session=s))
    body = csv_bytes(rows, translate=_)
    audit.record(me, "export", filters=f.for_audit(), row_count=len(rows))
    stamp = queries.vn_today().isoformat()
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="police-inbox-{stamp}.csv"'})


def _config(key, default):
    from flask import current_app
    return current_app.config.get(key, default)


# --- compliance -------------------------------------------------------------------------------

def _range(default_days: int = 7):
    f = queries.Filters.from_args(request.args, default_today=False)
    date_to = f.date_to or queries.vn_today()
    date_from = f.date_from or (date_to - timedelta(days=default_days - 1))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days > 92:
        date_from = date_to - timedelta(days=92)
    return date_from, date_to


@bp.get("/compliance")
def compliance():
    me = officer()
    date_from, date_to = _range()
    data = replica.read(lambda s: queries.counts_per_facility_day(me, date_from, date_to, session=s))
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    return render_template("police/compliance.html", data=data, days=days,
                           date_from=date_from, date_to=date_to)


@bp.get("/compliance/silent")
def silent():
    me = officer()
    try:
        days = max(1, min(int(request.args.get("days", "3")), 365))
    except ValueError:
        days = 3
    rows = replica.read(lambda s: queries.silent_facilities(me, days, session=s))
    return render_template("police/silent.html", rows=rows, days=days)


@bp.get("/compliance/late")
def late():
    me = officer()
    date_from, date_to = _range()
    page = _page_arg()
    rows, has_next = replica.read(lambda s: queries.late_page(me, date_from, date_to, page, session=s))
    args = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    html = render_template(
        "police/late.html", rows=rows, lateness=queries.lateness, date_from=date_from, date_to=date_to,
        page=page,
        prev_url=url_for("police.late", **args, page=page - 1) if page > 1 else None,
        next_url=url_for("police.late", **args, page=page + 1) if has_next else None)
    audit.record(me, "late", filters=args | {"page": page}, row_count=len(rows))
    return html


# --- audit log --------------------------------------------------------------------------------

@bp.get("/audit")
def audit_log():
    me = officer()
    if not me.can_read_audit:
        abort(404)
    username = (request.args.get("username") or "").strip()[:64]
    action = request.args.get("action") if request.args.get("action") in audit.ACTIONS else ""
    page = _page_arg()
    rows, has_next = audit.entries_page(me, username=username, action=action, page=page)
    args = {k: v for k, v in (("username", username), ("action", action)) if v}
    return render_template(
        "police/audit.html", rows=rows, username=username, action=action, actions=audit.ACTIONS, page=page,
        prev_url=url_for("police.audit_log", **args, page=page - 1) if page > 1 else None,
        next_url=url_for("police.audit_log", **args, page=page + 1) if has_next else None)
