"""Rooms of a facility: list, add, change, retire; the occupancy board (docs/ROOMS.md).

Occupancy is derived, never stored: the guests still in house (not departed, not removed) of the
facility's in-house stays, grouped by the stay's free-text `room`, matched to a listed room by
`rules.rooms.room_key`. Creating a stay does nothing here, so POST /api/v1/stays is untouched, and a
check-out frees the room by itself.
"""
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database import read_only
from ..extensions import db
from ..ids import new_id
from ..intake.errors import Conflict, InvalidInput, NotFound
from ..models import Guest, Room, Stay
from ..rules.issues import Issue
from ..rules.rooms import MAX_ROOMS, Board, RoomIn, RoomState, expand_names, natural_key, normalize_name, \
    occupancy, room_key
from ..timeutil import utcnow, vn_iso


class RoomRow(NamedTuple):
    """A room as read for showing it: plain values that outlive the read's transaction."""
    id: str
    name: str
    section: str | None
    capacity: int
    retired_at: datetime | None

    @classmethod
    def of(cls, room: Room) -> "RoomRow":
        return cls(room.id, room.name, room.section, room.capacity, room.retired_at)


_COLUMNS = (Room.id, Room.name, Room.section, Room.capacity, Room.retired_at)


def _active(facility_id: int):
    return select(*_COLUMNS).where(Room.facility_id == facility_id, Room.retired_at.is_(None))


def list_rooms(facility_id: int, *, include_retired: bool = False) -> list[RoomRow]:
    """The facility's rooms (listed ones; with `include_retired` the retired ones after them), by
    section then name in natural order. Reads only (no write lock on SQLite)."""
    stmt = select(*_COLUMNS).where(Room.facility_id == facility_id) if include_retired else _active(facility_id)
    with read_only():
        rooms = [RoomRow(*row) for row in db.session.execute(stmt).all()]
        db.session.rollback()
    return sorted(rooms, key=lambda r: (r.retired_at is not None, natural_key(r.section or "\uffff"),
                                        natural_key(r.name)))


def open_labels(facility_id: int) -> list[tuple[str | None, int, int]]:
    """(room label, guests in house, open stays) of the facility's in-house stays: one grouped query
    on the (facility_id, status) index."""
    stmt = (select(Stay.room, func.count(Guest.id), func.count(func.distinct(Stay.id)))
            .join(Guest, Guest.stay_id == Stay.id)
            .where(Stay.facility_id == facility_id, Stay.status == "in_house",
                   Guest.departed_at.is_(None), Guest.removed_at.is_(None))
            .group_by(Stay.room))
    return [(row[0], int(row[1]), int(row[2])) for row in db.session.execute(stmt).all()]


def board(facility_id: int, rooms: list[RoomRow] | None = None) -> Board:
    """The occupancy board of the facility's listed rooms. Without rooms, no stay query is made."""
    rooms = list_rooms(facility_id) if rooms is None else rooms
    listed = [RoomIn(r.id, r.name, r.section, r.capacity) for r in rooms if r.retired_at is None]
    if not listed:
        return occupancy([], [])
    with read_only():
        labels = open_labels(facility_id)
        db.session.rollback()
    return occupancy(listed, labels)


def room_view(room: RoomRow, state: RoomState | None = None) -> dict:
    return {"id": room.id, "name": room.name, "section": room.section, "capacity": room.capacity,
            "retired_at": vn_iso(room.retired_at), "guests": state.guests if state else 0,
            "stays": state.stays if state else 0, "state": state.state if state else "free"}


def board_view(facility_id: int, *, include_retired: bool = False) -> dict:
    """GET /api/v1/rooms: every listed room with its occupancy, and what is in house elsewhere."""
    rooms = list_rooms(facility_id, include_retired=include_retired)
    states = board(facility_id, rooms)
    by_key = states.by_key()
    views = [room_view(r, None if r.retired_at else by_key.get(room_key(r.name))) for r in rooms]
    if not states.rooms:  # nothing listed: still say how many are in house, and under which labels
        with read_only():
            states = occupancy([], open_labels(facility_id))
            db.session.rollback()
    return {"rooms": views,
            "unlisted": [{"room": label, "guests": guests, "stays": stays} for label, guests, stays in states.unlisted],
            "no_room": {"room": None, "guests": states.no_room[0], "stays": states.no_room[1]}}


def get_room(facility_id: int, room_id: str) -> Room:
    room = db.session.execute(select(Room).where(Room.id == room_id, Room.facility_id == facility_id)
                              ).scalar_one_or_none()
    if room is None:
        raise NotFound("No such room.")
    return room


def _by_key(facility_id: int, keys: list[str]) -> dict[str, Room]:
    if not keys:
        return {}
    rows = db.session.scalars(select(Room).where(Room.facility_id == facility_id, Room.name_key.in_(keys))).all()
    return {r.name_key: r for r in rows}


