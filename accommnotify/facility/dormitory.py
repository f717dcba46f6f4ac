"""Pages of a student dormitory (docs/DORMITORIES.md): terms, a term's roster imported from one file,
returning students declared again in one step, and the list of stays of 30 days or more.

Thin, like views.py: reading a file is importer.py (the same reader and rule set as "Import file"),
storing is the intake service's bulk write, terms are terms.py. Routes live on the facility blueprint.
"""
import tomllib
from functools import lru_cache
from pathlib import Path

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ..intake.errors import InvalidInput, NotFound
from ..rules.messages import message
from ..rules.residence import LONG_STAY
from ..rules.term import check_roster_start
from ..timeutil import utcnow
from . import importer, terms
from .views import IMPORT_CHUNK, _NOT_A_LIST, bp, lang, login_required, manager_required, new_stays_of

# The menu shows "Terms" to dormitories (base.html); the pages answer any facility's manager (a
# rental-rooms house full of students may keep terms too).
LAW_FILE = Path(__file__).resolve().parent.parent / "data" / "law_residence_2020.toml"
# The roster's form of the returning-students page: one checkbox per stay of last term.
MAX_RETURNING = 2 * importer.MAX_ROWS


@lru_cache(maxsize=1)
def law() -> dict:
    with open(LAW_FILE, "rb") as fh:
        return tomllib.load(fh)["source"]


def _serializer():
    from flask import current_app
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="facility-term-import")


def _dormitory_term(term_id: str):
    """The current facility's term; another facility's is not found."""
    try:
        return terms.get_term(g.facility.id, term_id)
    except NotFound:
        abort(404)


def _issue_texts(exc: InvalidInput) -> dict:
    out: dict = {}
    for issue in exc.issues:
        out.setdefault(issue.field, []).append(message(issue.code, lang(), **dict(issue.params)))
    return out


# ---- terms -------------------------------------------------------------------------------------

@bp.get("/terms")
@manager_required
def terms_page():
    return render_template("facility/terms.html", terms=terms.list_terms(g.facility.id), errors={}, values={})


@bp.post("/terms")
@manager_required
def create_term():
    values = {k: request.form.get(k, "")[:200] for k in ("name", "starts_on", "ends_on")}
    try:
        term = terms.create_term(g.facility.id, values["name"], values["starts_on"], values["ends_on"])
    except InvalidInput as exc:
        return render_template("facility/terms.html", terms=terms.list_terms(g.facility.id),
                               errors=_issue_texts(exc), values=values), 422
    flash(_("Term %(name)s created.", name=term.name), "success")
    return redirect(url_for("facility.term_detail", term_id=term.id))


@bp.get("/terms/<term_id>")
@manager_required
def term_detail(term_id):
    term = _dormitory_term(term_id)
    return _term_page(term)


def _term_page(term, error=None, status=200):
    stays = terms.roster(g.facility, term)
    previous = terms.previous_term(g.facility.id, term)
    in_house = sum(1 for s in stays if s["status"] == "in_house")
    not_started = check_roster_start(term.starts_on, utcnow())
    return render_template("facility/term.html", term=term, stays=stays, in_house=in_house, previous=previous,
                           error=error,
                           not_started=message(not_started[0].code, lang(), **dict(not_started[0].params))
                           if not_started else None), status


@bp.post("/terms/<term_id>/import")
@manager_required
def term_import_preview(term_id):
    term = _dormitory_term(term_id)
    defaults = terms.roster_defaults(term, utcnow())
    if defaults is None:
        return _term_page(term, status=422)
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    if not data:
        return _term_page(term, _("Choose a CSV or Excel (.xlsx) file."), 400)
    try:
        preview = importer.read_guest_list(
            data, upload.filename or "", lang(),
            differs_text=_("Differs from the first row of this booking (one stay has one room, reason and dates)."),
            facility=g.facility, defaults=defaults)
    except importer.NotAGuestList as exc:
        if exc.reason == "columns":
            error = _("This file is not a student list: it lacks the columns %(columns)s.",
                      columns=", ".join(importer.HEADERS[k] for k in exc.missing))
        else:
            error = _NOT_A_LIST[exc.reason]()
        return _term_page(term, error, 422)
    fresh, earlier = new_stays_of(preview)
    token = _serializer().dumps({"f": g.facility.id, "t": term.id, "stays": fresh})
    return render_template("facility/import.html", preview=preview, token=token, error=None, fresh=fresh,
                           earlier=earlier, headers=importer.HEADERS, term=term,
                           confirm_action=url_for("facility.term_import_confirm", term_id=term.id),
                           back=url_for("facility.term_detail", term_id=term.id))


@bp.post("/terms/<term_id>/import/confirm")
@manager_required
def term_import_confirm(term_id):
    term = _dormitory_term(term_id)
    try:
        data = _serializer().loads(request.form.get("token", ""))
    except BadSignature:
        abort(400)
    if not isinstance(data, dict) or data.get("f") != g.facility.id or data.get("t") != term.id:
        abort(400)
    results = terms.import_to_term(g.facility, term, data.get("stays") or [], IMPORT_CHUNK)
    return _done(term, data.get("stays") or [], results)


def _done(term, stays, results):
    counts = {status: sum(1 for r in results if r["status"] == status) for status in ("created", "duplicate", "invalid")}
    problems = [{"ref": stays[r["index"]]["external_ref"],
                 "messages": [message(i.code, lang(), **dict(i.params)) for i in r.get("issues", [])]}
                for r in results if r["status"] == "invalid"]
    return render_template("facility/import_done.html", counts=counts, problems=problems, term=term)


# ---- returning students ---------------------------------------------------------------------------

@bp.route("/terms/<term_id>/returning", methods=["GET", "POST"])
@manager_required
def term_returning(term_id):
    """Last term's roster, every student ticked; one submit declares the ticked ones for this term."""
    term = _dormitory_term(term_id)
    previous = terms.previous_term(g.facility.id, term)
    if previous is None:
        flash(message("term.no_previous", lang()), "error")
        return redirect(url_for("facility.term_detail", term_id=term.id))
    now = utcnow()
    not_started = check_roster_start(term.starts_on, now)
    if not_started:
        return _term_page(term, status=422)
    last = terms.roster(g.facility, previous)[:MAX_RETURNING]
    if request.method == "POST":
        chosen = set(request.form.getlist("stay")[:MAX_RETURNING])
        picked = [view for view in last if view["id"] in chosen]
        if not picked:
            flash(_("Tick at least one student."), "error")
            return redirect(url_for("facility.term_returning", term_id=term.id))
        payloads = terms.returning_payloads(picked, term, now)
        results = terms.import_to_term(g.facility, term, payloads, IMPORT_CHUNK)
        return _done(term, payloads, results)
    # Those declared for this term already (this page sent before) are shown so, not ticked.
    refs = {view["external_ref"] for view in terms.roster(g.facility, term)}
    done = {view["id"] for view in last if terms.returning_ref(term, view["id"]) in refs}
    return render_template("facility/returning.html", term=term, previous=previous, stays=last, done=done)


# ---- 30 days or more ----------------------------------------------------------------------------

@bp.get("/long-stays")
@login_required
def long_stays():
    """In-house stays of 30 days or more: they need a temporary-residence registration (information)."""
    items, total = terms.long_stays(g.facility)
    return render_template("facility/long_stays.html", items=items, total=total, law=law(),
                           days=LONG_STAY.days)
