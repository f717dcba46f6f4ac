"""Rooms of a facility (issue 13 item 4): labels, ranges and occupancy. Pure: no Flask, no DB.

A room's name is the label staff type into a stay's `room` ("101", "A2", for a hospital the bed
"G12"): a stay is in a listed room when its label and the room's name have the same `room_key`
(white space collapsed, case folded, NFC), so "p101" and "P101 " are the same room. Occupancy is
never stored: it is counted from the open stays at read time, so a check-out frees the room by
itself.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .issues import Issue

MAX_NAME = 50          # as a stay's `room` (intake.schemas.StaySchema.room)
MAX_SECTION = 50
MAX_CAPACITY = 200     # as the guests of one stay (rules.stay.MAX_GUESTS)
MAX_RANGE = 100        # rooms one "101-110" adds at once
MAX_ROOMS = 2000       # rooms of one facility (a large hospital's beds)

_RANGE = re.compile(r"^(?P<prefix>.*?)(?P<first>[0-9]+)\s*[-–]\s*(?P=prefix)?(?P<last>[0-9]+)$")
_DIGITS = re.compile(r"([0-9]+)")


def normalize_name(label: str | None) -> str | None:
    """The stored form of a label: what intake does to a stay's `room` (surrounding space stripped,
    empty = none), plus NFC and inner white space collapsed so the board never shows two "101"s."""
    if label is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", label).split())
    return text or None


def room_key(label: str | None) -> str:
    """What two labels must share to be one room: "P101", "p101" and " p101 " are the same."""
    return (normalize_name(label) or "").casefold()


def natural_key(label: str) -> tuple:
    """Sort "2" before "10", "A2" before "A10"."""
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part)
                 for part in _DIGITS.split(room_key(label)) if part)


def expand_names(text: str | None, field: str = "name") -> tuple[list[str], list[Issue]]:
    """The names typed in the "add rooms" field: one name, a list separated by commas, or ranges
    "101-110" (digits kept as wide as typed: "01-03" gives 01, 02, 03; a prefix is kept: "A1-A5")."""
    names: list[str] = []
    for part in (text or "").split(","):
        part = normalize_name(part)
        if part is None:
            continue
        match = _RANGE.match(part)
        if match and match.group("prefix").strip() == match.group("prefix"):
            first, last = int(match.group("first")), int(match.group("last"))
            if last < first:
                return [], [Issue(field, "room.range_order")]
            if last - first + 1 > MAX_RANGE:
                return [], [Issue(field, "room.range_too_large", {"max": MAX_RANGE})]
            width = len(match.group("first"))
            names.extend(f"{match.group('prefix')}{n:0{width}d}" for n in range(first, last + 1))
        else:
            names.append(part)
        if len(names) > MAX_RANGE:
            return [], [Issue(field, "room.range_too_large", {"max": MAX_RANGE})]
    if not names:
        return [], [Issue(field, "required")]
    too_long = [n for n in names if len(n) > MAX_NAME]
    if too_long:
        return [], [Issue(field, "too_long", {"max": MAX_NAME})]
    seen, unique = set(), []
    for name in names:
        if room_key(name) not in seen:
            seen.add(room_key(name))
            unique.append(name)
    return unique, []


@dataclass(frozen=True)
class RoomIn:
    """A listed room as the board needs it."""
    id: str
    name: str
    section: str | None
    capacity: int


@dataclass
class RoomState:
    room: RoomIn
    guests: int = 0
    stays: int = 0

    @property
    def state(self) -> str:
        """free (nobody), occupied (someone, below capacity), full (at capacity), over (above it)."""
        if self.guests == 0:
            return "free"
        if self.guests < self.room.capacity:
            return "occupied"
        return "full" if self.guests == self.room.capacity else "over"

    @property
    def spare(self) -> int:
        return max(0, self.room.capacity - self.guests)


@dataclass
class Board:
    sections: list[tuple[str | None, list[RoomState]]] = field(default_factory=list)
    # labels of open stays that match no listed room: (label, guests, stays), and stays without a room
    unlisted: list[tuple[str, int, int]] = field(default_factory=list)
    no_room: tuple[int, int] = (0, 0)

    @property
    def rooms(self) -> list[RoomState]:
        return [state for _section, states in self.sections for state in states]

    def counts(self) -> dict[str, int]:
        out = {"free": 0, "occupied": 0, "full": 0, "over": 0}
        for state in self.rooms:
            out[state.state] += 1
        return out

    def by_key(self) -> dict[str, RoomState]:
        return {room_key(state.room.name): state for state in self.rooms}


def occupancy(rooms: list[RoomIn], open_labels: list[tuple[str | None, int, int]]) -> Board:
    """The board: each listed room with the guests in house there, grouped by section (sections in
    natural order, rooms without a section last); the open stays' labels that match no room.

    `open_labels`: (stay.room, guests still in house, stays) per label, as the database groups them
    (labels that differ only in case or spacing arrive apart and are added up here)."""
    states = [RoomState(room) for room in rooms]
    by_key = {room_key(s.room.name): s for s in states}
    # A room in a section is also found as "section / name": the hospital's quick admission writes the
    # stay's room as "Khoa / Giường" (department / bed), and the bed is listed as name in its section.
    by_key.update({room_key(f"{s.room.section} / {s.room.name}"): s for s in states
                   if s.room.section and room_key(f"{s.room.section} / {s.room.name}") not in by_key})
    unlisted: dict[str, list] = {}
    no_room = [0, 0]
    for label, guests, stays in open_labels:
        if guests <= 0:
            continue
        key = room_key(label)
        if not key:
            no_room[0] += guests
            no_room[1] += stays
        elif key in by_key:
            by_key[key].guests += guests
            by_key[key].stays += stays
        else:
            entry = unlisted.setdefault(key, [normalize_name(label), 0, 0])
            entry[1] += guests
            entry[2] += stays
    grouped: dict[str | None, list[RoomState]] = {}
    for state in sorted(states, key=lambda s: natural_key(s.room.name)):
        grouped.setdefault(normalize_name(state.room.section), []).append(state)
    sections = sorted(grouped.items(), key=lambda item: (item[0] is None, natural_key(item[0] or "")))
    return Board(sections=sections,
                 unlisted=sorted((tuple(v) for v in unlisted.values()), key=lambda v: natural_key(v[0])),
                 no_room=(no_room[0], no_room[1]))
