import csv
import io

from tests.unit.receivers import receivers_sample_data as samples

from accommnotify.receivers.flatten import BOM, CSV_COLUMNS, batch_csv_bytes, notification_row


def test_columns_are_snake_case_and_unique():
    assert len(CSV_COLUMNS) == len(set(CSV_COLUMNS)) == 30
    assert all(c == c.lower() and " " not in c for c in CSV_COLUMNS)
    assert CSV_COLUMNS[:3] == ("id", "event", "category")


def test_citizen_row():
    row = dict(zip(CSV_COLUMNS, notification_row(samples.notification(7))))
    assert row["id"] == "ntf_test0007"
    assert row["facility_code"] == "TEST-HOTEL-01"
    assert row["facility_ward_code"] == "16681" and row["facility_province_code"] == "40"
    assert row["stay_external_ref"] == "BK-0007" and row["stay_departed_at"] == ""
    assert row["person_full_name"] == "Nguyễn Thị Mẫu"
    assert row["person_id_number"] == "001190000001"
    assert row["amends"] == "" and row["document_type"] == "" and row["visa_kind"] == ""


def test_foreigner_row():
    row = dict(zip(CSV_COLUMNS, notification_row(samples.notification(1, "foreigner"))))
    assert row["person_id_number"] == ""
    assert (row["document_type"], row["document_number"]) == ("passport", "X0000001")
    assert (row["visa_kind"], row["visa_number"], row["visa_valid_until"]) == ("e_visa", "EV0000001", "2026-12-31")
    assert row["entry_date"] == "2026-11-25"


def test_missing_sections_give_empty_cells():
    assert notification_row({"id": "ntf_x"}) == ["ntf_x"] + [""] * (len(CSV_COLUMNS) - 1)


def test_formula_like_cells_are_neutralised():
    n = samples.notification(1)
    n["stay"]["room"] = "=HYPERLINK(\"http://evil.example\")"
    n["stay"]["external_ref"] = "-12"
    n["facility"]["address"] = "@SUM(A1)"
    row = dict(zip(CSV_COLUMNS, notification_row(n)))
    assert row["stay_room"].startswith("'=")
    assert row["stay_external_ref"] == "-12"  # a plain negative number stays
    assert row["facility_address"] == "'@SUM(A1)"


def test_batch_csv_bytes_has_bom_header_and_rows():
    data = batch_csv_bytes(samples.notifications(4))
    assert data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 5
    assert rows[1][CSV_COLUMNS.index("person_full_name")] == "Nguyễn Thị Mẫu"
    assert b"\r\n" in data