def add_rooms(facility_id: int, names: list[str], *, section: str | None = None, capacity: int = 1,
              skip_listed: bool = False) -> tuple[list[Room], list[str]]:
    """Lists `names` (already expanded by rules.rooms.expand_names). A retired room of the same name
    is listed again (same id, its history kept). A name already listed is an error on `name`, or with
    `skip_listed` (the page's "101-110") is left as it is and returned in the second list."""
    now, section = utcnow(), normalize_name(section)
    names = [n for n in (normalize_name(n) for n in names) if n]
    if not names:
        raise InvalidInput("A name is required.", [Issue("name", "required")])
    existing = _by_key(facility_id, [room_key(n) for n in names])
    listed = [n for n in names if room_key(n) in existing and existing[room_key(n)].retired_at is None]
    if listed and not skip_listed:
        raise InvalidInput("The name is already listed.", [Issue("name", "room.name_taken")])
    fresh = [n for n in names if room_key(n) not in existing]
    count = db.session.scalar(select(func.count(Room.id)).where(Room.facility_id == facility_id,
                                                                 Room.retired_at.is_(None))) or 0
    revived = [existing[room_key(n)] for n in names if room_key(n) in existing and n not in listed]
    if count + len(fresh) + len(revived) > MAX_ROOMS:
        db.session.rollback()
        raise InvalidInput("Too many rooms.", [Issue("name", "room.too_many", {"max": MAX_ROOMS})])
    added = []
    for room in revived:
        room.retired_at, room.section, room.capacity, room.updated_at = None, section, capacity, now
        added.append(room)
    for name in fresh:
        room = Room(id=new_id("rm"), facility_id=facility_id, name=name, name_key=room_key(name), section=section,
                    capacity=capacity, created_at=now, updated_at=now)
        db.session.add(room)
        added.append(room)
    try:
        db.session.commit()
    except IntegrityError:  # the same name added at the same moment by someone else
        db.session.rollback()
        raise InvalidInput("The name is already listed.", [Issue("name", "room.name_taken")])
    return added, listed


def add_from_text(facility_id: int, text: str, *, section: str | None, capacity: int) -> tuple[list[Room], list[str]]:
    """The page's "add" field: "101", "101, 102" or "101-110"; names already listed are skipped."""
    names, issues = expand_names(text, "name")
    if issues:
        raise InvalidInput("The names are not valid.", issues)
    return add_rooms(facility_id, names, section=section, capacity=capacity, skip_listed=True)


def _occupied(facility_id: int, room: Room) -> bool:
    key = room_key(room.name)
    return any(room_key(label) == key and guests > 0 for label, guests, _s in open_labels(facility_id))


def update_room(facility_id: int, room_id: str, changes: dict) -> Room:
    """Name, section, capacity, `retired` (true/false). Renaming or retiring a room with guests in
    house is refused (room.occupied): their stays name the old label, and they would leave the board."""
    room = get_room(facility_id, room_id)
    now = utcnow()
    name = normalize_name(changes["name"]) if changes.get("name") is not None else None
    renaming = name is not None and room_key(name) != room.name_key
    retiring = changes.get("retired") is True and room.retired_at is None
    if (renaming or retiring) and room.retired_at is None and _occupied(facility_id, room):
        db.session.rollback()
        raise Conflict("Guests are in house in this room.", [Issue("name" if renaming else "retired", "room.occupied")])
    if renaming:
        other = _by_key(facility_id, [room_key(name)]).get(room_key(name))
        if other is not None:
            db.session.rollback()
            raise InvalidInput("The name is already listed.", [Issue("name", "room.name_taken")])
    if name is not None:
        room.name, room.name_key = name, room_key(name)
    if "section" in changes:
        room.section = normalize_name(changes["section"])
    if changes.get("capacity") is not None:
        room.capacity = changes["capacity"]
    if "retired" in changes and changes["retired"] is not None:
        room.retired_at = (room.retired_at or now) if changes["retired"] else None
    room.updated_at = now
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise InvalidInput("The name is already listed.", [Issue("name", "room.name_taken")])
    return room


def full_after(facility_id: int, label: str | None) -> RoomState | None:
    """For the new-stay form's warning: the listed room `label` names, when it now holds more guests
    than its capacity (the stay was saved: a warning, never a refusal)."""
    if not room_key(label):
        return None
    with read_only():
        rooms = [RoomRow(*row) for row in db.session.execute(
            _active(facility_id).where(Room.name_key == room_key(label))).all()]
        db.session.rollback()
    if not rooms:
        return None
    state = board(facility_id, rooms).by_key().get(room_key(label))
    return state if state is not None and state.state == "over" else None
