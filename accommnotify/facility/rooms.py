"""The rooms page (/facility/rooms, docs/ROOMS.md): the facility's rooms (a hospital: beds by
department) with who is in house now. Staff see it; managers add, edit, retire and list again.
Every write is a form with CSRF; the service (accommnotify/rooms) is the API's."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..intake.errors import IntakeError, NotFound
from ..intake.prepare import load
from ..rooms import service
from ..rooms.schemas import RoomAddForm, RoomEditForm
from ..rules.messages import message
from .views import bp, lang, login_required, manager_required

_ADD = RoomAddForm()
_EDIT = RoomEditForm()


def _form(names: tuple[str, ...]) -> dict:
    """The posted fields (bounded; an empty one left out so the schema's default applies)."""
    values = {}
    for name in names:
        value = request.form.get(name, "")[:1000].strip()
        if value:
            values[name] = value
    return values


def _errors(exc: IntakeError, default_field: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for issue in exc.issues or []:
        field = issue.field if issue.field in ("names", "name", "section", "capacity") else default_field
        errors.setdefault(field, []).append(message(issue.code, lang(), **dict(issue.params)))
    return errors


def _page(add_values=None, errors=None, status=200):
    rooms = service.list_rooms(g.facility.id, include_retired=True)
    active = [r for r in rooms if r.retired_at is None]
    board = service.board(g.facility.id, active)
    return render_template("facility/rooms.html", board=board, retired=[r for r in rooms if r.retired_at],
                           add=add_values or {"names": "", "section": "", "capacity": "1"},
                           errors=errors or {}, manage=g.membership.may("manage")), status


@bp.get("/rooms")
@login_required
def rooms_page():
    return _page()


@bp.post("/rooms")
@manager_required
def add_rooms():
    values = _form(("names", "section", "capacity"))
    try:
        data = load(_ADD, values)
        added, listed = service.add_from_text(g.facility.id, data["names"], section=data.get("section"),
                                              capacity=data["capacity"])
    except IntakeError as exc:
        errors = _errors(exc, "names")
        if "name" in errors:
            errors["names"] = errors.pop("name")
        return _page({"names": "", "section": "", "capacity": "1", **values}, errors, 422)
    if added:
        flash(_("Added: %(names)s.", names=", ".join(r.name for r in added)), "success")
    if listed:
        flash(_("Already on the list, left as they were: %(names)s.", names=", ".join(listed)), "info")
    return redirect(url_for("facility.rooms_page"))


def _room_or_404(room_id: str):
    try:
        return service.get_room(g.facility.id, room_id[:40])
    except NotFound:
        abort(404)


@bp.route("/rooms/<room_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_room(room_id):
    room = _room_or_404(room_id)
    values = {"name": room.name, "section": room.section or "", "capacity": str(room.capacity)}
    errors, status = {}, 200
    if request.method == "POST":
        posted = _form(("name", "section", "capacity"))
        values = {"name": "", "section": "", "capacity": "", **posted}
        try:
            data = load(_EDIT, posted)
            service.update_room(g.facility.id, room.id, {"name": data["name"], "section": data.get("section"),
                                                         "capacity": data["capacity"]})
        except NotFound:
            abort(404)
        except IntakeError as exc:
            errors, status = _errors(exc, "name"), 422
            room = _room_or_404(room_id)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("facility.rooms_page"))
    return render_template("facility/room_edit.html", room=room, values=values, errors=errors), status


@bp.post("/rooms/<room_id>/retire")
@manager_required
def retire_room(room_id):
    return _set_retired(room_id, True)


@bp.post("/rooms/<room_id>/restore")
@manager_required
def restore_room(room_id):
    return _set_retired(room_id, False)


def _set_retired(room_id: str, retired: bool):
    room = _room_or_404(room_id)
    try:
        service.update_room(g.facility.id, room.id, {"retired": retired})
    except NotFound:
        abort(404)
    except IntakeError as exc:
        flash(" ".join(message(i.code, lang(), **dict(i.params)) for i in exc.issues) or exc.detail, "error")
    else:
        flash(_("Taken off the list: %(name)s.", name=room.name) if retired
              else _("Listed again: %(name)s.", name=room.name), "success")
    return redirect(url_for("facility.rooms_page"))


def demo_rooms(facility) -> None:
    """`flask demo` hook: the demo facility lists rooms 101-105 and 201-205, so the board shows (idempotent)."""
    for section, names in (("Tầng 1", "101-105"), ("Tầng 2", "201-205")):
        service.add_from_text(facility.id, names, section=section, capacity=2)
