"""Which card a citizen showed (issue 9 §4): document_kind and document_name."""
from datetime import date

import pytest

from accommnotify.rules.guest import check_guest
from accommnotify.rules.id_number import make_id_number

ID = make_id_number("001", "male", date(1990, 5, 17), "123456")
TODAY = date(2026, 11, 27)


def citizen(**kw):
    g = {"full_name": "Nguyễn Văn An", "date_of_birth": date(1990, 5, 17), "sex": "male", "nationality": "VNM",
         "id_number": ID}
    g.update(kw)
    return g


def codes(guest):
    return [(i.field, i.code) for i in check_guest(guest, TODAY, TODAY)]


@pytest.mark.parametrize("guest, expected", [
    (citizen(), []),
    (citizen(document_kind="cccd"), []),
    (citizen(document_kind="can_cuoc"), []),
    (citizen(document_kind="passport"), [("document_kind", "document_kind.mismatch")]),
    (citizen(document_kind="passport", id_number=None, passport_number="C1234567"), []),
    (citizen(document_kind="can_cuoc", id_number=None, passport_number="C1234567"),
     [("document_kind", "document_kind.mismatch")]),
    (citizen(document_kind="other"), [("document_name", "required")]),
    (citizen(document_kind="other", document_name="Giấy xác nhận"), []),
    (citizen(document_name="Giấy xác nhận"), [("document_name", "document_kind.name_without_other")]),
    (citizen(document_kind="cmnd"), [("document_kind", "choice")]),
])
def test_citizen_document_kind(guest, expected):
    assert codes(guest) == expected


def test_not_for_foreigners():
    g = {"full_name": "Anna Eriksson", "date_of_birth": date(1984, 8, 12), "sex": "female", "nationality": "SWE",
         "document": {"type": "passport", "number": "L898902C3"}, "document_kind": "cccd",
         "visa": {"kind": "visa_exempt"}, "entry_date": TODAY}
    assert ("document_kind", "document_kind.not_applicable") in codes(g)
