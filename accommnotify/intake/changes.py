"""What happens to a stay after its arrival: corrections, departures and cancellation.

An arrival not yet delivered is corrected in place (it is built from the current rows when it is
sent) and withdrawn by a cancellation; once it may have reached the police, a correction sends an
`amendment` and a cancellation a `cancellation`. Conditional UPDATEs decide which, so a dispatcher
claiming the same row at the same moment can never make a correction disappear.
"""
from datetime import timedelta

from sqlalchemy import insert, select, update

from ..extensions import db
from ..rules.deadlines import arrival_deadline, category_for
from ..rules.issues import Issue
from ..routing import receiver_for
from ..timeutil import utcnow
from . import views
from .errors import Conflict, InvalidInput
from .prepare import check, load
from .rows import arrival_row, followup_row, guest_fields, guest_row, warnings_json
from .schemas import CancelSchema, DepartureSchema, StayPatchSchema
from .service import get_stay
from .vocab import UNDELIVERED

STAYS, GUESTS, NOTIFICATIONS = views.STAYS, views.GUESTS, views.NOTIFICATIONS
STAY_FIELDS = ("room", "reason", "reason_note", "arrived_at", "expected_departure")
REQUIRED_STAY_FIELDS = ("reason", "arrived_at")
NEW_GUEST_REQUIRED = ("full_name", "date_of_birth", "sex", "nationality")
FUTURE_TOLERANCE = timedelta(minutes=10)
UNDO_WINDOW = timedelta(minutes=10)  # a check-out can be taken back this long, if its notices have not left
_PATCH = StayPatchSchema()
_DEPARTURE = DepartureSchema()
_CANCEL = CancelSchema()


def _guest_input(row) -> dict:
    """A stored guest in the shape the rules read (the API's loaded form)."""
    guest = {key: row[key] for key in ("full_name", "date_of_birth", "sex", "nationality", "id_number",
                                        "passport_number", "phone", "permanent_address", "entry_date",
                                        "entry_port", "purpose")}
    guest["document"] = ({"type": row["document_type"], "number": row["document_number"],
                          "mrz": row["document_mrz"]} if row["document_number"] else None)
    guest["visa"] = ({"kind": row["visa_kind"], "number": row["visa_number"],
                      "valid_until": row["visa_valid_until"]} if row["visa_kind"] else None)
    return guest


def _load_stay(facility, stay_id):
    stay = views.stay_row(facility, stay_id, for_update=True)
    guests = db.session.execute(select(GUESTS).where(GUESTS.c.stay_id == stay_id)
                                .order_by(GUESTS.c.position)).mappings().all()
    notes = db.session.execute(select(NOTIFICATIONS).where(NOTIFICATIONS.c.stay_id == stay_id)
                               .order_by(NOTIFICATIONS.c.id)).mappings().all()
    return stay, guests, notes


def _finish(facility, stay_id) -> dict:
    db.session.commit()
    return get_stay(facility, stay_id)


def _update_if_undelivered(note_id, now, **changes) -> bool:
    """Corrects an undelivered notification in place; False if it was claimed or delivered meanwhile."""
    result = db.session.execute(update(NOTIFICATIONS)
                                .where(NOTIFICATIONS.c.id == note_id, NOTIFICATIONS.c.status.in_(UNDELIVERED))
                                .values(updated_at=now, **changes))
    return result.rowcount == 1


