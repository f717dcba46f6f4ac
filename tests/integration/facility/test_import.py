"""Import of a guest list (CSV or XLSX): preview per row and cell, valid rows stored, idempotent re-upload."""
import csv
import io
import re
from datetime import date, timedelta

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from accommnotify.extensions import db
from accommnotify.facility.importer import COLUMNS
from accommnotify.models import Guest, Stay
from accommnotify.rules.id_number import make_id_number
from tests import factories

HEAD = [vi for _, vi, _ in COLUMNS]


def arrived() -> str:
    """Two hours ago on the test's clock (computed per test: the clock is frozen only inside one)."""
    return (factories.local_now() - timedelta(hours=2)).strftime("%d/%m/%Y %H:%M")


def row(**values):
    base = {"Mã đặt phòng": "", "Phòng": "101", "Lý do lưu trú": "Du lịch", "Ngày giờ đến": arrived(),
            "Họ và tên": "Trần Văn Nam", "Ngày sinh": "17/05/1990", "Giới tính": "Nam", "Quốc tịch": "VNM",
            "Số định danh cá nhân": make_id_number("001", "male", date(1990, 5, 17), tail="100001")}
    base.update(values)
    return [base.get(h, "") for h in HEAD]


def good_rows():
    return [
        row(**{"Mã đặt phòng": "BK-1", "Họ và tên": "Trần Văn Nam"}),
        row(**{"Mã đặt phòng": "BK-1", "Họ và tên": "Trần Thị Na", "Giới tính": "Nữ",
               "Ngày sinh": "2019-02-03", "Số định danh cá nhân": ""}),          # child of BK-1, no number
        row(**{"Phòng": "102", "Họ và tên": "Hoàng Thị Yến", "Giới tính": "Nữ", "Ngày sinh": "09/03/1988",
               "Số định danh cá nhân": make_id_number("079", "female", date(1988, 3, 9), tail="200002")}),
        row(**{"Mã đặt phòng": "BK-3", "Phòng": "201", "Họ và tên": "John Smith", "Quốc tịch": "USA",
               "Ngày sinh": "1980-01-01", "Số định danh cá nhân": "", "Số hộ chiếu": "X1234567",
               "Loại thị thực": "Thị thực điện tử", "Số thị thực": "EV999",
               "Thị thực có giá trị đến": (date.today() + timedelta(days=30)).strftime("%d/%m/%Y"),
               "Ngày nhập cảnh": date.today().strftime("%d/%m/%Y"), "Cửa khẩu nhập cảnh": "Nội Bài"}),
    ]


def bad_id_row():
    return row(**{"Mã đặt phòng": "BK-9", "Họ và tên": "Lỗi Số Định Danh", "Số định danh cá nhân": "001199100001"})


