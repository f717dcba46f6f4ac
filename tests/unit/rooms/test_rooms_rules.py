"""The rooms board's pure rules (accommnotify/rules/rooms.py): labels, ranges, occupancy."""
import pytest

from accommnotify.rules.rooms import (MAX_RANGE, RoomIn, expand_names, natural_key, normalize_name, occupancy,
                                      room_key)


def test_labels_match_whatever_the_case_and_spacing():
    assert room_key(" P101 ") == room_key("p101") == "p101"
    assert room_key("Phòng  2") == room_key("phòng 2")
    assert room_key("Phòng 2") != room_key("Phong 2")          # accents are never folded away
    assert room_key("Pho\u0300ng") == room_key("Phòng")         # NFD and NFC are the same text
    assert room_key(None) == room_key("   ") == ""
    assert normalize_name("  A   2 ") == "A 2" and normalize_name(" ") is None


def test_natural_order():
    assert sorted(["10", "9", "A10", "A2", "101"], key=natural_key) == ["9", "10", "101", "A2", "A10"]


@pytest.mark.parametrize("text, names", [
    ("101", ["101"]),
    ("101-105", ["101", "102", "103", "104", "105"]),
    ("01-03", ["01", "02", "03"]),
    ("A1-A3", ["A1", "A2", "A3"]),
    ("G8 - 10", ["G8", "G9", "G10"]),
    ("101, 102,  , 201-202", ["101", "102", "201", "202"]),
    ("101, p101, P101", ["101", "p101"]),        # one name once, as first typed
    ("Phòng VIP", ["Phòng VIP"]),
    ("5-5", ["5"]),
])
def test_expand_names(text, names):
    assert expand_names(text) == (names, [])


@pytest.mark.parametrize("text, code", [
    ("", "required"), (" , ,", "required"), (None, "required"),
    ("110-101", "room.range_order"),
    (f"1-{MAX_RANGE + 1}", "room.range_too_large"),
    (",".join(str(n) for n in range(MAX_RANGE + 1)), "room.range_too_large"),
    ("x" * 51, "too_long"),
])
def test_expand_names_refuses(text, code):
    names, issues = expand_names(text, "names")
    assert names == [] and [(i.field, i.code) for i in issues] == [("names", code)]


ROOMS = [RoomIn("rm_1", "101", "Tầng 1", 2), RoomIn("rm_2", "102", "Tầng 1", 1), RoomIn("rm_3", "201", "Tầng 2", 3),
         RoomIn("rm_4", "Sân", None, 1), RoomIn("rm_5", "10", "Tầng 10", 1), RoomIn("rm_6", "103", "Tầng 1", 1)]


def test_occupancy_counts_guests_of_open_stays_by_room():
    board = occupancy(ROOMS, [("101", 1, 1), ("p102", 0, 0), ("102 ", 2, 1), ("201", 3, 2), ("305", 2, 1),
                              (None, 1, 1), ("", 2, 1), ("103", 1, 1)])
    state = {s.room.name: (s.state, s.guests, s.stays) for s in board.rooms}
    assert state == {"101": ("occupied", 1, 1), "102": ("over", 2, 1), "201": ("full", 3, 2),
                     "Sân": ("free", 0, 0), "10": ("free", 0, 0), "103": ("full", 1, 1)}
    assert board.unlisted == [("305", 2, 1)]
    assert board.no_room == (3, 2)
    assert board.counts() == {"free": 2, "occupied": 1, "full": 2, "over": 1}
    assert board.by_key()["101"].spare == 1 and board.by_key()["102"].spare == 0


def test_sections_in_natural_order_rooms_without_one_last():
    board = occupancy(ROOMS, [])
    assert [section for section, _ in board.sections] == ["Tầng 1", "Tầng 2", "Tầng 10", None]
    assert [s.room.name for s in board.sections[0][1]] == ["101", "102", "103"]


def test_labels_differing_in_case_add_up():
    board = occupancy([RoomIn("rm_1", "A1", None, 4)], [("a1", 1, 1), ("A1", 2, 1), ("x9", 1, 1), ("X9", 1, 1)])
    assert board.rooms[0].guests == 3 and board.rooms[0].stays == 2
    assert board.unlisted == [("x9", 2, 2)]


def test_nobody_in_house_means_every_room_free():
    assert {s.state for s in occupancy(ROOMS, []).rooms} == {"free"}
    assert occupancy([], [("101", 1, 1)]).unlisted == [("101", 1, 1)]


def test_digits_that_are_not_ascii_are_letters_here():
    """"²" and "٣" pass str.isdigit; int() refuses the first: neither is a room number (the walk found it)."""
    assert sorted(["²", "2", "٣", "10"], key=natural_key) == ["2", "10", "²", "٣"]
    assert expand_names("١-٣") == (["١-٣"], [])


def test_a_bed_is_found_by_department_and_bed_as_the_quick_admission_writes_it():
    beds = [RoomIn("rm_1", "G12", "Nội", 1), RoomIn("rm_2", "G13", "Nội", 1)]
    board = occupancy(beds, [("Nội / G12", 2, 1), ("nội  /  g13", 1, 1)])
    [(section, states)] = board.sections
    assert section == "Nội" and [(s.room.name, s.guests) for s in states] == [("G12", 2), ("G13", 1)]
    assert board.unlisted == []