def amend_stay(facility, stay_id: str, payload, *, now=None) -> dict:
    now = now or utcnow()
    patch = load(_PATCH, payload)
    stay, all_guest_rows, notes = _load_stay(facility, stay_id)
    if stay["status"] == "cancelled":
        raise Conflict("A cancelled stay cannot be amended.", [Issue("status", "stay.cancelled")])

    issues = []
    merged = {"external_ref": stay["external_ref"], **{k: stay[k] for k in STAY_FIELDS}}
    for key in STAY_FIELDS:
        if key in patch:
            if patch[key] is None and key in REQUIRED_STAY_FIELDS:
                issues.append(Issue(key, "required"))
            merged[key] = patch[key]
    stay_changed = any(merged[k] != stay[k] for k in STAY_FIELDS)

    guest_rows = [g for g in all_guest_rows if g["removed_at"] is None]  # removed earlier: gone for good
    removed_before = {g["id"] for g in all_guest_rows if g["removed_at"] is not None}
    originals = [_guest_input(g) for g in guest_rows]
    merged_guests = [dict(g) for g in originals]
    position_by_id = {g["id"]: i for i, g in enumerate(guest_rows)}
    patch_index_of = {}  # merged position -> index in the patch body, for error paths
    removing = {}        # merged position -> index in the patch body
    link_patch = {}      # merged position -> the guest id it accompanies (None: no longer), as sent
    for i, guest_patch in enumerate(patch.get("guests") or []):
        guest_patch = dict(guest_patch)
        guest_id = guest_patch.pop("id", None)
        remove = guest_patch.pop("removed", None)
        link_sent = "accompanies" in guest_patch
        link = guest_patch.pop("accompanies", None)
        if remove and guest_id is None:
            issues.append(Issue(f"guests[{i}].id", "required"))
            continue
        if guest_id is not None:
            if guest_id in removed_before:
                if not (remove and not guest_patch):  # removing it again changes nothing
                    issues.append(Issue(f"guests[{i}].id", "guest.removed"))
                continue
            if guest_id not in position_by_id:
                issues.append(Issue(f"guests[{i}].id", "not_found"))
                continue
            position = position_by_id[guest_id]
            if remove:
                removing[position] = i
                continue
            merged_guests[position].update(guest_patch)
        else:
            issues += [Issue(f"guests[{i}].{k}", "required") for k in NEW_GUEST_REQUIRED if not guest_patch.get(k)]
            position = len(merged_guests)
            merged_guests.append(guest_patch)
        if link_sent:
            link_patch[position] = link
        patch_index_of[position] = i
    kept = [p for p in range(len(merged_guests)) if p not in removing]
    if removing and not kept:
        issues.append(Issue(f"guests[{min(removing.values())}].removed", "guests.last_guest"))
    links = _links(guest_rows, kept, removing, link_patch, patch_index_of, issues)
    if issues:
        raise InvalidInput("The amendment has invalid fields.", issues)
    for p in kept:  # the rules read the links as positions among the guests that stay
        merged_guests[p]["accompanies"] = links[p]

    merged["guests"] = [merged_guests[p] for p in kept]  # the rules see the stay as it will be
    try:
        warnings = check(merged, now, facility)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, [_patch_path(_kept_path(issue, kept), patch_index_of, guest_rows)
                                         for issue in exc.issues])
    target_ids = {}  # position -> the guest id it accompanies; a link is not on the wire: no notification
    for p in kept:
        index = merged_guests[p].pop("accompanies")
        target_ids[p] = guest_rows[kept[index]]["id"] if index is not None else None
    relinked = {p for p in range(len(guest_rows))
                if p not in removing and target_ids[p] != guest_rows[p]["accompanies_guest_id"]}

    changed_positions = {p for p in range(len(guest_rows)) if p not in removing and merged_guests[p] != originals[p]}
    new_positions = range(len(guest_rows), len(merged_guests))
    if not stay_changed and not changed_positions and not new_positions and not removing and not relinked:
        db.session.rollback()
        return get_stay(facility, stay_id)

    db.session.execute(update(STAYS).where(STAYS.c.id == stay_id).values(
        updated_at=now, warnings=warnings_json(warnings), **{k: merged[k] for k in STAY_FIELDS}))
    for position in changed_positions:
        # with the stay: guests are partitioned by it on PostgreSQL (one month's index, not all)
        db.session.execute(update(GUESTS).where(GUESTS.c.stay_id == stay_id, GUESTS.c.id == guest_rows[position]["id"])
                           .values(**guest_fields(merged_guests[position])))
    for position in relinked:  # only the link column: the guest's notifications are untouched
        db.session.execute(update(GUESTS).where(GUESTS.c.stay_id == stay_id, GUESTS.c.id == guest_rows[position]["id"])
                           .values(accompanies_guest_id=target_ids[position]))
    new_guests = [{**guest_row(stay_id, len(all_guest_rows) + p - len(guest_rows), merged_guests[p]),
                   "accompanies_guest_id": target_ids[p]} for p in new_positions]
    if new_guests:
        db.session.execute(insert(GUESTS), new_guests)
        db.session.execute(insert(NOTIFICATIONS),
                           [arrival_row(facility, stay_id, g, merged["arrived_at"], now) for g in new_guests])
    if removing:
        _remove_guests(facility, stay_id, [guest_rows[p] for p in removing], now)
        _depart_if_all_left([g for p, g in enumerate(guest_rows) if p not in removing] + new_guests, stay_id, now)

    affected = [p for p in range(len(guest_rows)) if p not in removing] if stay_changed else sorted(changed_positions)
    for position in affected:
        guest = {**guest_rows[position], **guest_fields(merged_guests[position])}
        _correct_or_amend(facility, stay_id, guest, notes, merged["arrived_at"], now)
    return _finish(facility, stay_id)