def csv_bytes(rows, head=HEAD, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(head)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows, head=HEAD, numeric_ids=False):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(head)
    id_col = head.index("Số định danh cá nhân") if numeric_ids else None
    for values in rows:
        values = list(values)
        if numeric_ids and values[id_col]:
            values[id_col] = int(values[id_col])  # Excel drops the leading zeros
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(staff, data, name):
    return staff.post("/facility/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def confirm(staff, preview_page):
    token = re.search(r'name="token" value="([^"]+)"', preview_page).group(1)
    return staff.post("/facility/import/confirm", {"token": token})


def count(app, model):
    with app.app_context():
        return len(db.session.execute(select(model)).all())


def test_csv_import_creates_stays_grouped_by_booking_ref(app, staff):
    page = upload(staff, csv_bytes(good_rows()), "khach.csv").get_data(as_text=True)
    assert "Đã đọc 4 dòng: có thể nhập 3 lần lưu trú." in page
    done = confirm(staff, page).get_data(as_text=True)
    assert "Lần lưu trú mới: 3" in done
    with app.app_context():
        stays = {s.external_ref: s for s in db.session.execute(select(Stay)).scalars()}
        assert set(stays) >= {"BK-1", "BK-3"} and len(stays) == 3
        assert all(s.source == "import" for s in stays.values())
        assert stays["BK-1"].room == "101" and stays["BK-1"].reason == "tourism"
        names = db.session.execute(select(Guest.full_name).where(Guest.stay_id == stays["BK-1"].id)
                                   .order_by(Guest.position)).scalars().all()
        assert names == ["Trần Văn Nam", "Trần Thị Na"]
        foreigner = db.session.execute(select(Guest).where(Guest.stay_id == stays["BK-3"].id)).scalar_one()
        assert (foreigner.document_number, foreigner.visa_kind) == ("X1234567", "e_visa")


def test_xlsx_with_a_bad_row_among_good_ones(app, staff):
    rows = good_rows()
    rows.insert(2, bad_id_row())
    response = upload(staff, xlsx_bytes(rows, numeric_ids=True), "danh-sach.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đã đọc 5 dòng: có thể nhập 3 lần lưu trú." in page and "1 dòng có lỗi" in page
    bad = re.search(r'<tr class="bad" data-line="4">(.*?)</tr>', page, re.S).group(1)  # header is line 1
    assert re.search(r'<td class="cell-error">001199100001<div class="error">[^<]*năm sinh', bad)
    assert page.count('<tr class="bad"') == 1
    done = confirm(staff, page).get_data(as_text=True)
    assert "Lần lưu trú mới: 3" in done
    assert count(app, Stay) == 3 and count(app, Guest) == 4
    with app.app_context():  # leading zeros put back on numbers Excel stored as numbers
        assert db.session.execute(select(Guest.id_number).where(Guest.full_name == "Trần Văn Nam")).scalar() \
            .startswith("001")


def test_uploading_the_same_file_again_creates_nothing_new(app, staff):
    confirm(staff, upload(staff, csv_bytes(good_rows()), "a.csv").get_data(as_text=True))
    assert count(app, Stay) == 3 and count(app, Guest) == 4
    for data, name in ((csv_bytes(good_rows()), "a.csv"), (xlsx_bytes(good_rows()), "a.xlsx")):
        page = upload(staff, data, name).get_data(as_text=True)
        # the preview already says so, instead of promising to import them
        assert "có thể nhập 0 lần lưu trú" in page
        assert "3 lần lưu trú đã nhập trước đó, sẽ không nhập lại: BK-1" in page
        assert page.count('class="imported"') == 4 and "Đã nhập trước đó" in page
        assert 'name="token"' not in page
    assert count(app, Stay) == 3


def test_the_preview_tells_new_stays_from_those_imported_before(app, staff):
    confirm(staff, upload(staff, csv_bytes(good_rows()[:2]), "a.csv").get_data(as_text=True))   # BK-1
    changed = row(**{"Mã đặt phòng": "BK-3", "Phòng": "999"})
    page = upload(staff, csv_bytes(good_rows() + [bad_id_row()]), "b.csv").get_data(as_text=True)
    assert "có thể nhập 2 lần lưu trú" in page and "1 lần lưu trú đã nhập trước đó, sẽ không nhập lại: BK-1" in page
    done = confirm(staff, page).get_data(as_text=True)
    assert "Lần lưu trú mới: 2" in done
    assert count(app, Stay) == 3
    # a ref already used by a different stay is an error of its rows in the preview, not a surprise later
    page = upload(staff, csv_bytes([changed]), "c.csv").get_data(as_text=True)
    assert "Mã đặt phòng này đã được dùng cho một lượt lưu trú có nội dung khác." in page
    assert "có thể nhập 0 lần lưu trú" in page and 'name="token"' not in page


def test_rows_of_one_booking_must_agree_on_stay_fields(staff):
    rows = [row(**{"Mã đặt phòng": "BK-X", "Phòng": "101"}),
            row(**{"Mã đặt phòng": "BK-X", "Phòng": "999", "Họ và tên": "Người Khác",
                   "Số định danh cá nhân": make_id_number("001", "male", date(1990, 5, 17), tail="100009")})]
    page = upload(staff, csv_bytes(rows, delimiter=";"), "semi.csv").get_data(as_text=True)
    assert "Khác với dòng đầu tiên" in page and "có thể nhập 0 lần lưu trú" in page
    assert 'name="token"' not in page


def test_a_file_that_is_not_a_guest_list_is_rejected_clearly(app, staff):
    cases = [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "scan.pdf", "không đọc được"),
        (csv_bytes([["1", "2"]], head=["Mã hàng", "Số lượng"]), "kho.csv", "không phải danh sách khách"),
        (xlsx_bytes([["a", "b"]], head=["Tháng", "Doanh thu"]), "doanhthu.xlsx", "không phải danh sách khách"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "không đọc được"),
        (csv_bytes([]), "empty.csv", "không có khách"),
        (b"Ho va ten,Ng\xe0y sinh,Gi\xf4i t\xednh\n", "old.csv", "utf-8"),  # Windows-125x bytes
    ]
    for data, name, expected in cases:
        response = upload(staff, data, name)
        assert response.status_code == 422, name
        assert expected in response.get_data(as_text=True).lower(), name
    assert upload(staff, b"", "nothing.csv").status_code == 400
    assert count(app, Stay) == 0


def test_template_has_vietnamese_headers_and_imports_when_filled(app, staff):
    response = staff.get("/facility/import/template.xlsx")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/vnd.openxml")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEAD
    assert "Họ và tên" in HEAD and "Ngày sinh" in HEAD and "Số định danh cá nhân" in HEAD
    for values in good_rows():
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    confirm(staff, upload(staff, out.getvalue(), "template.xlsx").get_data(as_text=True))
    assert count(app, Stay) == 3
    csv_template = staff.get("/facility/import/template.csv")
    assert csv_template.data.startswith("\ufeff".encode()) and "Mã đặt phòng" in csv_template.get_data(as_text=True)


def test_confirm_token_is_signed_and_bound_to_the_facility(staff):
    assert staff.post("/facility/import/confirm", {"token": "forged"}).status_code == 400
