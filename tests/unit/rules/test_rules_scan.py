import unicodedata
from datetime import date

import pytest

from accommnotify.rules.id_number import make_id_number
from accommnotify.rules.issues import Issue
from accommnotify.rules.mrz import make_td3
from accommnotify.rules.scan import parse_scan

ID = make_id_number("001", "male", date(1990, 5, 17), "123456")
QR = f"{ID}|123456789|Nguyễn Văn An|17051990|Nam|Số 1 Phố Ví Dụ, Phường Hoàn Kiếm, Hà Nội|01022021"
MALFORMED = [Issue("scan", "scan.malformed")]


def test_qr_full():
    r = parse_scan(QR)
    assert r.kind == "qr" and r.issues == []
    assert r.fields == {
        "id_number": ID,
        "full_name": "Nguyễn Văn An",
        "date_of_birth": date(1990, 5, 17),
        "sex": "male",
        "permanent_address": "Số 1 Phố Ví Dụ, Phường Hoàn Kiếm, Hà Nội",
        "nationality": "VNM",
        "document_kind": "cccd",  # issued 01/02/2021: a CCCD
    }


@pytest.mark.parametrize("issued, kind", [("30062024", "cccd"), ("01072024", "can_cuoc"), ("15032026", "can_cuoc")])
def test_qr_issue_date_tells_which_card(issued, kind):
    assert parse_scan(QR.replace("|01022021", f"|{issued}")).fields["document_kind"] == kind


def test_qr_trailing_whitespace_nfd_and_empty_cmnd():
    nfd = unicodedata.normalize("NFD", QR.replace("|123456789|", "||").replace("Nam", "Nữ"))
    r = parse_scan(nfd + "\r\n")
    assert r.issues == []
    assert r.fields["full_name"] == "Nguyễn Văn An"
    assert r.fields["sex"] == "female"
    assert r.fields["permanent_address"].startswith("Số 1")


@pytest.mark.parametrize("sex,value", [("NAM", "male"), ("nam", "male"), ("NỮ", "female"), ("nu", "female"), ("Nu", "female")])
def test_qr_sex_variants(sex, value):
    assert parse_scan(QR.replace("|Nam|", f"|{sex}|")).fields["sex"] == value


def test_qr_name_whitespace_collapsed():
    r = parse_scan(QR.replace("Nguyễn Văn An", "  Nguyễn  Văn   An "))
    assert r.fields["full_name"] == "Nguyễn Văn An"


def test_qr_empty_address_omitted():
    parts = QR.split("|")
    parts[5] = "  "
    r = parse_scan("|".join(parts))
    assert r.issues == []
    assert "permanent_address" not in r.fields
    assert all(v not in ("", None) for v in r.fields.values())


@pytest.mark.parametrize(
    "text",
    [
        QR[:40],  # partial scan
        QR.rsplit("|", 1)[0],  # issue date missing
        QR[:-3],  # issue date cut
        QR.replace(ID, ID[:11]),
        QR.replace(ID, "123456789"),
        QR.replace("Nguyễn Văn An", " "),      # misread fields: scanning again can help
        QR.replace("17051990", "31021990"),
        QR.replace("17051990", "1990-05-17"),
        QR.replace("|Nam|", "|M|"),
        QR + QR,
    ],
)
def test_qr_malformed_fills_nothing(text):
    r = parse_scan(text)
    assert r.kind == "qr"
    assert r.fields == {}
    assert r.issues == MALFORMED


L1, L2 = make_td3("EXAMPLE", "JOHN PAUL", "C1234567", "USA", "900517", "M", "300101")


@pytest.mark.parametrize("sep", ["\n", "\r\n", " ", ""])
def test_mrz(sep):
    r = parse_scan("  " + L1 + sep + L2 + "\n")
    assert r.kind == "mrz" and r.issues == []
    assert r.fields == {
        "full_name": "EXAMPLE JOHN PAUL",
        "date_of_birth": date(1990, 5, 17),
        "sex": "male",
        "nationality": "USA",
        "document": {"type": "passport", "number": "C1234567", "mrz": L1 + "\n" + L2},
    }


def test_mrz_unspecified_sex_omitted():
    l1, l2 = make_td3("EXAMPLE", "ALEX", "C1234567", "D", "900517", "X", "300101")
    r = parse_scan(l1 + "\n" + l2)
    assert r.issues == [] and "sex" not in r.fields
    assert r.fields["nationality"] == "DEU"


def test_mrz_vietnamese_passport_also_fills_passport_number():
    l1, l2 = make_td3("NGUYEN", "VAN AN", "B1234567", "VNM", "900517", "M", "300101")
    r = parse_scan(l1 + "\n" + l2)
    assert r.fields["nationality"] == "VNM"
    assert r.fields["passport_number"] == "B1234567"


@pytest.mark.parametrize(
    "text",
    [
        L1,  # one line only
        L1 + "\n" + L2[:30],
        L1 + "\n" + L2[:43] + str((int(L2[43]) + 1) % 10),  # check digit
        L1 + "\n" + L2.replace("900517", "901317"),
    ],
)
def test_mrz_malformed_fills_nothing(text):
    r = parse_scan(text)
    assert r.kind == "mrz"
    assert r.fields == {} and r.issues == MALFORMED


@pytest.mark.parametrize("text", ["", "   \n", "hello world", "12345", None])
def test_unrecognised(text):
    r = parse_scan(text)
    assert r.kind is None and r.fields == {} and r.issues == MALFORMED


# --- issue 11 item 15: QR strings seen in the wild -------------------------------------------------

FULL = {"id_number": ID, "full_name": "Nguyễn Văn An", "date_of_birth": date(1990, 5, 17), "sex": "male",
        "permanent_address": "Số 1 Phố Ví Dụ, Phường Hoàn Kiếm, Hà Nội", "nationality": "VNM",
        "document_kind": "cccd"}  # issued 01/02/2021, before the Căn cước card (1 July 2024)
SIX = f"{ID}|Nguyễn Văn An|17051990|Nam|Số 1 Phố Ví Dụ, Phường Hoàn Kiếm, Hà Nội|01022021"


@pytest.mark.parametrize("text", [
    QR + "|",                                  # a trailing '|'
    QR + "||",
    QR + "|extra|0|20250101",                  # extra trailing fields of newer cards
    SIX,                                       # 6 fields, no old ID number
    SIX + "|",
    "\ufeff" + QR,                              # a leading byte-order mark
    "\ufeff" + SIX + "|\r\n",
])
def test_qr_variants_seen_in_the_wild_fill_everything(text):
    r = parse_scan(text)
    assert (r.kind, r.issues, r.review) == ("qr", [], [])
    assert r.fields == FULL


def test_qr_birth_year_only_fills_the_rest_and_marks_the_birth_date():
    for text in (QR.replace("17051990", "1990"), SIX.replace("17051990", "1990") + "|"):
        r = parse_scan(text)
        assert r.issues == [] and r.review == [Issue("date_of_birth", "scan.birth_year_only")]
        assert r.fields == {k: v for k, v in FULL.items() if k != "date_of_birth"}


def test_review_message_in_both_languages():
    from accommnotify.rules.messages import message
    assert "năm sinh" in message("scan.birth_year_only", "vi")
    assert "year of birth" in message("scan.birth_year_only", "en")