def _links(guest_rows, kept, removing, link_patch, patch_index_of, issues) -> dict:
    """Each kept guest's `accompanies` as a position among the kept guests (what the rules read).

    A PATCH names the person accompanied by guest id (new guests have none yet, so a new guest can
    accompany only a stored one); a stored link stays unless the PATCH changes it. Removing a guest
    whom a kept guest still accompanies is refused (`guests.accompanies.removed`)."""
    index_of_id = {guest_rows[p]["id"]: k for k, p in enumerate(kept) if p < len(guest_rows)}
    removing_ids = {guest_rows[p]["id"]: i for p, i in removing.items()}
    links = {}
    for p in kept:
        if p in link_patch:
            target = link_patch[p]
        else:
            target = guest_rows[p]["accompanies_guest_id"] if p < len(guest_rows) else None
        if target is None:
            links[p] = None
        elif target in index_of_id:
            links[p] = index_of_id[target]
        elif target in removing_ids:
            code = Issue(f"guests[{removing_ids[target]}].removed", "guests.accompanies.removed")
            if code not in issues:
                issues.append(code)
            links[p] = None
        elif p in link_patch:
            issues.append(Issue(f"guests[{patch_index_of[p]}].accompanies", "guests.accompanies.unknown"))
            links[p] = None
        else:  # a stored link to a guest removed earlier (cannot happen since 0016): dropped
            links[p] = None
    return links


def _kept_path(issue: Issue, kept: list[int]) -> Issue:
    """The rules number the guests that stay; back to positions among all current guests."""
    if not issue.field.startswith("guests["):
        return issue
    index = int(issue.field[len("guests["):issue.field.index("]")])
    rest = issue.field[issue.field.index("]") + 1:]
    return Issue(f"guests[{kept[index]}]{rest}", issue.code, issue.params)


def _remove_guests(facility, stay_id, guests, now):
    """Guests entered by mistake leave the stay: their notifications not yet sent are withdrawn, and
    where an arrival may have reached the police it is taken back by a `cancellation` of that
    person (SPEC §3: one notification per person per event; cancellation = registered by mistake)."""
    ids = [g["id"] for g in guests]
    db.session.execute(update(GUESTS).where(GUESTS.c.id.in_(ids)).values(removed_at=now))
    _withdraw(facility, stay_id, guests, now, NOTIFICATIONS.c.guest_id.in_(ids))


