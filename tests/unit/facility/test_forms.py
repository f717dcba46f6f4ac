"""Form <-> payload plumbing of the facility pages and scan filling (the parser is rules.scan)."""
from datetime import date

import pytest

from accommnotify.facility import forms
from accommnotify.rules.id_number import make_id_number
from accommnotify.rules.issues import Issue
from accommnotify.rules.mrz import make_td3
from accommnotify.rules.scan import parse_scan

ID = make_id_number("001", "male", date(1990, 5, 17), tail="123456")
QR = f"{ID}||Nguyễn Văn An|17051990|Nam|12 Lê Lợi, Phường Bến Thành|01012022"
MRZ = "\n".join(make_td3("ERIKSSON", "ANNA MARIA", "L898902C3", "SWE", "840812", "F", "300101"))


def typed_row(**values):
    row = forms.empty_guest()
    row.update(values)
    return row


def test_qr_fills_a_citizen_and_clears_the_scan_field():
    row = typed_row(scan=QR, phone="0901234567")
    assert forms.apply_scan(row, QR, "vi") is None
    assert row["id_number"] == ID
    assert row["full_name"] == "Nguyễn Văn An"
    assert row["date_of_birth"] == "1990-05-17"
    assert row["sex"] == "male"
    assert row["kind"] == "citizen" and row["nationality"] == "VNM"
    assert row["permanent_address"] == "12 Lê Lợi, Phường Bến Thành"
    assert row["phone"] == "0901234567"  # not part of the scan: untouched
    assert row["scan"] == ""


def test_qr_with_empty_address_never_blanks_a_typed_address():
    qr = f"{ID}||Nguyễn Văn An|17051990|Nam||01012022"
    row = typed_row(permanent_address="typed address", scan=qr)
    assert forms.apply_scan(row, qr, "en") is None
    assert row["permanent_address"] == "typed address"


@pytest.mark.parametrize("text", [
    QR.rsplit("|", 1)[0],                       # cut off: 6 parts
    QR.replace(ID, ID[:9]),                      # 9 digits
    QR.replace("17051990", "31021990"),          # no such date
    QR.replace("|Nam|", "|X|"),                  # sex unknown
    QR.replace("Nguyễn Văn An", "   "),          # no name
    "|||||",                                     # only separators
    "",                                          # nothing
    "hello world",                               # not a scan
    MRZ.split("\n")[0],                          # one MRZ line only
    MRZ[:-1] + ("0" if MRZ[-1] != "0" else "1"),  # final check digit wrong
    MRZ.replace("L898902C3", "L898902C4"),       # number check digit wrong
])
def test_malformed_or_partial_scan_fills_nothing_and_says_so(text):
    before = typed_row(full_name="Đã gõ tay", id_number="001090000001", date_of_birth="1990-01-01",
                       sex="female", scan=text)
    row = dict(before)
    error = forms.apply_scan(row, text, "en")
    assert error and "scan" in error.lower()
    assert row == before  # nothing filled, nothing cleared, the scan text kept for a retry
    assert "không đọc được" in forms.apply_scan(dict(before), text, "vi").lower()


def test_mrz_fills_a_foreigner_with_the_document_and_mrz():
    row = typed_row(visa_kind="e_visa", visa_number="EV1", scan=MRZ)
    assert forms.apply_scan(row, MRZ, "en") is None
    assert row["kind"] == "foreigner"
    assert row["nationality"] == "SWE"
    assert row["full_name"] == "ERIKSSON ANNA MARIA"  # as the MRZ writes it: surname first
    assert row["date_of_birth"] == "1984-08-12"
    assert row["sex"] == "female"
    assert (row["document_type"], row["document_number"]) == ("passport", "L898902C3")
    assert row["document_mrz"] == MRZ
    assert row["visa_kind"] == "e_visa" and row["visa_number"] == "EV1"


def test_mrz_scanned_with_spaces_and_crlf_still_fills():
    line1, line2 = MRZ.split("\n")
    row = forms.empty_guest()
    assert forms.apply_scan(row, f"  {line1}\r\n{line2}\r\n", "vi") is None
    assert row["document_number"] == "L898902C3"


def test_vietnamese_passport_mrz_gives_a_citizen_passport_number():
    mrz = "\n".join(make_td3("NGUYEN", "VAN AN", "C1234567", "VNM", "900517", "M", "300101"))
    row = forms.empty_guest()
    assert forms.apply_scan(row, mrz, "vi") is None
    assert row["kind"] == "citizen" and row["passport_number"] == "C1234567"


@pytest.mark.parametrize("text", [QR, MRZ, f"{ID}||Nguyễn Văn An|17051990|Nữ||01012022"])
def test_scan_to_form_never_yields_an_empty_value(text):
    result = parse_scan(text)
    filled = forms.scan_to_form(result.fields)
    assert filled and all(isinstance(v, str) and v.strip() for v in filled.values())


def test_read_form_keeps_values_exactly_and_orders_rows():
    form = {"room": " 101 ", "g-3-full_name": "  Lê  Thị Hoa ", "g-0-full_name": "A", "g-3-kind": "foreigner",
            "g-0-kind": "bogus", "g-0-unknown": "x", "g-9999-full_name": "ignored"}
    stay, guests = forms.read_form(form)
    assert stay["room"] == " 101 "
    assert [g["full_name"] for g in guests] == ["A", "  Lê  Thị Hoa "]
    assert [g["kind"] for g in guests] == ["citizen", "foreigner"]
    assert "unknown" not in guests[0]


def test_payload_for_citizen_and_foreigner():
    citizen = typed_row(full_name="Nguyễn Văn An", date_of_birth="1990-05-17", sex="male", id_number=ID,
                        document_number="SHOULD-NOT-GO", nationality="USA")
    foreigner = typed_row(kind="foreigner", full_name="Anna", date_of_birth="1984-08-12", sex="female",
                          nationality="swe", id_number="ignored", document_number="L898902C3",
                          visa_kind="visa_exempt", entry_date="2026-11-01")
    payload = forms.stay_payload({"arrived_at": "2026-11-27T10:00", "reason": "tourism", "room": ""},
                                 [citizen, foreigner], "WEB-1")
    assert payload["external_ref"] == "WEB-1" and "room" not in payload
    assert payload["guests"][0] == {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "sex": "male",
                                    "nationality": "VNM", "id_number": ID}
    g = payload["guests"][1]
    assert g["nationality"] == "SWE" and "id_number" not in g
    assert g["document"] == {"type": "passport", "number": "L898902C3"}
    assert g["visa"] == {"kind": "visa_exempt"}
    assert g["entry_date"] == "2026-11-01"


@pytest.mark.parametrize("path,key", [
    ("arrived_at", "arrived_at"),
    ("external_ref", "external_ref"),
    ("guests", "guests"),
    ("guests[1].id_number", "g-1-id_number"),
    ("guests[0].document", "g-0-document_number"),
    ("guests[0].document.number", "g-0-document_number"),
    ("guests[0].document.mrz", "g-0-document_mrz"),
    ("guests[2].visa", "g-2-visa_kind"),
    ("guests[2].visa.valid_until", "g-2-visa_valid_until"),
    ("guests[0]", "g-0-kind"),
])
def test_issue_paths_map_to_form_fields(path, key):
    errors = forms.errors_by_field([Issue(path, "required")], "en")
    assert list(errors) == [key]
    assert errors[key] == ["This field is required."]