def _withdraw(facility, stay_id, guests, now, *where):
    """Withdraws the undelivered notifications of these guests; a `cancellation` for each arrival
    that may have reached the police (delivered, in flight or in a portal file)."""
    db.session.execute(update(NOTIFICATIONS).where(NOTIFICATIONS.c.stay_id == stay_id,
                                                   NOTIFICATIONS.c.status.in_(UNDELIVERED), *where)
                       .values(status="withdrawn", updated_at=now))
    reached = db.session.execute(
        select(NOTIFICATIONS.c.guest_id, NOTIFICATIONS.c.id)
        .where(NOTIFICATIONS.c.stay_id == stay_id, NOTIFICATIONS.c.event == "arrival",
               NOTIFICATIONS.c.status.in_(("accepted", "sending", "awaiting_upload")), *where)).all()
    by_id = {g["id"]: g for g in guests}
    if reached:
        db.session.execute(insert(NOTIFICATIONS), [
            followup_row(facility, stay_id, by_id[guest_id], "cancellation", now, amends=arrival_id)
            for guest_id, arrival_id in reached])


def _depart_if_all_left(remaining, stay_id, now):
    """A stay whose remaining guests have all checked out has departed (with the last one)."""
    if remaining and all(g["departed_at"] is not None for g in remaining):
        db.session.execute(update(STAYS).where(STAYS.c.id == stay_id).values(
            status="departed", departed_at=max(g["departed_at"] for g in remaining), updated_at=now))


def _patch_path(issue: Issue, patch_index_of: dict, guest_rows) -> Issue:
    """Error paths name the guest as the PATCH body did; guests not in the body are named by id."""
    if not issue.field.startswith("guests["):
        return issue
    position = int(issue.field[len("guests["):issue.field.index("]")])
    rest = issue.field[issue.field.index("]") + 1:]
    if position in patch_index_of:
        return Issue(f"guests[{patch_index_of[position]}]{rest}", issue.code, issue.params)
    return Issue(f"guests[id={guest_rows[position]['id']}]{rest}", issue.code, issue.params)


def _correct_or_amend(facility, stay_id, guest, notes, arrived_at, now):
    arrival = next((n for n in notes if n["guest_id"] == guest["id"] and n["event"] == "arrival"), None)
    category = category_for(guest["nationality"])
    if arrival is not None and arrival["status"] in UNDELIVERED:
        deadline = arrival_deadline(category, arrived_at)
        if _update_if_undelivered(arrival["id"], now, category=category, deadline_at=deadline,
                             late=deadline < now, urgent=category == "foreigner",
                             receiver=receiver_for(category, facility.province_code, facility.ward_code)):
            return
    pending = next((n for n in notes if n["guest_id"] == guest["id"] and n["event"] == "amendment"
                    and n["status"] in UNDELIVERED), None)
    if pending is not None and _update_if_undelivered(pending["id"], now, category=category):
        return
    db.session.execute(insert(NOTIFICATIONS), [followup_row(
        facility, stay_id, guest, "amendment", now, amends=arrival["id"] if arrival else None)])


def record_departure(facility, stay_id: str, payload, *, now=None) -> dict:
    now = now or utcnow()
    data = load(_DEPARTURE, payload or {})
    stay, guest_rows, _notes = _load_stay(facility, stay_id)
    if stay["status"] == "cancelled":
        raise Conflict("A cancelled stay cannot depart.", [Issue("status", "stay.cancelled")])
    departed_at = data.get("departed_at") or now
    issues = []
    if departed_at < stay["arrived_at"]:
        issues.append(Issue("departed_at", "stay.departure_before_arrival"))
    if departed_at > now + FUTURE_TOLERANCE:
        issues.append(Issue("departed_at", "stay.departure_in_future"))
    wanted = data.get("guest_ids")
    guest_rows = [g for g in guest_rows if g["removed_at"] is None]
    by_id = {g["id"]: g for g in guest_rows}
    if wanted is not None:
        issues += [Issue(f"guest_ids[{i}]", "not_found") for i, gid in enumerate(wanted) if gid not in by_id]
    if issues:
        raise InvalidInput("The departure has invalid fields.", issues)

    leaving = [g for g in guest_rows if (wanted is None or g["id"] in wanted) and g["departed_at"] is None]
    if leaving:
        db.session.execute(update(GUESTS).where(GUESTS.c.stay_id == stay_id,
                                                GUESTS.c.id.in_([g["id"] for g in leaving]))
                           .values(departed_at=departed_at))
        db.session.execute(insert(NOTIFICATIONS),
                           [followup_row(facility, stay_id, g, "departure", now) for g in leaving])
    leaving_ids = {g["id"] for g in leaving}
    if all(g["departed_at"] is not None or g["id"] in leaving_ids for g in guest_rows):
        db.session.execute(update(STAYS).where(STAYS.c.id == stay_id).values(
            status="departed", departed_at=departed_at, updated_at=now))
    return _finish(facility, stay_id)


def _latest_departure(notes, guest_id):
    return next((n for n in reversed(notes) if n["guest_id"] == guest_id and n["event"] == "departure"), None)


def _undoable(departure, now) -> bool:
    return (departure is not None and departure["status"] in UNDELIVERED
            and departure["created_at"] >= now - UNDO_WINDOW)


def departure_undoable(facility, stay_id: str, guest_ids, *, now=None) -> bool:
    """Whether undo_departure would take these guests' check-out back now (read only)."""
    now = now or utcnow()
    stay = views.stay_row(facility, stay_id)
    notes = db.session.execute(select(NOTIFICATIONS).where(NOTIFICATIONS.c.stay_id == stay_id)
                               .order_by(NOTIFICATIONS.c.id)).mappings().all()
    return (stay["status"] != "cancelled" and bool(guest_ids)
            and all(_undoable(_latest_departure(notes, gid), now) for gid in guest_ids))


def undo_departure(facility, stay_id: str, guest_ids, *, now=None) -> dict:
    """Takes back a check-out recorded by mistake: the guests are in house again and their departure
    notifications are withdrawn. Only while each of those notifications is undelivered (a conditional
    UPDATE, so one the dispatcher claims at the same moment wins) and at most UNDO_WINDOW old;
    otherwise nothing changes (the police may already have it)."""
    now = now or utcnow()
    stay, guest_rows, notes = _load_stay(facility, stay_id)
    if stay["status"] == "cancelled":
        db.session.rollback()
        raise Conflict("A cancelled stay cannot be changed.", [Issue("status", "stay.cancelled")])
    targets = [g for g in guest_rows if g["id"] in set(guest_ids or ()) and g["departed_at"] is not None
               and g["removed_at"] is None]
    too_late = Conflict("The departure can no longer be taken back.", [Issue("guest_ids", "departure.undo_too_late")])
    if not targets:
        db.session.rollback()
        raise too_late
    for guest in targets:
        departure = _latest_departure(notes, guest["id"])
        if not _undoable(departure, now) or not _update_if_undelivered(departure["id"], now, status="withdrawn"):
            db.session.rollback()
            raise too_late
    db.session.execute(update(GUESTS).where(GUESTS.c.id.in_([g["id"] for g in targets])).values(departed_at=None))
    db.session.execute(update(STAYS).where(STAYS.c.id == stay_id).values(
        status="in_house", departed_at=None, updated_at=now))
    return _finish(facility, stay_id)


def cancel_stay(facility, stay_id: str, payload, *, now=None) -> dict:
    """A stay registered by mistake. Cancelling twice changes nothing."""
    now = now or utcnow()
    data = load(_CANCEL, payload or {})
    stay, guest_rows, _notes = _load_stay(facility, stay_id)
    if stay["status"] == "cancelled":
        db.session.rollback()
        return get_stay(facility, stay_id)
    db.session.execute(update(STAYS).where(STAYS.c.id == stay_id).values(
        status="cancelled", cancelled_at=now, cancel_reason=data["reason"], updated_at=now))
    # Whatever may have reached the police (delivered or in flight) is taken back explicitly; guests
    # removed earlier were taken back when they were removed.
    removed = [g["id"] for g in guest_rows if g["removed_at"] is not None]
    _withdraw(facility, stay_id, guest_rows, now, NOTIFICATIONS.c.guest_id.not_in(removed))
    return _finish(facility, stay_id)
